/**
 * The containers of one engine run as a struct of arrays indexed by container id. Ids of exited containers
 * are reused (a free list), so the arrays grow to the peak number of containers alive at once, never more.
 */

export const FREE = 0;
export const BUSY = 1;
export const IDLE = 2;
/** Initialised, waiting for its madvise call before the first invocation runs (UPM, madviseAfterInitMs = 0). */
export const STARTING = 3;

/** Doubles a typed array to at least n entries, new ones `fill`. */
export function growI32(a: Int32Array, m: number, fill = 0): Int32Array {
  const b = new Int32Array(m);
  if (fill !== 0) b.fill(fill);
  b.set(a);
  return b;
}

export function growF64(a: Float64Array, m: number): Float64Array {
  const b = new Float64Array(m);
  b.set(a);
  return b;
}

export class ContainerTable {
  /** Allocated length of the arrays. */
  capacity = 0;
  /** Ids handed out so far (the free list holds the exited ones below this). */
  private used = 0;
  private readonly freeIds: number[] = [];
  /** Function of the container. */
  fn = new Int32Array(0);
  /** Host it runs on. */
  host = new Int32Array(0);
  /** Its template (profiles.ts): pages and merge classes. */
  tpl = new Int32Array(0);
  /** FREE / BUSY / IDLE / STARTING. */
  state = new Uint8Array(0);
  /** End of its current invocation (s). */
  busyUntil = new Float64Array(0);
  /** Time of its pending madvise call (UPM), NaN if none: a stale madvise event is recognised by this. */
  madvAt = new Float64Array(0);

  /** Grows every array to hold ids below n; returns the new capacity (unchanged if already enough). */
  grow(n: number): number {
    if (n <= this.capacity) return this.capacity;
    let m = Math.max(256, this.capacity * 2);
    while (m < n) m *= 2;
    this.fn = growI32(this.fn, m);
    this.host = growI32(this.host, m);
    this.tpl = growI32(this.tpl, m);
    const s = new Uint8Array(m);
    s.set(this.state);
    this.state = s;
    this.busyUntil = growF64(this.busyUntil, m);
    this.madvAt = growF64(this.madvAt, m);
    this.capacity = m;
    return m;
  }

  /** A free id; -1 when the arrays are full (the caller grows every per-container array, then asks again). */
  alloc(): number {
    if (this.freeIds.length) return this.freeIds.pop() as number;
    if (this.used === this.capacity) return -1;
    return this.used++;
  }

  free(c: number): void {
    this.state[c] = FREE;
    this.madvAt[c] = NaN;
    this.freeIds.push(c);
  }
}
