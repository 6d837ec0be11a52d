/**
 * Seeded expansion of a normalized trace into per-invocation events (start, duration, function), in start order,
 * one batch per minute (per-minute traces) or per `batchSize` events (timestamped traces).
 *
 * Per-minute counts (Azure 2019, Huawei): the c invocations of function f in minute slot s get start times
 * 60·s + U[0,60) — independent uniform offsets (spread 'random', the default), or the evenly spaced
 * 60·s + (k + ½)·60/c (spread 'even'); their durations are drawn from f's percentile curve (duration-dist.ts).
 * Every (f, s) has its own PRNG stream, seeded from (seed, f, s): the same seed gives the same events whatever
 * time window is expanded. Events of a minute are sorted by start; ties by function, then draw order (a bucket
 * pass by start, no comparison sort: the expansion is most of a plan run's input cost).
 *
 * Timestamped traces (Azure 2021) are already exact: the seed is not used.
 */
import { DurationCurve, durationCurve } from './duration-dist';
import { TraceError } from './errors';
import { Seed, deriveSeed, seedToUint32, sfc32Seed } from './prng';
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

// Long: timestamps and per-minute counts are its two branches; the per-minute one groups the entries by slot
// and hands each minute to expandMinute (the replay's input hot path).
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
  const even = (options.spread ?? 'random') === 'even';
  const curves = durationCurves(trace.functions, options.fallbackDurationMs ?? fallbackDurationMs(trace.functions));
  const { rowPtr, slot, count } = a;
  const nFn = trace.functions.length;
  const loSlot = Math.max(0, Math.floor(fromS / 60));
  const hiSlot = Math.ceil(toS / 60); // exclusive; events are filtered by exact start below

  // Slot-major index of the entries in range (counting sort by slot; the CSR is function-major, so a slot's
  // entries stay in function order: the tie order below relies on it).
  const entryFn = new Uint32Array(slot.length);
  let inRange = 0;
  let minSlot = Infinity;
  let maxSlot = -1;
  for (let f = 0; f < nFn; f++) {
    for (let e = rowPtr[f]; e < rowPtr[f + 1]; e++) {
      entryFn[e] = f;
      const s = slot[e];
      if (s >= loSlot && s < hiSlot) {
        inRange++;
        if (s < minSlot) minSlot = s;
        if (s > maxSlot) maxSlot = s;
      }
    }
  }
  if (inRange === 0) return;
  const { slots: slotsInRange, order } = groupBySlot(slot, loSlot, hiSlot, inRange, minSlot, maxSlot);

  const scratch: Scratch = {
    st: new Float64Array(0),
    du: new Float64Array(0),
    fn: new Uint32Array(0),
    bk: new Uint32Array(0),
    head: new Uint32Array(0),
    seed: new Int32Array(4),
  };
  const minute: MinuteInput = { base, even, fromS, toS, curves, knotStart: knotStarts(curves), entryFn, count, order };
  let k0 = 0;
  for (let si = 0; si < slotsInRange.length; si++) {
    const s = slotsInRange[si];
    let k1 = k0;
    let total = 0;
    while (k1 < inRange && slot[order[k1]] === s) total += count[order[k1++]];
    const batch = expandMinute(minute, scratch, s, k0, k1, total);
    k0 = k1;
    if (batch !== null) yield batch;
  }
}

interface MinuteInput {
  base: number;
  even: boolean;
  fromS: number;
  toS: number;
  curves: DurationCurve[];
  /** Per function KNOT_BINS entries: for u in bin b, no knot i below the entry has u <= q[i]. */
  knotStart: Uint8Array;
  entryFn: Uint32Array;
  count: Uint32Array;
  order: Uint32Array;
}

