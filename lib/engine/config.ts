/**
 * Engine settings. The defaults follow Amazon SWF; the choices that `swf-spec.md` leaves open
 * (section 11) are here so a user can match whichever behaviour their clients expect.
 */
import type { DecisionType } from '@aws-sdk/client-swf';
import type { Credentials } from './protocol/sigv4';

export type DeniableDecision = Exclude<DecisionType, 'ScheduleLambdaFunction'>;

export interface EngineConfig {
  /** When set, every request must carry a valid SigV4 signature by one of these keys. */
  credentials?: Credentials;
  /** Account id used in ARNs. */
  accountId: string;
  /** Region used when a request carries no SigV4 credential scope. */
  defaultRegion: string;
  /** How long a poll with nothing to do is held before the empty answer (SWF: 60 s). */
  pollTimeoutMs: number;
  /**
   * The empty poll's taskToken: omitted (what the service sends: Java Flow treats only a null
   * token as "no task"), or `""` as the API reference's prose describes it.
   */
  emptyPollTaskToken: 'empty' | 'omit';
  /** Whether ScheduleActivityTask needs a heartbeat timeout from the decision or the type. */
  requireHeartbeatTimeout: boolean;
  /** WorkflowExecutionTerminated.cause for an operator's TerminateWorkflowExecution (unset in the docs). */
  operatorTerminateCause: 'OPERATOR_INITIATED' | 'none';
  /**
   * Decision types that IAM "denies": each such decision fails with cause OPERATION_NOT_PERMITTED,
   * as on AWS when a decider's role lacks the permission (ScheduleLambdaFunction has no such cause).
   */
  deniedDecisions: readonly DeniableDecision[];
  /** Apply the child policy when a parent completes, fails or is canceled, not only on terminate/timeout. */
  childPolicyOnEveryClose: boolean;
  maxOpenActivities: number;
  maxOpenTimers: number;
  maxOpenChildren: number;
  /** The service's limit is not documented; 1,000 like the other open-task limits. */
  maxOpenLambdaFunctions: number;
  /** A run with this many events is terminated with EVENT_LIMIT_EXCEEDED. */
  maxHistoryEvents: number;
  maxDomains: number;
  maxTypesPerDomain: number;
  maxOpenExecutionsPerDomain: number;
  maxDomainTags: number;
  maxPollersPerTaskList: number;
}

export const DEFAULT_CONFIG: EngineConfig = {
  accountId: '123456789012',
  defaultRegion: 'us-east-1',
  pollTimeoutMs: 60_000,
  emptyPollTaskToken: 'omit',
  requireHeartbeatTimeout: false,
  operatorTerminateCause: 'OPERATOR_INITIATED',
  deniedDecisions: [],
  childPolicyOnEveryClose: false,
  maxOpenActivities: 1000,
  maxOpenTimers: 1000,
  maxOpenChildren: 1000,
  maxOpenLambdaFunctions: 1000,
  maxHistoryEvents: 25_000,
  maxDomains: 100,
  maxTypesPerDomain: 10_000,
  maxOpenExecutionsPerDomain: 100_000,
  maxDomainTags: 50,
  maxPollersPerTaskList: 1000,
};
