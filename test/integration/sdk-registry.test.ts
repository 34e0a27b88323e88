import {
  DomainAlreadyExistsFault,
  DomainDeprecatedFault,
  SWFServiceException,
  TooManyTagsFault,
  TypeAlreadyExistsFault,
  TypeDeprecatedFault,
  TypeNotDeprecatedFault,
  UnknownResourceFault,
  type SWF,
} from '@aws-sdk/client-swf';
import { registerBasics, startTestEngine, unique, type TestEngine } from '../helpers/engine';
import { d, expectFault, expectValidation, historyOf, onlyEvent, pollDecision, rejectionOf, startRun } from '../helpers/swf-flow';

let t: TestEngine;
let swf: SWF;

beforeAll(async () => {
  t = await startTestEngine({ pollTimeoutMs: 500 });
  swf = t.swf;
});

afterAll(async () => {
  await t.close();
});

async function domainArn(name: string): Promise<string> {
  const out = await swf.describeDomain({ name });
  expect(out.domainInfo?.arn).toBeTruthy();
  return out.domainInfo!.arn!;
}

// ------------------------------------------------------------------------------------------------
describe('domains', () => {
  test('RegisterDomain then DescribeDomain', async () => {
    const name = unique('dom');
    await swf.registerDomain({ name, workflowExecutionRetentionPeriodInDays: '7', description: 'a domain' });
    const out = await swf.describeDomain({ name });
    expect(out.domainInfo).toEqual({
      name,
      status: 'REGISTERED',
      description: 'a domain',
      arn: `arn:aws:swf:us-east-1:123456789012:/domain/${name}`,
    });
    expect(out.configuration).toEqual({ workflowExecutionRetentionPeriodInDays: '7' });
  });

  test('a domain without description omits it', async () => {
    const name = unique('dom');
    await swf.registerDomain({ name, workflowExecutionRetentionPeriodInDays: 'NONE' });
    const out = await swf.describeDomain({ name });
    expect(out.domainInfo?.description).toBeUndefined();
    expect(out.configuration?.workflowExecutionRetentionPeriodInDays).toBe('NONE');
  });

  test('DescribeDomain of an unknown domain gives UnknownResourceFault', async () => {
    const name = unique('nodom');
    await expectFault(swf.describeDomain({ name }), UnknownResourceFault, `Unknown domain: ${name}`);
  });

  test('RegisterDomain twice gives DomainAlreadyExistsFault, deprecated names included', async () => {
    const name = unique('dom');
    await swf.registerDomain({ name, workflowExecutionRetentionPeriodInDays: '1' });
    await expectFault(
      swf.registerDomain({ name, workflowExecutionRetentionPeriodInDays: '1' }),
      DomainAlreadyExistsFault,
      name,
    );
    await swf.deprecateDomain({ name });
    await expectFault(
      swf.registerDomain({ name, workflowExecutionRetentionPeriodInDays: '2' }),
      DomainAlreadyExistsFault,
      name,
    );
    // The failed registration changed nothing.
    const out = await swf.describeDomain({ name });
    expect(out.domainInfo?.status).toBe('DEPRECATED');
    expect(out.configuration?.workflowExecutionRetentionPeriodInDays).toBe('1');
  });

  test('DeprecateDomain deprecates the domain and its types; a repeat gives DomainDeprecatedFault', async () => {
    const name = unique('dom');
    await registerBasics(swf, name);
    await swf.deprecateDomain({ name });
    expect((await swf.describeDomain({ name })).domainInfo?.status).toBe('DEPRECATED');

    const wf = await swf.describeWorkflowType({ domain: name, workflowType: { name: 'Flow', version: '1' } });
    expect(wf.typeInfo?.status).toBe('DEPRECATED');
    expect(wf.typeInfo?.deprecationDate).toBeInstanceOf(Date);
    const act = await swf.describeActivityType({ domain: name, activityType: { name: 'Work', version: '1' } });
    expect(act.typeInfo?.status).toBe('DEPRECATED');
    expect(act.typeInfo?.deprecationDate).toBeInstanceOf(Date);
    const registered = await swf.listWorkflowTypes({ domain: name, registrationStatus: 'REGISTERED' });
    expect(registered.typeInfos).toEqual([]);

    const repeat = await expectFault(swf.deprecateDomain({ name }), DomainDeprecatedFault);
    expect(repeat.message).toContain(name);
  });

  test('a retention above 90 days and an oversized page are ValidationExceptions', async () => {
    await expectValidation(swf.registerDomain({ name: unique('dom'), workflowExecutionRetentionPeriodInDays: '91' }));
    await expectValidation(swf.listDomains({ registrationStatus: 'REGISTERED', maximumPageSize: 1001 }));
  });

  test('DeprecateDomain of an unknown domain gives UnknownResourceFault', async () => {
    const name = unique('nodom');
    await expectFault(swf.deprecateDomain({ name }), UnknownResourceFault, `Unknown domain: ${name}`);
  });

  test('UndeprecateDomain restores the domain; its types stay deprecated', async () => {
    const name = unique('dom');
    await registerBasics(swf, name);
    await expectFault(swf.undeprecateDomain({ name }), DomainAlreadyExistsFault, name);
    await swf.deprecateDomain({ name });
    await swf.undeprecateDomain({ name });
    expect((await swf.describeDomain({ name })).domainInfo?.status).toBe('REGISTERED');
    const wf = await swf.describeWorkflowType({ domain: name, workflowType: { name: 'Flow', version: '1' } });
    expect(wf.typeInfo?.status).toBe('DEPRECATED');
    const act = await swf.describeActivityType({ domain: name, activityType: { name: 'Work', version: '1' } });
    expect(act.typeInfo?.status).toBe('DEPRECATED');
    // The domain takes registrations again.
    await swf.registerWorkflowType({ domain: name, name: 'Flow', version: '2' });
    await expectFault(swf.undeprecateDomain({ name }), DomainAlreadyExistsFault, name);
  });

  test('UndeprecateDomain of an unknown domain gives UnknownResourceFault', async () => {
    await expectFault(swf.undeprecateDomain({ name: unique('nodom') }), UnknownResourceFault, /^Unknown domain: /);
  });

  test('registering a type on a deprecated domain fails', async () => {
    const name = unique('dom');
    await swf.registerDomain({ name, workflowExecutionRetentionPeriodInDays: '1' });
    await swf.deprecateDomain({ name });
    // The fault is not modelled for RegisterWorkflowType; the engine answers DomainDeprecatedFault.
    const e1 = await rejectionOf(swf.registerWorkflowType({ domain: name, name: 'Flow', version: '1' }));
    expect(e1).toBeInstanceOf(DomainDeprecatedFault);
    const e2 = await rejectionOf(swf.registerActivityType({ domain: name, name: 'Work', version: '1' }));
    expect(e2).toBeInstanceOf(DomainDeprecatedFault);
    expect((await swf.listWorkflowTypes({ domain: name, registrationStatus: 'REGISTERED' })).typeInfos).toEqual([]);
    expect((await swf.listWorkflowTypes({ domain: name, registrationStatus: 'DEPRECATED' })).typeInfos).toEqual([]);
  });

  test('ListDomains pages with maximumPageSize and nextPageToken, sorted by name; reverseOrder', async () => {
    // A fresh engine so that the listing holds only this test's domains.
    const own = await startTestEngine();
    try {
      const names = ['d-c', 'd-a', 'd-e', 'd-b', 'd-d'];
      for (const name of names) await own.swf.registerDomain({ name, workflowExecutionRetentionPeriodInDays: '1' });
      await own.swf.registerDomain({ name: 'd-z', workflowExecutionRetentionPeriodInDays: '1' });
      await own.swf.deprecateDomain({ name: 'd-z' });

      const p1 = await own.swf.listDomains({ registrationStatus: 'REGISTERED', maximumPageSize: 2 });
      expect(p1.domainInfos?.map((x) => x.name)).toEqual(['d-a', 'd-b']);
      expect(p1.nextPageToken).toBeTruthy();
      const p2 = await own.swf.listDomains({ registrationStatus: 'REGISTERED', maximumPageSize: 2, nextPageToken: p1.nextPageToken });
      expect(p2.domainInfos?.map((x) => x.name)).toEqual(['d-c', 'd-d']);
      expect(p2.nextPageToken).toBeTruthy();
      const p3 = await own.swf.listDomains({ registrationStatus: 'REGISTERED', maximumPageSize: 2, nextPageToken: p2.nextPageToken });
      expect(p3.domainInfos?.map((x) => x.name)).toEqual(['d-e']);
      expect(p3.nextPageToken).toBeUndefined();

      const all = await own.swf.listDomains({ registrationStatus: 'REGISTERED' });
      expect(all.domainInfos?.map((x) => x.name)).toEqual(['d-a', 'd-b', 'd-c', 'd-d', 'd-e']);
      expect(all.nextPageToken).toBeUndefined();
      expect(all.domainInfos?.[0]).toEqual({
        name: 'd-a',
        status: 'REGISTERED',
        arn: 'arn:aws:swf:us-east-1:123456789012:/domain/d-a',
      });

      const r1 = await own.swf.listDomains({ registrationStatus: 'REGISTERED', maximumPageSize: 3, reverseOrder: true });
      expect(r1.domainInfos?.map((x) => x.name)).toEqual(['d-e', 'd-d', 'd-c']);
      const r2 = await own.swf.listDomains({
        registrationStatus: 'REGISTERED',
        maximumPageSize: 3,
        reverseOrder: true,
        nextPageToken: r1.nextPageToken,
      });
      expect(r2.domainInfos?.map((x) => x.name)).toEqual(['d-b', 'd-a']);
      expect(r2.nextPageToken).toBeUndefined();

      // A page exactly full at the end has no nextPageToken.
      const exact = await own.swf.listDomains({ registrationStatus: 'REGISTERED', maximumPageSize: 5 });
      expect(exact.domainInfos).toHaveLength(5);
      expect(exact.nextPageToken).toBeUndefined();

      const deprecated = await own.swf.listDomains({ registrationStatus: 'DEPRECATED' });
      expect(deprecated.domainInfos?.map((x) => [x.name, x.status])).toEqual([['d-z', 'DEPRECATED']]);
    } finally {
      await own.close();
    }
  });

  test('a page token replayed with other arguments is refused', async () => {
    const own = await startTestEngine();
    try {
      for (const name of ['x1', 'x2', 'x3']) await own.swf.registerDomain({ name, workflowExecutionRetentionPeriodInDays: '1' });
      const p1 = await own.swf.listDomains({ registrationStatus: 'REGISTERED', maximumPageSize: 1 });
      const error = await rejectionOf(
        own.swf.listDomains({ registrationStatus: 'DEPRECATED', maximumPageSize: 1, nextPageToken: p1.nextPageToken }),
      );
      expect(error).toBeInstanceOf(SWFServiceException);
      expect((error as Error).name).toBe('ValidationException');
    } finally {
      await own.close();
    }
  });
});

