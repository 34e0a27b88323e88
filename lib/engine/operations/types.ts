import type { EngineCore } from '../core';

/** What every operation handler knows about the call besides its input. */
export interface CallContext {
  region: string;
  requestId: string;
  /** Aborted when the client disconnects before the answer is written. */
  signal: AbortSignal;
}

/** A response body that is already JSON text (history pages are spliced, not re-serialized). */
export class RawJson {
  constructor(readonly text: string) {}
}

export type OperationResult = object | RawJson | undefined;

export type OperationHandler = (
  core: EngineCore,
  ctx: CallContext,
  input: any, // validated against the service model before the handler runs
) => OperationResult | Promise<OperationResult>;

export type OperationTable = Record<string, OperationHandler>;

/** Copies the members of `source` that are set, so optional members are omitted, never null. */
export function defined<T extends object>(source: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key in source) {
    if (source[key] !== undefined && source[key] !== null) out[key] = source[key];
  }
  return out;
}
