/**
 * Decoded inputs by content hash, least recently used dropped first once their stored size passes the
 * budget. Content-addressed, so an entry never goes stale; tasks only read what they get from it.
 */
export class InputCache<T> {
  private readonly entries = new Map<string, { value: T; bytes: number }>();
  private total = 0;

  constructor(private readonly budgetBytes: number) {}

  get(sha256: string): T | undefined {
    const e = this.entries.get(sha256);
    if (!e) return undefined;
    // re-inserted: Map order is recency order
    this.entries.delete(sha256);
    this.entries.set(sha256, e);
    return e.value;
  }

  /** Keeps `value` (of `bytes` stored size) unless it alone is over the budget. */
  set(sha256: string, value: T, bytes: number): void {
    const old = this.entries.get(sha256);
    if (old) {
      this.total -= old.bytes;
      this.entries.delete(sha256);
    }
    if (bytes > this.budgetBytes) return;
    this.entries.set(sha256, { value, bytes });
    this.total += bytes;
    for (const [k, e] of this.entries) {
      if (this.total <= this.budgetBytes) break;
      this.entries.delete(k);
      this.total -= e.bytes;
    }
  }

  has(sha256: string): boolean {
    return this.entries.has(sha256);
  }

  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.total;
  }
}
