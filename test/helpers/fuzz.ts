/**
 * A seeded generator of SWF requests, valid and mangled, driven by the engine's own model table
 * (`lib/engine/model/swf-model.json`), for "no input makes the engine answer 5xx" tests.
 */
import modelJson from '../../lib/engine/model/swf-model.json';

interface ShapeDef {
  type: 'structure' | 'list' | 'map' | 'string' | 'integer' | 'long' | 'boolean' | 'timestamp';
  members?: Record<string, string>;
  required?: string[];
  member?: string;
  key?: string;
  value?: string;
  min?: number;
  max?: number;
  enum?: string[];
  format?: string[];
}

const MODEL = modelJson as unknown as {
  operations: Record<string, { input: string; output: string | null }>;
  shapes: Record<string, ShapeDef>;
};

/**
 * Deeply nested JSON kept as text: built and sent without recursion, so it can be far deeper
 * than JSON.stringify (or the test process's stack) would allow.
 */
export class DeepJson {
  constructor(readonly text: string) {}
}

/** JSON.stringify that splices DeepJson fragments in verbatim. */
export function encodeJson(value: unknown): string {
  if (value instanceof DeepJson) return value.text;
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : encodeJson(v))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(value)) if (v !== undefined) parts.push(`${JSON.stringify(k)}:${encodeJson(v)}`);
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** mulberry32: small, fast and reproducible. */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** [0, 1) */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
}

const SAFE = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.';

/** Things that tend to break parsers, SQL, and string handling. */
const NASTY_STRINGS = [
  '',
  ' ',
  'NONE',
  'arn',
  'null',
  'undefined',
  '0',
  '-1',
  '1e400',
  '99999999999999999999',
  'a:b',
  '../../etc/passwd',
  "'; DROP TABLE executions; --",
  '%s%s%n',
  '\u0000',
  '\u0007bell',
  '\u0085',
  '\ud800',
  '\udfff\ud800',
  '😀'.repeat(10),
  'e\u0301',
  '\u202eRTL',
  '{"__proto__":{"x":1}}',
  '__proto__',
  'constructor',
  '\\',
  '"',
  '\n\r\t',
];

export interface FuzzContext {
  /** A domain that exists, used for `domain` members now and then so requests get past lookup. */
  domain: string;
  /** Epoch seconds for timestamps. */
  nowSeconds: number;
}

export class RequestFuzzer {
  constructor(
    readonly rng: Prng,
    readonly ctx: FuzzContext,
  ) {}

  /** A random string of `length` characters from `alphabet`. */
  text(length: number, alphabet = SAFE): string {
    if (length > 256) {
      const chunk = this.text(64, alphabet);
      return chunk.repeat(Math.ceil(length / 64)).slice(0, length);
    }
    let s = '';
    for (let i = 0; i < length; i++) s += alphabet[this.rng.int(0, alphabet.length - 1)];
    return s;
  }

  /** Random code points, surrogates and controls included. */
  unicode(length: number): string {
    let s = '';
    for (let i = 0; i < length; i++) {
      const r = this.rng.next();
      const cp = r < 0.5 ? this.rng.int(0x20, 0x7e) : r < 0.7 ? this.rng.int(0, 0x1f) : r < 0.8 ? this.rng.int(0xd800, 0xdfff) : this.rng.int(0x80, 0x10ffff);
      s += cp >= 0xd800 && cp <= 0xdfff ? String.fromCharCode(cp) : String.fromCodePoint(cp);
    }
    return s;
  }

  /** A value that satisfies `shapeName` (mostly: cross-member rules are not modelled). */
  valid(shapeName: string, memberName = '', depth = 0): unknown {
    const def = MODEL.shapes[shapeName];
    if (!def) throw new Error(`unknown shape ${shapeName}`);
    const rng = this.rng;
    switch (def.type) {
      case 'structure': {
        const out: Record<string, unknown> = {};
        const required = new Set(def.required ?? []);
        for (const [m, target] of Object.entries(def.members ?? {})) {
          const p = MODEL.shapes[target]?.type === 'list' ? 0.8 : 0.4; // lists are where bugs hide
          if (required.has(m) || (depth < 3 && rng.chance(p))) out[m] = this.valid(target, m, depth + 1);
        }
        return out;
      }
      case 'list': {
        const n = rng.int(def.min ?? 0, Math.min(def.max ?? 3, 3));
        return Array.from({ length: n }, () => this.valid(def.member!, memberName, depth + 1));
      }
      case 'map': {
        const out: Record<string, unknown> = {};
        for (let i = rng.int(0, 2); i > 0; i--) out[this.valid(def.key!) as string] = this.valid(def.value!, memberName, depth + 1);
        return out;
      }
      case 'string': {
        if (def.enum) return rng.pick(def.enum);
        const formats = def.format ?? [];
        if (formats.includes('duration')) return rng.pick(['0', '30', '300', 'NONE']);
        if (formats.includes('durationSeconds')) return rng.pick(['1', '60', '3600']);
        if (formats.includes('retentionDays')) return rng.pick(['0', '1', '90', 'NONE']);
        if (formats.includes('int32')) return String(rng.int(-5, 5));
        if ((memberName === 'domain' || memberName === 'name') && rng.chance(0.5)) return this.ctx.domain;
        const min = Math.max(def.min ?? 0, 1);
        const max = Math.min(def.max ?? 24, 24);
        return this.text(rng.int(min, Math.max(min, max)));
      }
      case 'integer':
      case 'long':
        return rng.int(Math.max(def.min ?? 0, 0), Math.min(def.max ?? 100, 100));
      case 'boolean':
        return rng.chance(0.5);
      case 'timestamp':
        return rng.pick([this.ctx.nowSeconds, this.ctx.nowSeconds - 3600.5, String(this.ctx.nowSeconds)]);
    }
  }

