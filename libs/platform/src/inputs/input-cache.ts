/**
 * The memory a decoded input holds in its typed arrays: the bytes of every distinct ArrayBuffer reachable through
 * its plain objects and arrays (a view into a larger buffer counts that whole buffer, which it keeps alive).
 * Strings and small objects are left out: in dumps and traces the typed arrays are the weight.
 */
export function retainedBytes(root: unknown): number {
  const buffers = new Set<ArrayBufferLike>();
  const seen = new Set<object>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null || seen.has(v)) continue;
    seen.add(v);
    if (ArrayBuffer.isView(v)) {
      buffers.add(v.buffer);
      continue;
    }
    if (Array.isArray(v)) for (const x of v) stack.push(x);
    else if (v instanceof Map) for (const x of v.values()) stack.push(x);
    else for (const x of Object.values(v)) stack.push(x);
  }
  let n = 0;
  for (const b of buffers) n += b.byteLength;
  return n;
}

/**
 * Decoded inputs by content hash, least recently used dropped first once their size (as the caller counts
 * it: retainedBytes of the decoded value) passes the budget. Content-addressed, so an entry never goes stale; tasks only read what they get from it.
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

  /** Keeps `value` (of `bytes` in memory) unless it alone is over the budget. */
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
