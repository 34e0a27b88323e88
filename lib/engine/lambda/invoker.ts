/**
 * How the engine carries out ScheduleLambdaFunction. On AWS, SWF invokes the function with the
 * task's input as the payload; here an invoker does, and reports what Lambda would have.
 */
export interface LambdaInvocation {
  functionName: string;
  /** The task's input: Lambda's invocation payload (a JSON document). */
  payload: string | undefined;
  /** startToCloseTimeout: the invoker stops the handler when it runs out. */
  timeoutMs: number;
}

/**
 * `{ result }`: the function returned (its value serialized as JSON); `{ reason, details }`: it
 * failed (reason = error type, details = message); `'timeout'`: it was stopped at the timeout,
 * which the engine has already recorded from its own durable deadline.
 */
export type LambdaOutcome = { result?: string } | { reason: string; details?: string } | 'timeout';

export interface LambdaInvoker {
  invoke(invocation: LambdaInvocation): Promise<LambdaOutcome>;
  /** Stops invocations in flight (engine shutdown). */
  close?(): Promise<void>;
}
