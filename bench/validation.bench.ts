/**
 * Validator benchmark: the JSON validators of libs/upm-model on realistic inputs, in one run, against a
 * baseline copy of libs/upm-model (e.g. the commit before a change) and, for the PROC section, against ajv.
 *   plan-spec        validatePlanSpec on a spec with 200 function profiles, 50 rules, 200 cold starts, a sweep
 *   analysis         validateAnalysisRequest with 1000 madvise calls
 *   dump-proc        validateProcess on a PROC section of 400 VMAs (the dump decoder's per-process check)
 *   trace-decode     decodeTrace of a 46,000-function trace (Azure 2019 day size), minute counts
 * Rounds of baseline and current alternate (median CPU ms per call reported) so that load on the machine hits
 * both alike; baseline and current must give deeply equal results.
 *
 *   git archive <base> libs/upm-model | tar -x -C /tmp/base && ln -s $PWD/node_modules /tmp/base/node_modules
 *   TS_NODE_TRANSPILE_ONLY=1 npx ts-node -r tsconfig-paths/register bench/validation.bench.ts \
 *     [--baseline /tmp/base/libs/upm-model/src] [--rounds 15] [--only plan-spec|analysis|dump-proc|trace-decode]
 */
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import * as current from '../libs/upm-model/src';
import { validateProcess } from '../libs/upm-model/src/dump/section-json';

type Model = typeof current & { validateProcess: typeof validateProcess };

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function load(dir: string): Model {
  /* eslint-disable @typescript-eslint/no-var-requires */
  const m = require(path.resolve(dir)) as typeof current;
  const s = require(path.resolve(dir, 'dump/section-json')) as { validateProcess: typeof validateProcess };
  /* eslint-enable @typescript-eslint/no-var-requires */
  return { ...m, validateProcess: s.validateProcess };
}

function planSpec(): unknown {
  const functions: Record<string, string[]> = {};
  const cold: Record<string, number> = {};
  for (let i = 0; i < 200; i++) {
    functions[`app${i % 40}/fn${i}`] = [`dump-${i}`, `dump-${i + 1}`];
    cold[`app${i % 40}/fn${i}`] = 200 + i;
  }
  return {
    version: 1,
    trace: '3f0c2b1e-0000-4000-8000-000000000000',
    profiles: {
      functions,
      rules: Array.from({ length: 50 }, (_, i) => ({ match: { trigger: 'http', name: `^svc${i}-` }, dumps: [`rule-${i}`] })),
      default: ['default-dump'],
      fallback: { sharedFraction: 0.25, percentile: 'p75' },
    },
    host: { memoryGiB: 64, cores: 32, count: 4 },
    policy: { kind: 'ttl', ttlMinutes: 10 },
    models: ['none', 'ksm', 'upm'],
    modelParams: { ksm: { pagesToScan: 1000, sleepMs: 20 }, upm: { madviseAfterInitMs: 5 } },
    coldStartMs: { default: 500, functions: cold },
    seed: 'bench',
    window: { fromS: 0, toS: 86400 },
    sizing: { targetColdStartRate: 0.01, maxHosts: 256 },
    sweep: { hostMemoryGiB: [16, 32, 64, 128, 256], ttlMinutes: [1, 5, 10, 20, 30] },
  };
}

function analysisRequest(): unknown {
  return {
    model: 'upm',
    upmCalls: Array.from({ length: 1000 }, (_, i) => ({ pid: 100 + i, timeMs: i * 10, ranges: [[4096 * i, 4096 * (i + 8)]] })),
  };
}

