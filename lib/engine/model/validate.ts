/**
 * Server-side input validation for every SWF operation, driven by `swf-model.json` (generated from
 * the botocore service model by `scripts/gen-swf-model.py`).
 *
 * Two failure modes, in the order Coral applies them:
 * - a member of the wrong JSON type cannot be deserialized -> SerializationException, at once;
 * - otherwise every constraint violation in the request is collected and reported together in one
 *   ValidationException (`N validation errors detected: ...`).
 *
 * The table is compiled once into one closure per shape; a call walks the input with those
 * closures and allocates only when it has something to report (or a timestamp to convert).
 */

import { Fault, serializationError, unknownOperation, validationFault } from '../faults';
import modelJson from './swf-model.json';

type FormatName = 'name' | 'noEdgeWhitespace' | 'duration' | 'durationSeconds' | 'retentionDays' | 'int32' | 'tag';

interface ShapeDef {
  readonly type: 'structure' | 'list' | 'map' | 'string' | 'integer' | 'long' | 'boolean' | 'timestamp';
  readonly members?: Readonly<Record<string, string>>;
  readonly required?: readonly string[];
  readonly member?: string;
  readonly key?: string;
  readonly value?: string;
  readonly min?: number;
  readonly max?: number;
  readonly enum?: readonly string[];
  readonly format?: readonly FormatName[];
}

interface ModelTable {
  readonly operations: Readonly<Record<string, { readonly input: string; readonly output: string | null }>>;
  readonly shapes: Readonly<Record<string, ShapeDef>>;
}

const MODEL = modelJson as unknown as ModelTable;

export const OPERATIONS: readonly string[] = Object.freeze(Object.keys(MODEL.operations).sort());
const OPERATION_SET: ReadonlySet<string> = new Set(OPERATIONS);

export function isOperation(name: string): boolean {
  return OPERATION_SET.has(name);
}

// ---------------------------------------------------------------------------------------------
// Per-call state. Validation is synchronous and never re-entered, so module-level scratch space
// is safe and saves allocating a context per call.

/** Path segments from the request root: member names, or 0-based list indexes. */
const pathStack: (string | number)[] = [];
let violations: string[] | null = null;

function currentPath(): string {
  let out = '';
  for (const seg of pathStack) {
    if (out !== '') out += '.';
    // Coral numbers list elements from 1 and adds `.member`.
    out += typeof seg === 'number' ? `${seg + 1}.member` : seg;
  }
  return out;
}

const MAX_RENDERED = 64;

/** Nesting rendered inside a list value; deeper arrays show as `[...]` (a client can nest 500k deep). */
const MAX_RENDERED_DEPTH = 4;

function renderScalar(value: unknown, depth = 0): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return value.length > MAX_RENDERED ? `${value.slice(0, MAX_RENDERED)}...` : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    return depth >= MAX_RENDERED_DEPTH ? '[...]' : `[${value.map((v: unknown) => renderScalar(v, depth + 1)).join(', ')}]`;
  }
  return '{...}';
}

/** Coral quotes every non-null value, numbers included (`Value '1001' at 'maximumPageSize'`). */
function renderValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  let s = renderScalar(value);
  if (s.length > MAX_RENDERED + 3) s = `${s.slice(0, MAX_RENDERED)}...`;
  return `'${s}'`;
}

function violate(value: unknown, constraint: string): void {
  const msg = `Value ${renderValue(value)} at '${currentPath()}' failed to satisfy constraint: ${constraint}`;
  (violations ??= []).push(msg);
}

function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

function wrongType(expected: string, value: unknown): Fault {
  const path = currentPath();
  if (path === '') return serializationError(`Expected the request body to be ${expected} but got ${jsonTypeOf(value)}`);
  return serializationError(`Expected ${expected} at '${path}' but got ${jsonTypeOf(value)}`);
}

// ---------------------------------------------------------------------------------------------
// Formats: rules the model states only in documentation text.

interface FormatRule {
  readonly test: (s: string) => boolean;
  readonly constraint: string;
}

const NAME_FORBIDDEN = /[:/|\u0000-\u001f\u007f-\u009f]/;
const EDGE_WHITESPACE = /^\s|\s$/;
const DIGITS = /^[0-9]+$/;
const SIGNED_DIGITS = /^[+-]?[0-9]+$/;
// The AWS resource-tagging character set, as the TagResource / RegisterDomain docs state it.
const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

