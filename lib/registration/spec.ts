/**
 * What the SWF registration custom resource registers: the domain, the workflow type and one
 * activity type per step, with every default spelled out. Plain data derived from
 * lib/video/definition.ts, so a name or a timeout is still written once.
 *
 * The CDK stack passes this spec as the custom resource's properties (so any change to it is an
 * Update that CloudFormation sends to the handler), and the handler reads it back with
 * `parseRegistrationSpec`. CloudFormation hands every scalar property over as a string, which is
 * why every field here is a string.
 */
import { CHILD_POLICY, DOMAIN, RENDITION_WORKFLOW_TYPE, RETENTION_DAYS, STEPS, TASK_LISTS, WORKFLOW_TIMEOUTS, WORKFLOW_TYPE } from '../video/definition';

export interface DomainSpec {
  name: string;
  /** Days SWF keeps a closed execution's history ("0"-"90"). */
  retentionDays: string;
  description?: string;
}

/** The defaults a workflow type is registered with; every field is compared on re-registration. */
export interface WorkflowTypeDefaults {
  taskList: string;
  executionStartToCloseTimeout: string;
  taskStartToCloseTimeout: string;
  childPolicy: string;
}

export interface WorkflowTypeSpec {
  name: string;
  version: string;
  description?: string;
  defaults: WorkflowTypeDefaults;
}

/** The defaults an activity type is registered with; every field is compared on re-registration. */
export interface ActivityTypeDefaults {
  taskList: string;
  startToCloseTimeout: string;
  heartbeatTimeout: string;
  scheduleToStartTimeout: string;
  scheduleToCloseTimeout: string;
}

export interface ActivityTypeSpec {
  name: string;
  version: string;
  description?: string;
  defaults: ActivityTypeDefaults;
}

export interface RegistrationSpec {
  domain: DomainSpec;
  workflowTypes: WorkflowTypeSpec[];
  activityTypes: ActivityTypeSpec[];
}

/**
 * How long a scheduled activity task may wait for a worker before it times out (seconds). Not in
 * the definition because the steps normally run as Lambda tasks; long-lived workers that poll
 * `TASK_LISTS.activities` are expected to pick a task up well within this.
 */
export const ACTIVITY_SCHEDULE_TO_START_SECONDS = 300;

/**
 * The video workflow's registration, from lib/video/definition.ts.
 *
 * No `defaultLambdaRole`, on purpose: SWF never changes a registered type, and the invoke role's
 * ARN changes whenever CloudFormation re-creates the role (after a rollback or a destroy), so a
 * type bound to it could never be registered again under the same version. Every start passes
 * `lambdaRole` instead (lib/api/starter.ts), which SWF reads per execution.
 */
export function registrationSpec(): RegistrationSpec {
  return {
    domain: { name: DOMAIN, retentionDays: RETENTION_DAYS, description: 'Video pipeline: upload, probe, transcode, thumbnails, publish' },
    workflowTypes: [
      { type: WORKFLOW_TYPE, description: 'Processes one uploaded video into renditions, HLS, thumbnails and a manifest' },
      { type: RENDITION_WORKFLOW_TYPE, description: 'Encodes one rendition of a long video in chunks (a child of ProcessVideo)' },
    ].map(({ type, description }) => ({
      name: type.name,
      version: type.version,
      description,
      defaults: {
        taskList: TASK_LISTS.decisions,
        executionStartToCloseTimeout: WORKFLOW_TIMEOUTS.executionStartToClose,
        taskStartToCloseTimeout: WORKFLOW_TIMEOUTS.taskStartToClose,
        childPolicy: CHILD_POLICY,
      },
    })),
    activityTypes: Object.entries(STEPS).map(([step, s]) => ({
      name: s.functionName,
      version: s.activityVersion,
      description: `The ${step} step, when it runs on a long-lived activity worker`,
      defaults: {
        taskList: TASK_LISTS.activities,
        startToCloseTimeout: String(s.timeoutSeconds),
        heartbeatTimeout: String(s.heartbeatSeconds),
        scheduleToStartTimeout: String(ACTIVITY_SCHEDULE_TO_START_SECONDS),
        scheduleToCloseTimeout: String(ACTIVITY_SCHEDULE_TO_START_SECONDS + s.timeoutSeconds),
      },
    })),
  };
}

/** A registration spec that does not have the expected shape (a bug in the stack, not in SWF). */
export class InvalidRegistrationSpecError extends Error {
  override readonly name = 'InvalidRegistrationSpecError';
}

const WORKFLOW_DEFAULT_KEYS = ['taskList', 'executionStartToCloseTimeout', 'taskStartToCloseTimeout', 'childPolicy'] as const;
const ACTIVITY_DEFAULT_KEYS = ['taskList', 'startToCloseTimeout', 'heartbeatTimeout', 'scheduleToStartTimeout', 'scheduleToCloseTimeout'] as const;

/**
 * Reads a spec back from custom resource properties (extra keys such as `ServiceToken` are
 * ignored). Throws InvalidRegistrationSpecError naming the first field at fault.
 */
export function parseRegistrationSpec(properties: unknown): RegistrationSpec {
  const root = object(properties, 'properties');
  const domain = object(root['domain'], 'domain');
  return {
    domain: {
      name: text(domain['name'], 'domain.name'),
      retentionDays: text(domain['retentionDays'], 'domain.retentionDays'),
      ...optionalText(domain['description'], 'domain.description', 'description'),
    },
    workflowTypes: list(root['workflowTypes'], 'workflowTypes').map((value, i) => {
      const where = `workflowTypes[${i}]`;
      const t = object(value, where);
      const d = object(t['defaults'], `${where}.defaults`);
      const defaults = Object.fromEntries(WORKFLOW_DEFAULT_KEYS.map((k) => [k, text(d[k], `${where}.defaults.${k}`)])) as Record<(typeof WORKFLOW_DEFAULT_KEYS)[number], string>;
      return {
        name: text(t['name'], `${where}.name`),
        version: text(t['version'], `${where}.version`),
        ...optionalText(t['description'], `${where}.description`, 'description'),
        defaults,
      };
    }),
    activityTypes: list(root['activityTypes'], 'activityTypes').map((value, i) => {
      const where = `activityTypes[${i}]`;
      const t = object(value, where);
      const d = object(t['defaults'], `${where}.defaults`);
      const defaults = Object.fromEntries(ACTIVITY_DEFAULT_KEYS.map((k) => [k, text(d[k], `${where}.defaults.${k}`)])) as Record<(typeof ACTIVITY_DEFAULT_KEYS)[number], string>;
      return {
        name: text(t['name'], `${where}.name`),
        version: text(t['version'], `${where}.version`),
        ...optionalText(t['description'], `${where}.description`, 'description'),
        defaults,
      };
    }),
  };
}

function object(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidRegistrationSpecError(`${where} must be an object`);
  return value as Record<string, unknown>;
}

function list(value: unknown, where: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new InvalidRegistrationSpecError(`${where} must be a list`);
  return value;
}

function text(value: unknown, where: string): string {
  // CloudFormation turns numbers into strings; accept either so a hand-written spec works too.
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string' || value.trim() === '') throw new InvalidRegistrationSpecError(`${where} must be a non-empty string`);
  return value;
}

function optionalText<K extends string>(value: unknown, where: string, key: K): Partial<Record<K, string>> {
  if (value === undefined || value === null || value === '') return {};
  return { [key]: text(value, where) } as Partial<Record<K, string>>;
}
