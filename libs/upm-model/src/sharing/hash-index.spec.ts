import { xorshift32 } from '../traces/prng';
import { HashIndex64 } from './hash-index';

/** Deterministic uniform [0, 1). */
function rng(seed: number): () => number {
  const next = xorshift32(seed);
  return () => next() / 0x1_0000_0000;
}

/** A plain Map-based reference: dense ids in first-seen order, (0, 0) never interned. */
class Reference {
  private readonly ids = new Map<string, number>();
  intern(lo: number, hi: number): number {
    if ((lo | hi) === 0) return -1;
    const k = `${lo >>> 0}:${hi >>> 0}`;
    let id = this.ids.get(k);
    if (id === undefined) this.ids.set(k, (id = this.ids.size));
    return id;
  }
  get(lo: number, hi: number): number {
    return (lo | hi) === 0 ? -1 : (this.ids.get(`${lo >>> 0}:${hi >>> 0}`) ?? -1);
  }
  get size(): number {
    return this.ids.size;
  }
}

/** Key n: pairs of keys share their low word; some have a zero word. */
const key = (n: number): [number, number] =>
  n % 97 === 0 ? [0, n + 1] : [Math.imul((n >> 1) + 1, 0x9e3779b1) >>> 0, n & 1 ? 5 : 0];

describe('HashIndex64', () => {
  it('gives dense ids in first-seen order, -1 for (0, 0), and finds them again (through growth)', () => {
    const h = new HashIndex64(4);
    const ref = new Reference();
    const r = rng(1);
    for (let i = 0; i < 50_000; i++) {
      const [lo, hi] = r() < 0.05 ? [0, 0] : key(Math.floor(r() * 20_000));
      if (r() < 0.3) expect(h.get(lo, hi)).toBe(ref.get(lo, hi));
      else expect(h.intern(lo, hi)).toBe(ref.intern(lo, hi));
    }
    expect(h.size).toBe(ref.size);
  });

  it('internMany gives the ids of intern, key by key, on columns that repeat earlier runs', () => {
    for (const [seed, expected] of [
      [2, 4],
      [3, 100_000],
    ]) {
      const r = rng(seed);
      const h = new HashIndex64(expected);
      const ref = new Reference();
      const seen: [number, number][] = [];
      for (let col = 0; col < 12; col++) {
        const n = Math.floor(r() * 3000);
        const lo = new Uint32Array(n);
        const hi = new Uint32Array(n);
        const start = Math.floor(r() * Math.max(1, seen.length));
        for (let i = 0; i < n; i++) {
          const x = r();
          let k: [number, number];
          if (x < 0.5 && seen.length) k = seen[Math.min(seen.length - 1, start + i + (x < 0.05 ? 1 : 0))];
          else if (x < 0.6 && i > 0) k = [lo[i - 1], hi[i - 1]];
          else if (x < 0.65) k = [0, 0];
          else k = key(Math.floor(r() * 50_000));
          lo[i] = k[0];
          hi[i] = k[1];
        }
        const out = new Int32Array(n);
        h.internMany(lo, hi, n, out);
        for (let i = 0; i < n; i++) {
          expect(out[i]).toBe(ref.intern(lo[i], hi[i]));
          seen.push([lo[i], hi[i]]);
        }
      }
      expect(h.size).toBe(ref.size);
      for (const [lo, hi] of seen.slice(0, 2000)) expect(h.get(lo, hi)).toBe(ref.get(lo, hi));
    }
  });
});
