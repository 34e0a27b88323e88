import type {
  DeprecateDomainInput,
  DescribeDomainInput,
  DomainInfo,
  ListDomainsInput,
  RegisterDomainInput,
  UndeprecateDomainInput,
} from '@aws-sdk/client-swf';
import type { EngineCore } from '../core';
import { domainAlreadyExists, domainDeprecated, limitExceeded, tooManyTags } from '../faults';
import type { DomainRow } from '../store/registry-store';
import { pageOf } from '../util/page-token';
import { defined, type OperationTable } from './types';

function domainInfo(core: EngineCore, d: DomainRow): DomainInfo {
  return defined({
    name: d.name,
    status: d.status,
    description: d.description ?? undefined,
    arn: core.domainArn(d.region, d.name),
  }) as DomainInfo;
}

export const domainOperations: OperationTable = {
  RegisterDomain: (core, ctx, input: RegisterDomainInput) => {
    // The model table already limits the period to 0-90 days or NONE.
    const retention = input.workflowExecutionRetentionPeriodInDays!;
    const tags = input.tags ?? [];
    if (new Set(tags.map((t) => t.key)).size > core.config.maxDomainTags) {
      throw tooManyTags(`A domain can have at most ${core.config.maxDomainTags} tags`);
    }
    core.run((tx) => {
      const reg = core.registry;
      if (reg.domain(ctx.region, input.name!)) throw domainAlreadyExists(input.name!);
      if (reg.countDomains(ctx.region) >= core.config.maxDomains) {
        throw limitExceeded(`Cannot register more than ${core.config.maxDomains} domains`);
      }
      const id = reg.insertDomain(ctx.region, input.name!, input.description, retention, tx.now);
      for (const t of tags) reg.upsertTag(id, t.key!, t.value ?? '');
    });
    return undefined;
  },

  DeprecateDomain: (core, ctx, input: DeprecateDomainInput) => {
    core.run((tx) => {
      const domain = core.requireDomain(ctx.region, input.name!);
      if (domain.status === 'DEPRECATED') throw domainDeprecated(`Domain already deprecated: ${domain.name}`);
      core.registry.setDomainStatus(domain, 'DEPRECATED');
      core.registry.deprecateDomainTypes(domain.id, tx.now);
    });
    return undefined;
  },

  UndeprecateDomain: (core, ctx, input: UndeprecateDomainInput) => {
    core.run(() => {
      const domain = core.requireDomain(ctx.region, input.name!);
      if (domain.status === 'REGISTERED') throw domainAlreadyExists(domain.name);
      // The types stay deprecated: they were deprecated with the domain and are undeprecated one by one.
      core.registry.setDomainStatus(domain, 'REGISTERED');
    });
    return undefined;
  },

  DescribeDomain: (core, ctx, input: DescribeDomainInput) => {
    const domain = core.requireDomain(ctx.region, input.name!);
    return {
      domainInfo: domainInfo(core, domain),
      configuration: { workflowExecutionRetentionPeriodInDays: domain.retention },
    };
  },

  ListDomains: (core, ctx, input: ListDomainsInput) => {
    const rows = core.registry.listDomains(ctx.region, input.registrationStatus!);
    if (input.reverseOrder) rows.reverse();
    const scope = { op: 'ListDomains', partition: ctx.region, query: { s: input.registrationStatus, r: input.reverseOrder ?? false } };
    const { page, nextPageToken } = pageOf(core.pageTokens, scope, rows, input.maximumPageSize, input.nextPageToken);
    return defined({ domainInfos: page.map((d) => domainInfo(core, d)), nextPageToken });
  },
};
