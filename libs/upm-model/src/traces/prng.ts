/**
 * Seeded pseudo-random numbers for trace expansion and generation. sfc32 (Chris Doty-Humphrey's Small Fast
 * Counting generator): 128-bit state, 32-bit output, passes PractRand to large sizes, and needs only 32-bit
 * integer ops (no BigInt), so it is fast in V8. State is seeded through splitmix32 so nearby seeds diverge.
 *
 * `deriveSeed` mixes several integers into one seed: expansion gives every (function, minute) its own stream,
 * so the events of a minute do not depend on which other minutes or functions were expanded.
 */

/** A seed as the user gives it: a number (taken as uint32 after mixing) or any string. */
export type Seed = number | string;

export function seedToUint32(seed: Seed): number {
  if (typeof seed === 'number') {
    if (!Number.isFinite(seed)) throw new RangeError(`seed must be finite, got ${seed}`);
    // Fold the high bits in so 2^32 + 1 and 1 differ.
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 0x100000000) >>> 0;
    return fmix32(lo ^ Math.imul(hi, 0x9e3779b1));
  }
  // FNV-1a over UTF-16 code units, then finalized.
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    h ^= seed.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h >>> 0);
}

/** MurmurHash3 32-bit finalizer: a bijective avalanche mix. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Combine a base seed with integers (e.g. function index, minute slot) into an independent stream seed. */
export function deriveSeed(base: number, a: number, b = 0): number {
  let h = fmix32((base ^ 0x9e3779b9) >>> 0);
  h = fmix32((h ^ Math.imul(a >>> 0, 0xcc9e2d51)) >>> 0);
  h = fmix32((h ^ Math.imul(b >>> 0, 0x1b873593) ^ Math.floor(b / 0x100000000)) >>> 0);
  return h;
}

/**
 * Marsaglia's xorshift32: tiny and fast, for tests and benchmarks that want the same pseudo-random data at
 * every run (not for trace expansion: use Rng). Returns uint32s; a seed of 0 is taken as 1.
 */
export function xorshift32(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: Seed) {
    this.a = this.b = this.c = this.d = 0;
    this.reseed(seedToUint32(seed));
  }

  /** Restart from a uint32 seed (cheaper than a new object per stream in hot loops). */
  reseed(seed32: number): void {
    const st = RESEED;
    sfc32Seed(seed32, st);
    this.a = st[0];
    this.b = st[1];
    this.c = st[2];
    this.d = st[3];
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box–Muller; one value per call, the twin is discarded for simplicity). */
  normal(): number {
    let u = this.next();
    if (u < 1e-300) u = 1e-300;
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** Exponential with the given mean. */
  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  /**
   * Poisson(lambda): inversion by sequential search for small means (exact), a normal approximation with
   * continuity correction above 40 (error well below what a trace generator cares about).
   */
  poisson(lambda: number): number {
    if (!(lambda > 0)) return 0;
    if (lambda > 40) {
      const v = Math.round(lambda + Math.sqrt(lambda) * this.normal());
      return v < 0 ? 0 : v;
    }
    const l = Math.exp(-lambda);
    let k = 0;
    let p = l;
    let cum = l;
    const u = this.next();
    while (u > cum && k < 1000) {
      k++;
      p *= lambda / k;
      cum += p;
    }
    return k;
  }
}

const RESEED = new Int32Array(4);

/**
 * The sfc32 state (a, b, c, d) of Rng seeded from a uint32, into out: splitmix32 outputs for s+φ … s+4φ, then
 * 12 steps. Exported for the expansion's hot loop, which steps the state in locals.
 */
export function sfc32Seed(seed32: number, out: Int32Array): void {
  const s = seed32 | 0;
  let a = splitmix32(s, 1) | 0;
  let b = splitmix32(s, 2) | 0;
  let c = splitmix32(s, 3) | 0;
  let d = splitmix32(s, 4) | 0;
  for (let i = 0; i < 12; i++) {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
  }
  out[0] = a;
  out[1] = b;
  out[2] = c;
  out[3] = d;
}

function splitmix32(s: number, k: number): number {
  let z = (s + Math.imul(0x9e3779b9, k)) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}
