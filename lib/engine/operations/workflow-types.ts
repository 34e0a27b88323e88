import type { ActivityTypeConfiguration, WorkflowTypeConfiguration } from '@aws-sdk/client-swf';
import type { EngineCore } from '../core';
import {
  domainDeprecated,
  limitExceeded,
  typeAlreadyExists,
  typeDeprecated,
  typeNotDeprecated,
  unknownResource,
  validationMessage,
} from '../faults';
import type { TypeKind, TypeRow } from '../store/registry-store';
import { pageOf } from '../util/page-token';
import { defined, type OperationTable } from './types';
import { isValidExecutionTimeout, MAX_EXECUTION_SECONDS } from '../execution/run-config';


const LABEL: Record<TypeKind, string> = { workflow: 'WorkflowType', activity: 'ActivityType' };
const MEMBER: Record<TypeKind, 'workflowType' | 'activityType'> = { workflow: 'workflowType', activity: 'activityType' };

export function typeLabel(kind: TypeKind, name: string, version: string): string {
  return `${LABEL[kind]}=[name=${name}, version=${version}]`;
}

interface TypeRefInput {
  name?: string;
  version?: string;
}

function requireType(core: EngineCore, region: string, domainName: string, kind: TypeKind, ref: TypeRefInput): TypeRow {
  const domain = core.requireDomain(region, domainName);
  const row = core.registry.type(domain.id, kind, ref.name!, ref.version!);
  if (!row) throw unknownResource(`Unknown type: ${typeLabel(kind, ref.name!, ref.version!)}`);
  return row;
}

function typeInfo(kind: TypeKind, row: TypeRow): object {
  return defined({
    [MEMBER[kind]]: { name: row.name, version: row.version },
    status: row.status,
    description: row.description ?? undefined,
    creationDate: row.created_at / 1000,
    deprecationDate: row.deprecated_at !== null ? row.deprecated_at / 1000 : undefined,
  });
}

/** The type defaults a registration stores, echoed by Describe only where they were set. */
function workflowDefaults(input: Record<string, unknown>): WorkflowTypeConfiguration {
  const timeout = input.defaultExecutionStartToCloseTimeout as string | undefined;
  if (timeout !== undefined && !isValidExecutionTimeout(timeout)) {
    throw validationMessage(
      `defaultExecutionStartToCloseTimeout must be a number of seconds no greater than ${MAX_EXECUTION_SECONDS} (NONE is not allowed)`,
    );
  }
  return defined({
    defaultTaskStartToCloseTimeout: input.defaultTaskStartToCloseTimeout,
    defaultExecutionStartToCloseTimeout: timeout,
    defaultTaskList: input.defaultTaskList,
    defaultTaskPriority: input.defaultTaskPriority,
    defaultChildPolicy: input.defaultChildPolicy,
    defaultLambdaRole: input.defaultLambdaRole,
  }) as WorkflowTypeConfiguration;
}

function activityDefaults(input: Record<string, unknown>): ActivityTypeConfiguration {
  return defined({
    defaultTaskStartToCloseTimeout: input.defaultTaskStartToCloseTimeout,
    defaultTaskHeartbeatTimeout: input.defaultTaskHeartbeatTimeout,
    defaultTaskList: input.defaultTaskList,
    defaultTaskPriority: input.defaultTaskPriority,
    defaultTaskScheduleToStartTimeout: input.defaultTaskScheduleToStartTimeout,
    defaultTaskScheduleToCloseTimeout: input.defaultTaskScheduleToCloseTimeout,
  }) as ActivityTypeConfiguration;
}

/** Register, Describe, List, Deprecate, Undeprecate and Delete for one kind of type. */
function typeOperations(kind: TypeKind): OperationTable {
  const label = LABEL[kind];
  const member = MEMBER[kind];
  const defaults = kind === 'workflow' ? workflowDefaults : activityDefaults;
  return {
    [`Register${label}`]: (core, ctx, input) => {
      const config = defaults(input);
      core.run((tx) => {
        const domain = core.requireDomain(ctx.region, input.domain);
        if (domain.status === 'DEPRECATED') throw domainDeprecated(`Domain is deprecated: ${domain.name}`);
        if (core.registry.type(domain.id, kind, input.name, input.version)) {
          throw typeAlreadyExists(typeLabel(kind, input.name, input.version));
        }
        if (core.registry.countTypes(domain.id, kind) >= core.config.maxTypesPerDomain) {
          throw limitExceeded(`Cannot register more than ${core.config.maxTypesPerDomain} ${label}s in a domain`);
        }
        core.registry.insertType(domain.id, kind, input.name, input.version, input.description, config, tx.now);
      });
      return undefined;
    },

    [`Describe${label}`]: (core, ctx, input) => {
      const row = requireType(core, ctx.region, input.domain, kind, input[member]);
      return { typeInfo: typeInfo(kind, row), configuration: JSON.parse(row.config) as object };
    },

    [`List${label}s`]: (core, ctx, input) => {
      const domain = core.requireDomain(ctx.region, input.domain);
      const rows = core.registry.listTypes(domain.id, kind, input.registrationStatus, input.name);
      if (input.reverseOrder) rows.reverse();
      const scope = {
        op: `List${label}s`,
        partition: `${ctx.region}/${domain.id}`,
        query: { s: input.registrationStatus, n: input.name, r: input.reverseOrder ?? false },
      };
      const { page, nextPageToken } = pageOf(core.pageTokens, scope, rows, input.maximumPageSize, input.nextPageToken);
      return defined({ typeInfos: page.map((r) => typeInfo(kind, r)), nextPageToken });
    },

    [`Deprecate${label}`]: (core, ctx, input) => {
      core.run((tx) => {
        const row = requireType(core, ctx.region, input.domain, kind, input[member]);
        if (row.status === 'DEPRECATED') throw typeDeprecated(typeLabel(kind, row.name, row.version));
        core.registry.setTypeStatus(row, 'DEPRECATED', tx.now);
      });
      return undefined;
    },

    [`Undeprecate${label}`]: (core, ctx, input) => {
      core.run(() => {
        const row = requireType(core, ctx.region, input.domain, kind, input[member]);
        if (row.status === 'REGISTERED') throw typeAlreadyExists(typeLabel(kind, row.name, row.version));
        core.registry.setTypeStatus(row, 'REGISTERED', null);
      });
      return undefined;
    },

    [`Delete${label}`]: (core, ctx, input) => {
      core.run(() => {
        const row = requireType(core, ctx.region, input.domain, kind, input[member]);
        if (row.status !== 'DEPRECATED') {
          throw typeNotDeprecated('The type is currently registered and cannot be deleted in its current state');
        }
        core.registry.deleteType(row);
      });
      return undefined;
    },
  };
}

export const workflowTypeOperations = typeOperations('workflow');
export const activityTypeOperations = typeOperations('activity');
