import { SWF } from '@aws-sdk/client-swf';
import { startEngine, type EngineOptions, type RunningEngine } from '../../lib/engine';

export interface TestEngine {
  engine: RunningEngine;
  swf: SWF;
  close(): Promise<void>;
}

/** An SWF client for `endpoint`, signed with dummy credentials in `region`. */
export function swfClient(endpoint: string, region = 'us-east-1'): SWF {
  return new SWF({
    endpoint,
    region,
    credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' },
    maxAttempts: 1,
  });
}

/** Starts an in-memory engine on a free port with a short long-poll hold unless told otherwise. */
export async function startTestEngine(options: EngineOptions = {}): Promise<TestEngine> {
  const engine = await startEngine({ port: 0, db: ':memory:', pollTimeoutMs: 2000, ...options });
  const swf = swfClient(engine.endpoint);
  return {
    engine,
    swf,
    close: async () => {
      swf.destroy();
      await engine.close();
    },
  };
}

let counter = 0;
/** A name unique within the test run. */
export function unique(prefix: string): string {
  return `${prefix}-${process.pid}-${++counter}`;
}

/** Registers a domain with a workflow type and an activity type that have every default set. */
export async function registerBasics(swf: SWF, domain: string, opts: { taskList?: string } = {}): Promise<void> {
  const taskList = { name: opts.taskList ?? 'default' };
  await swf.registerDomain({ name: domain, workflowExecutionRetentionPeriodInDays: '1' });
  await swf.registerWorkflowType({
    domain,
    name: 'Flow',
    version: '1',
    defaultTaskList: taskList,
    defaultExecutionStartToCloseTimeout: '3600',
    defaultTaskStartToCloseTimeout: '300',
    defaultChildPolicy: 'TERMINATE',
  });
  await swf.registerActivityType({
    domain,
    name: 'Work',
    version: '1',
    defaultTaskList: taskList,
    defaultTaskScheduleToStartTimeout: '300',
    defaultTaskScheduleToCloseTimeout: '600',
    defaultTaskStartToCloseTimeout: '300',
    defaultTaskHeartbeatTimeout: 'NONE',
  });
}
