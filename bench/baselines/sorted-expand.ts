/**
 * The sort-based expansion that expandInvocations (libs/upm-model/src/traces/expand.ts) replaced, kept once as
 * the baseline of `npm run bench:expand` and the reference of expand-reference.spec.ts. It has its own copy of
 * Rng's sfc32 as it was, so the reference shares no code with what it checks.
 */
import {
  deriveSeed,
  durationCurves,
  durationQuantile,
  ExpandOptions,
  fallbackDurationMs,
  InvocationBatch,
  MinuteCountArrivals,
  NormalizedTrace,
  seedToUint32,
} from '@upm/model/traces';

/** Rng's sfc32 as it was before the expansion's rework (the baseline's draws, with its per-step object fields). */
export class SortedExpandRng {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;

  reseed(seed32: number): void {
    const s = seed32 | 0;
    this.a = splitmix32(s, 1);
    this.b = splitmix32(s, 2);
    this.c = splitmix32(s, 3);
    this.d = splitmix32(s, 4);
    for (let i = 0; i < 12; i++) this.nextUint32();
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

  next(): number {
    return this.nextUint32() / 4294967296;
  }
}

function splitmix32(s: number, k: number): number {
  let z = (s + Math.imul(0x9e3779b9, k)) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

/** The baseline: the per-minute branch of expandInvocations as it was, a comparison sort of each minute. */
export function* sortedExpand(trace: NormalizedTrace, options: ExpandOptions): Generator<InvocationBatch> {
  const fromS = options.fromS ?? -Infinity;
  const toS = options.toS ?? Infinity;
  const a = trace.arrivals as MinuteCountArrivals;
  const base = seedToUint32(options.seed);
  const spread = options.spread ?? 'random';
  const curves = durationCurves(trace.functions, options.fallbackDurationMs ?? fallbackDurationMs(trace.functions));
  const { rowPtr, slot, count } = a;
  const nFn = trace.functions.length;
  const loSlot = Math.max(0, Math.floor(fromS / 60));
  const hiSlot = Math.ceil(toS / 60);
  const entryFn = new Uint32Array(slot.length);
  let inRange = 0;
  for (let f = 0; f < nFn; f++) {
    for (let e = rowPtr[f]; e < rowPtr[f + 1]; e++) {
      entryFn[e] = f;
      if (slot[e] >= loSlot && slot[e] < hiSlot) inRange++;
    }
  }
  if (inRange === 0) return;
  const slotsInRange: number[] = [];
  const order = new Uint32Array(inRange);
  {
    const bucket = new Map<number, number>();
    for (let e = 0; e < slot.length; e++) {
      const s = slot[e];
      if (s < loSlot || s >= hiSlot) continue;
      bucket.set(s, (bucket.get(s) ?? 0) + 1);
    }
    slotsInRange.push(...[...bucket.keys()].sort((x, y) => x - y));
    let off = 0;
    for (const s of slotsInRange) {
      const c = bucket.get(s) as number;
      bucket.set(s, off);
      off += c;
    }
    for (let e = 0; e < slot.length; e++) {
      const s = slot[e];
      if (s < loSlot || s >= hiSlot) continue;
      const at = bucket.get(s) as number;
      order[at] = e;
      bucket.set(s, at + 1);
    }
  }
  const rng = new SortedExpandRng();
  let k0 = 0;
  for (const s of slotsInRange) {
    let k1 = k0;
    let total = 0;
    while (k1 < inRange && slot[order[k1]] === s) total += count[order[k1++]];
    const st = new Float64Array(total);
    const du = new Float64Array(total);
    const fn = new Uint32Array(total);
    let w = 0;
    for (let k = k0; k < k1; k++) {
      const e = order[k];
      const f = entryFn[e];
      const c = count[e];
      const curve = curves[f];
      rng.reseed(deriveSeed(base, f, s));
      for (let j = 0; j < c; j++) {
        const off = spread === 'even' ? ((j + 0.5) * 60) / c : rng.next() * 60;
        st[w] = s * 60 + off;
        du[w] = durationQuantile(curve, rng.next());
        fn[w++] = f;
      }
    }
    k0 = k1;
    const idx: number[] = [];
    for (let i = 0; i < total; i++) if (st[i] >= fromS && st[i] < toS) idx.push(i);
    idx.sort((x, y) => st[x] - st[y] || x - y);
    const m = idx.length;
    const out = { startS: new Float64Array(m), durationMs: new Float64Array(m), fn: new Uint32Array(m) };
    for (let k = 0; k < m; k++) {
      out.startS[k] = st[idx[k]];
      out.durationMs[k] = du[idx[k]];
      out.fn[k] = fn[idx[k]];
    }
    if (m > 0) yield out;
  }
}
