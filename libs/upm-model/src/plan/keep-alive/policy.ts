/**
 * The keep-alive policy of an engine run: how long a released container stays idle, which idle container a
 * host evicts first, and (hybrid histogram) when to unload a container and load it again ahead of the next
 * invocation. The engine (engine.ts) owns the containers and the idle lists (engine/idle-index.ts) and calls
 * the policy at each of these points; a policy keeps only its own state (heaps, frequencies, histograms).
 * Like merge-state.ts's MergeState, one implementation per policy: ttl.ts, hybrid-histogram.ts,
 * greedy-dual.ts; index.ts picks one for a policy spec.
 */

/** What onRelease returns to have the container unloaded at once (the policy has scheduled a pre-warm). */
export const UNLOAD = -1;

export interface KeepAlivePolicy {
  /** Whether onArrival / onUse / onIdle and onUnidle do anything (the engine skips the calls when not). */
  readonly usesArrivals: boolean;
  readonly usesUse: boolean;
  readonly usesIdle: boolean;
  /** An invocation of function f arrives at t, before a container is chosen for it. */
  onArrival(f: number, t: number): void;
  /** Container c on host h takes an invocation of f (warm or cold start) that ends at `end`. */
  onUse(c: number, f: number, h: number, end: number): void;
  /** c (function f) is released at t: when its keep-alive ends (Infinity: never), or UNLOAD. */
  onRelease(c: number, f: number, t: number): number;
  /** c becomes idle on host h at t, its keep-alive ending at expireAt. */
  onIdle(c: number, h: number, t: number, expireAt: number): void;
  /** c stops being idle on host h (a warm start or its exit). */
  onUnidle(c: number, h: number): void;
  /** c (function f) exits its host. */
  onExit(c: number, f: number): void;
  /** The idle container host h evicts first, -1 if none. */
  victim(h: number): number;
  /** Victim v of host h is evicted. */
  onEvict(v: number, h: number): void;
  /** When the next keep-alive ends (Infinity if none). */
  nextExpiry(): number;
  /** The container whose keep-alive ends at nextExpiry(). */
  expiring(): number;
  /** When the next pre-warm is due (Infinity if none). */
  nextPrewarm(): number;
  /** Takes the pre-warm due at nextPrewarm(): the function to load, -1 if it was superseded. */
  takePrewarm(): number;
  /** A container of f pre-warmed at t: when its keep-alive ends. */
  prewarmedUntil(f: number, t: number): number;
  /** Per-container arrays grow to m entries. */
  grow(m: number): void;
}

/** The part most policies share: nothing to do on arrival, use, eviction or exit, and no pre-warms. */
export abstract class PolicyBase {
  readonly usesArrivals: boolean = false;
  readonly usesUse: boolean = false;
  readonly usesIdle: boolean = false;
  onArrival(_f: number, _t: number): void {}
  onUse(_c: number, _f: number, _h: number, _end: number): void {}
  onEvict(_v: number, _h: number): void {}
  onExit(_c: number, _f: number): void {}
  nextPrewarm(): number {
    return Infinity;
  }
  takePrewarm(): number {
    return -1;
  }
  prewarmedUntil(_f: number, t: number): number {
    return t;
  }
  grow(_m: number): void {}
}
