/**
 * Idempotent SWF registration over @aws-sdk/client-swf: make the domain and the types of a
 * RegistrationSpec exist (registering, adopting or undeprecating them), and deprecate them again.
 *
 * SWF never changes what is registered: a domain's retention and a type's defaults are fixed at
 * registration. So "already registered" is success only when the registered configuration is the
 * one wanted; otherwise ensureRegistered fails with a RegistrationConflictError that says which
 * field differs and that a new version is needed, before it has changed anything.
 */
import type { SWF } from '@aws-sdk/client-swf';
import type { ActivityTypeSpec, RegistrationSpec, WorkflowTypeSpec } from './spec';

/** The SWF operations registration uses (the SDK's aggregated `SWF` client satisfies it). */
export type SwfRegistrationClient = Pick<
  SWF,
  | 'registerDomain'
  | 'describeDomain'
  | 'deprecateDomain'
  | 'undeprecateDomain'
  | 'registerWorkflowType'
  | 'describeWorkflowType'
  | 'deprecateWorkflowType'
  | 'undeprecateWorkflowType'
  | 'registerActivityType'
  | 'describeActivityType'
  | 'deprecateActivityType'
  | 'undeprecateActivityType'
>;

/** The registered configuration differs from the wanted one, and SWF cannot change it in place. */
export class RegistrationConflictError extends Error {
  override readonly name = 'RegistrationConflictError';
  constructor(
    readonly conflicts: string[],
    advice: string,
  ) {
    super(`SWF registration conflict:\n${conflicts.map((c) => `  - ${c}`).join('\n')}\n${advice}`);
  }
}

export type TypeKind = 'workflow' | 'activity';
export type RegistrationAction = 'registered' | 'unchanged' | 'undeprecated';

export interface RegistrationReport {
  domain: { name: string; action: RegistrationAction };
  types: { kind: TypeKind; name: string; version: string; action: RegistrationAction }[];
}

export interface DeprecationReport {
  domain: { name: string; action: 'deprecated' | 'already deprecated' | 'unknown' };
  types: { kind: TypeKind; name: string; version: string; action: 'deprecated' | 'already deprecated' | 'unknown' }[];
}

export const TYPE_VERSION_ADVICE =
  'SWF never changes a registered type: register a new version instead (bump WORKFLOW_TYPE.version or the step\'s activityVersion in lib/video/definition.ts) and deploy again.';
export const DOMAIN_ADVICE =
  'SWF cannot change a registered domain\'s retention period: keep RETENTION_DAYS as registered, or use a new domain name (DOMAIN in lib/video/definition.ts).';

type Config = Record<string, string | undefined>;

/**
 * The fields SWF reports in a type's `configuration`, from the spec's defaults. defaultLambdaRole
 * is not among them: the spec never sets it (see registrationSpec), and one that an older
 * deployment registered is harmless, because every start names its own lambdaRole; comparing it
 * would make a re-created role's new ARN a conflict, which is exactly what must not happen.
 */
function workflowConfig(t: WorkflowTypeSpec): Config {
  return {
    defaultTaskList: t.defaults.taskList,
    defaultExecutionStartToCloseTimeout: t.defaults.executionStartToCloseTimeout,
    defaultTaskStartToCloseTimeout: t.defaults.taskStartToCloseTimeout,
    defaultChildPolicy: t.defaults.childPolicy,
  };
}

function activityConfig(t: ActivityTypeSpec): Config {
  return {
    defaultTaskList: t.defaults.taskList,
    defaultTaskStartToCloseTimeout: t.defaults.startToCloseTimeout,
    defaultTaskHeartbeatTimeout: t.defaults.heartbeatTimeout,
    defaultTaskScheduleToStartTimeout: t.defaults.scheduleToStartTimeout,
    defaultTaskScheduleToCloseTimeout: t.defaults.scheduleToCloseTimeout,
  };
}

/** A described configuration flattened to the same fields (task list as its name). */
function describedConfig(configuration: object | undefined, fields: string[]): Config {
  const c = (configuration ?? {}) as Record<string, unknown>;
  const out: Config = {};
  for (const field of fields) {
    const value = c[field];
    if (field === 'defaultTaskList') out[field] = (value as { name?: string } | undefined)?.name;
    else out[field] = typeof value === 'string' ? value : undefined;
  }
  return out;
}

