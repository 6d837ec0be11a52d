/** Small traces and plan pieces for the simulator's unit tests (not exported by the library). */
import { buildDump, range } from '../merge/common/test-dumps';
import type { Dump } from '../dump/types';
import { computeTraceStats } from '../traces/stats';
import type { NormalizedTrace, TraceFunction } from '../traces/types';
import { Engine, EngineConfig, EngineEvent, EngineResult } from './engine';
import { buildProfilesFrom, ProfileSet } from './profiles';
import { DEFAULT_KSM_PLAN_PARAMS, PolicySpec } from './spec';
import { DEFAULT_UPM_COSTS } from '../merge/upm/upm-model';
import type { MergeModelName } from '../merge/common/types';

export interface Inv {
  fn: number;
  at: number;
  /** seconds */
  dur: number;
}

export function fnsOf(n: number, memoryMb?: number[]): TraceFunction[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `f${i}`,
    app: `a${i}`,
    owner: '',
    trigger: 'http' as const,
    durations: null,
    memory:
      memoryMb === undefined
        ? null
        : {
            scope: 'function' as const,
            sampleCount: 1,
            averageMb: memoryMb[i],
            percentilesMb: Array(8).fill(memoryMb[i]),
          },
  }));
}

/** A timestamped trace of the given invocations (sorted by start, ties in the given order). */
export function makeTrace(
  functions: TraceFunction[],
  invs: Inv[],
  window?: { startS: number; endS: number },
): NormalizedTrace {
  const order = invs.map((v, i) => ({ v, i })).sort((a, b) => a.v.at - b.v.at || a.i - b.i);
  const fn = Uint32Array.from(order.map((o) => o.v.fn));
  const startS = Float64Array.from(order.map((o) => o.v.at));
  const durationMs = Float64Array.from(order.map((o) => o.v.dur * 1000));
  const arrivals = { kind: 'timestamps' as const, fn, startS, durationMs };
  const end = invs.reduce((m, v) => Math.max(m, v.at + v.dur), 0);
  return {
    schemaVersion: 1,
    format: 'azure2021',
    window: window ?? { startS: 0, endS: Math.ceil(end) + 1 },
    functions,
    arrivals,
    files: [],
    joinReport: null,
    stats: computeTraceStats(functions, arrivals, 0),
  };
}

/** Synthetic profiles: one template per function of `pages` pages, `shared` of them identical across its containers. */
export function fallbackProfiles(pagesPerFn: number[], sharedFraction = 0): ProfileSet {
  return buildProfilesFrom(
    pagesPerFn.map((p, i) => ({
      key: `a${i}/f${i}`,
      refs: null,
      fn: {
        ...fnsOf(1)[0],
        memory: {
          scope: 'function',
          sampleCount: 1,
          averageMb: (p * 4096) / 1048576,
          percentilesMb: Array(8).fill((p * 4096) / 1048576),
        },
      },
    })),
    [],
    { assumeMergeable: true, snapshot: 'last', fallback: { sharedFraction, percentile: 'p50', defaultMemoryMiB: 1 } },
  );
}

/** Profiles from dumps: function i uses dumps[i]. */
export function dumpProfiles(dumps: Dump[][]): ProfileSet {
  const list: { ref: string; dump: Dump }[] = [];
  const requests = dumps.map((ds, i) => ({
    key: `a${i}/f${i}`,
    refs: ds.map((d, j) => {
      const ref = `d${i}.${j}`;
      list.push({ ref, dump: d });
      return ref;
    }),
    fn: null,
  }));
  return buildProfilesFrom(requests, list, {
    assumeMergeable: true,
    snapshot: 'last',
    fallback: { sharedFraction: 0, percentile: 'p50', defaultMemoryMiB: 1 },
  });
}

/** A dump of `procs` processes each holding `shared` pages common to all and `unique` of its own. */
export function sharedDump(fnLabel: string, procs: number, shared: number, unique: number, base = 0): Dump {
  return buildDump({
    fn: fnLabel,
    snapshots: [
      {
        timeMs: 0,
        procs: Array.from({ length: procs }, (_, k) => ({
          pid: 100 + k,
          vmas: [
            {
              pages: [
                ...range(base, base + shared),
                ...range(base + 1_000_000 + k * unique, base + 1_000_000 + (k + 1) * unique),
              ],
            },
          ],
        })),
      },
    ],
  });
}

export interface RunOpts {
  model?: MergeModelName;
  policy?: PolicySpec;
  hosts?: number;
  capacityPages?: number;
  cores?: number;
  coldMs?: number | number[];
  stepS?: number | null;
  spanEndS?: number;
  warmupEndS?: number;
  /** Replay in batches of this many invocations (default one batch). */
  batch?: number;
  ksm?: Partial<typeof DEFAULT_KSM_PLAN_PARAMS>;
  madviseAfterInitMs?: number;
}

export function runEngine(
  trace: NormalizedTrace,
  profiles: ProfileSet,
  o: RunOpts = {},
): { r: EngineResult; log: EngineEvent[] } {
  const nFn = trace.functions.length;
  const cold = new Float64Array(nFn);
  for (let f = 0; f < nFn; f++) cold[f] = Array.isArray(o.coldMs) ? o.coldMs[f] : (o.coldMs ?? 0);
  const log: EngineEvent[] = [];
  const cfg: EngineConfig = {
    model: o.model ?? 'none',
    profiles,
    hosts: o.hosts ?? 1,
    capacityPages: o.capacityPages ?? Infinity,
    cores: o.cores ?? Infinity,
    policy: o.policy ?? { kind: 'ttl', ttlMinutes: 10 },
    coldStartMs: cold,
    ksm: { ...DEFAULT_KSM_PLAN_PARAMS, ...(o.ksm ?? {}) },
    upm: { madviseAfterInitMs: o.madviseAfterInitMs ?? 0, costs: { ...DEFAULT_UPM_COSTS } },
    spanStartS: trace.window.startS,
    spanEndS: o.spanEndS ?? trace.window.endS,
    warmupEndS: o.warmupEndS,
    stepS: o.stepS === undefined ? null : o.stepS,
    perFunction: true,
    log,
  };
  const a = trace.arrivals as Extract<NormalizedTrace['arrivals'], { kind: 'timestamps' }>;
  const size = o.batch ?? Math.max(1, a.startS.length);
  const batches = [];
  for (let i = 0; i < a.startS.length; i += size) {
    const j = Math.min(a.startS.length, i + size);
    batches.push({ startS: a.startS.subarray(i, j), durationMs: a.durationMs.subarray(i, j), fn: a.fn.subarray(i, j) });
  }
  const r = new Engine(cfg).run(batches);
  return { r, log };
}
