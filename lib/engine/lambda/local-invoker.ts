import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { LambdaInvocation, LambdaInvoker, LambdaOutcome } from './invoker';

/** Where a function's code lives: a module path and the name of its handler export. */
export interface LambdaHandlerRef {
  module: string;
  export?: string;
}

/** SWF's limit on a result; Lambda's own payload limit is larger. */
const MAX_RESULT_CHARS = 32_768;
const MAX_DETAILS_CHARS = 32_768;
/** Idle warm workers kept per function. */
const MAX_IDLE_PER_FUNCTION = 4;

const WORKER_SCRIPT = join(__dirname, 'lambda-worker.cjs');

type WorkerMessage = { type: 'done'; outcome: WireOutcome } | { type: 'warm'; error?: WireOutcome };
interface WireOutcome {
  result?: string;
  reason?: string;
  details?: string;
}

/**
 * Invokes functions by name from a local map of handlers. Each function gets warm workers, like
 * Lambda's warm containers: a worker thread loads the handler once and serves one invocation at
 * a time, so a handler that burns CPU, hangs or crashes cannot stall or take down the engine. A
 * handler that outlives its startToCloseTimeout has its worker terminated. Outcomes are shaped as
 * SWF records them from Lambda: the return value as JSON, or the error's name and message.
 */
export class LocalLambdaInvoker implements LambdaInvoker {
  private readonly idle = new Map<string, Worker[]>();
  private readonly all = new Set<Worker>();
  private closed = false;

  constructor(
    private readonly functions: Record<string, LambdaHandlerRef>,
    private readonly region = 'us-east-1',
    private readonly accountId = '123456789012',
    /** Environment of the handlers (like a function's configuration); default: this process's. */
    private readonly env?: Readonly<Record<string, string>>,
  ) {}

  /** Reads `{ "<name>": { "module": "path", "export": "handler" } }`; paths are relative to the file. */
  static fromFile(file: string, region?: string, accountId?: string, env?: Readonly<Record<string, string>>): LocalLambdaInvoker {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new Error(`cannot read Lambda function map ${file}: ${(error as Error).message}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new Error(`Lambda function map ${file} must be an object of function name -> { module, export }`);
    }
    const functions: Record<string, LambdaHandlerRef> = {};
    for (const [name, ref] of Object.entries(parsed as Record<string, unknown>)) {
      const r = ref as Partial<LambdaHandlerRef> | null;
      if (!r || typeof r.module !== 'string' || (r.export !== undefined && typeof r.export !== 'string')) {
        throw new Error(`Lambda function map ${file}: "${name}" needs { "module": string, "export"?: string }`);
      }
      functions[name] = { module: isAbsolute(r.module) ? r.module : resolve(dirname(file), r.module), ...(r.export ? { export: r.export } : {}) };
    }
    return new LocalLambdaInvoker(functions, region, accountId, env);
  }

  /** Starts one warm worker per function now, so the first invocations skip the cold start. */
  async prewarm(): Promise<void> {
    await Promise.all(
      Object.keys(this.functions).map(
        (name) =>
          new Promise<void>((done) => {
            const worker = this.spawn(name);
            worker.once('message', (m: WorkerMessage) => {
              if (m.type === 'warm' && !m.error) this.release(name, worker);
              else this.discard(worker);
              done();
            });
            worker.once('exit', () => done());
            worker.postMessage({ type: 'warm' });
          }),
      ),
    );
  }

  invoke(inv: LambdaInvocation): Promise<LambdaOutcome> {
    if (!Object.prototype.hasOwnProperty.call(this.functions, inv.functionName)) {
      return Promise.resolve({
        reason: 'ResourceNotFoundException',
        details: `Function not found: arn:aws:lambda:${this.region}:${this.accountId}:function:${inv.functionName}`,
      });
    }
    const name = inv.functionName;
    const worker = this.idle.get(name)?.pop() ?? this.spawn(name);
    worker.ref();
    return new Promise<LambdaOutcome>((settle) => {
      let done = false;
      const finish = (outcome: LambdaOutcome, reusable: boolean) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        if (reusable) this.release(name, worker);
        else this.discard(worker);
        settle(outcome);
      };
      const onMessage = (m: WorkerMessage) => {
        if (m.type === 'done') finish(shape(m.outcome), true);
      };
      const onError = (error: Error) => finish({ reason: error.name || 'Error', details: clip(error.message, MAX_DETAILS_CHARS) }, false);
      const onExit = (code: number) => finish({ reason: 'Runtime.ExitError', details: `The handler's runtime exited with code ${code}` }, false);
      const timer = setTimeout(() => finish('timeout', false), inv.timeoutMs);
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.postMessage({ type: 'invoke', payload: inv.payload, timeoutMs: inv.timeoutMs, requestId: randomUUID() });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const workers = [...this.all];
    this.all.clear();
    this.idle.clear();
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private spawn(name: string): Worker {
    const ref = this.functions[name]!;
    const worker = new Worker(WORKER_SCRIPT, {
      workerData: { module: ref.module, exportName: ref.export ?? 'handler', functionName: name },
      ...(this.env ? { env: { ...process.env, ...this.env } } : {}),
    });
    this.all.add(worker);
    // A worker that dies while idle leaves the pool.
    worker.once('exit', () => this.forget(name, worker));
    return worker;
  }

  private release(name: string, worker: Worker): void {
    const pool = this.idle.get(name) ?? [];
    if (this.closed || pool.length >= MAX_IDLE_PER_FUNCTION) return this.discard(worker);
    pool.push(worker);
    this.idle.set(name, pool);
    // An idle worker must not keep the process alive.
    worker.unref();
  }

  private discard(worker: Worker): void {
    this.all.delete(worker);
    void worker.terminate();
  }

  private forget(name: string, worker: Worker): void {
    this.all.delete(worker);
    const pool = this.idle.get(name);
    const i = pool?.indexOf(worker) ?? -1;
    if (pool && i >= 0) pool.splice(i, 1);
  }
}

function shape(m: WireOutcome): LambdaOutcome {
  if (m.reason !== undefined) return { reason: clip(m.reason, 256), ...(m.details !== undefined ? { details: clip(m.details, MAX_DETAILS_CHARS) } : {}) };
  if (m.result !== undefined && m.result.length > MAX_RESULT_CHARS) {
    return { reason: 'ResultTooLarge', details: `The result has ${m.result.length} characters; SWF accepts at most ${MAX_RESULT_CHARS}` };
  }
  return m.result !== undefined ? { result: m.result } : {};
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : s.slice(0, max);
}