/** One minute's draws, grown as needed (the batch arrays themselves are fresh: callers keep them). */
interface Scratch {
  st: Float64Array;
  du: Float64Array;
  fn: Uint32Array;
  /** Bucket of each draw, SKIP when outside [fromS, toS). */
  bk: Uint32Array;
  /** Bucket counts, then their next free positions. */
  head: Uint32Array;
  /** sfc32 state after seeding. */
  seed: Int32Array;
}

const SKIP = 0xffffffff;
const KNOT_BINS = 64;

/** Per curve and bin [b, b + 1) / KNOT_BINS of u: the first knot i >= 1 with q[i] >= b / KNOT_BINS (or q.length). */
function knotStarts(curves: readonly DurationCurve[]): Uint8Array {
  const out = new Uint8Array(curves.length * KNOT_BINS);
  curves.forEach(({ q }, f) => {
    let i = 1;
    for (let b = 0; b < KNOT_BINS; b++) {
      while (i < q.length && q[i] < b / KNOT_BINS) i++;
      out[f * KNOT_BINS + b] = i;
    }
  });
  return out;
}

// Long: the draws, the bucket fill and the insertion pass of one minute share their scratch and locals (the
// replay's input hot path). A plain function, not inline in the generator: V8 optimizes its loops better.
function expandMinute(
  input: MinuteInput,
  scratch: Scratch,
  s: number,
  k0: number,
  k1: number,
  total: number,
): InvocationBatch | null {
  const { base, even, fromS, toS, curves, knotStart, entryFn, count, order } = input;
  if (total > scratch.st.length) {
    const cap = Math.max(total, scratch.st.length * 2);
    scratch.st = new Float64Array(cap);
    scratch.du = new Float64Array(cap);
    scratch.fn = new Uint32Array(cap);
    scratch.bk = new Uint32Array(cap);
  }
  let nb = 1;
  while (nb < total) nb *= 2;
  if (scratch.head.length < nb + 1) scratch.head = new Uint32Array(nb * 2 + 1);
  const { st, du, fn, bk, head } = scratch;
  head.fill(0, 0, nb + 1);
  // Order by (start, draw index) without a comparison sort: bucket by start into nb >= total equal-width
  // buckets (the bucket is a monotone function of the start, so buckets are ordered and equal starts share
  // one), fill stably, then a stable insertion pass, which only reorders inside a bucket (about one event
  // each for uniform offsets; equal starts, as the even spread makes, are never moved).
  const s60 = s * 60;
  const scale = nb / 60;
  const last = nb - 1;
  const seed = scratch.seed;
  let w = 0;
  // Draws in the order of the old expansion: entries by function, per entry (offset, duration) pairs, from
  // Rng's sfc32 stream kept in locals (an Rng object's fields cost a heap write per step).
  for (let k = k0; k < k1; k++) {
    const e = order[k];
    const f = entryFn[e];
    const c = count[e];
    const curve = curves[f];
    const q = curve.q;
    const v = curve.v;
    const nq = q.length;
    const tb = f * KNOT_BINS;
    sfc32Seed(deriveSeed(base, f, s), seed);
    let ra = seed[0] | 0;
    let rb = seed[1] | 0;
    let rc = seed[2] | 0;
    let rd = seed[3] | 0;
    for (let j = 0; j < c; j++) {
      let t: number;
      if (even) t = s60 + ((j + 0.5) * 60) / c;
      else {
        const x = (((ra + rb) | 0) + rd) | 0;
        rd = (rd + 1) | 0;
        ra = rb ^ (rb >>> 9);
        rb = (rc + (rc << 3)) | 0;
        rc = (rc << 21) | (rc >>> 11);
        rc = (rc + x) | 0;
        t = s60 + ((x >>> 0) / 4294967296) * 60;
      }
      const x = (((ra + rb) | 0) + rd) | 0;
      rd = (rd + 1) | 0;
      ra = rb ^ (rb >>> 9);
      rb = (rc + (rc << 3)) | 0;
      rc = (rc << 21) | (rc >>> 11);
      rc = (rc + x) | 0;
      const u = (x >>> 0) / 4294967296;
      // durationQuantile(curve, u) with the same arithmetic; the knot search starts at the bin's first
      // candidate (usually the answer: the linear search from knot 1 branches unpredictably on uniform u).
      let d: number;
      if (nq === 1 || u <= q[0]) d = v[0];
      else {
        let i = knotStart[tb + ((u * KNOT_BINS) | 0)];
        while (i < nq && u > q[i]) i++;
        d = i === nq ? v[nq - 1] : v[i - 1] + ((u - q[i - 1]) / (q[i] - q[i - 1])) * (v[i] - v[i - 1]);
      }
      st[w] = t;
      du[w] = d;
      fn[w] = f;
      if (t >= fromS && t < toS) {
        const b = ((t - s60) * scale) | 0; // t - s60 is in [0, 60]: 60 only when the start rounds up to s60 + 60
        const bb = b > last ? last : b;
        bk[w] = bb;
        head[bb + 1]++;
      } else bk[w] = SKIP;
      w++;
    }
  }
  for (let b = 0; b < nb; b++) head[b + 1] += head[b];
  const m = head[nb];
  if (m === 0) return null;
  const oSt = new Float64Array(m);
  const oDu = new Float64Array(m);
  const oFn = new Uint32Array(m);
  for (let i = 0; i < w; i++) {
    const b = bk[i];
    if (b === SKIP) continue;
    const p = head[b]++;
    oSt[p] = st[i];
    oDu[p] = du[i];
    oFn[p] = fn[i];
  }
  for (let i = 1; i < m; i++) {
    const t = oSt[i];
    if (!(t < oSt[i - 1])) continue;
    const d = oDu[i];
    const f = oFn[i];
    let j = i;
    do {
      oSt[j] = oSt[j - 1];
      oDu[j] = oDu[j - 1];
      oFn[j] = oFn[j - 1];
      j--;
    } while (j > 0 && oSt[j - 1] > t);
    oSt[j] = t;
    oDu[j] = d;
    oFn[j] = f;
  }
  return { startS: oSt, durationMs: oDu, fn: oFn };
}

