'use strict';
// Runs one Lambda handler invocation in a worker thread, so a CPU-heavy or hanging handler never
// stalls the engine's event loop and can be stopped at its timeout. Plain CommonJS on purpose:
// it must load without any TypeScript tooling; TypeScript handlers load through tsx.
const { parentPort, workerData } = require('node:worker_threads');

const { module: modulePath, exportName, functionName, payload, timeoutMs, requestId } = workerData;
const started = Date.now();

function errorOutcome(error) {
  const reason = (error && typeof error === 'object' && typeof error.name === 'string' && error.name) || 'Error';
  const details = error && typeof error === 'object' && 'message' in error ? String(error.message) : String(error);
  return { reason, details };
}

async function main() {
  if (/\.[cm]?tsx?$/.test(modulePath)) require('tsx/cjs/api').register();
  let event = null;
  if (payload !== undefined) {
    try {
      event = JSON.parse(payload);
    } catch (error) {
      return { reason: 'InvalidRequestContentException', details: `Could not parse request body into json: ${error.message}` };
    }
  }
  const mod = require(modulePath);
  const handler = mod[exportName] ?? (mod.default && mod.default[exportName]);
  if (typeof handler !== 'function') {
    return { reason: 'Runtime.HandlerNotFound', details: `${modulePath} does not export a function named ${exportName}` };
  }
  const context = {
    functionName,
    awsRequestId: requestId,
    getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - started)),
  };
  const value = await handler(event, context);
  if (value === undefined) return {};
  const result = JSON.stringify(value);
  if (result === undefined) {
    return { reason: 'Runtime.UnserializableResult', details: `The handler returned a ${typeof value}, which is not JSON` };
  }
  return { result };
}

main().then(
  (outcome) => parentPort.postMessage(outcome),
  (error) => parentPort.postMessage(errorOutcome(error)),
);
