/**
 * Open-addressing hash index from a 64-bit key (two u32 words) to a dense id 0, 1, 2, ... (in the order
 * keys are first interned). Used to intern page-content hashes and frame numbers without allocating an
 * object per page. Key (0,0) is reserved as "empty" and is never interned (callers treat hash 0 as
 * "not hashed").
 *
 * Layout, chosen for cache misses (the cost of interning millions of random keys):
 *  - `slots`: linear probing over a power-of-two table of 4-byte slots, 0 = empty, else the key's id + 1
 *    in the low `idBits` bits (24, widened for more keys) and the top bits of the key's 32-bit mix (a tag)
 *    above them. Grows at 75% load. A table of 2 M slots (1.5 M keys) is 8 MB: small enough to stay in a large last-level cache,
 *    and a probe that meets another key compares tags without touching that key;
 *  - `keys`: [lo, hi] by id, read to confirm a tag match. Ids come in first-seen order, so for pages
 *    repeating earlier content this read follows the order of the earlier pages and mostly hits the cache.
 * `internMany` interns a whole column in batches of 128: a first pass finds the keys that follow the
 * previous key's id (or repeat it) without probing, and loads the slot of every other key in a
 * branch-free run of independent loads (a software prefetch, the CPU overlapping the misses); the second
 * pass probes for those, now in the cache, and inserts the new ones. What remains costly is inserting a
 * new key: a write to a random slot (1.4 M new keys of 4 M take most of a World build's time).
 */
const BATCH = 128;
const MAX_LOAD = 0.75;
/** internMany: not found by prediction in its first pass. */
const UNRESOLVED = -2;

export class HashIndex64 {
  private mask: number;
  /** (tag << idBits) | (id + 1) per slot; 0: empty. */
  private slots: Int32Array;
  /** [lo, hi] per id. */
  private keys: Int32Array;
  private _size = 0;
  /** Grow when the size passes this. */
  private limit: number;
  /** Bits of a slot holding id + 1; the rest is the tag. Widened (tag narrowed) for more keys. */
  private idBits = 24;
  private idMask = (1 << 24) - 1;
  private readonly mixes = new Int32Array(BATCH);
  /** Sink for the prefetching loads (keeps them from being optimized away). */
  private sink = 0;

  constructor(expected = 1024) {
    let cap = 1024;
    while (cap * MAX_LOAD < expected) cap *= 2;
    this.mask = cap - 1;
    this.limit = Math.floor(cap * MAX_LOAD);
    this.slots = new Int32Array(cap);
    this.keys = new Int32Array(2 * (this.limit + 1));
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
    return this.internAt(lo | 0, hi | 0, mix(lo, hi));
  }

  // Long on purpose: the batched form of intern(), open addressing inlined with the mixes computed ahead
  // (the World build's hot path).
  /**
   * out[k] = intern(lo[k], hi[k]) for k < n, in order (ids are the same as n calls of intern).
   */
  internMany(lo: Uint32Array | Int32Array, hi: Uint32Array | Int32Array, n: number, out: Int32Array): void {
    const mixes = this.mixes;
    // the id of the previous key (-1: unknown), for the prediction below
    let prev = -1;
    for (let b = 0; b < n; b += BATCH) {
      const e = b + BATCH < n ? b + BATCH : n;
      // room for every key of the batch being new (ids, load), so that pass 2 needs no growth
      if (this._size + BATCH > this.idMask) this.widenTo(this._size + BATCH);
      if (this._size + BATCH > this.limit) this.rebuild((this.mask + 1) * 2);
      const mask = this.mask;
      const slots = this.slots;
      const keys = this.keys;
      const size = this._size;
      // pass 1, in order, without inserting: keys are often where earlier pages left them (the same
      // files and data mapped by several processes, in the same order; runs of equal pages), so each
      // key is first compared with the previous key's id and the id after it (an exact test: ids and
      // keys are one-to-one). Keys not found so are prefetched: their slot is loaded, in a branch-free
      // run of independent loads that the CPU overlaps; the prediction stops until pass 2.
      let acc = 0;
      let p = prev;
      for (let k = b; k < e; k++) {
        const l = lo[k] | 0;
        const h = hi[k] | 0;
        if ((l | h) === 0) {
          out[k] = -1;
          continue;
        }
        if (p >= 0) {
          if (keys[p << 1] === l && keys[(p << 1) + 1] === h) {
            out[k] = p;
            continue;
          }
          const q = p + 1;
          if (q < size && keys[q << 1] === l && keys[(q << 1) + 1] === h) {
            out[k] = p = q;
            continue;
          }
        }
        p = -1;
        out[k] = UNRESOLVED;
        const m = mix(l, h);
        mixes[k - b] = m;
        acc |= slots[m & mask];
      }
      this.sink ^= acc;
      // pass 2, in order: the rest, by prediction from the now known previous id, else by probing (a
      // loop without calls: room for the batch's keys was made before it)
      const idBits = this.idBits;
      const idMask = this.idMask;
      let sz = size;
      for (let k = b; k < e; k++) {
        let id = out[k];
        if (id === UNRESOLVED) {
          const l = lo[k] | 0;
          const h = hi[k] | 0;
          if (prev >= 0 && keys[prev << 1] === l && keys[(prev << 1) + 1] === h) id = prev;
          else if (prev >= 0 && prev + 1 < sz && keys[(prev + 1) << 1] === l && keys[((prev + 1) << 1) + 1] === h)
            id = prev + 1;
          else {
            const m = mixes[k - b];
            for (let i = m & mask; ; i = (i + 1) & mask) {
              const v = slots[i];
              if (v === 0) {
                id = sz++;
                slots[i] = ((m >>> idBits) << idBits) | (id + 1);
                keys[id << 1] = l;
                keys[(id << 1) + 1] = h;
                break;
              }
              if ((v ^ m) >>> idBits === 0) {
                const j = (v & idMask) - 1;
                if (keys[j << 1] === l && keys[(j << 1) + 1] === h) {
                  id = j;
                  break;
                }
              }
            }
          }
          out[k] = id;
        }
        if (id >= 0) prev = id;
      }
      this._size = sz;
    }
  }

