/**
 * Replay speed of the plan simulator (libs/upm-model/src/plan). A day-long trace is synthesized in memory:
 * F functions with Azure-like skewed rates (log-normal, a few functions take most invocations), arrivals the
 * superposition of their Poisson processes (exponential gaps at the total rate, the function drawn by rate:
 * already in start order), log-normal durations (median 250 ms) and app memory (median 150 MB; containers
 * are fallback profiles with 30% of their pages shared across the containers of a function).
 *
 * Each case runs the engine of one plan point (the core of runPlan: one merge model, one host configuration,
 * with the time series and per-function counts runPlan collects) over the invocations already in memory, and
 * prints one JSON line: invocations/s (wall and CPU), cold starts, and the case. The first line describes the
 * machine. Times are medians of --repeat runs. The goal: >= 5 M invocations/s on one core for fixed TTL + none.
 *
 * With --baseline DIR (a copy of an older libs/upm-model/src, e.g.
 * `git archive main libs/upm-model/src | tar -x -C /tmp/upm-base`, then
 * --baseline /tmp/upm-base/libs/upm-model/src) each case also runs that copy's Engine, the two alternating
 * run by run (so a shared machine's load falls on both alike); the results must be equal field for field,
 * and each line adds the baseline's times and current / baseline speed.
 *
 *   npm run build:ts && node dist/bench/simulator.bench.js \
 *     [--invocations N] [--functions N] [--repeat N] [--quick] [--only SUBSTRING] [--baseline DIR]
 */
import { execSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { isDeepStrictEqual } from 'util';
import { performance } from 'perf_hooks';
import { Engine, EngineConfig, EngineResult } from '@upm/model/plan/engine';
import { buildProfilesFrom, DEFAULT_KSM_PLAN_PARAMS, HYBRID_DEFAULTS, PolicySpec, runPlan } from '@upm/model/plan';
import { DEFAULT_UPM_COSTS, MergeModelName } from '@upm/model/merge';
import { computeTraceStats, NormalizedTrace, Rng, TraceFunction } from '@upm/model/traces';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const QUICK = process.argv.includes('--quick');
const N = arg('--invocations', QUICK ? 2_000_000 : 20_000_000);
const F = arg('--functions', 2000);
const REPEAT = arg('--repeat', QUICK ? 1 : 3);
const ONLY = (() => {
  const i = process.argv.indexOf('--only');
  return i > 0 ? process.argv[i + 1] : null;
})();
const BASELINE = (() => {
  const i = process.argv.indexOf('--baseline');
  return i > 0 ? path.resolve(process.argv[i + 1]) : null;
})();
const DAY = 86400;

type EngineClass = new (cfg: EngineConfig) => { run: Engine['run'] };
// eslint-disable-next-line @typescript-eslint/no-var-requires
const BaselineEngine: EngineClass | null = BASELINE ? require(path.join(BASELINE, 'plan/engine')).Engine : null;

function machine(): Record<string, unknown> {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    const m = /model name\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpu = m[1].trim();
  } catch {
    // not Linux
  }
  let nproc = os.cpus().length;
  try {
    nproc = Number(execSync('nproc').toString().trim());
  } catch {
    // keep os.cpus()
  }
  return { kernel: os.release(), nproc, cpu, node: process.version, date: new Date().toISOString().slice(0, 10) };
}

