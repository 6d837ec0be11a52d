/**
 * Fixed keep-alive (the providers' default, e.g. 10 minutes): a released container stays idle ttlS seconds.
 * The global idle list is in release order, so its head is the next to expire; eviction is LRU.
 */
import type { IdleIndex } from '../engine/idle-index';
import { KeepAlivePolicy, PolicyBase } from './policy';

export class TtlPolicy extends PolicyBase implements KeepAlivePolicy {
  constructor(
    private readonly ttlS: number,
    private readonly idle: IdleIndex,
  ) {
    super();
  }

  onRelease(_c: number, _f: number, t: number): number {
    return t + this.ttlS;
  }

  // the idle index's global list is all it needs
  onIdle(): void {}
  onUnidle(): void {}

  victim(h: number): number {
    return this.idle.lru(h);
  }

  nextExpiry(): number {
    const c = this.idle.lHead;
    return c >= 0 ? this.idle.since[c] + this.ttlS : Infinity;
  }

  expiring(): number {
    return this.idle.lHead;
  }
}
