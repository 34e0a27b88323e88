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
  /** Domain rows by region and name, and by id: read on every call, changed rarely. */
  private readonly domainCache = new Map<string, DomainRow>();
  private readonly domainIdCache = new Map<number, DomainRow>();
  /** Registered types by (domain, kind, name, version), with their parsed defaults. */
  private readonly typeCache = new Map<string, TypeRow>();
  private readonly configCache = new WeakMap<TypeRow, object>();

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
    let row = this.domainIdCache.get(id);
    if (row === undefined) {
      row = this.q.domainById!.get(id) as DomainRow | undefined;
      if (row) this.domainIdCache.set(id, row);
    }
    return row;
  }

  insertDomain(region: string, name: string, description: string | undefined, retention: string, now: number): number {
    return Number(this.q.insertDomain!.run(region, name, description ?? null, retention, now).lastInsertRowid);
  }

  countDomains(region: string): number {
    return (this.q.countDomains!.get(region) as { n: number }).n;
  }

  setDomainStatus(domain: DomainRow, status: RegistrationStatus): void {
    this.q.setDomainStatus!.run(status, domain.id);
    this.invalidateCache();
  }

  /** Forgets cached rows: after a change, or when a transaction that read them rolled back. */
  invalidateCache(): void {
    this.domainCache.clear();
    this.domainIdCache.clear();
    this.typeCache.clear();
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
    const key = `${domainId}\u0000${kind}\u0000${name}\u0000${version}`;
    let row = this.typeCache.get(key);
    if (row === undefined) {
      row = this.q.type!.get(domainId, kind, name, version) as TypeRow | undefined;
      if (row) this.typeCache.set(key, row);
    }
    return row;
  }

  /** A type's stored defaults, parsed once per row. */
  typeConfig<C extends object>(row: TypeRow): C {
    let config = this.configCache.get(row);
    if (config === undefined) {
      config = JSON.parse(row.config) as object;
      this.configCache.set(row, config);
    }
    return config as C;
  }

  insertType(domainId: number, kind: TypeKind, name: string, version: string, description: string | undefined, config: object, now: number): void {
    this.q.insertType!.run(domainId, kind, name, version, description ?? null, now, JSON.stringify(config));
  }

  countTypes(domainId: number, kind: TypeKind): number {
    return (this.q.countTypes!.get(domainId, kind) as { n: number }).n;
  }

  setTypeStatus(type: TypeRow, status: RegistrationStatus, deprecatedAt: number | null): void {
    this.q.setTypeStatus!.run(status, deprecatedAt, type.id);
    this.typeCache.clear();
  }

  deprecateDomainTypes(domainId: number, now: number): void {
    this.q.deprecateDomainTypes!.run(now, domainId);
    this.typeCache.clear();
  }

  deleteType(type: TypeRow): void {
    this.q.deleteType!.run(type.id);
    this.typeCache.clear();
  }

  listTypes(domainId: number, kind: TypeKind, status: RegistrationStatus, name: string | undefined): TypeRow[] {
    return (name === undefined
      ? this.q.listTypes!.all(domainId, kind, status)
      : this.q.listTypesByName!.all(domainId, kind, status, name)) as TypeRow[];
  }
}
