/**
 * Expansion of per-minute counts into invocations (expandInvocations, libs/upm-model/src/traces/expand.ts)
 * against the sort-based expansion it replaced (copied below as the baseline), in the same run. A day of
 * F functions is synthesized in memory: Azure-like skewed rates (log-normal, sigma 2.5), Poisson counts per
 * minute, seven-knot duration percentiles. Before timing, both expansions are run side by side and must agree
 * batch by batch, bit for bit. Repetitions interleave (the order alternates) so load on the shared machine
 * falls on both alike. Prints JSON lines: the machine and trace, then medians of CPU and wall time, invocations
 * per CPU-second and the ratio.
 *
 *   npm run bench:expand -- [--invocations N] [--functions N] [--repeat N] [--spread random|even]
 */
import { cpus, loadavg, release } from 'node:os';
import { performance } from 'node:perf_hooks';
import {
  computeTraceStats,
  deriveSeed,
  durationCurves,
  durationQuantile,
  expandInvocations,
  ExpandOptions,
  fallbackDurationMs,
  InvocationBatch,
  MinuteCountArrivals,
  NormalizedTrace,
  Rng,
  seedToUint32,
  TraceFunction,
} from '@upm/model/traces';

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : def;
};
const N = Number(arg('--invocations', '10000000'));
const F = Number(arg('--functions', '2000'));
const REPEAT = Number(arg('--repeat', '5'));
const SPREAD = arg('--spread', 'random') as 'random' | 'even';
if (!(N > 0 && F > 0 && Number.isInteger(REPEAT) && REPEAT > 0) || !['random', 'even'].includes(SPREAD))
  throw new Error('usage: [--invocations N] [--functions N] [--repeat N] [--spread random|even]');
const MINUTES = 1440;

/** Counts per (function, minute) ~ Poisson(rate_f), the rates log-normal and scaled to about n in all. */
function synthesize(n: number, nFn: number, seed: number): NormalizedTrace {
  const rng = new Rng(seed);
  const w = Array.from({ length: nFn }, () => Math.exp(2.5 * rng.normal()));
  const total = w.reduce((a, b) => a + b, 0);
  const rowPtr = new Uint32Array(nFn + 1);
  const slot: number[] = [];
  const count: number[] = [];
  const functions: TraceFunction[] = [];
  for (let f = 0; f < nFn; f++) {
    const lambda = (w[f] / total) * (n / MINUTES);
    for (let s = 0; s < MINUTES; s++) {
      const c = rng.poisson(lambda);
      if (c > 0) {
        slot.push(s);
        count.push(c);
      }
    }
    rowPtr[f + 1] = slot.length;
    let v = Math.exp(Math.log(50) + rng.normal());
    const p = [0, 1, 25, 50, 75, 99, 100].map((_, i) => (v *= i === 0 ? 1 : 1 + rng.next()));
    functions.push({
      id: `f${f}`,
      app: `a${f}`,
      owner: '',
      trigger: 'http',
      durations: { averageMs: p[3], count: 1, minimumMs: p[0], maximumMs: p[6], percentilesMs: p },
      memory: null,
    });
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
    window: { startS: 0, endS: MINUTES * 60 },
    functions,
    arrivals,
    files: [],
    joinReport: null,
    stats: computeTraceStats(functions, arrivals, 0),
  };
}

/** Rng's sfc32 as it was before the expansion's rework (the baseline's draws, with its per-step object fields). */
class BaselineRng {
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
function* sortedExpand(trace: NormalizedTrace, options: ExpandOptions): Generator<InvocationBatch> {
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
  const rng = new BaselineRng();
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

type Expand = (trace: NormalizedTrace, options: ExpandOptions) => Iterable<InvocationBatch>;

/** Both expansions in lockstep: same batch lengths and the same bits in every field, or throw. */
function verify(trace: NormalizedTrace, options: ExpandOptions): number {
  const bits = (x: Float64Array) => new BigUint64Array(x.buffer, x.byteOffset, x.length);
  const base = sortedExpand(trace, options)[Symbol.iterator]();
  let n = 0;
  for (const b of expandInvocations(trace, options)) {
    const r = base.next();
    if (r.done) throw new Error('the new expansion has more batches');
    const a = r.value;
    const same = (x: ArrayLike<bigint | number>, y: ArrayLike<bigint | number>) => {
      if (x.length !== y.length) return false;
      for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
      return true;
    };
    if (!same(bits(b.startS), bits(a.startS)) || !same(bits(b.durationMs), bits(a.durationMs)) || !same(b.fn, a.fn))
      throw new Error(`batch at invocation ${n} differs from the baseline`);
    n += b.startS.length;
  }
  if (!base.next().done) throw new Error('the baseline has more batches');
  return n;
}

/** Consume every batch (the checksum keeps the work observable). */
function run(expand: Expand, trace: NormalizedTrace, options: ExpandOptions): { n: number; sum: number } {
  let n = 0;
  let sum = 0;
  for (const b of expand(trace, options)) {
    n += b.startS.length;
    sum += b.startS[b.startS.length - 1] + b.durationMs[0] + b.fn[b.fn.length >> 1];
  }
  return { n, sum };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const load = () => loadavg().map((x) => +x.toFixed(2));

function main(): void {
  const t0 = performance.now();
  const trace = synthesize(N, F, 42);
  const a = trace.arrivals as MinuteCountArrivals;
  console.log(
    JSON.stringify({
      bench: 'expand',
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model, kernel: release(), node: process.version },
      loadavg: load(),
      trace: { functions: F, minutes: MINUTES, cells: a.slot.length, invocations: trace.stats.invocations },
      synthesizeMs: Math.round(performance.now() - t0),
      spread: SPREAD,
      repeat: REPEAT,
    }),
  );
  const options: ExpandOptions = { seed: 7, spread: SPREAD };
  const v0 = performance.now();
  const checked = verify(trace, options);
  if (checked !== trace.stats.invocations) throw new Error(`expanded ${checked} of ${trace.stats.invocations}`);
  console.log(JSON.stringify({ step: 'verify', identical: true, invocations: checked, ms: Math.round(performance.now() - v0) }));

  const impls: { name: string; expand: Expand }[] = [
    { name: 'sort (baseline)', expand: sortedExpand },
    { name: 'bucket (current)', expand: expandInvocations },
  ];
  const cpu = impls.map((): number[] => []);
  const wall = impls.map((): number[] => []);
  for (let r = 0; r < REPEAT; r++) {
    const order = r % 2 === 0 ? [0, 1] : [1, 0];
    for (const k of order) {
      const c0 = process.cpuUsage();
      const w0 = performance.now();
      const { n } = run(impls[k].expand, trace, options);
      wall[k].push(performance.now() - w0);
      const du = process.cpuUsage(c0);
      cpu[k].push((du.user + du.system) / 1000);
      if (n !== checked) throw new Error(`${impls[k].name}: ${n} invocations, expected ${checked}`);
    }
  }
  const line = (k: number) => ({
    impl: impls[k].name,
    cpuMs: Math.round(median(cpu[k])),
    wallMs: Math.round(median(wall[k])),
    invocationsPerCpuSec: Math.round((checked / median(cpu[k])) * 1000),
    cpuMsAll: cpu[k].map(Math.round),
  });
  for (let k = 0; k < impls.length; k++) console.log(JSON.stringify(line(k)));
  console.log(
    JSON.stringify({
      speedupCpu: +(median(cpu[0]) / median(cpu[1])).toFixed(2),
      speedupWall: +(median(wall[0]) / median(wall[1])).toFixed(2),
      loadavg: load(),
    }),
  );
}

main();
