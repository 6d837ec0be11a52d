/**
 * Path-aware checks of untrusted JSON, shared by the validators of plan specs, analysis requests, dump
 * sections and the trace container. Each check returns the value, typed, or throws a ValidationError that
 * carries the JSON path, what was expected and what was given; each validator turns it into its own error
 * type and wording (e.g. `host.count must be ...` or `vmas[3].end: expected ...`), so every message says what
 * and where. The predicates (isObject, isFiniteNumber, isCount) are plain functions for hot loops.
 */

export type ProblemKind = 'invalid' | 'missing' | 'unknown-key';

export class ValidationError extends Error {
  /** The message without the path: "must be a positive integer, got -1". */
  readonly detail: string;

  constructor(
    /** JSON path of the bad value ('' = the whole document). */
    readonly path: string,
    /** What was expected, as a noun phrase ("a positive integer"); for 'unknown-key': "one of a, b, c". */
    readonly expected: string,
    /** The value given (undefined when absent). */
    readonly got: unknown,
    readonly kind: ProblemKind = 'invalid',
  ) {
    const detail =
      kind === 'missing'
        ? 'is missing'
        : kind === 'unknown-key'
          ? `is not a known field (expected ${expected})`
          : `must be ${expected}${got === undefined ? '' : `, got ${render(got)}`}`;
    super(path ? `${path} ${detail}` : detail);
    this.detail = detail;
    this.name = 'ValidationError';
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** A non-negative integer. */
export function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

/** `path.key`, `path[3]`, or `path["odd key"]` for keys that are not identifiers. */
export function joinPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? (path ? `${path}.${key}` : key) : `${path}[${JSON.stringify(key)}]`;
}

/** A value as JSON, cut to 60 characters, for messages. */
export function render(v: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

export function fail(path: string, expected: string, got: unknown): never {
  throw new ValidationError(path, expected, got);
}

/** An object whose keys are all in `known` (when given): typos are refused, not ignored. */
export function object(
  v: unknown,
  path: string,
  known?: readonly string[],
  what = 'an object',
): Record<string, unknown> {
  if (!isObject(v)) fail(path, what, v);
  if (known) {
    for (const k of Object.keys(v)) {
      if (!known.includes(k)) throw new ValidationError(joinPath(path, k), `one of ${known.join(', ')}`, v[k], 'unknown-key');
    }
  }
  return v;
}

/** A required field: absent (or undefined, which JSON.stringify drops) is 'missing'. */
export function field(o: Record<string, unknown>, key: string, path: string): unknown {
  if (!Object.prototype.hasOwnProperty.call(o, key) || o[key] === undefined)
    throw new ValidationError(joinPath(path, key), '', undefined, 'missing');
  return o[key];
}

export interface NumberRange {
  min?: number;
  max?: number;
  /** exclusive lower bound */
  gt?: number;
  int?: boolean;
  /** Says what is expected instead of the text made from the bounds. */
  what?: string;
}

/** "a positive integer", "a number >= 0 and <= 1", ... */
export function describeRange(o: NumberRange): string {
  if (o.what !== undefined) return o.what;
  const what = o.int ? 'an integer' : 'a number';
  if (o.gt === 0 && o.max === undefined) return o.int ? 'a positive integer' : 'a positive number';
  if (o.min === 0 && o.max === undefined) return o.int ? 'a non-negative integer' : 'a non-negative number';
  const parts: string[] = [];
  if (o.gt !== undefined) parts.push(`> ${o.gt}`);
  if (o.min !== undefined) parts.push(`>= ${o.min}`);
  if (o.max !== undefined) parts.push(`<= ${o.max}`);
  return parts.length ? `${what} ${parts.join(' and ')}` : what;
}

/** A finite number (an integer with `int`) within the bounds. */
export function number(v: unknown, path: string, o: NumberRange = {}): number {
  const ok =
    typeof v === 'number' &&
    Number.isFinite(v) &&
    (!o.int || Number.isInteger(v)) &&
    (o.min === undefined || v >= o.min) &&
    (o.max === undefined || v <= o.max) &&
    (o.gt === undefined || v > o.gt);
  if (!ok) fail(path, describeRange(o), v);
  return v as number;
}

export function boolean(v: unknown, path: string): boolean {
  if (typeof v !== 'boolean') fail(path, 'true or false', v);
  return v;
}

export interface StringRule {
  /** Refuse '' and blank strings. */
  nonEmpty?: boolean;
  pattern?: RegExp;
  /** Says what the pattern means. */
  what?: string;
}

export function string(v: unknown, path: string, o: StringRule = {}): string {
  if (typeof v !== 'string' || (o.nonEmpty && v.trim() === '')) fail(path, o.nonEmpty ? 'a non-empty string' : 'a string', v);
  if (o.pattern && !o.pattern.test(v)) fail(path, o.what ?? String(o.pattern), v);
  return v;
}

/** One of the given strings (or other primitives). */
export function oneOf<T extends string | number | boolean>(v: unknown, path: string, allowed: readonly T[], what?: string): T {
  if (!(allowed as readonly unknown[]).includes(v))
    fail(path, what ?? `one of ${allowed.map((a) => (typeof a === 'string' ? `'${a}'` : String(a))).join(', ')}`, v);
  return v as T;
}

export interface ArrayRule {
  minLength?: number;
  maxLength?: number;
  /** Says what is expected when the value is not such an array. */
  what?: string;
}

/** An array whose every item passes `item` (a Rule, or a check called with the item's path). */
export function arrayOf<T>(v: unknown, path: string, item: Item<T>, o: ArrayRule = {}): T[] {
  if (!Array.isArray(v) || (o.minLength !== undefined && v.length < o.minLength))
    fail(path, o.what ?? (o.minLength ? 'a non-empty array' : 'an array'), v);
  if (o.maxLength !== undefined && v.length > o.maxLength)
    fail(path, `an array of at most ${o.maxLength} items`, `${v.length} items`);
  const out = new Array<T>(v.length);
  if (typeof item === 'function') {
    for (let i = 0; i < v.length; i++) out[i] = item(v[i], `${path}[${i}]`);
  } else {
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      if (!item.test(x)) fail(`${path}[${i}]`, expectation(item, x), x);
      out[i] = x;
    }
  }
  return out;
}

/**
 * An object of any keys whose every value passes `item`, as a fresh object. Keys are defined as own properties
 * so a "__proto__" key stays data, not a prototype.
 */
export function recordOf<T>(v: unknown, path: string, item: Item<T>, what?: string): Record<string, T> {
  const o = object(v, path, undefined, what);
  const out: Record<string, T> = {};
  for (const k of Object.keys(o)) {
    const x = o[k];
    let value: T;
    if (typeof item === 'function') value = item(x, joinPath(path, k));
    else if (item.test(x)) value = x;
    else fail(joinPath(path, k), expectation(item, x), x);
    Object.defineProperty(out, k, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Rules: a test and what it expects, made once. For hot paths (a dump's VMAs, a list of calls): no path or
// message is built unless the value fails.

export interface Rule<T> {
  test(v: unknown): v is T;
  /** What the rule expects, as a noun phrase. */
  expected: string;
  /** What was expected of this bad value, when it depends on the value (default: `expected`). */
  explain?: (v: unknown) => string;
}

function expectation<T>(rule: Rule<T>, v: unknown): string {
  return rule.explain ? rule.explain(v) : rule.expected;
}

/** An item check: a Rule, or a function given the item and its path. */
export type Item<T> = Rule<T> | ((x: unknown, path: string) => T);

// Rules are class instances, not closures: a check's call site then sees one `test` per class and V8 can
// inline it (closures of many rules made it 10-15% slower on a dump's PROC sections).
class NumberRule implements Rule<number> {
  readonly expected: string;
  private readonly min: number;
  private readonly max: number;
  private readonly gt: number;
  private readonly int: boolean;

  constructor(o: NumberRange) {
    this.expected = describeRange(o);
    this.min = o.min ?? -Infinity;
    this.max = o.max ?? Infinity;
    this.gt = o.gt ?? -Infinity;
    this.int = o.int === true;
  }

  test(v: unknown): v is number {
    return (
      typeof v === 'number' &&
      (this.int ? Number.isInteger(v) : Number.isFinite(v)) &&
      v >= this.min &&
      v <= this.max &&
      v > this.gt
    );
  }
}

export function numberRule(o: NumberRange): Rule<number> {
  return new NumberRule(o);
}

class StringRuleImpl implements Rule<string> {
  readonly expected: string;
  private readonly kind: string;

  constructor(
    private readonly nonEmpty: boolean,
    private readonly pattern: RegExp | undefined,
    what: string | undefined,
  ) {
    this.kind = nonEmpty ? 'a non-empty string' : 'a string';
    this.expected = pattern ? (what ?? String(pattern)) : this.kind;
  }

  test(v: unknown): v is string {
    return typeof v === 'string' && (!this.nonEmpty || v.trim() !== '') && (this.pattern === undefined || this.pattern.test(v));
  }

  explain(v: unknown): string {
    return typeof v !== 'string' || (this.nonEmpty && v.trim() === '') ? this.kind : this.expected;
  }
}

/** A string (non-blank with `nonEmpty`, matching `pattern`); a non-string is told "a string" whatever the pattern. */
export function stringRule(o: StringRule = {}): Rule<string> {
  return new StringRuleImpl(o.nonEmpty === true, o.pattern, o.what);
}

export const BOOLEAN: Rule<boolean> = { test: (v): v is boolean => typeof v === 'boolean', expected: 'true or false' };
export const STRING: Rule<string> = stringRule();

export function check<T>(v: unknown, path: string, rule: Rule<T>): T {
  if (!rule.test(v)) fail(path, expectation(rule, v), v);
  return v;
}

/** A required field of `o` passing `rule`; its path (`path.key`) is made only on failure. */
export function fieldOf<T>(o: Record<string, unknown>, key: string, path: string, rule: Rule<T>): T {
  const v = o[key];
  if (rule.test(v) && Object.prototype.hasOwnProperty.call(o, key)) return v;
  field(o, key, path); // throws 'missing' when it is
  return fail(joinPath(path, key), expectation(rule, v), v);
}

/** `dflt` when the value is absent, else the checked value. */
export function optional<T>(v: unknown, dflt: T, check: (v: unknown) => T): T {
  return v === undefined ? dflt : check(v);
}

/** `dflt` when the value is absent or null, else the checked value. */
export function nullable<T>(v: unknown, dflt: T, check: (v: unknown) => T): T {
  return v === undefined || v === null ? dflt : check(v);
}
