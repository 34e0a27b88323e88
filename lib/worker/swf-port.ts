import {
  PollForActivityTaskCommand,
  PollForDecisionTaskCommand,
  RecordActivityTaskHeartbeatCommand,
  RespondActivityTaskCanceledCommand,
  RespondActivityTaskCompletedCommand,
  RespondActivityTaskFailedCommand,
  RespondDecisionTaskCompletedCommand,
  type ActivityTaskStatus,
  type PollForActivityTaskInput,
  type PollForDecisionTaskInput,
  type RecordActivityTaskHeartbeatInput,
  type RespondActivityTaskCanceledInput,
  type RespondActivityTaskCompletedInput,
  type RespondActivityTaskFailedInput,
  type RespondDecisionTaskCompletedInput,
  type ActivityTask,
  type DecisionTask,
  SWFClient,
} from '@aws-sdk/client-swf';

/** Per-call options; the SDK's `HttpHandlerOptions` carries the abort signal. */
export interface CallOptions {
  abortSignal?: AbortSignal;
}

/**
 * The SWF operations the pollers call, shaped like the SDK's aggregated `SWF` client so that
 * `new SWF(...)` satisfies it as it is. Outputs leave out `$metadata`, so a test fake only
 * returns the members it cares about.
 */
export interface SwfOperations {
  pollForDecisionTask(input: PollForDecisionTaskInput, options?: CallOptions): Promise<Partial<DecisionTask>>;
  respondDecisionTaskCompleted(input: RespondDecisionTaskCompletedInput, options?: CallOptions): Promise<unknown>;
  pollForActivityTask(input: PollForActivityTaskInput, options?: CallOptions): Promise<Partial<ActivityTask>>;
  recordActivityTaskHeartbeat(input: RecordActivityTaskHeartbeatInput, options?: CallOptions): Promise<Partial<ActivityTaskStatus>>;
  respondActivityTaskCompleted(input: RespondActivityTaskCompletedInput, options?: CallOptions): Promise<unknown>;
  respondActivityTaskFailed(input: RespondActivityTaskFailedInput, options?: CallOptions): Promise<unknown>;
  respondActivityTaskCanceled(input: RespondActivityTaskCanceledInput, options?: CallOptions): Promise<unknown>;
}

/** What a poller accepts: the aggregated `SWF` client (or any `SwfOperations`), or a bare `SWFClient`. */
export type SwfLike = SwfOperations | SWFClient;

/** Wraps a bare `SWFClient` (command style) in the method style the pollers call. */
export function toSwfOperations(swf: SwfLike): SwfOperations {
  if (!(swf instanceof SWFClient) || typeof (swf as Partial<SwfOperations>).pollForDecisionTask === 'function') {
    return swf as SwfOperations;
  }
  const client = swf;
  return {
    pollForDecisionTask: (input, options) => client.send(new PollForDecisionTaskCommand(input), options),
    respondDecisionTaskCompleted: (input, options) => client.send(new RespondDecisionTaskCompletedCommand(input), options),
    pollForActivityTask: (input, options) => client.send(new PollForActivityTaskCommand(input), options),
    recordActivityTaskHeartbeat: (input, options) => client.send(new RecordActivityTaskHeartbeatCommand(input), options),
    respondActivityTaskCompleted: (input, options) => client.send(new RespondActivityTaskCompletedCommand(input), options),
    respondActivityTaskFailed: (input, options) => client.send(new RespondActivityTaskFailedCommand(input), options),
    respondActivityTaskCanceled: (input, options) => client.send(new RespondActivityTaskCanceledCommand(input), options),
  };
}