function differences(label: string, registered: Config, wanted: Config): string[] {
  const out: string[] = [];
  for (const field of Object.keys(wanted)) {
    const have = registered[field];
    const want = wanted[field];
    if ((have ?? '') !== (want ?? '')) {
      out.push(`${label} is registered with ${field} ${show(have)} but the stack wants ${show(want)}`);
    }
  }
  return out;
}

const show = (v: string | undefined): string => (v === undefined ? '(not set)' : JSON.stringify(v));

export function errorName(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { name?: unknown; __type?: unknown };
  return typeof e.name === 'string' ? e.name : undefined;
}

function isFault(error: unknown, ...names: string[]): boolean {
  const name = errorName(error);
  return name !== undefined && names.includes(name);
}

interface TypePlan {
  kind: TypeKind;
  name: string;
  version: string;
  /** What to do: nothing, register it, or undeprecate it. */
  step: 'register' | 'unchanged' | 'undeprecate';
  wanted: Config;
  register: () => Promise<unknown>;
}

/**
 * Makes the spec's domain and types exist with the wanted configuration. Checks everything first
 * and throws RegistrationConflictError (listing every difference) before changing anything; then
 * registers what is missing and undeprecates what a previous delete deprecated.
 */
export async function ensureRegistered(swf: SwfRegistrationClient, spec: RegistrationSpec): Promise<RegistrationReport> {
  const domain = spec.domain.name;

  // 1. The domain: registered, or adopted when its retention is the wanted one.
  let domainAction: RegistrationAction = 'registered';
  let domainDeprecated = false;
  try {
    await swf.registerDomain({
      name: domain,
      workflowExecutionRetentionPeriodInDays: spec.domain.retentionDays,
      ...(spec.domain.description ? { description: spec.domain.description } : {}),
    });
  } catch (error) {
    if (!isFault(error, 'DomainAlreadyExistsFault')) throw error;
    const described = await swf.describeDomain({ name: domain });
    const retention = described.configuration?.workflowExecutionRetentionPeriodInDays;
    if (retention !== spec.domain.retentionDays) {
      throw new RegistrationConflictError(
        [`domain ${domain} is registered with workflowExecutionRetentionPeriodInDays ${show(retention)} but the stack wants ${show(spec.domain.retentionDays)}`],
        DOMAIN_ADVICE,
      );
    }
    domainDeprecated = described.domainInfo?.status === 'DEPRECATED';
    domainAction = domainDeprecated ? 'undeprecated' : 'unchanged';
  }

  // 2. Plan the types: describe each; a registered one must have the wanted configuration.
  const plans: TypePlan[] = [];
  const conflicts: string[] = [];
  const plan = async (kind: TypeKind, t: WorkflowTypeSpec | ActivityTypeSpec, wanted: Config, register: () => Promise<unknown>): Promise<void> => {
    const label = `${kind} type ${t.name} version ${t.version}`;
    const type = { name: t.name, version: t.version };
    let described: { typeInfo?: { status?: string }; configuration?: object } | undefined;
    try {
      described = kind === 'workflow' ? await swf.describeWorkflowType({ domain, workflowType: type }) : await swf.describeActivityType({ domain, activityType: type });
    } catch (error) {
      if (!isFault(error, 'UnknownResourceFault')) throw error;
    }
    if (!described) {
      plans.push({ kind, name: t.name, version: t.version, step: 'register', wanted, register });
      return;
    }
    const diff = differences(label, describedConfig(described.configuration, Object.keys(wanted)), wanted);
    conflicts.push(...diff);
    plans.push({ kind, name: t.name, version: t.version, step: described.typeInfo?.status === 'DEPRECATED' ? 'undeprecate' : 'unchanged', wanted, register });
  };
  for (const t of spec.workflowTypes) {
    await plan('workflow', t, workflowConfig(t), () =>
      swf.registerWorkflowType({
        domain,
        name: t.name,
        version: t.version,
        ...(t.description ? { description: t.description } : {}),
        defaultTaskList: { name: t.defaults.taskList },
        defaultExecutionStartToCloseTimeout: t.defaults.executionStartToCloseTimeout,
        defaultTaskStartToCloseTimeout: t.defaults.taskStartToCloseTimeout,
        defaultChildPolicy: t.defaults.childPolicy as 'TERMINATE' | 'REQUEST_CANCEL' | 'ABANDON',
      }),
    );
  }
  for (const t of spec.activityTypes) {
    await plan('activity', t, activityConfig(t), () =>
      swf.registerActivityType({
        domain,
        name: t.name,
        version: t.version,
        ...(t.description ? { description: t.description } : {}),
        defaultTaskList: { name: t.defaults.taskList },
        defaultTaskStartToCloseTimeout: t.defaults.startToCloseTimeout,
        defaultTaskHeartbeatTimeout: t.defaults.heartbeatTimeout,
        defaultTaskScheduleToStartTimeout: t.defaults.scheduleToStartTimeout,
        defaultTaskScheduleToCloseTimeout: t.defaults.scheduleToCloseTimeout,
      }),
    );
  }
  if (conflicts.length > 0) throw new RegistrationConflictError(conflicts, TYPE_VERSION_ADVICE);

  // 3. Apply: a deprecated domain first (nothing can be registered in it), then the types.
  if (domainDeprecated) await ignoring(() => swf.undeprecateDomain({ name: domain }), 'DomainAlreadyExistsFault');
  const types: RegistrationReport['types'] = [];
  for (const p of plans) {
    const type = { name: p.name, version: p.version };
    let action: RegistrationAction = p.step === 'register' ? 'registered' : p.step === 'undeprecate' ? 'undeprecated' : 'unchanged';
    if (p.step === 'register') {
      try {
        await p.register();
      } catch (error) {
        if (!isFault(error, 'TypeAlreadyExistsFault')) throw error;
        // Registered since we looked (a concurrent deployment): success if it is the same configuration.
        const described = p.kind === 'workflow' ? await swf.describeWorkflowType({ domain, workflowType: type }) : await swf.describeActivityType({ domain, activityType: type });
        const diff = differences(`${p.kind} type ${p.name} version ${p.version}`, describedConfig(described.configuration, Object.keys(p.wanted)), p.wanted);
        if (diff.length > 0) throw new RegistrationConflictError(diff, TYPE_VERSION_ADVICE);
        action = 'unchanged';
      }
    } else if (p.step === 'undeprecate') {
      // TypeAlreadyExistsFault: undeprecated by someone else meanwhile, which is what we want.
      await ignoring(
        () => (p.kind === 'workflow' ? swf.undeprecateWorkflowType({ domain, workflowType: type }) : swf.undeprecateActivityType({ domain, activityType: type })),
        'TypeAlreadyExistsFault',
      );
    }
    types.push({ kind: p.kind, name: p.name, version: p.version, action });
  }
  return { domain: { name: domain, action: domainAction }, types };
}