// ------------------------------------------------------------------------------------------------
type Kind = 'workflow' | 'activity';

/** The workflow and activity variants of the type operations, behind one interface. */
function typeApi(kind: Kind) {
  const label = kind === 'workflow' ? 'WorkflowType' : 'ActivityType';
  const ref = (domain: string, name: string, version: string) =>
    kind === 'workflow' ? { domain, workflowType: { name, version } } : { domain, activityType: { name, version } };
  return {
    label,
    register: (domain: string, name: string, version: string, extra: Record<string, unknown> = {}) =>
      kind === 'workflow'
        ? swf.registerWorkflowType({ domain, name, version, ...extra })
        : swf.registerActivityType({ domain, name, version, ...extra }),
    describe: async (domain: string, name: string, version: string) => {
      const out =
        kind === 'workflow'
          ? await swf.describeWorkflowType(ref(domain, name, version) as never)
          : await swf.describeActivityType(ref(domain, name, version) as never);
      const info = out.typeInfo as unknown as Record<string, unknown> & { status?: string; creationDate?: Date; deprecationDate?: Date };
      return { info, configuration: out.configuration as Record<string, unknown> };
    },
    list: async (input: { domain: string; registrationStatus: 'REGISTERED' | 'DEPRECATED'; name?: string; maximumPageSize?: number; nextPageToken?: string; reverseOrder?: boolean }) => {
      const out = kind === 'workflow' ? await swf.listWorkflowTypes(input) : await swf.listActivityTypes(input);
      const infos = out.typeInfos as { status?: string }[];
      const member = kind === 'workflow' ? 'workflowType' : 'activityType';
      return {
        refs: infos.map((i) => (i as Record<string, { name: string; version: string }>)[member]!),
        infos,
        nextPageToken: out.nextPageToken,
      };
    },
    deprecate: (domain: string, name: string, version: string) =>
      kind === 'workflow'
        ? swf.deprecateWorkflowType(ref(domain, name, version) as never)
        : swf.deprecateActivityType(ref(domain, name, version) as never),
    undeprecate: (domain: string, name: string, version: string) =>
      kind === 'workflow'
        ? swf.undeprecateWorkflowType(ref(domain, name, version) as never)
        : swf.undeprecateActivityType(ref(domain, name, version) as never),
    remove: (domain: string, name: string, version: string) =>
      kind === 'workflow'
        ? swf.deleteWorkflowType(ref(domain, name, version) as never)
        : swf.deleteActivityType(ref(domain, name, version) as never),
  };
}

