/** The deterministic job id of a plan: sha256 of the canonical JSON of its normalized spec. */
import { createHash } from 'node:crypto';
import type { PlanSpec } from './types';
import { validatePlanSpec } from './validate';

/** JSON with object keys sorted at every level: equal values give equal strings. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
}

/** sha256 hex of the canonical JSON of the normalized spec: the same plan always gives the same hash. */
export function planSpecHash(spec: PlanSpec | unknown): string {
  return createHash('sha256')
    .update(canonicalJson(validatePlanSpec(spec)))
    .digest('hex');
}

