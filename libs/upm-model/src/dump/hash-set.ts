/**
 * Set of 64-bit keys given as (lo, hi) u32 halves: open addressing with linear probing over one Uint32Array,
 * so millions of hashes cost 16 bytes each and no objects. The key 0/0 is reserved as the empty slot (page
 * hashes use 0 for "not hashed", so it never needs storing).
 *
 * A key's home slot is the top bits of its mixed hash, so the order of keys in the table survives doubling:
 * growing walks the old table and fills the new one front to back, streaming through memory instead of
 * scattering a cache miss per key (the cost that dominates sets larger than the CPU caches).
 */
export class Hash64Set {
  private slots: Uint32Array;
  private mask: number;
  private shift: number;
  private count = 0;
  private growAt: number;

  /** `expected`: number of keys to size for without growing. */
  constructor(expected = 1024) {
    let bits = 10;
    while (2 ** bits * 0.5 < expected && bits < 30) bits++;
    this.shift = 32 - bits;
    this.mask = 2 ** bits - 1;
    this.slots = new Uint32Array(2 * 2 ** bits);
    this.growAt = 2 ** (bits - 1);
  }

  get size(): number {
    return this.count;
  }

  /** Adds the key; returns true when it was not there yet. Throws on 0/0. */
  add(lo: number, hi: number): boolean {
    lo >>>= 0;
    hi >>>= 0;
    if ((lo | hi) === 0) throw new RangeError('Hash64Set cannot hold the key 0');
    const slots = this.slots;
    const mask = this.mask;
    let i = mix(lo, hi) >>> this.shift;
    for (;;) {
      const slo = slots[2 * i];
      const shi = slots[2 * i + 1];
      if ((slo | shi) === 0) break;
      if (slo === lo && shi === hi) return false;
      i = (i + 1) & mask;
    }
    slots[2 * i] = lo;
    slots[2 * i + 1] = hi;
    if (++this.count > this.growAt) this.grow();
    return true;
  }

  has(lo: number, hi: number): boolean {
    lo >>>= 0;
    hi >>>= 0;
    if ((lo | hi) === 0) return false;
    const slots = this.slots;
    const mask = this.mask;
    let i = mix(lo, hi) >>> this.shift;
    for (;;) {
      const slo = slots[2 * i];
      const shi = slots[2 * i + 1];
      if ((slo | shi) === 0) return false;
      if (slo === lo && shi === hi) return true;
      i = (i + 1) & mask;
    }
  }

  private grow(): void {
    const old = this.slots;
    const bits = 32 - this.shift + 1;
    if (bits > 30) throw new RangeError('Hash64Set is full (2^29 keys)');
    this.shift = 32 - bits;
    this.mask = 2 ** bits - 1;
    this.growAt = 2 ** (bits - 1);
    const slots = (this.slots = new Uint32Array(2 * 2 ** bits));
    const mask = this.mask;
    const shift = this.shift;
    for (let j = 0; j < old.length; j += 2) {
      const lo = old[j];
      const hi = old[j + 1];
      if ((lo | hi) === 0) continue;
      let i = mix(lo, hi) >>> shift;
      while ((slots[2 * i] | slots[2 * i + 1]) !== 0) i = (i + 1) & mask;
      slots[2 * i] = lo;
      slots[2 * i + 1] = hi;
    }
  }
}

/** murmur3's 32-bit finalizer: a bijection that spreads every input bit over the output. */
function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * Home-slot hash of a key. Both halves go through a finalizer, so structured keys (test hashes built from
 * counters, keys differing only in one word) spread as well as real content hashes do.
 */
function mix(lo: number, hi: number): number {
  return fmix32(lo ^ fmix32(hi ^ 0x2545f491)) >>> 0;
}
