'use strict';
// A warm Lambda "container": a worker thread that loads one handler module once and runs its
// invocations one at a time, so a CPU-heavy or hanging handler never stalls the engine's event
// loop and can be stopped at its timeout by terminating the thread. Module state survives
// between invocations, as it does in a warm Lambda. Plain CommonJS on purpose: it loads without
// any TypeScript tooling; TypeScript handlers load through tsx.
const { parentPort, workerData } = require('node:worker_threads');

const { module: modulePath, exportName, functionName } = workerData;
let handler;

function errorOutcome(error) {
  const reason = (error && typeof error === 'object' && typeof error.name === 'string' && error.name) || 'Error';
  const details = error && typeof error === 'object' && 'message' in error ? String(error.message) : String(error);
  return { reason, details };
}

function load() {
  if (handler) return handler;
  if (/\.[cm]?tsx?$/.test(modulePath)) require('tsx/cjs/api').register();
  const mod = require(modulePath);
  const fn = mod[exportName] ?? (mod.default && mod.default[exportName]);
  if (typeof fn !== 'function') {
    const error = new Error(`${modulePath} does not export a function named ${exportName}`);
    error.name = 'Runtime.HandlerNotFound';
    throw error;
  }
  handler = fn;
  return fn;
}

async function invoke({ payload, timeoutMs, requestId }) {
  const started = Date.now();
  let event = null;
  if (payload !== undefined) {
    try {
      event = JSON.parse(payload);
    } catch (error) {
      return { reason: 'InvalidRequestContentException', details: `Could not parse request body into json: ${error.message}` };
    }
  }
  const fn = load();
  const context = {
    functionName,
    awsRequestId: requestId,
    getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - started)),
  };
  const value = await fn(event, context);
  if (value === undefined) return {};
  const result = JSON.stringify(value);
  if (result === undefined) {
    return { reason: 'Runtime.UnserializableResult', details: `The handler returned a ${typeof value}, which is not JSON` };
  }
  return { result };
}

parentPort.on('message', (message) => {
  if (message.type === 'warm') {
    try {
      load();
      parentPort.postMessage({ type: 'warm' });
    } catch (error) {
      parentPort.postMessage({ type: 'warm', error: errorOutcome(error) });
    }
    return;
  }
  invoke(message).then(
    (outcome) => parentPort.postMessage({ type: 'done', outcome }),
    (error) => parentPort.postMessage({ type: 'done', outcome: errorOutcome(error) }),
  );
});