/**
 * Deprecates the spec's types, then its domain (SWF cannot delete a domain; deprecating it stops
 * new executions and registrations, and running executions continue). Whatever is already
 * deprecated or unknown is fine, so deleting twice succeeds.
 */
export async function deprecateRegistration(swf: SwfRegistrationClient, spec: RegistrationSpec): Promise<DeprecationReport> {
  const domain = spec.domain.name;
  const outcome = async (call: () => Promise<unknown>, deprecatedFaults: string[]): Promise<'deprecated' | 'already deprecated' | 'unknown'> => {
    try {
      await call();
      return 'deprecated';
    } catch (error) {
      if (isFault(error, ...deprecatedFaults)) return 'already deprecated';
      if (isFault(error, 'UnknownResourceFault')) return 'unknown';
      throw error;
    }
  };
  const types: DeprecationReport['types'] = [];
  for (const t of spec.workflowTypes) {
    const action = await outcome(() => swf.deprecateWorkflowType({ domain, workflowType: { name: t.name, version: t.version } }), ['TypeDeprecatedFault', 'DomainDeprecatedFault']);
    types.push({ kind: 'workflow', name: t.name, version: t.version, action });
  }
  for (const t of spec.activityTypes) {
    const action = await outcome(() => swf.deprecateActivityType({ domain, activityType: { name: t.name, version: t.version } }), ['TypeDeprecatedFault', 'DomainDeprecatedFault']);
    types.push({ kind: 'activity', name: t.name, version: t.version, action });
  }
  const domainAction = await outcome(() => swf.deprecateDomain({ name: domain }), ['DomainDeprecatedFault']);
  return { domain: { name: domain, action: domainAction }, types };
}

async function ignoring(call: () => Promise<unknown>, ...faults: string[]): Promise<void> {
  try {
    await call();
  } catch (error) {
    if (!isFault(error, ...faults)) throw error;
  }
}