  /** A valid request body for `operation`. */
  validRequest(operation: string): Record<string, unknown> {
    const op = MODEL.operations[operation];
    if (!op) throw new Error(`unknown operation ${operation}`);
    return this.valid(op.input) as Record<string, unknown>;
  }

  /** Nested arrays or objects, `depth` levels deep. */
  deep(depth: number): DeepJson {
    const leaf = this.rng.pick(['1', '"x"', 'null', 'true', '{}']);
    return this.rng.chance(0.5)
      ? new DeepJson('['.repeat(depth) + leaf + ']'.repeat(depth))
      : new DeepJson('{"a":'.repeat(depth) + leaf + '}'.repeat(depth));
  }

  /** Any JSON value at all, biased towards what breaks things; `small` keeps it under ~40 kB. */
  nasty(small = false): unknown {
    const rng = this.rng;
    switch (rng.int(0, small ? 8 : 13)) {
      case 0:
        return rng.pick([0, -0, -1, 1.5, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 + 2, Number.MAX_VALUE, -Number.MAX_VALUE, 1e-300]);
      case 1:
        return rng.pick(NASTY_STRINGS);
      case 2:
        return this.unicode(rng.int(1, 40));
      case 3:
        return this.text(rng.pick([255, 256, 257, 1024, 1025, 2048, 2049, 32768, 32769]));
      case 4:
        return this.text(small ? rng.int(0, 40_000) : rng.int(100_000, 300_000));
      case 5:
        return rng.chance(0.5);
      case 6:
        return null;
      case 7:
        return [];
      case 8:
        return {};
      case 9:
        return this.deep(rng.int(10, 100_000));
      case 10:
        return Array.from({ length: rng.int(1, 2000) }, () => rng.pick([null, 1, 'a', [], {}, [[['x']]]]));
      case 11:
        return Object.fromEntries(Array.from({ length: rng.int(1, 50) }, (_, i) => [`k${i}`, rng.pick([null, 1, 'v', []])]));
      case 12:
        return [this.deep(rng.int(1000, 100_000)), 'b', 'c', 'd', 'e', 'f'];
      default:
        return this.unicode(rng.int(200, 3000));
    }
  }

  /** Every path to a member or element inside `value`. */
  private paths(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = [], depth = 0): (string | number)[][] {
    if (depth > 12 || value === null || typeof value !== 'object' || value instanceof DeepJson) return out;
    const entries: [string | number, unknown][] = Array.isArray(value)
      ? value.map((v, i) => [i, v] as [number, unknown])
      : Object.entries(value as Record<string, unknown>);
    for (const [k, v] of entries) {
      const p = [...prefix, k];
      out.push(p);
      this.paths(v, p, out, depth + 1);
    }
    return out;
  }

  /** Applies one to three random mutations to `body` (in place) and returns it. */
  mutate(body: Record<string, unknown>): unknown {
    const rng = this.rng;
    let root: unknown = body;
    for (let n = rng.int(1, 3); n > 0; n--) {
      const paths = this.paths(root);
      const lists = paths.filter((p) => Array.isArray(p.reduce<any>((o, k) => o[k], root)));
      const kind = lists.length > 0 && rng.chance(0.3) ? 4 : rng.int(0, 9);
      if (kind === 0 || paths.length === 0) {
        // Replace the whole body.
        root = rng.chance(0.5) ? this.nasty() : { [this.text(6)]: this.nasty() };
        continue;
      }
      const path = kind === 4 && lists.length > 0 ? rng.pick(lists) : rng.pick(paths);
      const parent = path.slice(0, -1).reduce<any>((o, k) => o[k], root);
      const key = path[path.length - 1]!;
      if (kind === 1) {
        if (Array.isArray(parent)) parent.splice(key as number, 1);
        else delete parent[key];
      } else if (kind === 2 && !Array.isArray(parent)) {
        parent[this.text(rng.int(1, 12))] = this.nasty();
      } else if (kind === 4 && Array.isArray(parent[key])) {
        // Lists are where the validator renders values into messages: overfill one.
        parent[key] = [this.deep(rng.int(5000, 100_000)), ...Array.from({ length: rng.int(5, 20) }, () => this.nasty(true))];
      } else if (kind === 3 && typeof parent[key] === 'string') {
        parent[key] = (parent[key] as string) + rng.pick(NASTY_STRINGS);
      } else {
        parent[key] = this.nasty();
      }
    }
    return root;
  }
}
