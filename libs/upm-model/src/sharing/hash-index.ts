/**
 * Open-addressing hash index from a 64-bit key (two u32 words) to a dense id 0, 1, 2, ...
 * Used to intern page-content hashes and frame numbers without allocating an object per page.
 * Linear probing over a power-of-two table; grows at 50% load. Key (0,0) is reserved as "empty"
 * and is never interned (callers treat hash 0 as "not hashed").
 */
export class HashIndex64 {
  private mask: number;
  private keysLo: Int32Array;
  private keysHi: Int32Array;
  private ids: Int32Array;
  private _size = 0;

  constructor(expected = 1024) {
    let cap = 1024;
    while (cap < expected * 2) cap *= 2;
    this.mask = cap - 1;
    this.keysLo = new Int32Array(cap);
    this.keysHi = new Int32Array(cap);
    this.ids = new Int32Array(cap).fill(-1);
  }

  get size(): number {
    return this._size;
  }

  /** Bytes held by the table (for memory reports). */
  get bytes(): number {
    return this.keysLo.byteLength + this.keysHi.byteLength + this.ids.byteLength;
  }

  /** Id of (lo, hi), interning it if new. (0, 0) returns -1. */
  intern(lo: number, hi: number): number {
    if ((lo | hi) === 0) return -1;
    let i = mix(lo, hi) & this.mask;
    const ids = this.ids;
    const kl = this.keysLo;
    const kh = this.keysHi;
    for (;;) {
      const id = ids[i];
      if (id === -1) {
        kl[i] = lo;
        kh[i] = hi;
        const nid = this._size++;
        ids[i] = nid;
        if (this._size * 2 > this.mask + 1) this.grow();
        return nid;
      }
      if (kl[i] === (lo | 0) && kh[i] === (hi | 0)) return id;
      i = (i + 1) & this.mask;
    }
  }

  /** Id of (lo, hi) or -1 when absent. */
  get(lo: number, hi: number): number {
    if ((lo | hi) === 0) return -1;
    let i = mix(lo, hi) & this.mask;
    for (;;) {
      const id = this.ids[i];
      if (id === -1) return -1;
      if (this.keysLo[i] === (lo | 0) && this.keysHi[i] === (hi | 0)) return id;
      i = (i + 1) & this.mask;
    }
  }

  private grow(): void {
    const oldLo = this.keysLo;
    const oldHi = this.keysHi;
    const oldIds = this.ids;
    const cap = (this.mask + 1) * 2;
    this.mask = cap - 1;
    this.keysLo = new Int32Array(cap);
    this.keysHi = new Int32Array(cap);
    this.ids = new Int32Array(cap).fill(-1);
    for (let j = 0; j < oldIds.length; j++) {
      const id = oldIds[j];
      if (id === -1) continue;
      let i = mix(oldLo[j], oldHi[j]) & this.mask;
      while (this.ids[i] !== -1) i = (i + 1) & this.mask;
      this.keysLo[i] = oldLo[j];
      this.keysHi[i] = oldHi[j];
      this.ids[i] = id;
    }
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
