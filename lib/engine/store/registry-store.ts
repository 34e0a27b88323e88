import type { Statement } from 'better-sqlite3';
import type { Db } from './database';

export type RegistrationStatus = 'REGISTERED' | 'DEPRECATED';
export type TypeKind = 'workflow' | 'activity';

export interface DomainRow {
  id: number;
  region: string;
  name: string;
  status: RegistrationStatus;
  description: string | null;
  retention: string;
  created_at: number;
}

export interface TypeRow {
  id: number;
  domain_id: number;
  kind: TypeKind;
  name: string;
  version: string;
  status: RegistrationStatus;
  description: string | null;
  created_at: number;
  deprecated_at: number | null;
  config: string;
}

/** Domains, their resource tags, and workflow and activity types. */
export class RegistryStore {
  private readonly q: Record<string, Statement>;
  /** Domain rows by region and name: read on every call, changed rarely. */
  private readonly domainCache = new Map<string, DomainRow>();

  constructor(readonly db: Db) {
    const p = (sql: string) => db.prepare(sql);
    this.q = {
      domain: p('SELECT * FROM domains WHERE region = ? AND name = ?'),
      domainById: p('SELECT * FROM domains WHERE id = ?'),
      insertDomain: p(
        `INSERT INTO domains (region, name, status, description, retention, created_at) VALUES (?, ?, 'REGISTERED', ?, ?, ?)`,
      ),
      countDomains: p('SELECT count(*) AS n FROM domains WHERE region = ?'),
      setDomainStatus: p('UPDATE domains SET status = ? WHERE id = ?'),
      listDomains: p('SELECT * FROM domains WHERE region = ? AND status = ? ORDER BY name'),
      tags: p('SELECT key, value FROM domain_tags WHERE domain_id = ? ORDER BY key'),
      countTags: p('SELECT count(*) AS n FROM domain_tags WHERE domain_id = ?'),
      upsertTag: p('INSERT OR REPLACE INTO domain_tags (domain_id, key, value) VALUES (?, ?, ?)'),
      deleteTag: p('DELETE FROM domain_tags WHERE domain_id = ? AND key = ?'),
      type: p('SELECT * FROM types WHERE domain_id = ? AND kind = ? AND name = ? AND version = ?'),
      insertType: p(
        `INSERT INTO types (domain_id, kind, name, version, status, description, created_at, config) VALUES (?, ?, ?, ?, 'REGISTERED', ?, ?, ?)`,
      ),
      countTypes: p('SELECT count(*) AS n FROM types WHERE domain_id = ? AND kind = ?'),
      setTypeStatus: p('UPDATE types SET status = ?, deprecated_at = ? WHERE id = ?'),
      deprecateDomainTypes: p(`UPDATE types SET status = 'DEPRECATED', deprecated_at = ? WHERE domain_id = ? AND status = 'REGISTERED'`),
      deleteType: p('DELETE FROM types WHERE id = ?'),
      listTypes: p('SELECT * FROM types WHERE domain_id = ? AND kind = ? AND status = ? ORDER BY name, version'),
      listTypesByName: p('SELECT * FROM types WHERE domain_id = ? AND kind = ? AND status = ? AND name = ? ORDER BY name, version'),
    };
  }

  domain(region: string, name: string): DomainRow | undefined {
    const key = `${region}\u0000${name}`;
    let row = this.domainCache.get(key);
    if (row === undefined) {
      row = this.q.domain!.get(region, name) as DomainRow | undefined;
      if (row) this.domainCache.set(key, row);
    }
    return row;
  }

  domainById(id: number): DomainRow | undefined {
    return this.q.domainById!.get(id) as DomainRow | undefined;
  }

  insertDomain(region: string, name: string, description: string | undefined, retention: string, now: number): number {
    return Number(this.q.insertDomain!.run(region, name, description ?? null, retention, now).lastInsertRowid);
  }

  countDomains(region: string): number {
    return (this.q.countDomains!.get(region) as { n: number }).n;
  }

  setDomainStatus(domain: DomainRow, status: RegistrationStatus): void {
    this.q.setDomainStatus!.run(status, domain.id);
    this.domainCache.delete(`${domain.region}\u0000${domain.name}`);
  }

  /** Forgets cached rows: a transaction that changed a domain was rolled back. */
  invalidateCache(): void {
    this.domainCache.clear();
  }

  listDomains(region: string, status: RegistrationStatus): DomainRow[] {
    return this.q.listDomains!.all(region, status) as DomainRow[];
  }

  tags(domainId: number): { key: string; value: string }[] {
    return this.q.tags!.all(domainId) as { key: string; value: string }[];
  }

  countTags(domainId: number): number {
    return (this.q.countTags!.get(domainId) as { n: number }).n;
  }

  upsertTag(domainId: number, key: string, value: string): void {
    this.q.upsertTag!.run(domainId, key, value);
  }

  deleteTag(domainId: number, key: string): void {
    this.q.deleteTag!.run(domainId, key);
  }

  type(domainId: number, kind: TypeKind, name: string, version: string): TypeRow | undefined {
    return this.q.type!.get(domainId, kind, name, version) as TypeRow | undefined;
  }

  insertType(domainId: number, kind: TypeKind, name: string, version: string, description: string | undefined, config: object, now: number): void {
    this.q.insertType!.run(domainId, kind, name, version, description ?? null, now, JSON.stringify(config));
  }

  countTypes(domainId: number, kind: TypeKind): number {
    return (this.q.countTypes!.get(domainId, kind) as { n: number }).n;
  }

  setTypeStatus(type: TypeRow, status: RegistrationStatus, deprecatedAt: number | null): void {
    this.q.setTypeStatus!.run(status, deprecatedAt, type.id);
  }

  deprecateDomainTypes(domainId: number, now: number): void {
    this.q.deprecateDomainTypes!.run(now, domainId);
  }

  deleteType(type: TypeRow): void {
    this.q.deleteType!.run(type.id);
  }

  listTypes(domainId: number, kind: TypeKind, status: RegistrationStatus, name: string | undefined): TypeRow[] {
    return (name === undefined
      ? this.q.listTypes!.all(domainId, kind, status)
      : this.q.listTypesByName!.all(domainId, kind, status, name)) as TypeRow[];
  }
}