  /** Id of (lo, hi) or -1 when absent. */
  get(lo: number, hi: number): number {
    if ((lo | hi) === 0) return -1;
    const l = lo | 0;
    const h = hi | 0;
    const m = mix(lo, hi);
    const slots = this.slots;
    const keys = this.keys;
    const mask = this.mask;
    const idBits = this.idBits;
    for (let i = m & mask; ; i = (i + 1) & mask) {
      const s = slots[i];
      if (s === 0) return -1;
      if ((s ^ m) >>> idBits === 0) {
        const id = (s & this.idMask) - 1;
        if (keys[id << 1] === l && keys[(id << 1) + 1] === h) return id;
      }
    }
  }

  /** Probes for (l, h) (signed words, not both 0) whose mix is m; interns it if absent. */
  private internAt(l: number, h: number, m: number): number {
    const slots = this.slots;
    const keys = this.keys;
    const mask = this.mask;
    const idBits = this.idBits;
    for (let i = m & mask; ; i = (i + 1) & mask) {
      const s = slots[i];
      if (s === 0) {
        const id = this._size++;
        if (id + 1 > this.idMask) return this.widen(l, h);
        slots[i] = ((m >>> idBits) << idBits) | (id + 1);
        keys[id << 1] = l;
        keys[(id << 1) + 1] = h;
        if (this._size > this.limit) this.rebuild(mask + 1 <= 1 << 30 ? (mask + 1) * 2 : mask + 1);
        return id;
      }
      if ((s ^ m) >>> idBits === 0) {
        const id = (s & this.idMask) - 1;
        if (keys[id << 1] === l && keys[(id << 1) + 1] === h) return id;
      }
    }
  }

  /** Id bits for ids up to `ids` (fewer tag bits). */
  private widenTo(ids: number): void {
    while (this.idMask < ids) {
      if (this.idBits >= 31) throw new Error('HashIndex64: too many keys');
      this.idBits = Math.min(31, this.idBits + 4);
      this.idMask = this.idBits === 31 ? 0x7fffffff : (1 << this.idBits) - 1;
    }
    this.rebuild(this.mask + 1);
  }

  /** More ids than the slot's id bits hold: 4 more id bits (4 fewer tag bits), then the key goes in. */
  private widen(l: number, h: number): number {
    const id = this._size - 1;
    if (this.idBits >= 31) throw new Error('HashIndex64: too many keys');
    this.idBits = Math.min(31, this.idBits + 4);
    this.idMask = this.idBits === 31 ? 0x7fffffff : (1 << this.idBits) - 1;
    this._size = id; // the key is not in yet
    this.rebuild(this.mask + 1);
    return this.internAt(l, h, mix(l, h));
  }

  /** Re-inserts every key into a table of `cap` slots. */
  private rebuild(cap: number): void {
    const mask = cap - 1;
    const slots = new Int32Array(cap);
    const idBits = this.idBits;
    const limit = Math.floor(cap * MAX_LOAD);
    let keys = this.keys;
    if (keys.length < 2 * (limit + 1)) {
      const g = new Int32Array(2 * (limit + 1));
      g.set(keys);
      this.keys = keys = g;
    }
    for (let id = 0; id < this._size; id++) {
      const m = mix(keys[id << 1], keys[(id << 1) + 1]);
      let i = m & mask;
      while (slots[i] !== 0) i = (i + 1) & mask;
      slots[i] = ((m >>> idBits) << idBits) | (id + 1);
    }
    this.mask = mask;
    this.limit = limit;
    this.slots = slots;
  }
}

/** 32-bit mix of a 64-bit key (the keys are already hashes, but PFNs are sequential); a signed int32. */
function mix(lo: number, hi: number): number {
  let h = Math.imul(lo ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(hi, 0xc2b2ae35);
  h ^= h >>> 15;
  h = Math.imul(h, 0x27d4eb2f);
  return h ^ (h >>> 13);
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
