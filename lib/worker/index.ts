export {
  DecisionPoller,
  type DecideFunction,
  type DecideResult,
  type DecisionPollerOptions,
  type DecisionPollerStats,
  type DecisionTaskInput,
} from './decision-poller';
export {
  ActivityCanceledError,
  ActivityPoller,
  ActivityTaskClosedError,
  WorkerShutdownError,
  failureOf,
  type ActivityContext,
  type ActivityHandler,
  type ActivityPollerOptions,
  type ActivityPollerStats,
} from './activity-poller';
export { ConfigError, createSwfClient, readWorkerConfig, type WorkerConfig } from './config';
export { backoffDelay, realSleep, type BackoffOptions, type Sleep } from './backoff';
export { isAbortError, isTransient, isUnknownResource } from './errors';
export { SWF_LIMITS, truncate } from './limits';
export { defaultLogger, type LogFields, type WorkerLogger } from './logger';
export { PollerStoppedError } from './poll-loop';
export { toSwfOperations, type CallOptions, type SwfLike, type SwfOperations } from './swf-port';
