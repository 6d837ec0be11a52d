/** The keep-alive policy for a plan's policy spec (policy.ts). */
import type { IdleIndex } from '../engine/idle-index';
import type { PolicySpec } from '../spec';
import { GreedyDualPolicy } from './greedy-dual';
import { HybridHistogramPolicy } from './hybrid-histogram';
import type { KeepAlivePolicy } from './policy';
import { TtlPolicy } from './ttl';

export { UNLOAD } from './policy';
export type { KeepAlivePolicy } from './policy';
export { HybridState } from './hybrid-histogram';

export interface PolicyContext {
  nFn: number;
  hosts: number;
  /** Host memory is limited (evictions can happen). */
  limited: boolean;
  idle: IdleIndex;
  /** Per function: cold start (ms) and memory (bytes), the greedy-dual cost and size. */
  coldStartMs: Float64Array;
  fnBytes: Float64Array;
}

export function keepAlivePolicy(spec: PolicySpec, ctx: PolicyContext): KeepAlivePolicy {
  switch (spec.kind) {
    case 'ttl':
      return new TtlPolicy(spec.ttlMinutes * 60, ctx.idle);
    case 'hybrid-histogram':
      return new HybridHistogramPolicy(spec, ctx.nFn, ctx.idle);
    case 'greedy-dual':
      return new GreedyDualPolicy(spec, ctx);
  }
}

/** Whether the idle index keeps per-host LRU lists for this policy (greedy-dual evicts by priority). */
export function needsHostLists(spec: PolicySpec, hosts: number, limited: boolean): boolean {
  return limited && hosts > 1 && spec.kind !== 'greedy-dual';
}

