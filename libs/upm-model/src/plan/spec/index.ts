/**
 * The plan specification (version 1): its types and defaults, `validatePlanSpec` (untrusted JSON in, the
 * spec with every default applied out, errors naming the JSON path), `planSpecHash` (sha256 of the canonical
 * JSON of the normalized spec: the deterministic job id), sweep expansion and profile resolution.
 * See docs/simulator.md.
 */
export * from './types';
export * from './defaults';
export { validatePlanSpec } from './validate';
export { canonicalJson, planSpecHash } from './hash';
export { expandSweep } from '../sweep';
export * from './resolve-profiles';
