/**
 * Cell-level number parsing shared by all readers. Policy (docs/traces.md, "Numbers"):
 * - integers and decimal floats are accepted everywhere (`12`, `12.0`, `1.2e3`, `.5`), surrounding spaces too;
 * - an empty cell is "no value" (null) — for per-minute counts that means 0 invocations;
 * - counts (invocations per minute, Count, SampleCount) must be integral: `3.0` is accepted, `3.5` is rejected,
 *   because a fractional invocation count means the file is not what it claims to be;
 * - negative numbers, NaN, Infinity, hex and anything else are rejected.
 */

const DECIMAL = /^\+?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Largest per-cell count we store (Uint32Array). */
export const MAX_CELL_COUNT = 0xffffffff;

export type NumberResult = number | null | string; // number, empty, or an error reason

/** A non-negative finite decimal, or null for an empty cell, or a reason string. */
export function parseNonNegative(text: string): NumberResult {
  const t = text.trim();
  if (t === '') return null;
  if (!DECIMAL.test(t)) return `expected a non-negative number, got ${quote(t)}`;
  const v = Number(t);
  if (!Number.isFinite(v)) return `number out of range: ${quote(t)}`;
  return v;
}

/** A signed finite decimal (timestamps may be negative after start = end - duration; the cell itself may not). */
export function parseFinite(text: string): NumberResult {
  const t = text.trim();
  if (t === '') return null;
  const body = t.startsWith('-') ? t.slice(1) : t;
  if (!DECIMAL.test(body)) return `expected a number, got ${quote(t)}`;
  const v = Number(t);
  if (!Number.isFinite(v)) return `number out of range: ${quote(t)}`;
  return v;
}

/** An integral count in [0, max]; `3.0` passes, `3.5` does not. */
export function parseCount(text: string, max = Number.MAX_SAFE_INTEGER): NumberResult {
  const v = parseNonNegative(text);
  if (typeof v !== 'number') return v;
  if (!Number.isInteger(v)) return `expected an integral count, got ${quote(text.trim())}`;
  if (v > max) return `count ${quote(text.trim())} exceeds ${max}`;
  return v;
}

export function quote(s: string): string {
  const shown = s.length > 40 ? s.slice(0, 37) + '...' : s;
  return JSON.stringify(shown);
}
