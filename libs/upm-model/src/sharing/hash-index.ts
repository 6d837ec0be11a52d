/**
 * Open-addressing hash index from a 64-bit key (two u32 words) to a dense id 0, 1, 2, ...
 * Used to intern page-content hashes and frame numbers without allocating an object per page.
 * Key (0,0) is reserved as "empty" and is never interned (callers treat hash 0 as "not hashed").
 *
 * Layout (chosen for cache misses, the cost of interning millions of random keys):
 *  - `slots`: linear probing over a power-of-two table of 8-byte slots [lo word, id + 1] (0 = empty), so a
 *    probe touches one cache line, and 8 slots share a line; grows at 50% load;
 *  - `his`: the high word of each key by id (dense, in insertion order), read only when the low words
 *    are equal. Ids are given in first-seen order, so for pages that repeat earlier content this read
 *    follows the order of the earlier pages and mostly hits the cache.
 * `internMany` interns a whole column in batches: a branch-free first pass computes the slot of every
 * key of the batch and loads it (independent loads, which the CPU overlaps: a software prefetch), then
 * the probing pass finds those lines in the cache.
 */
const BATCH = 128;

export class HashIndex64 {
  private mask: number;
  /** id + 1 per slot; 0: empty. */
  private slots: Int32Array;
  /** [lo, hi] per id. */
  private keys: Int32Array;
  private _size = 0;
  private readonly pos = new Int32Array(BATCH);
  /** Sink for the prefetching loads (keeps them from being optimized away). */
  private sink = 0;

  constructor(expected = 1024) {
    let cap = 1024;
    while (cap < expected * 2) cap *= 2;
    this.mask = cap - 1;
    this.slots = new Int32Array(cap);
    this.keys = new Int32Array(Math.max(512, Math.min(cap, 1 << 21)));
  }

  get size(): number {
    return this._size;
  }

  /** Bytes held by the table (for memory reports). */
  get bytes(): number {
    return this.slots.byteLength + this.keys.byteLength;
  }

  /** Id of (lo, hi), interning it if new. (0, 0) returns -1. */
  intern(lo: number, hi: number): number {
    if ((lo | hi) === 0) return -1;
    return this.internAt(lo | 0, hi | 0, mix(lo, hi) & this.mask);
  }

  /**
   * out[k] = intern(lo[k], hi[k]) for k < n, in order (ids are the same as n calls of intern).
   */
  internMany(lo: Uint32Array | Int32Array, hi: Uint32Array | Int32Array, n: number, out: Int32Array): void {
    const pos = this.pos;
    for (let b = 0; b < n; b += BATCH) {
      const e = b + BATCH < n ? b + BATCH : n;
      let mask = this.mask;
      let slots = this.slots;
      let acc = 0;
      for (let k = b; k < e; k++) {
        const i = mix(lo[k], hi[k]) & mask;
        pos[k - b] = i;
        acc |= slots[i];
      }
      this.sink ^= acc;
      for (let k = b; k < e; k++) {
        const l = lo[k] | 0;
        const h = hi[k] | 0;
        if ((l | h) === 0) {
          out[k] = -1;
          continue;
        }
        // the table may have grown during the batch: positions computed before are stale
        const i = mask === this.mask ? pos[k - b] : mix(l, h) & (mask = this.mask);
        slots = this.slots;
        const id1 = slots[i];
        const keys = this.keys;
        if (id1 !== 0 && keys[(id1 - 1) << 1] === l && keys[((id1 - 1) << 1) + 1] === h) out[k] = id1 - 1;
        else out[k] = this.internAt(l, h, i);
      }
    }
  }

  /** Id of (lo, hi) or -1 when absent. */
  get(lo: number, hi: number): number {
    if ((lo | hi) === 0) return -1;
    const l = lo | 0;
    const h = hi | 0;
    const slots = this.slots;
    const keys = this.keys;
    const mask = this.mask;
    let i = mix(lo, hi) & mask;
    for (;;) {
      const id1 = slots[i];
      if (id1 === 0) return -1;
      if (keys[(id1 - 1) << 1] === l && keys[((id1 - 1) << 1) + 1] === h) return id1 - 1;
      i = (i + 1) & mask;
    }
  }

  /** Probes from slot i for (l, h) (signed words, not both 0). */
  private internAt(l: number, h: number, i: number): number {
    const slots = this.slots;
    const mask = this.mask;
    let keys = this.keys;
    for (;;) {
      const id1 = slots[i];
      if (id1 === 0) {
        const nid = this._size++;
        slots[i] = nid + 1;
        if (2 * nid + 1 >= keys.length) {
          const g = new Int32Array(keys.length * 2);
          g.set(keys);
          this.keys = keys = g;
        }
        keys[nid << 1] = l;
        keys[(nid << 1) + 1] = h;
        if (this._size * 2 > mask + 1) this.grow();
        return nid;
      }
      if (keys[(id1 - 1) << 1] === l && keys[((id1 - 1) << 1) + 1] === h) return id1 - 1;
      i = (i + 1) & mask;
    }
  }

  private grow(): void {
    const keys = this.keys;
    const cap = (this.mask + 1) * 2;
    const mask = cap - 1;
    const slots = new Int32Array(cap);
    for (let id = 0; id < this._size; id++) {
      let i = mix(keys[id << 1], keys[(id << 1) + 1]) & mask;
      while (slots[i] !== 0) i = (i + 1) & mask;
      slots[i] = id + 1;
    }
    this.mask = mask;
    this.slots = slots;
  }
}

/** 32-bit mix of a 64-bit key (the keys are already hashes, but PFNs are sequential). */
function mix(lo: number, hi: number): number {
  let h = Math.imul(lo ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(hi, 0xc2b2ae35);
  h ^= h >>> 15;
  h = Math.imul(h, 0x27d4eb2f);
  return (h ^ (h >>> 13)) >>> 0;
}

/** Parses 16 hex digits into [lo, hi] u32 words. */
export function hexToWords(hex: string): [number, number] {
  if (!/^[0-9a-fA-F]{16}$/.test(hex)) throw new Error(`not a 64-bit hex hash: ${JSON.stringify(hex)}`);
  return [parseInt(hex.slice(8), 16) >>> 0, parseInt(hex.slice(0, 8), 16) >>> 0];
}

/** Splits a frame number (< 2^53) into [lo, hi] words. */
export function pfnWords(pfn: number): [number, number] {
  return [pfn >>> 0, Math.floor(pfn / 4294967296) >>> 0];
}
