/**
 * Seeded expansion of a normalized trace into per-invocation events (start, duration, function), in start order,
 * one batch per minute (per-minute traces) or per `batchSize` events (timestamped traces).
 *
 * Per-minute counts (Azure 2019, Huawei): the c invocations of function f in minute slot s get start times
 * 60·s + U[0,60) — independent uniform offsets (spread 'random', the default), or the evenly spaced
 * 60·s + (k + ½)·60/c (spread 'even'); their durations are drawn from f's percentile curve (duration-dist.ts).
 * Every (f, s) has its own PRNG stream, seeded from (seed, f, s): the same seed gives the same events whatever
 * time window is expanded. Events of a minute are sorted by start; ties by function, then draw order.
 *
 * Timestamped traces (Azure 2021) are already exact: the seed is not used.
 */
import { DurationCurve, durationCurve, durationQuantile } from './duration-dist';
import { TraceError } from './errors';
import { Rng, Seed, deriveSeed, seedToUint32 } from './prng';
import type { NormalizedTrace, TraceFunction } from './types';

export interface ExpandOptions {
  seed: Seed;
  /** Only events starting in [fromS, toS) (seconds since the trace origin). Default: the whole trace. */
  fromS?: number;
  toS?: number;
  /** How a minute's count is spread over its 60 s. Default 'random'. */
  spread?: 'random' | 'even';
  /** Duration for functions with no duration figures. Default: fallbackDurationMs(trace). */
  fallbackDurationMs?: number;
  /** Largest batch for timestamped traces. Default 65536. */
  batchSize?: number;
}

export interface InvocationBatch {
  /** Seconds since the trace origin, non-decreasing across and within batches. */
  startS: Float64Array;
  durationMs: Float64Array;
  /** Index into trace.functions. */
  fn: Uint32Array;
}

/** Median of the functions' average durations (1000 ms when none is known). */
export function fallbackDurationMs(functions: readonly TraceFunction[]): number {
  const avgs = functions
    .map((f) => f.durations?.averageMs)
    .filter((x): x is number => typeof x === 'number' && x > 0)
    .sort((a, b) => a - b);
  if (avgs.length === 0) return 1000;
  const mid = avgs.length >> 1;
  return avgs.length % 2 ? avgs[mid] : (avgs[mid - 1] + avgs[mid]) / 2;
}

export function durationCurves(functions: readonly TraceFunction[], fallbackMs: number): DurationCurve[] {
  return functions.map((f) => durationCurve(f.durations, fallbackMs));
}

// Long: one generator with its batch buffers and per-(function, minute) streams as locals (the replay's
// input hot path); timestamps and per-minute counts are its two branches.
export function* expandInvocations(trace: NormalizedTrace, options: ExpandOptions): Generator<InvocationBatch> {
  const fromS = options.fromS ?? -Infinity;
  const toS = options.toS ?? Infinity;
  if (Number.isNaN(fromS) || Number.isNaN(toS)) throw new TraceError('BAD_ARGUMENT', 'fromS/toS must be numbers');
  const a = trace.arrivals;
  if (a.kind === 'timestamps') {
    const batch = options.batchSize ?? 65536;
    if (!(Number.isInteger(batch) && batch > 0))
      throw new TraceError('BAD_ARGUMENT', `batchSize must be a positive integer, got ${batch}`);
    let i = lowerBound(a.startS, fromS);
    const end = lowerBound(a.startS, toS);
    while (i < end) {
      const j = Math.min(end, i + batch);
      yield { startS: a.startS.slice(i, j), durationMs: a.durationMs.slice(i, j), fn: a.fn.slice(i, j) };
      i = j;
    }
    return;
  }

  const base = seedToUint32(options.seed);
  const spread = options.spread ?? 'random';
  const curves = durationCurves(trace.functions, options.fallbackDurationMs ?? fallbackDurationMs(trace.functions));
  const { rowPtr, slot, count } = a;
  const nFn = trace.functions.length;
  const loSlot = Math.max(0, Math.floor(fromS / 60));
  const hiSlot = Math.ceil(toS / 60); // exclusive; events are filtered by exact start below

  // Slot-major index of the entries in range (counting sort by slot; the CSR is function-major).
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
    // Group entries by slot: the distinct slots, sorted, then a stable bucket fill.
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

  const rng = new Rng(0);
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
    const batch = filterAndSort(st, du, fn, fromS, toS);
    if (batch.startS.length > 0) yield batch;
  }
}

function filterAndSort(
  st: Float64Array,
  du: Float64Array,
  fn: Uint32Array,
  fromS: number,
  toS: number,
): InvocationBatch {
  const n = st.length;
  const idx: number[] = [];
  for (let i = 0; i < n; i++) if (st[i] >= fromS && st[i] < toS) idx.push(i);
  idx.sort((x, y) => st[x] - st[y] || x - y);
  const m = idx.length;
  const out: InvocationBatch = { startS: new Float64Array(m), durationMs: new Float64Array(m), fn: new Uint32Array(m) };
  for (let k = 0; k < m; k++) {
    const i = idx[k];
    out.startS[k] = st[i];
    out.durationMs[k] = du[i];
    out.fn[k] = fn[i];
  }
  return out;
}

/** The first index of sorted `a` whose value is >= x (a.length if none). */
export function lowerBound(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
