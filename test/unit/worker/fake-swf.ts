import { SWFServiceException, UnknownResourceFault, type ActivityTask, type DecisionTask, type HistoryEvent } from '@aws-sdk/client-swf';
import type { CallOptions, LogFields, Sleep, SwfOperations, WorkerLogger } from '../../../lib/worker';

/** One scripted answer: a value, an error to throw, or a function of the call. */
export type Step<O> = O | Error | ((input: never, options?: CallOptions) => Promise<O> | O);

export interface Call {
  op: keyof SwfOperations;
  input: Record<string, unknown>;
  signal: AbortSignal | undefined;
}

function abortError(): Error {
  const error = new Error('Request aborted');
  error.name = 'AbortError';
  return error;
}

/** A long poll that never finds work: it settles only when aborted, like the SDK's (AbortError). */
function hang(signal: AbortSignal | undefined): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    signal?.addEventListener('abort', () => reject(abortError()), { once: true });
  });
}

async function run<O>(step: Step<O>, input: unknown, options?: CallOptions): Promise<O> {
  if (step instanceof Error) throw step;
  if (typeof step === 'function') return (step as (input: unknown, options?: CallOptions) => Promise<O> | O)(input, options);
  return step;
}

/**
 * An in-memory stand-in for the SWF client: scripted answers per operation, every call recorded.
 * Polls with an empty script hang until aborted, like a long poll on an idle task list.
 */
export class FakeSwf implements SwfOperations {
  readonly calls: Call[] = [];
  /** Answers to first-page decision polls, in order. */
  readonly decisionPolls: Step<Partial<DecisionTask>>[] = [];
  /** Answers to decision polls that carry a nextPageToken: by token, each a queue (last one repeats). */
  readonly pages = new Map<string, Step<Partial<DecisionTask>>[]>();
  readonly activityPolls: Step<Partial<ActivityTask>>[] = [];
  /** Answers to RecordActivityTaskHeartbeat, in order; the last one repeats. */
  readonly heartbeats: Step<{ cancelRequested: boolean }>[] = [{ cancelRequested: false }];
  /** Answers to the responds, in order; when empty they succeed. */
  readonly responds: Step<unknown>[] = [];

  private record(op: keyof SwfOperations, input: object, options?: CallOptions): void {
    this.calls.push({ op, input: input as Record<string, unknown>, signal: options?.abortSignal });
  }

  callsOf(op: keyof SwfOperations): Call[] {
    return this.calls.filter((c) => c.op === op);
  }

  async pollForDecisionTask(input: { nextPageToken?: string | undefined }, options?: CallOptions): Promise<Partial<DecisionTask>> {
    this.record('pollForDecisionTask', input, options);
    if (input.nextPageToken) {
      const queue = this.pages.get(input.nextPageToken);
      if (!queue || queue.length === 0) throw new SWFServiceException({ name: 'ValidationException', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Invalid token' });
      const step = queue.length > 1 ? queue.shift()! : queue[0]!;
      return run(step, input, options);
    }
    const step = this.decisionPolls.shift();
    return step === undefined ? hang(options?.abortSignal) : run(step, input, options);
  }

  async pollForActivityTask(input: object, options?: CallOptions): Promise<Partial<ActivityTask>> {
    this.record('pollForActivityTask', input, options);
    const step = this.activityPolls.shift();
    return step === undefined ? hang(options?.abortSignal) : run(step, input, options);
  }

  async recordActivityTaskHeartbeat(input: object, options?: CallOptions): Promise<{ cancelRequested: boolean }> {
    this.record('recordActivityTaskHeartbeat', input, options);
    const step = this.heartbeats.length > 1 ? this.heartbeats.shift()! : this.heartbeats[0]!;
    return run(step, input, options);
  }

  private async respond(op: keyof SwfOperations, input: object, options?: CallOptions): Promise<unknown> {
    this.record(op, input, options);
    const step = this.responds.shift();
    return step === undefined ? {} : run(step, input, options);
  }

  respondDecisionTaskCompleted(input: object, options?: CallOptions) {
    return this.respond('respondDecisionTaskCompleted', input, options);
  }
  respondActivityTaskCompleted(input: object, options?: CallOptions) {
    return this.respond('respondActivityTaskCompleted', input, options);
  }
  respondActivityTaskFailed(input: object, options?: CallOptions) {
    return this.respond('respondActivityTaskFailed', input, options);
  }
  respondActivityTaskCanceled(input: object, options?: CallOptions) {
    return this.respond('respondActivityTaskCanceled', input, options);
  }
}

export const serverError = (): Error =>
  new SWFServiceException({ name: 'InternalFailure', $fault: 'server', $metadata: { httpStatusCode: 500 }, message: 'internal failure' });
export const unavailable = (): Error =>
  new SWFServiceException({ name: 'ServiceUnavailable', $fault: 'server', $metadata: { httpStatusCode: 503 }, message: 'unavailable' });
export const throttling = (): Error =>
  new SWFServiceException({ name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Rate exceeded' });
export const networkError = (): Error => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
export const unknownResource = (message = 'Unknown activity, scheduledEventId = 5'): Error =>
  new UnknownResourceFault({ message, $metadata: { httpStatusCode: 400 } });

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields: LogFields;
}

/** A logger that keeps its lines. */
export class MemoryLogger implements WorkerLogger {
  readonly lines: LogLine[] = [];
  private add(level: LogLine['level'], message: string, fields: LogFields[]) {
    this.lines.push({ level, message, fields: Object.assign({}, ...fields) });
  }
  debug(message: string, ...fields: LogFields[]) {
    this.add('debug', message, fields);
  }
  info(message: string, ...fields: LogFields[]) {
    this.add('info', message, fields);
  }
  warn(message: string, ...fields: LogFields[]) {
    this.add('warn', message, fields);
  }
  error(message: string, ...fields: LogFields[]) {
    this.add('error', message, fields);
  }
  find(message: string | RegExp): LogLine[] {
    return this.lines.filter((l) => (typeof message === 'string' ? l.message === message : message.test(l.message)));
  }
}

/** A sleep that records the delays and returns at the next macrotask instead of waiting. */
export function recordingSleep(): { sleep: Sleep; delays: number[] } {
  const delays: number[] = [];
  return {
    delays,
    sleep: (ms) => {
      delays.push(ms);
      return new Promise((resolve) => setImmediate(resolve));
    },
  };
}

/** Waits until `condition` holds (checked every few ms), failing after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 2000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** Lets pending promise callbacks and timers at 0 run. */
export const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));

export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** History events with ids `from`..`to` (types are irrelevant to the poller). */
export function events(from: number, to: number): HistoryEvent[] {
  const out: HistoryEvent[] = [];
  for (let id = from; id <= to; id++) out.push({ eventId: id, eventType: 'MarkerRecorded', eventTimestamp: new Date(0) });
  return out;
}
