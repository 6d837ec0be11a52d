/**
 * The bucket-ordered expansion against the sort-based one it replaced (bench/baselines/sorted-expand.ts): the same
 * batches, and in them the same events bit for bit, on seeded synthetic traces and on a real fixture.
 */
import { sortedExpand, SortedExpandRng } from '../../../../bench/baselines/sorted-expand';
import { invitroTrace } from '../../../../test/support/shared-dir';
import { readAzure2019 } from './azure2019';
import { ExpandOptions, InvocationBatch, expandInvocations } from './expand';
import { Rng, deriveSeed, seedToUint32 } from './prng';
import { computeTraceStats } from './stats';
import type { DurationFigures, MinuteCountArrivals, NormalizedTrace, TraceFunction } from './types';

interface Flat {
  batchLengths: number[];
  startS: Float64Array;
  durationMs: Float64Array;
  fn: Uint32Array;
}

function flatten(it: Iterable<InvocationBatch>): Flat {
  const batches = [...it];
  const n = batches.reduce((s, b) => s + b.startS.length, 0);
  const out: Flat = {
    batchLengths: batches.map((b) => b.startS.length),
    startS: new Float64Array(n),
    durationMs: new Float64Array(n),
    fn: new Uint32Array(n),
  };
  let at = 0;
  for (const b of batches) {
    out.startS.set(b.startS, at);
    out.durationMs.set(b.durationMs, at);
    out.fn.set(b.fn, at);
    at += b.startS.length;
  }
  return out;
}

/** First index where the bit patterns differ (-1 when identical), per field. */
function firstDifference(a: Flat, b: Flat): Record<string, number> {
  const bits = (x: Float64Array) => new BigUint64Array(x.buffer, x.byteOffset, x.length);
  const diff = (x: ArrayLike<bigint | number>, y: ArrayLike<bigint | number>) => {
    if (x.length !== y.length) return Math.min(x.length, y.length);
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
    return -1;
  };
  return {
    batches: diff(a.batchLengths, b.batchLengths),
    startS: diff(bits(a.startS), bits(b.startS)),
    durationMs: diff(bits(a.durationMs), bits(b.durationMs)),
    fn: diff(a.fn, b.fn),
  };
}

const SAME = { batches: -1, startS: -1, durationMs: -1, fn: -1 };

function expectSame(trace: NormalizedTrace, options: ExpandOptions): Flat {
  const ref = flatten(sortedExpand(trace, options));
  const got = flatten(expandInvocations(trace, options));
  expect(firstDifference(got, ref)).toEqual(SAME);
  return ref;
}

/** Adjacent events with the same start but different functions: where the tie order decides the output. */
function crossFunctionTies(ev: Flat): number {
  let n = 0;
  for (let i = 1; i < ev.startS.length; i++) if (ev.startS[i] === ev.startS[i - 1] && ev.fn[i] !== ev.fn[i - 1]) n++;
  return n;
}

function durations(rng: Rng): DurationFigures | null {
  const kind = rng.int(4);
  if (kind === 0) return null; // the fallback
  if (kind === 1) return { averageMs: 50 + rng.int(500), count: 1, minimumMs: null, maximumMs: null, percentilesMs: [] };
  if (kind === 2) return { averageMs: 0, count: 1, minimumMs: 0, maximumMs: 0, percentilesMs: [0, 0, 0, 0, 0, 0, 0] };
  let v = rng.int(20);
  const p = [0, 1, 25, 50, 75, 99, 100].map(() => (v += rng.int(400)));
  return { averageMs: p[3], count: 10, minimumMs: p[0], maximumMs: p[6], percentilesMs: p };
}

/**
 * nFn functions over slots firstSlot + [0, nSlots): about a fifth with no invocations at all, whole minutes
 * with none, most cells 1–3 (even spread then ties across functions) and a few busy ones.
 */
function synthetic(seed: number, nFn: number, nSlots: number, firstSlot = 0): NormalizedTrace {
  const rng = new Rng(seed);
  const quiet = new Set(Array.from({ length: nSlots >> 2 }, () => rng.int(nSlots)));
  const rowPtr = new Uint32Array(nFn + 1);
  const slot: number[] = [];
  const count: number[] = [];
  const functions: TraceFunction[] = [];
  for (let f = 0; f < nFn; f++) {
    const silent = rng.next() < 0.2;
    const density = rng.next();
    for (let s = 0; s < nSlots && !silent; s++) {
      if (quiet.has(s) || rng.next() > density) continue;
      const u = rng.next();
      slot.push(firstSlot + s);
      count.push(u < 0.85 ? 1 + rng.int(3) : u < 0.97 ? 1 + rng.int(60) : 1 + rng.int(3000));
    }
    rowPtr[f + 1] = slot.length;
    functions.push({ id: `f${f}`, app: `a${f % 7}`, owner: 'o', trigger: 'http', durations: durations(rng), memory: null });
  }
  const arrivals: MinuteCountArrivals = {
    kind: 'minute-counts',
    rowPtr,
    slot: Uint32Array.from(slot),
    count: Uint32Array.from(count),
  };
  return {
    schemaVersion: 1,
    format: 'azure2019',
    window: { startS: firstSlot * 60, endS: (firstSlot + nSlots) * 60 },
    functions,
    arrivals,
    files: [],
    joinReport: null,
    stats: computeTraceStats(functions, arrivals, 0),
  };
}