const FORMATS: Readonly<Record<FormatName, FormatRule>> = {
  name: {
    test: (s) => s !== 'arn' && !NAME_FORBIDDEN.test(s),
    constraint: "Member must not contain ':', '/', '|', control characters or be the literal 'arn'",
  },
  noEdgeWhitespace: {
    test: (s) => !EDGE_WHITESPACE.test(s),
    constraint: 'Member must not start or end with whitespace',
  },
  duration: {
    test: (s) => s === 'NONE' || DIGITS.test(s),
    constraint: 'Member must be a non-negative integer number of seconds or NONE',
  },
  durationSeconds: {
    test: (s) => DIGITS.test(s),
    constraint: 'Member must be a non-negative integer number of seconds',
  },
  retentionDays: {
    // Leading zeros are accepted because the service parses the value as a Java integer.
    test: (s) => s === 'NONE' || (DIGITS.test(s) && Number(s) <= 90),
    constraint: 'Member must be an integer number of days from 0 to 90, or NONE',
  },
  int32: {
    test: (s) => {
      if (!SIGNED_DIGITS.test(s)) return false;
      const n = Number(s);
      return n >= INT32_MIN && n <= INT32_MAX;
    },
    constraint: `Member must be an integer from ${INT32_MIN} to ${INT32_MAX}`,
  },
  tag: {
    test: (s) => TAG_CHARS.test(s),
    constraint: 'Member must contain only Unicode letters, digits, whitespace and _ . : / = + - @',
  },
};

// ---------------------------------------------------------------------------------------------
// Compilation: one checker per shape. A checker returns the value to store back (identical to its
// argument except for timestamps, which are normalized to epoch seconds).

type Checker = (value: unknown) => unknown;

const compiled = new Map<string, Checker>();

function shapeDef(name: string): ShapeDef {
  const def = MODEL.shapes[name];
  if (def === undefined) throw new Error(`swf-model.json: unknown shape ${name}`);
  return def;
}

function compile(name: string): Checker {
  const existing = compiled.get(name);
  if (existing !== undefined) return existing;
  const def = shapeDef(name);
  switch (def.type) {
    case 'structure':
      return compileStructure(name, def);
    case 'list':
      return remember(name, compileList(def));
    case 'map':
      return remember(name, compileMap(def));
    case 'string':
      return remember(name, compileString(def));
    case 'integer':
      return remember(name, compileNumber(def, INT32_MIN, INT32_MAX, 'an integer'));
    case 'long':
      return remember(name, compileNumber(def, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 'a long integer'));
    case 'boolean':
      return remember(name, checkBoolean);
    case 'timestamp':
      return remember(name, checkTimestamp);
  }
}

function remember(name: string, checker: Checker): Checker {
  compiled.set(name, checker);
  return checker;
}

interface MemberSpec {
  readonly name: string;
  readonly required: boolean;
  check: Checker;
}

function compileStructure(name: string, def: ShapeDef): Checker {
  const required = new Set(def.required ?? []);
  const members: MemberSpec[] = [];
  const checker: Checker = (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw wrongType('an object', value);
    const obj = value as Record<string, unknown>;
    for (const m of members) {
      const v = obj[m.name];
      if (v === undefined || v === null) {
        // JSON null means "absent" to Coral; dropping it lets handlers test `=== undefined` only.
        if (v === null) delete obj[m.name];
        if (m.required) {
          pathStack.push(m.name);
          violate(null, 'Member must not be null');
          pathStack.pop();
        }
        continue;
      }
      pathStack.push(m.name);
      const out = m.check(v);
      pathStack.pop();
      if (out !== v) obj[m.name] = out;
    }
    return value;
  };
  // Registered before the members are compiled so that a recursive shape finds itself.
  compiled.set(name, checker);
  for (const [member, target] of Object.entries(def.members ?? {})) {
    members.push({ name: member, required: required.has(member), check: compile(target) });
  }
  return checker;
}

function lengthChecks(def: ShapeDef, value: unknown, length: number): void {
  if (def.min !== undefined && length < def.min) {
    violate(value, `Member must have length greater than or equal to ${def.min}`);
  }
  if (def.max !== undefined && length > def.max) {
    violate(value, `Member must have length less than or equal to ${def.max}`);
  }
}

