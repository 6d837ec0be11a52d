/**
 * Set of 64-bit keys given as (lo, hi) u32 halves: open addressing with linear probing over one Uint32Array,
 * so millions of hashes cost 16 bytes each and no objects. The key 0/0 is reserved as the empty slot (page
 * hashes use 0 for "not hashed", so it never needs storing).
 */
export class Hash64Set {
  private slots: Uint32Array;
  private mask: number;
  private count = 0;
  private growAt: number;

  constructor(expected = 1024) {
    let capacity = 1024;
    while (capacity * 0.5 < expected) capacity *= 2;
    this.slots = new Uint32Array(2 * capacity);
    this.mask = capacity - 1;
    this.growAt = capacity >>> 1;
  }

  get size(): number {
    return this.count;
  }

  /** Adds the key; returns true when it was not there yet. Throws on 0/0. */
  add(lo: number, hi: number): boolean {
    if ((lo | hi) === 0) throw new RangeError('Hash64Set cannot hold the key 0');
    const slots = this.slots;
    const mask = this.mask;
    let i = slotOf(lo, hi) & mask;
    for (;;) {
      const slo = slots[2 * i];
      const shi = slots[2 * i + 1];
      if ((slo | shi) === 0) break;
      if (slo === lo >>> 0 && shi === hi >>> 0) return false;
      i = (i + 1) & mask;
    }
    slots[2 * i] = lo;
    slots[2 * i + 1] = hi;
    if (++this.count > this.growAt) this.grow();
    return true;
  }

  has(lo: number, hi: number): boolean {
    if ((lo | hi) === 0) return false;
    const slots = this.slots;
    const mask = this.mask;
    let i = slotOf(lo, hi) & mask;
    for (;;) {
      const slo = slots[2 * i];
      const shi = slots[2 * i + 1];
      if ((slo | shi) === 0) return false;
      if (slo === lo >>> 0 && shi === hi >>> 0) return true;
      i = (i + 1) & mask;
    }
  }

  private grow(): void {
    const old = this.slots;
    const capacity = (this.mask + 1) * 2;
    this.slots = new Uint32Array(2 * capacity);
    this.mask = capacity - 1;
    this.growAt = capacity >>> 1;
    const slots = this.slots;
    const mask = this.mask;
    for (let j = 0; j < old.length; j += 2) {
      const lo = old[j];
      const hi = old[j + 1];
      if ((lo | hi) === 0) continue;
      let i = slotOf(lo, hi) & mask;
      while ((slots[2 * i] | slots[2 * i + 1]) !== 0) i = (i + 1) & mask;
      slots[2 * i] = lo;
      slots[2 * i + 1] = hi;
    }
  }
}

/** Mixes both halves, so keys that differ only in the high word (weak test hashes) still spread. */
function slotOf(lo: number, hi: number): number {
  let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 15;
  return h >>> 0;
}
