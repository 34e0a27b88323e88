import type { ActivityTypeConfiguration, WorkflowTypeConfiguration } from '@aws-sdk/client-swf';

export interface RegisteredTypeInfo<C> {
  status: 'REGISTERED' | 'DEPRECATED';
  config: C;
}

/** What the decisions need to know besides the run: the domain's types, limits and settings. */
export interface DecisionContext {
  activityType(name: string, version: string): RegisteredTypeInfo<ActivityTypeConfiguration> | undefined;
  workflowType(name: string, version: string): RegisteredTypeInfo<WorkflowTypeConfiguration> | undefined;
  openExecutionCount(): number;
  /** Whether a Lambda invoker is configured. */
  lambdaAvailable: boolean;
  /** Fail ScheduleActivityTask with DEFAULT_HEARTBEAT_TIMEOUT_UNDEFINED instead of using NONE. */
  requireHeartbeatTimeout: boolean;
  maxOpenActivities: number;
  maxOpenTimers: number;
  maxOpenChildren: number;
  maxOpenLambdaFunctions: number;
  maxOpenExecutionsPerDomain: number;
  deniedDecisions: readonly string[];
}