/**
 * The distinct slots in [loSlot, hiSlot), ascending, and the in-range entries grouped by slot, each group in
 * entry (function) order. Dense counting over the slot span; a Map when the span is far larger than the entries.
 */
function groupBySlot(
  slot: Uint32Array,
  loSlot: number,
  hiSlot: number,
  inRange: number,
  minSlot: number,
  maxSlot: number,
): { slots: Uint32Array; order: Uint32Array } {
  const order = new Uint32Array(inRange);
  const span = maxSlot - minSlot + 1;
  if (span <= 4 * inRange + (1 << 20)) {
    const at = new Uint32Array(span + 1);
    for (let e = 0; e < slot.length; e++) {
      const s = slot[e];
      if (s >= loSlot && s < hiSlot) at[s - minSlot + 1]++;
    }
    let distinct = 0;
    for (let i = 0; i < span; i++) {
      if (at[i + 1] > 0) distinct++;
      at[i + 1] += at[i];
    }
    const slots = new Uint32Array(distinct);
    for (let i = 0, d = 0; i < span; i++) if (at[i + 1] > at[i]) slots[d++] = minSlot + i;
    for (let e = 0; e < slot.length; e++) {
      const s = slot[e];
      if (s >= loSlot && s < hiSlot) order[at[s - minSlot]++] = e;
    }
    return { slots, order };
  }
  const bucket = new Map<number, number>();
  for (let e = 0; e < slot.length; e++) {
    const s = slot[e];
    if (s < loSlot || s >= hiSlot) continue;
    bucket.set(s, (bucket.get(s) ?? 0) + 1);
  }
  const slots = Uint32Array.from(bucket.keys()).sort(); // typed-array sort is numeric
  let off = 0;
  for (const s of slots) {
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
  return { slots, order };
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