function compileList(def: ShapeDef): Checker {
  const element = compile(def.member ?? '');
  return (value) => {
    if (!Array.isArray(value)) throw wrongType('an array', value);
    lengthChecks(def, value, value.length);
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      pathStack.push(i);
      if (v === null || v === undefined) {
        violate(null, 'Member must not be null');
      } else {
        const out = element(v);
        if (out !== v) value[i] = out;
      }
      pathStack.pop();
    }
    return value;
  };
}

function compileMap(def: ShapeDef): Checker {
  const keyCheck = compile(def.key ?? '');
  const valueCheck = compile(def.value ?? '');
  return (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw wrongType('an object', value);
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    lengthChecks(def, value, keys.length);
    for (const k of keys) {
      pathStack.push(k);
      keyCheck(k);
      const v = obj[k];
      if (v === null || v === undefined) {
        violate(null, 'Member must not be null');
      } else {
        const out = valueCheck(v);
        if (out !== v) obj[k] = out;
      }
      pathStack.pop();
    }
    return value;
  };
}

function compileString(def: ShapeDef): Checker {
  const min = def.min;
  const max = def.max;
  const enumSet = def.enum === undefined ? undefined : new Set(def.enum);
  const enumConstraint = def.enum === undefined ? '' : `Member must satisfy enum value set: [${def.enum.join(', ')}]`;
  const formats = (def.format ?? []).map((f) => FORMATS[f]);
  return (value) => {
    if (typeof value !== 'string') throw wrongType('a string', value);
    const len = value.length;
    if (min !== undefined && len < min) violate(value, `Member must have length greater than or equal to ${min}`);
    if (max !== undefined && len > max) violate(value, `Member must have length less than or equal to ${max}`);
    if (enumSet !== undefined && !enumSet.has(value)) violate(value, enumConstraint);
    for (const f of formats) {
      if (!f.test(value)) violate(value, f.constraint);
    }
    return value;
  };
}

/**
 * Integers must be integral JSON numbers. Numeric strings are refused (as Coral does): every SDK
 * sends numbers for these members, and a string here means a client bug worth surfacing.
 */
function compileNumber(def: ShapeDef, lo: number, hi: number, what: string): Checker {
  const min = def.min;
  const max = def.max;
  return (value) => {
    if (typeof value !== 'number') throw wrongType(what, value);
    if (!Number.isInteger(value) || value < lo || value > hi) {
      throw serializationError(`Value ${String(value)} at '${currentPath()}' is not ${what} in range`);
    }
    if (min !== undefined && value < min) violate(value, `Member must have value greater than or equal to ${min}`);
    if (max !== undefined && value > max) violate(value, `Member must have value less than or equal to ${max}`);
    return value;
  };
}

function checkBoolean(value: unknown): unknown {
  if (typeof value !== 'boolean') throw wrongType('a boolean', value);
  return value;
}

const NUMERIC = /^\s*[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\s*$/;

/**
 * Timestamps are epoch seconds. The JS SDK sends fractional numbers, the AWS CLI integers, and
 * some clients numeric strings; all become a number so handlers see one representation.
 */
function checkTimestamp(value: unknown): unknown {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw wrongType('a timestamp in epoch seconds', value);
    return value;
  }
  if (typeof value === 'string' && NUMERIC.test(value)) {
    const n = Number(value);
    if (Number.isFinite(n)) return n;
  }
  throw serializationError(
    `Expected a timestamp in epoch seconds at '${currentPath()}' but got ${
      typeof value === 'string' ? `'${renderScalar(value)}'` : jsonTypeOf(value)
    }`,
  );
}

const INPUT_CHECKERS: ReadonlyMap<string, Checker> = new Map(
  OPERATIONS.map((op) => [op, compile(MODEL.operations[op]?.input ?? '')] as const),
);

/**
 * Validates `input` (the parsed JSON body) for `operation` and returns it with timestamps
 * normalized to epoch-second numbers and JSON nulls removed. The object is modified in place.
 *
 * Throws UnknownOperationException for an operation outside the model, SerializationException
 * for a body that is not an object or a member of the wrong JSON type, and one
 * ValidationException listing every constraint violation otherwise. Unknown members are ignored.
 */
export function validateInput(operation: string, input: unknown): Record<string, unknown> {
  const check = INPUT_CHECKERS.get(operation);
  if (check === undefined) throw unknownOperation(`Unknown operation ${operation}`);
  pathStack.length = 0;
  violations = null;
  check(input);
  const found = violations as string[] | null;
  if (found !== null) {
    violations = null;
    throw validationFault(found);
  }
  return input as Record<string, unknown>;
}
