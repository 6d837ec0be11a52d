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
  expandInvocations,
  ExpandOptions,
  InvocationBatch,
  MinuteCountArrivals,
  NormalizedTrace,
  Rng,
  TraceFunction,
} from '@upm/model/traces';
import { sortedExpand } from './baselines/sorted-expand';

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
