import type { ListTagsForResourceInput, TagResourceInput, UntagResourceInput } from '@aws-sdk/client-swf';
import type { EngineCore } from '../core';
import { tooManyTags, unknownResource } from '../faults';
import type { DomainRow } from '../store/registry-store';
import type { OperationTable } from './types';

/** Domain ARNs look like `arn:aws:swf:<region>:<account>:/domain/<name>`. */
function domainForArn(core: EngineCore, region: string, arn: string): DomainRow {
  const m = /^arn:aws:swf:([^:]*):([^:]*):\/domain\/(.+)$/.exec(arn);
  const domain = m && m[1] === region && m[2] === core.config.accountId ? core.registry.domain(region, m[3]!) : undefined;
  if (!domain) throw unknownResource(`Unknown resource: ${arn}`);
  return domain;
}

export const tagOperations: OperationTable = {
  ListTagsForResource: (core, ctx, input: ListTagsForResourceInput) => {
    const domain = domainForArn(core, ctx.region, input.resourceArn!);
    return { tags: core.registry.tags(domain.id) };
  },

  TagResource: (core, ctx, input: TagResourceInput) => {
    core.run(() => {
      const domain = domainForArn(core, ctx.region, input.resourceArn!);
      const reg = core.registry;
      const existing = new Set(reg.tags(domain.id).map((t) => t.key));
      for (const t of input.tags!) existing.add(t.key!);
      if (existing.size > core.config.maxDomainTags) {
        throw tooManyTags(`A domain can have at most ${core.config.maxDomainTags} tags`);
      }
      for (const t of input.tags!) reg.upsertTag(domain.id, t.key!, t.value ?? '');
    });
    return undefined;
  },

  UntagResource: (core, ctx, input: UntagResourceInput) => {
    core.run(() => {
      const domain = domainForArn(core, ctx.region, input.resourceArn!);
      for (const key of input.tagKeys!) core.registry.deleteTag(domain.id, key);
    });
    return undefined;
  },
};
