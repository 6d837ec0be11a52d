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
import { expandInvocations, ExpandOptions, InvocationBatch, MinuteCountArrivals, NormalizedTrace } from '@upm/model/traces';
import { sortedExpand } from './baselines/sorted-expand';
import { MINUTES, synthesize } from './lib/synthetic-day';

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
