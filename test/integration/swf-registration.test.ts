/**
 * The SWF registration custom resource's logic (lib/registration) and its Lambda entry point
 * (lambda/swf-registration.ts), driven with CloudFormation-shaped events against swf-local.
 */
import type { SWF } from '@aws-sdk/client-swf';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { STEPS, TASK_LISTS, WORKFLOW_TIMEOUTS, WORKFLOW_TYPE, DOMAIN, RENDITION_WORKFLOW_TYPE, RETENTION_DAYS } from '../../lib/video/definition';
import {
  ensureRegistered,
  handleRegistrationEvent,
  InvalidRegistrationSpecError,
  parseRegistrationSpec,
  RegistrationConflictError,
  registrationSpec,
  type RegistrationEvent,
  type RegistrationSpec,
} from '../../lib/registration';
import { startVideoWorkflow } from '../../lib/api/starter';
import { stepTask } from '../../lib/video/workflow';
import { startTestEngine, unique, type TestEngine } from '../helpers/engine';

/** The invoke role's ARN before and after CloudFormation re-creates it (generated names differ). */
const ROLE = 'arn:aws:iam::123456789012:role/VideoPipeline-StepsSwfInvokeRole-AAAA1111';
const NEW_ROLE = 'arn:aws:iam::123456789012:role/VideoPipeline-StepsSwfInvokeRole-BBBB2222';

let t: TestEngine;
let swf: SWF;

beforeAll(async () => {
  t = await startTestEngine({ pollTimeoutMs: 500 });
  swf = t.swf;
});

afterAll(async () => {
  await t.close();
});

/** The stack's spec, in a domain of its own so tests do not interfere. */
function specIn(domain: string, change: (spec: RegistrationSpec) => void = () => {}): RegistrationSpec {
  const spec = registrationSpec();
  spec.domain.name = domain;
  change(spec);
  return spec;
}