function procSection(): unknown {
  const flags = ['rd', 'wr', 'mr', 'mw', 'me', 'ac', 'sd'];
  return {
    pid: 4242,
    startTime: 123456,
    comm: 'node',
    cmdline: ['node', 'server.js', '--port', '8080'],
    cgroup: '0::/system.slice/fn.scope',
    labels: { function: 'app/fn', container: 'c1' },
    snapshotTimeMs: 1000,
    status: 'ok',
    ksm: { ksm_rmap_items: 0, ksm_merging_pages: 0, ksm_process_profit: '0' },
    rollup: Object.fromEntries(['Rss', 'Pss', 'Shared_Clean', 'Shared_Dirty', 'Private_Clean', 'Private_Dirty', 'Anonymous', 'Swap'].map((k, i) => [k, 1000 * i])),
    vmas: Array.from({ length: 400 }, (_, i) => ({
      start: 0x400000 + i * 0x10000,
      end: 0x400000 + i * 0x10000 + 0x8000,
      perms: 'rw-p',
      shared: false,
      kind: i % 3 ? 'anon' : 'file',
      pgoff: 0,
      flags,
      path: i % 3 ? '' : '/usr/lib/libc.so.6',
    })),
  };
}

/** The PROC section as a JSON schema (validation only: ajv neither copies known keys out nor checks order). */
const PROC_SCHEMA = {
  type: 'object',
  required: ['pid', 'startTime', 'comm', 'cmdline', 'cgroup', 'labels', 'snapshotTimeMs', 'status', 'ksm', 'rollup', 'vmas'],
  properties: {
    pid: { type: 'integer', minimum: 1, maximum: 0x7fffffff },
    startTime: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
    comm: { type: 'string' },
    cmdline: { type: 'array', items: { type: 'string' } },
    cgroup: { type: 'string' },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    snapshotTimeMs: { type: 'number', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
    status: { enum: ['ok', 'exited', 'denied'] },
    error: { type: 'string' },
    ksm: { type: ['object', 'null'], additionalProperties: { type: ['number', 'string'] } },
    rollup: { type: 'object', additionalProperties: { type: 'number', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } },
    vmas: {
      type: 'array',
      items: {
        type: 'object',
        required: ['start', 'end', 'perms', 'shared', 'kind', 'pgoff', 'flags', 'path'],
        properties: {
          start: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
          end: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
          perms: { type: 'string', pattern: '^[r-][w-][x-][ps]$' },
          shared: { type: 'boolean' },
          kind: { enum: ['anon', 'file'] },
          pgoff: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
          flags: { type: 'array', items: { type: 'string', pattern: '^[a-z0-9]{2}$' } },
          path: { type: 'string' },
        },
      },
    },
  },
};

function bigTrace(nFunctions: number): current.NormalizedTrace {
  const functions: current.TraceFunction[] = Array.from({ length: nFunctions }, (_, i) => ({
    id: `f${i.toString(16).padStart(12, '0')}`,
    app: `a${(i >> 3).toString(16).padStart(12, '0')}`,
    owner: `o${(i >> 6).toString(16).padStart(12, '0')}`,
    trigger: i % 5 ? 'http' : 'timer',
    durations: { averageMs: 120, count: 1000, minimumMs: 3, maximumMs: 900, percentilesMs: [3, 10, 50, 100, 200, 800, 900] },
    memory: { scope: 'app', sampleCount: 10, averageMb: 170, percentilesMb: [100, 110, 130, 160, 190, 250, 300, 400] },
  }));
  const perFn = 20;
  const rowPtr = new Uint32Array(nFunctions + 1);
  const slot = new Uint32Array(nFunctions * perFn);
  const count = new Uint32Array(nFunctions * perFn);
  for (let f = 0; f < nFunctions; f++) {
    rowPtr[f + 1] = (f + 1) * perFn;
    for (let k = 0; k < perFn; k++) {
      slot[f * perFn + k] = (f * 7 + k * 71) % 1440 === 0 ? k * 72 : k * 72 + 1;
      count[f * perFn + k] = 1 + ((f + k) % 9);
    }
  }
  const arrivals: current.Arrivals = { kind: 'minute-counts', rowPtr, slot, count };
  return {
    schemaVersion: 1,
    format: 'azure2019',
    window: { startS: 0, endS: 86400 },
    functions,
    arrivals,
    files: [],
    joinReport: null,
    stats: current.computeTraceStats(functions, arrivals, 0),
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** CPU ms per call (user + system: the process is single-threaded, and CPU time is what load leaves honest). */
function time(run: () => void, reps: number): number {
  const c0 = process.cpuUsage();
  for (let i = 0; i < reps; i++) run();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000 / reps;
}

function main(): void {
  const rounds = Number(arg('--rounds') ?? 15);
  const baselineDir = arg('--baseline');
  const base = baselineDir ? load(baselineDir) : null;
  const cur: Model = { ...current, validateProcess };
  const spec = planSpec();
  const req = analysisRequest();
  const proc = procSection();
  const traceBytes = current.encodeTrace(bigTrace(46_000));
  let ajvValidate: ((v: unknown) => boolean) | null = null;
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const Ajv = require('ajv') as { default: new (o: object) => { compile(s: object): (v: unknown) => boolean } };
    ajvValidate = new Ajv.default({ allErrors: false }).compile(PROC_SCHEMA);
  } catch {
    // ajv is not a dependency of the project: compared only when it is installed
  }
  const cases: { name: string; reps: number; run: (m: Model) => void; ajv?: () => void }[] = [
    { name: 'plan-spec', reps: 200, run: (m) => m.validatePlanSpec(spec) },
    { name: 'analysis', reps: 500, run: (m) => m.validateAnalysisRequest(req) },
    {
      name: 'dump-proc',
      reps: 500,
      run: (m) => m.validateProcess(proc, 4096),
      ajv: ajvValidate
        ? () => {
            if (!ajvValidate!(proc)) throw new Error('ajv refused the PROC section');
          }
        : undefined,
    },
    { name: 'trace-decode', reps: 2, run: (m) => m.decodeTrace(traceBytes) },
  ];
  const only = arg('--only');
  const rows: Record<string, number | string | null>[] = [];
  for (const c of cases.filter((x) => !only || x.name === only)) {
    if (base) {
      // the same answer from both, or the timing compares different work
      const out = (m: Model) => (c.name === 'plan-spec' ? m.validatePlanSpec(spec) : c.name === 'analysis' ? m.validateAnalysisRequest(req) : c.name === 'dump-proc' ? m.validateProcess(proc, 4096) : m.decodeTrace(traceBytes));
      if (!isDeepStrictEqual(out(base), out(cur))) throw new Error(`${c.name}: baseline and current give different results`);
    }
    const t: { base: number[]; cur: number[]; ajv: number[] } = { base: [], cur: [], ajv: [] };
    for (let r = 0; r < rounds + 2; r++) {
      const warm = r < 2;
      // which goes first alternates too: the garbage one leaves is collected during the other's time
      let b = NaN;
      let k: number;
      if (r % 2 === 0) {
        if (base) b = time(() => c.run(base), c.reps);
        k = time(() => c.run(cur), c.reps);
      } else {
        k = time(() => c.run(cur), c.reps);
        if (base) b = time(() => c.run(base), c.reps);
      }
      const a = c.ajv ? time(c.ajv, c.reps) : NaN;
      if (warm) continue;
      t.base.push(b);
      t.cur.push(k);
      t.ajv.push(a);
    }
    rows.push({
      case: c.name,
      baselineCpuMs: base ? +median(t.base).toFixed(4) : null,
      currentCpuMs: +median(t.cur).toFixed(4),
      ratio: base ? +(median(t.cur) / median(t.base)).toFixed(3) : null,
      // the least disturbed round of each: on a loaded machine the steadier figure
      minRatio: base ? +(Math.min(...t.cur) / Math.min(...t.base)).toFixed(3) : null,
      ajvCpuMs: c.ajv ? +median(t.ajv).toFixed(4) : null,
    });
  }
  console.table(rows);
  console.log(JSON.stringify(rows));
}

main();
