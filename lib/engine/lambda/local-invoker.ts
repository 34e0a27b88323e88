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

const WORKER_SCRIPT = join(__dirname, 'lambda-worker.cjs');

/**
 * Invokes functions by name from a local map of handlers, each invocation in a worker thread of
 * its own: a handler that burns CPU, hangs or crashes cannot stall or take down the engine, and
 * one that outlives its startToCloseTimeout is terminated. Outcomes are shaped as SWF records
 * them from Lambda: the return value as JSON, or the error's name and message.
 */
export class LocalLambdaInvoker implements LambdaInvoker {
  private readonly running = new Set<Worker>();

  constructor(
    private readonly functions: Record<string, LambdaHandlerRef>,
    private readonly region = 'us-east-1',
    private readonly accountId = '123456789012',
  ) {}

  /** Reads `{ "<name>": { "module": "path", "export": "handler" } }`; paths are relative to the file. */
  static fromFile(file: string, region?: string, accountId?: string): LocalLambdaInvoker {
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
    return new LocalLambdaInvoker(functions, region, accountId);
  }

  invoke(inv: LambdaInvocation): Promise<LambdaOutcome> {
    const ref = this.functions[inv.functionName];
    if (!ref) {
      return Promise.resolve({
        reason: 'ResourceNotFoundException',
        details: `Function not found: arn:aws:lambda:${this.region}:${this.accountId}:function:${inv.functionName}`,
      });
    }
    return new Promise<LambdaOutcome>((settle) => {
      const worker = new Worker(WORKER_SCRIPT, {
        workerData: {
          module: ref.module,
          exportName: ref.export ?? 'handler',
          functionName: inv.functionName,
          payload: inv.payload,
          timeoutMs: inv.timeoutMs,
          requestId: randomUUID(),
        },
        stdout: false,
        stderr: false,
      });
      this.running.add(worker);
      let done = false;
      const finish = (outcome: LambdaOutcome) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.running.delete(worker);
        void worker.terminate();
        settle(outcome);
      };
      const timer = setTimeout(() => finish('timeout'), inv.timeoutMs);
      worker.on('message', (m: { result?: string; reason?: string; details?: string }) => finish(shape(m)));
      worker.on('error', (error) => finish({ reason: error.name || 'Error', details: clip(error.message, MAX_DETAILS_CHARS) }));
      worker.on('exit', (code) => finish({ reason: 'Runtime.ExitError', details: `The handler's runtime exited with code ${code}` }));
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.running].map((w) => w.terminate()));
    this.running.clear();
  }
}

function shape(m: { result?: string; reason?: string; details?: string }): LambdaOutcome {
  if (m.reason !== undefined) return { reason: clip(m.reason, 256), ...(m.details !== undefined ? { details: clip(m.details, MAX_DETAILS_CHARS) } : {}) };
  if (m.result !== undefined && m.result.length > MAX_RESULT_CHARS) {
    return { reason: 'ResultTooLarge', details: `The result has ${m.result.length} characters; SWF accepts at most ${MAX_RESULT_CHARS}` };
  }
  return m.result !== undefined ? { result: m.result } : {};
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : s.slice(0, max);
}