/** What CloudFormation sends: every property as the stack wrote it, plus the ServiceToken. */
function event(requestType: RegistrationEvent['RequestType'], spec: RegistrationSpec, old?: RegistrationSpec, physicalId?: string): RegistrationEvent {
  const props = (s: RegistrationSpec) => ({ ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:provider', ...JSON.parse(JSON.stringify(s)) });
  return {
    RequestType: requestType,
    ResourceProperties: props(spec),
    ...(old ? { OldResourceProperties: props(old) } : {}),
    ...(physicalId ? { PhysicalResourceId: physicalId } : {}),
  };
}

async function statusOf(domain: string): Promise<{ domain?: string; workflow?: string; activities: (string | undefined)[] }> {
  const d = await swf.describeDomain({ name: domain });
  const w = await swf.describeWorkflowType({ domain, workflowType: WORKFLOW_TYPE });
  const activities = await Promise.all(
    Object.values(STEPS).map(async (s) => (await swf.describeActivityType({ domain, activityType: { name: s.functionName, version: s.activityVersion } })).typeInfo?.status),
  );
  return { domain: d.domainInfo?.status, workflow: w.typeInfo?.status, activities };
}

describe('the spec', () => {
  test('comes from lib/video/definition.ts: domain, workflow type defaults, one activity type per step', () => {
    const spec = registrationSpec();
    expect(spec.domain).toMatchObject({ name: DOMAIN, retentionDays: RETENTION_DAYS });
    // ProcessVideo and its ProcessRendition child (chunked encoding), with the same defaults.
    expect(spec.workflowTypes).toEqual(
      [WORKFLOW_TYPE, RENDITION_WORKFLOW_TYPE].map((type) =>
        expect.objectContaining({
          name: type.name,
          version: type.version,
          defaults: {
            taskList: TASK_LISTS.decisions,
            executionStartToCloseTimeout: WORKFLOW_TIMEOUTS.executionStartToClose,
            taskStartToCloseTimeout: WORKFLOW_TIMEOUTS.taskStartToClose,
            childPolicy: 'TERMINATE',
          },
        }),
      ),
    );
    // No IAM role anywhere: nothing registered may depend on an ARN the stack regenerates.
    expect(JSON.stringify(spec)).not.toMatch(/arn:|lambdaRole/i);
    expect(spec.activityTypes.map((a) => [a.name, a.version, a.defaults.taskList, a.defaults.startToCloseTimeout, a.defaults.heartbeatTimeout])).toEqual(
      Object.values(STEPS).map((s) => [s.functionName, s.activityVersion, TASK_LISTS.activities, String(s.timeoutSeconds), String(s.heartbeatSeconds)]),
    );
  });

  test('survives the trip through CloudFormation properties (numbers become strings, ServiceToken is ignored)', () => {
    const spec = registrationSpec();
    const props = { ServiceToken: 'x', ...JSON.parse(JSON.stringify(spec)) };
    props.domain.retentionDays = 7; // a hand-written number
    expect(parseRegistrationSpec(props)).toEqual({ ...spec, domain: { ...spec.domain, retentionDays: '7' } });
  });

  test('the activity types\' defaults are the timeouts the workflow schedules activities with', () => {
    const spec = registrationSpec();
    for (const [step, def] of Object.entries(STEPS) as [keyof typeof STEPS, (typeof STEPS)[keyof typeof STEPS]][]) {
      const task = stepTask(step, 'activity', {}) as unknown as Record<string, unknown>;
      const registered = spec.activityTypes.find((a) => a.name === def.functionName)!.defaults;
      expect(registered).toEqual({
        taskList: task.taskList,
        startToCloseTimeout: String(task.startToCloseTimeout),
        heartbeatTimeout: String(task.heartbeatTimeout),
        scheduleToStartTimeout: String(task.scheduleToStartTimeout),
        scheduleToCloseTimeout: String(task.scheduleToCloseTimeout),
      });
    }
  });

  test('a malformed spec names the field at fault', () => {
    const props = JSON.parse(JSON.stringify(registrationSpec()));
    delete props.workflowTypes[0].defaults.taskList;
    expect(() => parseRegistrationSpec(props)).toThrow(InvalidRegistrationSpecError);
    expect(() => parseRegistrationSpec(props)).toThrow('workflowTypes[0].defaults.taskList must be a non-empty string');
    expect(() => parseRegistrationSpec({})).toThrow('domain must be an object');
  });
});

describe('Create', () => {
  test('registers the domain, the workflow type with its defaults and every activity type', async () => {
    const domain = unique('reg');
    const out = await handleRegistrationEvent(event('Create', specIn(domain)), swf);
    expect(out).toEqual({ PhysicalResourceId: domain, Data: { DomainName: domain, WorkflowTypeName: WORKFLOW_TYPE.name, WorkflowTypeVersion: WORKFLOW_TYPE.version } });

    const d = await swf.describeDomain({ name: domain });
    expect(d.configuration?.workflowExecutionRetentionPeriodInDays).toBe(RETENTION_DAYS);
    const w = await swf.describeWorkflowType({ domain, workflowType: WORKFLOW_TYPE });
    expect(w.typeInfo?.status).toBe('REGISTERED');
    expect(w.configuration).toMatchObject({
      defaultTaskList: { name: TASK_LISTS.decisions },
      defaultExecutionStartToCloseTimeout: WORKFLOW_TIMEOUTS.executionStartToClose,
      defaultTaskStartToCloseTimeout: WORKFLOW_TIMEOUTS.taskStartToClose,
      defaultChildPolicy: 'TERMINATE',
    });
    expect(w.configuration?.defaultLambdaRole).toBeUndefined();
    for (const s of Object.values(STEPS)) {
      const a = await swf.describeActivityType({ domain, activityType: { name: s.functionName, version: s.activityVersion } });
      expect(a.typeInfo?.status).toBe('REGISTERED');
      expect(a.configuration).toMatchObject({
        defaultTaskList: { name: TASK_LISTS.activities },
        defaultTaskStartToCloseTimeout: String(s.timeoutSeconds),
        defaultTaskHeartbeatTimeout: String(s.heartbeatSeconds),
      });
    }
  });

  test('adopts a domain and types that are already registered with the same configuration (DomainAlreadyExists/TypeAlreadyExists are success)', async () => {
    const domain = unique('reg');
    await ensureRegistered(swf, specIn(domain));
    const report = await ensureRegistered(swf, specIn(domain));
    expect(report.domain.action).toBe('unchanged');
    expect(report.types.map((x) => x.action)).toEqual(report.types.map(() => 'unchanged'));
  });

  test('a type registered by someone else between the check and the registration: TypeAlreadyExistsFault is success when the configuration matches', async () => {
    const domain = unique('reg');
    const spec = specIn(domain);
    await ensureRegistered(swf, specIn(domain));
    // A client that does not see the types on the first look, as if they were registered meanwhile.
    const hidden = new Set<string>();
    const racing = new Proxy(swf, {
      get(target, prop, receiver) {
        if (prop === 'describeWorkflowType' || prop === 'describeActivityType') {
          return async (input: { workflowType?: { name?: string }; activityType?: { name?: string } }) => {
            const key = `${String(prop)}:${input.workflowType?.name ?? input.activityType?.name}`;
            if (!hidden.has(key)) {
              hidden.add(key);
              throw Object.assign(new Error('Unknown type'), { name: 'UnknownResourceFault' });
            }
            return (target[prop] as (i: unknown) => Promise<unknown>).call(target, input);
          };
        }
        const value = Reflect.get(target, prop, receiver) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const report = await ensureRegistered(racing, spec);
    expect(report.types.map((x) => x.action)).toEqual(report.types.map(() => 'unchanged'));

    hidden.clear();
    const changed = specIn(domain, (x) => (x.activityTypes[2]!.defaults.startToCloseTimeout = '1'));
    await expect(ensureRegistered(racing, changed)).rejects.toThrow(
      `activity type ${STEPS.thumbnails.functionName} version ${STEPS.thumbnails.activityVersion} is registered with defaultTaskStartToCloseTimeout "${STEPS.thumbnails.timeoutSeconds}" but the stack wants "1"`,
    );
  });

  test('an existing domain with another retention period is a clear error', async () => {
    const domain = unique('reg');
    await swf.registerDomain({ name: domain, workflowExecutionRetentionPeriodInDays: '30' });
    const failure = handleRegistrationEvent(event('Create', specIn(domain)), swf);
    await expect(failure).rejects.toThrow(RegistrationConflictError);
    await expect(failure).rejects.toThrow(`domain ${domain} is registered with workflowExecutionRetentionPeriodInDays "30" but the stack wants "${RETENTION_DAYS}"`);
    await expect(failure).rejects.toThrow('cannot change a registered domain');
  });
});

describe('Update', () => {
  test('with the same configuration succeeds and changes nothing', async () => {
    const domain = unique('reg');
    const spec = specIn(domain);
    await handleRegistrationEvent(event('Create', spec), swf);
    const out = await handleRegistrationEvent(event('Update', spec, spec, domain), swf);
    expect(out.PhysicalResourceId).toBe(domain);
    expect(await statusOf(domain)).toEqual({ domain: 'REGISTERED', workflow: 'REGISTERED', activities: Object.values(STEPS).map(() => 'REGISTERED') });
  });

  test('with a changed type configuration fails, says a new version is needed, and registers nothing', async () => {
    const domain = unique('reg');
    const old = specIn(domain);
    await handleRegistrationEvent(event('Create', old), swf);
    const changed = specIn(domain, (s) => {
      s.workflowTypes[0]!.defaults.taskStartToCloseTimeout = '30';
      s.activityTypes[0]!.defaults.heartbeatTimeout = '10';
      // A new activity type in the same update must not be registered when another conflicts.
      s.activityTypes.push({ ...s.activityTypes[1]!, name: 'video-extra' });
    });
    const failure = handleRegistrationEvent(event('Update', changed, old, domain), swf);
    await expect(failure).rejects.toThrow(RegistrationConflictError);
    const error = (await failure.catch((e: unknown) => e)) as RegistrationConflictError;
    expect(error.conflicts).toEqual([
      `workflow type ${WORKFLOW_TYPE.name} version ${WORKFLOW_TYPE.version} is registered with defaultTaskStartToCloseTimeout "${WORKFLOW_TIMEOUTS.taskStartToClose}" but the stack wants "30"`,
      `activity type ${STEPS.probe.functionName} version ${STEPS.probe.activityVersion} is registered with defaultTaskHeartbeatTimeout "${STEPS.probe.heartbeatSeconds}" but the stack wants "10"`,
    ]);
    expect(error.message).toContain('register a new version instead');
    expect(error.message).toContain('lib/video/definition.ts');
    await expect(swf.describeActivityType({ domain, activityType: { name: 'video-extra', version: '1' } })).rejects.toMatchObject({ name: 'UnknownResourceFault' });
  });

  test('a workflow type an older deployment registered with a defaultLambdaRole is adopted, not a conflict', async () => {
    const domain = unique('reg');
    const spec = specIn(domain);
    await swf.registerDomain({ name: domain, workflowExecutionRetentionPeriodInDays: RETENTION_DAYS });
    const w = spec.workflowTypes[0]!;
    await swf.registerWorkflowType({
      domain,
      name: w.name,
      version: w.version,
      defaultTaskList: { name: w.defaults.taskList },
      defaultExecutionStartToCloseTimeout: w.defaults.executionStartToCloseTimeout,
      defaultTaskStartToCloseTimeout: w.defaults.taskStartToCloseTimeout,
      defaultChildPolicy: 'TERMINATE',
      defaultLambdaRole: ROLE, // the role of a stack that has since been destroyed
    });
    const report = await ensureRegistered(swf, spec);
    expect(report.types.find((x) => x.kind === 'workflow')?.action).toBe('unchanged');
    // Starts name the live role, which wins over the stale default.
    await startVideoWorkflow({ swf, domain, lambdaRole: NEW_ROLE }, { videoId: 'legacy-type', sourceKey: 'legacy-type/source' });
    const d = await swf.describeWorkflowExecution({ domain, execution: { workflowId: 'legacy-type', runId: await runIdOf(domain, 'legacy-type') } });
    expect(d.executionConfiguration?.lambdaRole).toBe(NEW_ROLE);
  });

  test('with a new version registers it next to the old one', async () => {
    const domain = unique('reg');
    const old = specIn(domain);
    await handleRegistrationEvent(event('Create', old), swf);
    const next = String(Number(WORKFLOW_TYPE.version) + 1);
    const bumped = specIn(domain, (s) => {
      s.workflowTypes[0]!.version = next;
      s.workflowTypes[0]!.defaults.taskStartToCloseTimeout = '30';
    });
    await handleRegistrationEvent(event('Update', bumped, old, domain), swf);
    const v2 = await swf.describeWorkflowType({ domain, workflowType: { name: WORKFLOW_TYPE.name, version: next } });
    expect(v2.configuration?.defaultTaskStartToCloseTimeout).toBe('30');
    const v1 = await swf.describeWorkflowType({ domain, workflowType: WORKFLOW_TYPE });
    expect(v1.typeInfo?.status).toBe('REGISTERED');
  });
});

describe('Delete', () => {
  test('deprecates the types and the domain; a second Delete succeeds too', async () => {
    const domain = unique('reg');
    const spec = specIn(domain);
    await handleRegistrationEvent(event('Create', spec), swf);

    const out = await handleRegistrationEvent(event('Delete', spec, undefined, domain), swf);
    expect(out.PhysicalResourceId).toBe(domain);
    expect(await statusOf(domain)).toEqual({ domain: 'DEPRECATED', workflow: 'DEPRECATED', activities: Object.values(STEPS).map(() => 'DEPRECATED') });

    const reports: unknown[] = [];
    await handleRegistrationEvent(event('Delete', spec, undefined, domain), swf, (_m, r) => reports.push(r));
    expect(reports).toEqual([
      expect.objectContaining({
        domain: { name: domain, action: 'already deprecated' },
        types: expect.arrayContaining([expect.objectContaining({ kind: 'workflow', action: 'already deprecated' })]),
      }),
    ]);
  });

  test('of something never registered succeeds (a Create that failed before registering)', async () => {
    const domain = unique('reg');
    const reports: unknown[] = [];
    await handleRegistrationEvent(event('Delete', specIn(domain), undefined, domain), swf, (_m, r) => reports.push(r));
    expect(reports).toEqual([expect.objectContaining({ domain: { name: domain, action: 'unknown' } })]);
  });

  test('then Create again (deploy after destroy) undeprecates the domain and the types', async () => {
    const domain = unique('reg');
    const spec = specIn(domain);
    await handleRegistrationEvent(event('Create', spec), swf);
    await handleRegistrationEvent(event('Delete', spec, undefined, domain), swf);
    const reports: unknown[] = [];
    await handleRegistrationEvent(event('Create', spec), swf, (_m, r) => reports.push(r));
    expect(reports).toEqual([expect.objectContaining({ domain: { name: domain, action: 'undeprecated' } })]);
    expect(await statusOf(domain)).toEqual({ domain: 'REGISTERED', workflow: 'REGISTERED', activities: Object.values(STEPS).map(() => 'REGISTERED') });
    // And executions can start again.
    await swf.startWorkflowExecution({ domain, workflowId: 'after-redeploy', workflowType: WORKFLOW_TYPE });
  });
});

async function runIdOf(domain: string, workflowId: string): Promise<string> {
  const open = await swf.listOpenWorkflowExecutions({ domain, startTimeFilter: { oldestDate: new Date(0) }, executionFilter: { workflowId } });
  return open.executionInfos![0]!.execution!.runId!;
}

describe('redeploying the stack', () => {
  test('delete, then create with the invoke role re-created under a NEW ARN: succeeds, and executions run with the new role', async () => {
    const domain = unique('reg');
    // What the stack sends does not depend on the role, so both deployments send the same spec.
    const spec = specIn(domain);
    await handleRegistrationEvent(event('Create', spec), swf);
    await startVideoWorkflow({ swf, domain, lambdaRole: ROLE }, { videoId: 'first-stack', sourceKey: 'first-stack/source' });

    // cdk destroy (or a rollback): the custom resource's Delete, and the role is gone.
    await handleRegistrationEvent(event('Delete', spec, undefined, domain), swf);
    // cdk deploy again: a new role with a new ARN, the same registration.
    const reports: unknown[] = [];
    await handleRegistrationEvent(event('Create', specIn(domain)), swf, (_m, r) => reports.push(r));
    expect(reports).toEqual([expect.objectContaining({ domain: { name: domain, action: 'undeprecated' } })]);
    expect(await statusOf(domain)).toEqual({ domain: 'REGISTERED', workflow: 'REGISTERED', activities: Object.values(STEPS).map(() => 'REGISTERED') });

    const started = await startVideoWorkflow({ swf, domain, lambdaRole: NEW_ROLE }, { videoId: 'second-stack', sourceKey: 'second-stack/source' });
    expect(started.started).toBe(true);
    const d = await swf.describeWorkflowExecution({ domain, execution: { workflowId: 'second-stack', runId: started.runId! } });
    expect(d.executionConfiguration?.lambdaRole).toBe(NEW_ROLE);
  });

  test('create after a rolled-back create: a Create that failed half-way, its Delete, then Create succeeds', async () => {
    const domain = unique('reg');
    const spec = specIn(domain);
    // SWF fails the second activity registration: the domain, the workflow type and one activity type exist.
    let registered = 0;
    const flaky = new Proxy(swf, {
      get(target, prop, receiver) {
        if (prop === 'registerActivityType') {
          return async (input: unknown) => {
            if (++registered === 2) throw Object.assign(new Error('Rate exceeded'), { name: 'LimitExceededFault' });
            return target.registerActivityType(input as never);
          };
        }
        const value = Reflect.get(target, prop, receiver) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    await expect(handleRegistrationEvent(event('Create', spec), flaky)).rejects.toThrow('Rate exceeded');
    // The rollback deletes the resource: whatever was registered is deprecated, the rest is unknown.
    await handleRegistrationEvent(event('Delete', spec, undefined, domain), swf);
    expect((await swf.describeDomain({ name: domain })).domainInfo?.status).toBe('DEPRECATED');
    // The next deployment.
    await handleRegistrationEvent(event('Create', spec), swf);
    expect(await statusOf(domain)).toEqual({ domain: 'REGISTERED', workflow: 'REGISTERED', activities: Object.values(STEPS).map(() => 'REGISTERED') });
    await startVideoWorkflow({ swf, domain, lambdaRole: NEW_ROLE }, { videoId: 'after-rollback', sourceKey: 'after-rollback/source' });
  });
});

describe('lambda/swf-registration.ts', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  test('is the same logic behind the Lambda handler (SWF_ENDPOINT points it at swf-local)', async () => {
    Object.assign(process.env, {
      SWF_ENDPOINT: t.engine.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDLOCAL',
      AWS_SECRET_ACCESS_KEY: 'local-secret',
    });
    let mod: typeof import('../../lambda/swf-registration') | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      mod = require('../../lambda/swf-registration');
    });
    const domain = unique('reg');
    const spec = specIn(domain);
    const log = jest.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const base = {
        ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:provider',
        ResponseURL: 'https://cloudformation-custom-resource-response.example/',
        StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/VideoPipeline/1',
        RequestId: 'req-1',
        LogicalResourceId: 'SwfRegistration',
        ResourceType: 'Custom::SwfRegistration',
      };
      const props = { ServiceToken: base.ServiceToken, ...JSON.parse(JSON.stringify(spec)) };
      const created = await mod!.handler({ ...base, RequestType: 'Create', ResourceProperties: props } as CloudFormationCustomResourceEvent);
      expect(created.PhysicalResourceId).toBe(domain);
      await mod!.handler({ ...base, RequestType: 'Delete', PhysicalResourceId: domain, ResourceProperties: props } as CloudFormationCustomResourceEvent);
      expect((await swf.describeDomain({ name: domain })).domainInfo?.status).toBe('DEPRECATED');
      expect(log).toHaveBeenCalledWith(expect.stringContaining('"action":"deprecated"'));
    } finally {
      log.mockRestore();
    }
  });
});