function synthesize(n: number, nFn: number, seed: number): NormalizedTrace {
  const rng = new Rng(seed);
  // rates: log-normal, sigma 2.5 (eight orders of magnitude between the busiest and the rarest)
  const w = new Float64Array(nFn);
  let total = 0;
  for (let f = 0; f < nFn; f++) total += w[f] = Math.exp(2.5 * rng.normal());
  // alias table for drawing a function by rate
  const prob = new Float64Array(nFn);
  const alias = new Int32Array(nFn);
  {
    const scaled = Array.from(w, (x) => (x * nFn) / total);
    const small: number[] = [];
    const large: number[] = [];
    scaled.forEach((x, i) => (x < 1 ? small : large).push(i));
    while (small.length && large.length) {
      const s = small.pop() as number;
      const l = large[large.length - 1];
      prob[s] = scaled[s];
      alias[s] = l;
      scaled[l] -= 1 - scaled[s];
      if (scaled[l] < 1) small.push(large.pop() as number);
    }
    for (const i of [...small, ...large]) prob[i] = 1;
  }
  const startS = new Float64Array(n);
  const durationMs = new Float64Array(n);
  const fn = new Uint32Array(n);
  const meanGap = DAY / n;
  let t = 0;
  const durMu = new Float64Array(nFn);
  for (let f = 0; f < nFn; f++) durMu[f] = Math.log(250) + 1.0 * rng.normal();
  for (let i = 0; i < n; i++) {
    t += rng.exponential(meanGap);
    const u = rng.next() * nFn;
    const k = Math.floor(u);
    const f = u - k < prob[k] ? k : alias[k];
    startS[i] = t;
    fn[i] = f;
    durationMs[i] = Math.min(600_000, Math.exp(durMu[f] + 0.8 * rng.normal()));
  }
  const functions: TraceFunction[] = Array.from({ length: nFn }, (_, f) => {
    const mb = Math.min(4000, Math.exp(Math.log(150) + 0.7 * rng.normal()));
    return {
      id: `f${f}`,
      app: `a${f}`,
      owner: '',
      trigger: 'http',
      durations: null,
      memory: { scope: 'app', sampleCount: 1, averageMb: mb, percentilesMb: Array(8).fill(mb) },
    };
  });
  const arrivals = { kind: 'timestamps' as const, fn, startS, durationMs };
  return {
    schemaVersion: 1,
    format: 'azure2021',
    window: { startS: 0, endS: Math.ceil(t) + 1 },
    functions,
    arrivals,
    files: [],
    joinReport: null,
    stats: computeTraceStats(functions, arrivals, 0),
  };
}

