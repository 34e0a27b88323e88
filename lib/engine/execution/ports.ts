import type { CrossRunRequest } from './state';

/** A Lambda task a run started: what its invocation needs. */
export type LambdaTask = Omit<Extract<CrossRunRequest, { type: 'invokeLambda' }>, 'type'>;

/**
 * How a started Lambda task reaches an invoker. The engine's core implements it: it invokes the
 * function and records the outcome in a transaction of its own. The execution layer only asks.
 */
export interface LambdaTaskPort {
  /** Called once the transaction that started the task has committed. */
  invoke(executionId: number, task: LambdaTask): void;
}

/** What carrying out one run's requests on other runs needs besides the transaction. */
export interface CrossRunPorts {
  lambda: LambdaTaskPort;
  /** Apply the child policy when a parent completes, fails or is canceled, not only on terminate/timeout. */
  childPolicyOnEveryClose: boolean;
}