describe.each<Kind>(['workflow', 'activity'])('%s types', (kind) => {
  const api = typeApi(kind);
  let domain: string;

  beforeAll(async () => {
    domain = unique(`types-${kind}`);
    await swf.registerDomain({ name: domain, workflowExecutionRetentionPeriodInDays: '1' });
  });

  test('Register then Describe: creationDate is a Date and configuration echoes only the defaults that were set', async () => {
    const before = Date.now();
    await api.register(domain, 'Described', '1', { description: 'desc', defaultTaskList: { name: 'tl' } });
    const { info, configuration } = await api.describe(domain, 'Described', '1');
    expect(info.status).toBe('REGISTERED');
    expect(info.description).toBe('desc');
    expect(info.creationDate).toBeInstanceOf(Date);
    expect(info.creationDate!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(info.creationDate!.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    expect(info.deprecationDate).toBeUndefined();
    expect(configuration).toEqual({ defaultTaskList: { name: 'tl' } });

    await api.register(domain, 'Bare', '1');
    expect((await api.describe(domain, 'Bare', '1')).configuration).toEqual({});
  });

  test('Describe echoes every default that was set', async () => {
    if (kind === 'workflow') {
      const defaults = {
        defaultTaskStartToCloseTimeout: '30',
        defaultExecutionStartToCloseTimeout: '600',
        defaultTaskList: { name: 'wtl' },
        defaultTaskPriority: '7',
        defaultChildPolicy: 'ABANDON',
        defaultLambdaRole: 'arn:aws:iam::123456789012:role/lambda',
      };
      await api.register(domain, 'Full', '1', defaults);
      expect((await api.describe(domain, 'Full', '1')).configuration).toEqual(defaults);
    } else {
      const defaults = {
        defaultTaskStartToCloseTimeout: '30',
        defaultTaskHeartbeatTimeout: 'NONE',
        defaultTaskList: { name: 'atl' },
        defaultTaskPriority: '-3',
        defaultTaskScheduleToStartTimeout: '40',
        defaultTaskScheduleToCloseTimeout: '70',
      };
      await api.register(domain, 'Full', '1', defaults);
      expect((await api.describe(domain, 'Full', '1')).configuration).toEqual(defaults);
    }
  });

  if (kind === 'workflow') {
    test('defaultExecutionStartToCloseTimeout may not be NONE or above a year', async () => {
      await expectValidation(api.register(domain, 'TooLong', '1', { defaultExecutionStartToCloseTimeout: 'NONE' }));
      await expectValidation(api.register(domain, 'TooLong', '1', { defaultExecutionStartToCloseTimeout: '31536001' }));
      await api.register(domain, 'TooLong', '1', { defaultExecutionStartToCloseTimeout: '31536000' });
    });
  }

  test('Register twice gives TypeAlreadyExistsFault', async () => {
    await api.register(domain, 'Dup', '1');
    await expectFault(api.register(domain, 'Dup', '1'), TypeAlreadyExistsFault, `${api.label}=[name=Dup, version=1]`);
    // Another version of the same name is a different type.
    await api.register(domain, 'Dup', '2');
    // A deprecated type still blocks its name and version.
    await api.deprecate(domain, 'Dup', '2');
    await expectFault(api.register(domain, 'Dup', '2'), TypeAlreadyExistsFault, `${api.label}=[name=Dup, version=2]`);
  });

  test('Register and Describe on an unknown domain or type give UnknownResourceFault', async () => {
    const nodom = unique('nodom');
    await expectFault(api.register(nodom, 'X', '1'), UnknownResourceFault, `Unknown domain: ${nodom}`);
    await expectFault(api.describe(nodom, 'X', '1'), UnknownResourceFault, `Unknown domain: ${nodom}`);
    await expectFault(api.describe(domain, 'Nope', '9'), UnknownResourceFault, `Unknown type: ${api.label}=[name=Nope, version=9]`);
    await expectFault(api.deprecate(domain, 'Nope', '9'), UnknownResourceFault, `Unknown type: ${api.label}=[name=Nope, version=9]`);
    await expectFault(api.undeprecate(domain, 'Nope', '9'), UnknownResourceFault, `Unknown type: ${api.label}=[name=Nope, version=9]`);
    await expectFault(api.remove(domain, 'Nope', '9'), UnknownResourceFault, `Unknown type: ${api.label}=[name=Nope, version=9]`);
  });

  test('List by status and name, sorted by name then version, with paging and reverseOrder', async () => {
    const dom = unique(`list-${kind}`);
    await swf.registerDomain({ name: dom, workflowExecutionRetentionPeriodInDays: '1' });
    await api.register(dom, 'b', '1');
    await api.register(dom, 'a', '2');
    await api.register(dom, 'a', '1');
    await api.register(dom, 'c', '1');
    await api.register(dom, 'd', '1');
    await api.register(dom, 'e', '1');
    await api.deprecate(dom, 'e', '1');

    const all = await api.list({ domain: dom, registrationStatus: 'REGISTERED' });
    expect(all.refs).toEqual([
      { name: 'a', version: '1' },
      { name: 'a', version: '2' },
      { name: 'b', version: '1' },
      { name: 'c', version: '1' },
      { name: 'd', version: '1' },
    ]);
    expect(all.nextPageToken).toBeUndefined();
    expect(all.infos.every((i) => i.status === 'REGISTERED')).toBe(true);
    expect((all.infos[0] as { creationDate?: unknown }).creationDate).toBeInstanceOf(Date);

    const byName = await api.list({ domain: dom, registrationStatus: 'REGISTERED', name: 'a' });
    expect(byName.refs).toEqual([
      { name: 'a', version: '1' },
      { name: 'a', version: '2' },
    ]);
    expect((await api.list({ domain: dom, registrationStatus: 'REGISTERED', name: 'e' })).refs).toEqual([]);

    const deprecated = await api.list({ domain: dom, registrationStatus: 'DEPRECATED' });
    expect(deprecated.refs).toEqual([{ name: 'e', version: '1' }]);
    expect(deprecated.infos[0]!.status).toBe('DEPRECATED');

    const p1 = await api.list({ domain: dom, registrationStatus: 'REGISTERED', maximumPageSize: 2 });
    const p2 = await api.list({ domain: dom, registrationStatus: 'REGISTERED', maximumPageSize: 2, nextPageToken: p1.nextPageToken });
    const p3 = await api.list({ domain: dom, registrationStatus: 'REGISTERED', maximumPageSize: 2, nextPageToken: p2.nextPageToken });
    expect(p1.nextPageToken).toBeTruthy();
    expect(p2.nextPageToken).toBeTruthy();
    expect(p3.nextPageToken).toBeUndefined();
    expect([...p1.refs, ...p2.refs, ...p3.refs]).toEqual(all.refs);
    expect(p3.refs).toHaveLength(1);

    const reversed = await api.list({ domain: dom, registrationStatus: 'REGISTERED', reverseOrder: true });
    expect(reversed.refs).toEqual([...all.refs].reverse());
    const r1 = await api.list({ domain: dom, registrationStatus: 'REGISTERED', reverseOrder: true, maximumPageSize: 4 });
    const r2 = await api.list({ domain: dom, registrationStatus: 'REGISTERED', reverseOrder: true, maximumPageSize: 4, nextPageToken: r1.nextPageToken });
    expect([...r1.refs, ...r2.refs]).toEqual(reversed.refs);
    expect(r2.nextPageToken).toBeUndefined();

    await expectFault(api.list({ domain: unique('nodom'), registrationStatus: 'REGISTERED' }), UnknownResourceFault);
  });

  test('Deprecate sets deprecationDate; a repeat gives TypeDeprecatedFault', async () => {
    await api.register(domain, 'Dep', '1');
    const before = Date.now();
    await api.deprecate(domain, 'Dep', '1');
    const { info } = await api.describe(domain, 'Dep', '1');
    expect(info.status).toBe('DEPRECATED');
    expect(info.deprecationDate).toBeInstanceOf(Date);
    expect(info.deprecationDate!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(info.creationDate).toBeInstanceOf(Date);
    await expectFault(api.deprecate(domain, 'Dep', '1'), TypeDeprecatedFault, `${api.label}=[name=Dep, version=1]`);
  });

  test('Undeprecate restores a deprecated type; on a registered one it gives TypeAlreadyExistsFault', async () => {
    await api.register(domain, 'Undep', '1');
    await expectFault(api.undeprecate(domain, 'Undep', '1'), TypeAlreadyExistsFault, `${api.label}=[name=Undep, version=1]`);
    await api.deprecate(domain, 'Undep', '1');
    await api.undeprecate(domain, 'Undep', '1');
    const { info } = await api.describe(domain, 'Undep', '1');
    expect(info.status).toBe('REGISTERED');
    expect(info.deprecationDate).toBeUndefined();
  });

  test('Delete needs a deprecated type; afterwards Describe gives UnknownResourceFault', async () => {
    await api.register(domain, 'Del', '1');
    await expectFault(
      api.remove(domain, 'Del', '1'),
      TypeNotDeprecatedFault,
      'The type is currently registered and cannot be deleted in its current state',
    );
    await api.deprecate(domain, 'Del', '1');
    await api.remove(domain, 'Del', '1');
    await expectFault(api.describe(domain, 'Del', '1'), UnknownResourceFault, `Unknown type: ${api.label}=[name=Del, version=1]`);
    expect((await api.list({ domain, registrationStatus: 'DEPRECATED', name: 'Del' })).refs).toEqual([]);
    await expectFault(api.remove(domain, 'Del', '1'), UnknownResourceFault);
    // The name and version can be registered afresh.
    await api.register(domain, 'Del', '1');
    expect((await api.describe(domain, 'Del', '1')).info.status).toBe('REGISTERED');
  });
});

test('a deleted activity type cannot be scheduled: ScheduleActivityTaskFailed ACTIVITY_TYPE_DOES_NOT_EXIST', async () => {
  const domain = unique('deleted');
  await registerBasics(swf, domain);
  await swf.deprecateActivityType({ domain, activityType: { name: 'Work', version: '1' } });
  await swf.deleteActivityType({ domain, activityType: { name: 'Work', version: '1' } });
  const run = await startRun(swf, domain);
  const task = await pollDecision(swf, domain);
  await swf.respondDecisionTaskCompleted({ taskToken: task.taskToken, decisions: [d.schedule('a1')] });
  const events = await historyOf(swf, domain, run);
  const failed = onlyEvent(events, 'ScheduleActivityTaskFailed').scheduleActivityTaskFailedEventAttributes;
  expect(failed).toEqual({
    activityType: { name: 'Work', version: '1' },
    activityId: 'a1',
    cause: 'ACTIVITY_TYPE_DOES_NOT_EXIST',
    decisionTaskCompletedEventId: onlyEvent(events, 'DecisionTaskCompleted').eventId,
  });
});

test('a deleted workflow type cannot be started', async () => {
  const domain = unique('deleted-wf');
  await registerBasics(swf, domain);
  await swf.deprecateWorkflowType({ domain, workflowType: { name: 'Flow', version: '1' } });
  await swf.deleteWorkflowType({ domain, workflowType: { name: 'Flow', version: '1' } });
  await expectFault(startRun(swf, domain), UnknownResourceFault, 'Unknown type: WorkflowType=[name=Flow, version=1]');
});

// ------------------------------------------------------------------------------------------------
describe('resource tags', () => {
  test('RegisterDomain with tags; ListTagsForResource on the domain ARN', async () => {
    const name = unique('tagged');
    await swf.registerDomain({
      name,
      workflowExecutionRetentionPeriodInDays: '1',
      tags: [
        { key: 'team', value: 'video' },
        { key: 'env', value: 'test' },
      ],
    });
    const arn = await domainArn(name);
    const out = await swf.listTagsForResource({ resourceArn: arn });
    expect(sortTags(out.tags)).toEqual([
      { key: 'env', value: 'test' },
      { key: 'team', value: 'video' },
    ]);
  });

  test('TagResource upserts by key; UntagResource removes keys and ignores missing ones', async () => {
    const name = unique('tags');
    await swf.registerDomain({ name, workflowExecutionRetentionPeriodInDays: '1' });
    const arn = await domainArn(name);
    expect((await swf.listTagsForResource({ resourceArn: arn })).tags ?? []).toEqual([]);

    await swf.tagResource({ resourceArn: arn, tags: [{ key: 'a', value: '1' }, { key: 'b', value: '2' }] });
    await swf.tagResource({ resourceArn: arn, tags: [{ key: 'a', value: 'one' }, { key: 'c', value: '3' }] });
    expect(sortTags((await swf.listTagsForResource({ resourceArn: arn })).tags)).toEqual([
      { key: 'a', value: 'one' },
      { key: 'b', value: '2' },
      { key: 'c', value: '3' },
    ]);

    await swf.untagResource({ resourceArn: arn, tagKeys: ['b', 'not-there'] });
    expect(sortTags((await swf.listTagsForResource({ resourceArn: arn })).tags)).toEqual([
      { key: 'a', value: 'one' },
      { key: 'c', value: '3' },
    ]);
  });

  test('more than 50 tags give TooManyTagsFault; upserting existing keys at the limit is fine', async () => {
    const name = unique('many');
    await swf.registerDomain({ name, workflowExecutionRetentionPeriodInDays: '1' });
    const arn = await domainArn(name);
    const fifty = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: `v${i}` }));
    await swf.tagResource({ resourceArn: arn, tags: fifty });
    expect((await swf.listTagsForResource({ resourceArn: arn })).tags).toHaveLength(50);

    await expectFault(swf.tagResource({ resourceArn: arn, tags: [{ key: 'one-more', value: 'x' }] }), TooManyTagsFault);
    expect((await swf.listTagsForResource({ resourceArn: arn })).tags).toHaveLength(50);

    await swf.tagResource({ resourceArn: arn, tags: [{ key: 'k0', value: 'changed' }] });
    const tags = (await swf.listTagsForResource({ resourceArn: arn })).tags ?? [];
    expect(tags).toHaveLength(50);
    expect(tags.find((x) => x.key === 'k0')?.value).toBe('changed');

    const fiftyOne = Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    await expectFault(
      swf.registerDomain({ name: unique('many'), workflowExecutionRetentionPeriodInDays: '1', tags: fiftyOne }),
      TooManyTagsFault,
    );
  });

  test('an unknown ARN gives UnknownResourceFault', async () => {
    const arn = `arn:aws:swf:us-east-1:123456789012:/domain/${unique('nodom')}`;
    await expectFault(swf.listTagsForResource({ resourceArn: arn }), UnknownResourceFault);
    await expectFault(swf.tagResource({ resourceArn: arn, tags: [{ key: 'a', value: 'b' }] }), UnknownResourceFault);
    await expectFault(swf.untagResource({ resourceArn: arn, tagKeys: ['a'] }), UnknownResourceFault);
    // Another account's ARN for a domain that exists here is not this domain.
    const name = unique('acct');
    await swf.registerDomain({ name, workflowExecutionRetentionPeriodInDays: '1' });
    await expectFault(
      swf.listTagsForResource({ resourceArn: `arn:aws:swf:us-east-1:999999999999:/domain/${name}` }),
      UnknownResourceFault,
    );
  });
});

function sortTags(tags: { key?: string; value?: string }[] | undefined) {
  return [...(tags ?? [])].sort((a, b) => (a.key! < b.key! ? -1 : a.key! > b.key! ? 1 : 0));
}