interface Case {
  name: string;
  model: MergeModelName;
  policy: PolicySpec;
  hostMemoryGiB: number | null;
  hosts: number;
  invocations?: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

function main(): void {
  process.stdout.write(
    JSON.stringify({ bench: 'simulator', machine: machine(), invocations: N, functions: F, repeat: REPEAT }) + '\n',
  );
  const t0 = performance.now();
  const trace = synthesize(N, F, 42);
  const genMs = performance.now() - t0;
  const profiles = buildProfilesFrom(
    trace.functions.map((f) => ({ key: `${f.app}/${f.id}`, refs: null, fn: f })),
    [],
    {
      assumeMergeable: true,
      snapshot: 'last',
      fallback: { sharedFraction: 0.3, percentile: 'p50', defaultMemoryMiB: 170 },
    },
  );
  const a = trace.arrivals as Extract<NormalizedTrace['arrivals'], { kind: 'timestamps' }>;
  process.stdout.write(
    JSON.stringify({ step: 'synthesize', ms: Math.round(genMs), invocations: N, windowS: trace.window.endS }) + '\n',
  );
  const ttl: PolicySpec = { kind: 'ttl', ttlMinutes: 10 };
  const hybrid: PolicySpec = { kind: 'hybrid-histogram', ...HYBRID_DEFAULTS };
  const gd: PolicySpec = { kind: 'greedy-dual', maxIdleMinutes: null };
  const cases: Case[] = [
    { name: 'ttl/none/unlimited/1 host', model: 'none', policy: ttl, hostMemoryGiB: null, hosts: 1 },
    { name: 'ttl/none/32 GiB x 4 hosts', model: 'none', policy: ttl, hostMemoryGiB: 32, hosts: 4 },
    { name: 'hybrid-histogram/none/unlimited', model: 'none', policy: hybrid, hostMemoryGiB: null, hosts: 1 },
    { name: 'greedy-dual/none/256 GiB', model: 'none', policy: gd, hostMemoryGiB: 256, hosts: 1 },
    { name: 'ttl/upm/unlimited', model: 'upm', policy: ttl, hostMemoryGiB: null, hosts: 1 },
    { name: 'ttl/upm/32 GiB x 4 hosts', model: 'upm', policy: ttl, hostMemoryGiB: 32, hosts: 4 },
    { name: 'ttl/ksm/unlimited', model: 'ksm', policy: ttl, hostMemoryGiB: null, hosts: 1 },
    { name: 'ttl/ksm/32 GiB x 4 hosts', model: 'ksm', policy: ttl, hostMemoryGiB: 32, hosts: 4 },
  ];
  const cold = new Float64Array(F).fill(500);
  const impls: { name: string; Engine: EngineClass }[] = [{ name: 'current', Engine }];
  if (BaselineEngine !== null) impls.unshift({ name: 'baseline', Engine: BaselineEngine });
  for (const c of cases) {
    if (ONLY !== null && !c.name.includes(ONLY)) continue;
    const wall = impls.map((): number[] => []);
    const cpu = impls.map((): number[] => []);
    const results: EngineResult[] = [];
    for (let r = 0; r < REPEAT; r++) {
      const cfg: EngineConfig = {
        model: c.model,
        profiles,
        hosts: c.hosts,
        capacityPages: c.hostMemoryGiB === null ? Infinity : Math.floor((c.hostMemoryGiB * 1073741824) / 4096),
        cores: Infinity,
        policy: c.policy,
        coldStartMs: cold,
        ksm: { ...DEFAULT_KSM_PLAN_PARAMS },
        upm: { madviseAfterInitMs: 0, costs: { ...DEFAULT_UPM_COSTS } },
        spanStartS: trace.window.startS,
        spanEndS: trace.window.endS,
        stepS: 60,
        perFunction: true,
      };
      const batches = function* () {
        for (let i = 0; i < N; i += 65536) {
          const j = Math.min(N, i + 65536);
          yield { startS: a.startS.subarray(i, j), durationMs: a.durationMs.subarray(i, j), fn: a.fn.subarray(i, j) };
        }
      };
      // alternate which implementation goes first, so neither always runs on a warmer (or busier) machine
      const order = r % 2 === 0 ? impls.map((_, k) => k) : impls.map((_, k) => impls.length - 1 - k);
      for (const k of order) {
        const c0 = process.cpuUsage();
        const w0 = performance.now();
        const res = new impls[k].Engine(cfg).run(batches());
        wall[k].push(performance.now() - w0);
        const du = process.cpuUsage(c0);
        cpu[k].push((du.user + du.system) / 1000);
        results[k] = res;
      }
      // fields the baseline does not have yet (e.g. warmupInvocations) are left out of the comparison
      const known = (cur: EngineResult, base: EngineResult) =>
        Object.fromEntries(Object.entries(cur).filter(([key]) => key in base));
      if (results.length > 1 && !isDeepStrictEqual(results[0], known(results[1], results[0])))
        throw new Error(`${c.name}: the results of the baseline and the current engine differ`);
    }
    const res = results[results.length - 1];
    const k = impls.length - 1;
    const wMs = median(wall[k]);
    const cMs = median(cpu[k]);
    const line: Record<string, unknown> = {
      case: c.name,
      invocations: N,
      wallMs: Math.round(wMs),
      cpuMs: Math.round(cMs),
      invocationsPerSec: Math.round((N / wMs) * 1000),
      invocationsPerCpuSec: Math.round((N / cMs) * 1000),
      coldStarts: res.coldStarts,
      evictions: res.evictions,
      rejected: res.rejectedMemory + res.rejectedCpu,
      peakGiB: Number(((res.peakPages * 4096) / 1073741824).toFixed(1)),
    };
    if (impls.length > 1) {
      line.baselineWallMs = Math.round(median(wall[0]));
      line.baselineCpuMs = Math.round(median(cpu[0]));
      line.speedupWall = Number((median(wall[0]) / wMs).toFixed(3));
      line.speedupCpu = Number((median(cpu[0]) / cMs).toFixed(3));
    }
    process.stdout.write(JSON.stringify(line) + '\n');
  }
  if (ONLY !== null && !'runPlan'.includes(ONLY)) return;
  // the whole runPlan (profiles, three models, time series, result) on the same trace
  const w0 = performance.now();
  const c0 = process.cpuUsage();
  const r = runPlan(
    { version: 1, trace: 'synthetic', policy: { kind: 'ttl' }, models: ['none', 'ksm', 'upm'] },
    { trace, dumps: new Map() },
  );
  const du = process.cpuUsage(c0);
  const wMs = performance.now() - w0;
  process.stdout.write(
    JSON.stringify({
      case: 'runPlan ttl none+ksm+upm unlimited',
      invocations: N,
      wallMs: Math.round(wMs),
      cpuMs: Math.round((du.user + du.system) / 1000),
      invocationsPerSecPerModel: Math.round(((N * 3) / wMs) * 1000),
      coldStarts: r.models.map((m) => m.coldStarts),
    }) + '\n',
  );
}

main();
