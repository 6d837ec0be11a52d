/**
 * A TTL sweep's points on one per-minute trace, each point run as a worker's point job runs it
 * (runPlan of that point), with the expansion shared (the same trace object: what a worker process with its
 * input cache does, and what a sweep inside one runPlan does) against the expansion redone for every point
 * (a shallow copy of the trace per point defeats the sharing: what every version before did), interleaved in
 * one run. Both must give the same results, checked before timing. Prints one JSON line: CPU seconds of the
 * whole sweep each way, invocations replayed per CPU-second and the ratio.
 *
 *   npm run bench:sweep-expansion -- [--invocations N] [--functions N] [--points K] [--repeat N]
 */
import { expandSweep, runPlan, validatePlanSpec, type PlanResult } from '@upm/model';
import type { NormalizedTrace } from '@upm/model/traces';
import { cpus, loadavg, release } from 'node:os';
import { synthesize } from './lib/synthetic-day';

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : def;
};
const N = Number(arg('--invocations', '5000000'));
const F = Number(arg('--functions', '2000'));
const K = Number(arg('--points', '9'));
const REPEAT = Number(arg('--repeat', '3'));
if (!(N > 0 && F > 0 && Number.isInteger(K) && K > 0 && Number.isInteger(REPEAT) && REPEAT > 0))
  throw new Error('usage: [--invocations N] [--functions N] [--points K] [--repeat N]');

const trace = synthesize(N, F, 2019);
const spec = validatePlanSpec({
  version: 1,
  trace: 'bench',
  profiles: {},
  host: { memoryGiB: null },
  policy: { kind: 'ttl', ttlMinutes: 10 },
  models: ['none'],
  sweep: { ttlMinutes: Array.from({ length: K }, (_, i) => 2 + 3 * i) },
});
const points = expandSweep(spec);

function sweep(shared: boolean): { cpuS: number; results: PlanResult[] } {
  const c0 = process.cpuUsage();
  const results = points.map((p) => runPlan(p, { trace: shared ? trace : ({ ...trace } as NormalizedTrace), dumps: new Map() }));
  const c = process.cpuUsage(c0);
  return { cpuS: (c.user + c.system) / 1e6, results };
}

const strip = (r: PlanResult) => JSON.stringify(r.models);
{
  const a = sweep(true).results.map(strip);
  const b = sweep(false).results.map(strip);
  if (a.some((x, i) => x !== b[i])) throw new Error('shared and per-point expansion gave different results');
}
const cpu = { shared: [] as number[], perPoint: [] as number[] };
for (let r = 0; r < REPEAT; r++) {
  const order: Array<'shared' | 'perPoint'> = r % 2 ? ['perPoint', 'shared'] : ['shared', 'perPoint'];
  for (const o of order) cpu[o].push(sweep(o === 'shared').cpuS);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const replayed = points.length * trace.stats.invocations;
console.log(
  JSON.stringify({
    bench: 'sweep-expansion',
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, kernel: release(), loadavg: loadavg().map((x) => +x.toFixed(2)) },
    invocations: trace.stats.invocations,
    functions: F,
    points: K,
    repeat: REPEAT,
    perPointCpuS: +median(cpu.perPoint).toFixed(2),
    sharedCpuS: +median(cpu.shared).toFixed(2),
    perPointInvocationsPerCpuS: Math.round(replayed / median(cpu.perPoint)),
    sharedInvocationsPerCpuS: Math.round(replayed / median(cpu.shared)),
    speedup: +(median(cpu.perPoint) / median(cpu.shared)).toFixed(2),
  }),
);
