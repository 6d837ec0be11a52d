/**
 * Greedy-Dual keep-alive (Fuerst & Sharma, "FaasCache", ASPLOS'21): idle containers stay until memory is
 * needed (or, optionally, maxIdleMinutes); a host evicts the idle container of lowest priority
 * clock + frequency × cost / size, where the frequency counts the invocations of the function's resident
 * containers, the cost is its cold start (ms), the size its memory (MiB), and the host's clock rises to the
 * priority of each victim.
 */
import type { IdleIndex } from '../engine/idle-index';
import { growF64, growI32 } from '../engine/containers';
import { IndexedHeap } from '../heap';
import type { PolicySpec } from '../spec';
import type { PolicyContext } from './index';
import { KeepAlivePolicy, PolicyBase } from './policy';

export class GreedyDualPolicy extends PolicyBase implements KeepAlivePolicy {
  override readonly usesUse = true;
  override readonly usesIdle = true;
  /** Keep-alive limit (s); Infinity without maxIdleMinutes. */
  private readonly maxIdleS: number;
  /** Idle containers by the end of their keep-alive (maxIdleMinutes only). */
  private readonly expiry: IndexedHeap | null;
  /** Per host: idle containers by priority (limited memory only). */
  private readonly prio: IndexedHeap[] | null;
  /** Per host: the clock (priority of the last victim). */
  private readonly clock: Float64Array;
  /** Per function: invocations served by its resident containers. */
  private readonly freq: Float64Array;
  /** Per function: cold start cost / size (ms per MiB). */
  private readonly weight: Float64Array;
  /** Per container: its priority, and the invocations it served. */
  private cPrio = new Float64Array(0);
  private cUses = new Int32Array(0);
  private readonly idle: IdleIndex;

  constructor(spec: Extract<PolicySpec, { kind: 'greedy-dual' }>, ctx: PolicyContext) {
    super();
    this.idle = ctx.idle;
    this.maxIdleS = spec.maxIdleMinutes !== null ? spec.maxIdleMinutes * 60 : Infinity;
    this.expiry = spec.maxIdleMinutes !== null ? new IndexedHeap(256) : null;
    this.prio = ctx.limited ? Array.from({ length: ctx.hosts }, () => new IndexedHeap(64)) : null;
    this.clock = new Float64Array(ctx.hosts);
    this.freq = new Float64Array(ctx.nFn);
    this.weight = new Float64Array(ctx.nFn);
    for (let f = 0; f < ctx.nFn; f++) {
      const mib = ctx.fnBytes[f] / 1048576;
      this.weight[f] = ctx.coldStartMs[f] / Math.max(mib, 1e-9);
    }
  }

  override grow(m: number): void {
    this.cPrio = growF64(this.cPrio, m);
    this.cUses = growI32(this.cUses, m);
  }

  override onUse(c: number, f: number, h: number): void {
    this.cUses[c]++;
    this.freq[f]++;
    this.cPrio[c] = this.clock[h] + this.freq[f] * this.weight[f];
  }

  onRelease(_c: number, _f: number, t: number): number {
    return t + this.maxIdleS;
  }

  onIdle(c: number, h: number, t: number, expireAt: number): void {
    if (this.expiry !== null) this.expiry.push(c, expireAt);
    if (this.prio !== null) this.prio[h].push(c, this.cPrio[c], t);
  }

  onUnidle(c: number, h: number): void {
    if (this.expiry !== null) this.expiry.remove(c);
    if (this.prio !== null) this.prio[h].remove(c);
  }

  override onExit(c: number, f: number): void {
    this.freq[f] -= this.cUses[c];
    this.cUses[c] = 0;
  }

  victim(h: number): number {
    return this.prio !== null ? this.prio[h].topId() : this.idle.lru(h);
  }

  override onEvict(v: number, h: number): void {
    if (this.prio !== null) this.clock[h] = this.cPrio[v];
  }

  nextExpiry(): number {
    return this.expiry !== null ? this.expiry.topKey() : Infinity;
  }

  expiring(): number {
    return (this.expiry as IndexedHeap).topId();
  }
}