describe('bucket-ordered expansion = the sort-based one, bit for bit', () => {
  it('the reference RNG is the library Rng (reseeded as the expansion does)', () => {
    const lib = new Rng(0);
    const ref = new SortedExpandRng();
    let same = 0;
    for (let k = 0; k < 200; k++) {
      const seed = deriveSeed(seedToUint32(k), k * 7919, k);
      lib.reseed(seed);
      ref.reseed(seed);
      for (let j = 0; j < 20; j++) if (lib.nextUint32() === ref.nextUint32()) same++;
    }
    expect(same).toBe(4000);
  });

  it.each([1, 2, 3, 4, 5])('synthetic trace %i: whole and windowed, random and even spread', (seed) => {
    const t = synthetic(seed, 40, 90);
    expect(t.arrivals.kind === 'minute-counts' && t.arrivals.slot.length).toBeGreaterThan(0);
    expect(t.stats.invocations).toBeGreaterThan(1000);
    for (const spread of ['random', 'even'] as const) {
      const whole = expectSame(t, { seed, spread });
      expect(whole.startS.length).toBe(t.stats.invocations);
      // windows that cut minutes, inside one minute, and outside the trace
      expectSame(t, { seed: `s${seed}`, spread, fromS: 601.25, toS: 2999.5 });
      expectSame(t, { seed, spread, fromS: 1234.5, toS: 1250 });
      expect(flatten(expandInvocations(t, { seed, spread, fromS: 99999, toS: 100000 })).startS.length).toBe(0);
      if (spread === 'even') expect(crossFunctionTies(whole)).toBeGreaterThan(100);
    }
  });

  it('breaks ties from rounding of late starts the same way (slots near 2^32)', () => {
    // At 60 * 4.29e9 s a double's step (3e-5 s) is coarser than a draw's (1.4e-8 s): random starts collide.
    const t = synthetic(9, 12, 4, 0xffffffff - 4);
    const a = t.arrivals as MinuteCountArrivals;
    a.count.fill(20000, 0, 8); // busy cells, so that collisions are many
    const ev = expectSame(t, { seed: 9 });
    expect(crossFunctionTies(ev)).toBeGreaterThan(10);
  });

  it('handles slots spread far wider than the entries (the sparse grouping)', () => {
    const near = synthetic(11, 10, 30);
    const far = synthetic(12, 10, 30, 3_000_000_000);
    const a = near.arrivals as MinuteCountArrivals;
    const b = far.arrivals as MinuteCountArrivals;
    // function f: its entries of near, then of far (ascending slots)
    const rowPtr = new Uint32Array(11);
    const slot: number[] = [];
    const count: number[] = [];
    for (let f = 0; f < 10; f++) {
      for (const x of [a, b]) {
        for (let e = x.rowPtr[f]; e < x.rowPtr[f + 1]; e++) {
          slot.push(x.slot[e]);
          count.push(x.count[e]);
        }
      }
      rowPtr[f + 1] = slot.length;
    }
    const arrivals: MinuteCountArrivals = {
      kind: 'minute-counts',
      rowPtr,
      slot: Uint32Array.from(slot),
      count: Uint32Array.from(count),
    };
    const t: NormalizedTrace = { ...near, arrivals, stats: computeTraceStats(near.functions, arrivals, 0) };
    const ev = expectSame(t, { seed: 5 });
    expect(ev.startS.length).toBe(near.stats.invocations + far.stats.invocations);
    expect(ev.startS[ev.startS.length - 1]).toBeGreaterThan(3_000_000_000 * 60);
    expectSame(t, { seed: 5, spread: 'even', fromS: 600, toS: 3_000_000_010 * 60 });
  });

  it('gives the same events on the 500-function Azure 2019 fixture', async () => {
    const t = await readAzure2019({
      invocations: invitroTrace('500', 'invocations.csv'),
      durations: invitroTrace('500', 'durations.csv'),
      memory: invitroTrace('500', 'memory.csv'),
    });
    const ev = expectSame(t, { seed: 42 });
    expect(ev.startS.length).toBe(t.stats.invocations);
    expectSame(t, { seed: 'even', spread: 'even', fromS: 40000.5, toS: 43210 });
  });
});
