import { Logger } from '@aws-lambda-powertools/logger';

/** Structured fields attached to one log line. */
export type LogFields = Record<string, unknown>;

/**
 * The part of a logger the pollers use. The powertools `Logger` satisfies it; tests pass a fake
 * that records lines.
 */
export interface WorkerLogger {
  debug(message: string, ...fields: LogFields[]): void;
  info(message: string, ...fields: LogFields[]): void;
  warn(message: string, ...fields: LogFields[]): void;
  error(message: string, ...fields: LogFields[]): void;
}

/** The production default: a powertools JSON logger for `serviceName` (POWERTOOLS_LOG_LEVEL etc. apply). */
export function defaultLogger(serviceName: string): WorkerLogger {
  return new Logger({ serviceName });
}
