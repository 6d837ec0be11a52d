/**
 * runPlan: the product's main job. Replays a trace through the discrete-event engine (engine.ts) once per
 * merge model, then, when asked, searches the host count that keeps the cold-start rate under a target, and
 * returns a PlanResult (result.ts). Pure and deterministic: the same spec and inputs give the same result.
 */
import { createHash } from 'node:crypto';
import type { Dump } from '../dump/types';
import type { MergeModelName } from '../merge/common/types';
import { expandInvocations, InvocationBatch, lowerBound } from '../traces/expand';
import type { NormalizedTrace } from '../traces/types';
import { joinReportWarnings } from '../traces/stats';
import { Engine, EngineConfig, EngineResult, HostSeries } from './engine';
import { buildProfiles, ProfileSet } from './profiles';
import {
  PlanModelResult,
  PlanResult,
  PlanTimeseries,
  SizingModelResult,
  SizingResult,
  PLAN_RESULT_VERSION,
} from './result';
import {
  canonicalJson,
  checkFunctionKeys,
  expandSweep,
  functionKey,
  PlanSpec,
  PlanSpecError,
  resolveProfiles,
  validatePlanSpec,
} from './spec';
import { combineSweep } from './sweep';

export interface PlanInputs {
  trace: NormalizedTrace;
  /** Loaded dumps by the refs the spec uses (resolveProfiles(spec, trace).refs). */
  dumps: ReadonlyMap<string, Dump>;
}

export interface PlanHooks {
  /** Fraction done, 0..1, non-decreasing. */
  onProgress?(fraction: number): void;
  signal?: AbortSignal;
}

/** Largest number of time-series samples per run. */
export const MAX_TIMESERIES_POINTS = 1_000_000;
/** Per-minute traces up to this many invocations are expanded once and replayed from memory. */
const MATERIALIZE_LIMIT = 20_000_000;
const BATCH = 65536;

/**
 * Runs a plan (a sweep runs every point and combines them). Throws PlanSpecError for a bad spec or a spec that
 * does not fit the inputs (a dump not provided, a time-series step too small for the window), and an
 * AbortError when the signal aborts.
 */
export function runPlan(spec: PlanSpec | unknown, inputs: PlanInputs, hooks: PlanHooks = {}): PlanResult {
  const s = validatePlanSpec(spec);
  if (s.sweep) {
    const points = expandSweep(s);
    const results: PlanResult[] = [];
    points.forEach((p, i) => {
      results.push(
        runPoint(p, inputs, {
          signal: hooks.signal,
          onProgress: hooks.onProgress ? (x) => hooks.onProgress?.((i + x) / points.length) : undefined,
        }),
      );
    });
    return combineSweep(s, results);
  }
  return runPoint(s, inputs, hooks);
}

/** The invocations of the window, as batches; replayable. */
export interface InvocationSource {
  count: number;
  batches(): Iterable<InvocationBatch>;
}

/**
 * The last window expanded from each per-minute trace (its batches are only read by the engine). A plan's sweep
 * points share its seed and window, and so do the point jobs a worker process runs on its cached trace: the
 * expansion is done once per plan rather than once per point. Held as long as the trace object lives.
 */
const lastExpansion = new WeakMap<NormalizedTrace, { key: string; source: InvocationSource }>();

export function invocationSource(
  trace: NormalizedTrace,
  seed: number | string,
  fromS: number,
  toS: number,
): InvocationSource {
  const a = trace.arrivals;
  if (a.kind === 'timestamps') {
    const lo = lowerBound(a.startS, fromS);
    const hi = lowerBound(a.startS, toS);
    return {
      count: hi - lo,
      *batches() {
        for (let i = lo; i < hi; i += BATCH) {
          const j = Math.min(hi, i + BATCH);
          yield { startS: a.startS.subarray(i, j), durationMs: a.durationMs.subarray(i, j), fn: a.fn.subarray(i, j) };
        }
      },
    };
  }
  const expand = () => expandInvocations(trace, { seed, fromS, toS });
  if (trace.stats.invocations <= MATERIALIZE_LIMIT) {
    const key = `${typeof seed}:${seed}|${fromS}|${toS}`;
    const last = lastExpansion.get(trace);
    if (last?.key === key) return last.source;
    const list = [...expand()];
    let count = 0;
    for (const b of list) count += b.startS.length;
    const source = { count, batches: () => list };
    lastExpansion.set(trace, { key, source });
    return source;
  }
  // too large to hold: expanded again for every run (the same seed gives the same events)
  let count = 0;
  for (let f = 0; f < a.rowPtr.length - 1; f++) {
    for (let e = a.rowPtr[f]; e < a.rowPtr[f + 1]; e++) {
      const s0 = a.slot[e] * 60;
      if (s0 + 60 > fromS && s0 < toS) count += a.count[e];
    }
  }
  return { count, batches: expand };
}

interface Prepared {
  spec: PlanSpec;
  profiles: ProfileSet;
  coldStartMs: Float64Array;
  source: InvocationSource;
  fromS: number;
  toS: number;
  refs: string[];
}

function prepare(s: PlanSpec, inputs: PlanInputs): Prepared {
  const trace = inputs.trace;
  checkFunctionKeys(s, trace);
  const resolved = resolveProfiles(s, trace);
  const profiles = buildProfiles(trace.functions, resolved, inputs.dumps, {
    assumeMergeable: s.modelParams.ksm.assumeMergeable,
    snapshot: s.profiles.snapshot,
    fallback: s.profiles.fallback,
  });
  const coldStartMs = new Float64Array(trace.functions.length);
  trace.functions.forEach((f, i) => {
    coldStartMs[i] = s.coldStartMs.functions[functionKey(f)] ?? s.coldStartMs.functions[f.id] ?? s.coldStartMs.default;
  });
  const { fromS, toS } = checkPlanWindow(s, trace.window);
  return {
    spec: s,
    profiles,
    coldStartMs,
    source: invocationSource(trace, s.seed, fromS, toS),
    fromS,
    toS,
    refs: resolved.refs,
  };
}

/**
 * The replayed window of a plan over a trace covering `traceWindow` ([startS, endS) seconds), checked: a
 * `window` must overlap the trace (else nothing would be replayed), and the time series must have at most
 * MAX_TIMESERIES_POINTS samples. Throws PlanSpecError naming the field. The API calls it at submission.
 */
export function checkPlanWindow(
  s: Pick<PlanSpec, 'window' | 'timeseriesStepS' | 'warmupMinutes'>,
  traceWindow: { startS: number; endS: number },
): { fromS: number; toS: number } {
  const fromS = s.window ? s.window.fromS : traceWindow.startS;
  const toS = s.window ? s.window.toS : traceWindow.endS;
  if (s.window && (s.window.toS <= traceWindow.startS || s.window.fromS >= traceWindow.endS)) {
    throw new PlanSpecError(
      'window',
      `[${s.window.fromS}, ${s.window.toS}) s lies outside the trace, which covers [${traceWindow.startS}, ${traceWindow.endS}) s: no invocation would be replayed`,
    );
  }
  const warmupS = (s.warmupMinutes ?? 0) * 60;
  if (warmupS > 0 && warmupS >= toS - fromS) {
    throw new PlanSpecError(
      'warmupMinutes',
      `must be shorter than the replayed window [${fromS}, ${toS}) s (${(toS - fromS) / 60} min), got ${s.warmupMinutes}`,
    );
  }
  if ((toS - fromS) / s.timeseriesStepS > MAX_TIMESERIES_POINTS) {
    throw new PlanSpecError(
      'timeseriesStepS',
      `gives more than ${MAX_TIMESERIES_POINTS} samples over the ${toS - fromS} s window; use at least ${Math.ceil((toS - fromS) / MAX_TIMESERIES_POINTS)}`,
    );
  }
  return { fromS, toS };
}

function capacityPages(memoryGiB: number | null, pageSize: number): number {
  return memoryGiB === null ? Infinity : Math.floor((memoryGiB * 1073741824) / pageSize);
}

function engineConfig(
  p: Prepared,
  model: MergeModelName,
  hosts: number,
  memoryGiB: number | null,
  full: boolean,
  signal?: AbortSignal,
): EngineConfig {
  const s = p.spec;
  return {
    model,
    profiles: p.profiles,
    hosts,
    capacityPages: capacityPages(memoryGiB, p.profiles.pageSize),
    cores: s.host.cores ?? Infinity,
    policy: s.policy,
    coldStartMs: p.coldStartMs,
    ksm: s.modelParams.ksm,
    upm: s.modelParams.upm,
    spanStartS: p.fromS,
    spanEndS: p.toS,
    warmupEndS: p.fromS + (s.warmupMinutes ?? 0) * 60,
    stepS: full ? s.timeseriesStepS : null,
    perFunction: full,
    signal,
  };
}

/** Estimated simulations per model in a sizing search (galloping then bisection). */
function sizingRunsEstimate(maxHosts: number): number {
  return 2 * Math.ceil(Math.log2(maxHosts + 1)) + 1;
}

/** One plan point end to end: prepare, each model's run, the sizing search, progress, the result. */
function runPoint(s: PlanSpec, inputs: PlanInputs, hooks: PlanHooks): PlanResult {
  const p = prepare(s, inputs);
  const n = Math.max(1, p.source.count);
  const runsPerModel = 1 + (s.sizing ? sizingRunsEstimate(s.sizing.maxHosts) : 0);
  const totalWork = n * runsPerModel * s.models.length;
  let doneWork = 0;
  let reported = 0;
  const progress = (extra: number) => {
    if (!hooks.onProgress) return;
    const f = Math.min(0.999, (doneWork + extra) / totalWork);
    if (f > reported) {
      reported = f;
      hooks.onProgress(f);
    }
  };
  const simulate = (cfg: EngineConfig): EngineResult => {
    if (hooks.signal?.aborted) throw abortError();
    cfg.onBatch = (done) => progress(done);
    const r = new Engine(cfg).run(p.source.batches());
    doneWork += n;
    progress(0);
    return r;
  };

  const models: PlanModelResult[] = [];
  let warmupInvocations = 0;
  const timeseries: PlanTimeseries = { stepS: s.timeseriesStepS, t: [], series: [] };
  for (const model of s.models) {
    const r = simulate(engineConfig(p, model, s.host.count, s.host.memoryGiB, true, hooks.signal));
    models.push(modelResult(model, r, p.profiles.pageSize, p.fromS + (s.warmupMinutes ?? 0) * 60));
    warmupInvocations = r.warmupInvocations;
    addSeries(timeseries, model, r.series as NonNullable<EngineResult['series']>, p.profiles.pageSize);
  }
  const { sizing, unattainable } = sizePoint(s, p, simulate, hooks.signal);
  hooks.onProgress?.(1);
  const trace = inputs.trace;
  const keys = trace.functions.map(functionKey);
  const warnings = pointWarnings(s, trace, p, unattainable, warmupInvocations);
  return {
    version: PLAN_RESULT_VERSION,
    specHash: hashOf(s),
    trace: {
      ref: s.trace,
      format: trace.format,
      functions: trace.functions.length,
      invocations: p.source.count,
      window: { fromS: p.fromS, toS: p.toS },
      ...(s.warmupMinutes
        ? {
            warmup: {
              minutes: s.warmupMinutes,
              untilS: p.fromS + s.warmupMinutes * 60,
              invocations: warmupInvocations,
            },
          }
        : {}),
    },
    host: {
      count: s.host.count,
      memoryBytes: s.host.memoryGiB === null ? null : s.host.memoryGiB * 1073741824,
      cores: s.host.cores,
    },
    policy: s.policy,
    pageSize: p.profiles.pageSize,
    functions: keys,
    functionsFromPercentiles: keys.filter((_, i) => p.profiles.fnSource[i] === 'percentile'),
    functionsFromDefaultSize: keys.filter((_, i) => p.profiles.fnSource[i] === 'default'),
    profiles: {
      refs: p.refs,
      templates: p.profiles.templates.length,
      upmClasses: p.profiles.upmClassCount,
      ksmClasses: p.profiles.ksmClassCount,
    },
    models,
    timeseries,
    sizing,
    sweep: null,
    warnings,
  };
}

/** A model's memory and container series (all hosts, then each host) in bytes, on the run's time axis. */
function addSeries(
  timeseries: PlanTimeseries,
  model: MergeModelName,
  ser: NonNullable<EngineResult['series']>,
  pageSize: number,
): void {
  timeseries.t = ser.tS;
  const B = (xs: number[]) => xs.map((x) => x * pageSize);
  const add = (host: number | 'all', h: HostSeries) =>
    timeseries.series.push({
      model,
      host,
      memoryUsedBytes: B(h.memoryPages),
      memoryPeakBytes: B(h.peakMemoryPages),
      memorySavedBytes: B(h.savedPages),
      containers: h.containers,
    });
  add('all', ser.total);
  ser.hosts.forEach((h, i) => add(i, h));
}

/**
 * The sizing search of a plan point: per model, the cold-start floor (unlimited memory and cores) and, where
 * the target is above it, the fewest hosts of the sizing memory that meet the target. `unattainable` names
 * the models whose floor is above the target.
 */
function sizePoint(
  s: PlanSpec,
  p: Prepared,
  simulate: (cfg: EngineConfig) => EngineResult,
  signal: AbortSignal | undefined,
): { sizing: SizingResult | null; unattainable: string[] } {
  const unattainable: string[] = [];
  if (!s.sizing) return { sizing: null, unattainable };
  const sz = s.sizing;
  const sizeMem = sz.hostMemoryGiB;
  if (sizeMem === null)
    throw new PlanSpecError('sizing.hostMemoryGiB', 'must be set in a plan point (run the points of expandSweep)');
  const sizing: SizingResult = {
    targetColdStartRate: sz.targetColdStartRate,
    hostMemoryGiB: sizeMem,
    maxHosts: sz.maxHosts,
    models: {},
  };
  for (const model of s.models) {
    // the floor: no host count does better than unlimited memory and cores (cold starts of the policy alone)
    const cfg = engineConfig(p, model, 1, null, false, signal);
    cfg.cores = Infinity;
    const f = simulate(cfg);
    const floor = f.invocations > 0 ? (f.coldStarts + f.rejectedMemory + f.rejectedCpu) / f.invocations : 0;
    if (floor > sz.targetColdStartRate) {
      sizing.models[model] = { hosts: null, coldStartRate: null, floorColdStartRate: floor, evaluations: [] };
      unattainable.push(`${model} ${(100 * floor).toFixed(2)}%`);
      continue;
    }
    sizing.models[model] = {
      ...searchHosts(sz.targetColdStartRate, sz.maxHosts, (hosts) => {
        const r = simulate(engineConfig(p, model, hosts, sizeMem, false, signal));
        const rejected = r.rejectedMemory + r.rejectedCpu;
        return {
          coldStarts: r.coldStarts,
          rejected,
          rate: r.invocations > 0 ? (r.coldStarts + rejected) / r.invocations : 0,
        };
      }),
      floorColdStartRate: floor,
    };
  }
  return { sizing, unattainable };
}

/** The warnings of a plan point: the trace's join report, the profiles', and what makes its rates hollow. */
function pointWarnings(
  s: PlanSpec,
  trace: PlanInputs['trace'],
  p: Prepared,
  unattainable: string[],
  warmupInvocations: number,
): string[] {
  const warnings = [...joinReportWarnings(trace.joinReport), ...p.profiles.warnings];
  if (unattainable.length > 0)
    warnings.push(
      `sizing: the target cold-start rate ${(100 * (s.sizing as NonNullable<PlanSpec['sizing']>).targetColdStartRate).toFixed(2)}% is below what any number of hosts gives (${unattainable.join(', ')}: the rate with unlimited memory, from the keep-alive policy and every function's first call alone); no host count was searched${s.warmupMinutes ? '' : '; warmupMinutes excludes the first calls from the rates to size for the steady state'}`,
    );
  if (p.source.count === 0)
    warnings.push(`no invocation starts in the replayed window [${p.fromS}, ${p.toS}) s: every rate is 0`);
  if (s.warmupMinutes && p.source.count > 0 && warmupInvocations === p.source.count)
    warnings.push(
      `every invocation of the window starts in the ${s.warmupMinutes}-minute warm-up: nothing is counted, every rate is 0`,
    );
  if (trace.functions.length > 0 && p.profiles.fnSource.every((x) => x !== 'dump')) {
    const dflt = p.profiles.fnSource.filter((x) => x === 'default').length;
    warnings.push(
      `no function of the trace matched a dump: all ${trace.functions.length} are modelled from ${dflt === trace.functions.length ? `the default size (${s.profiles.fallback.defaultMemoryMiB} MiB)` : 'app memory percentiles or the default size'} with a shared fraction of ${s.profiles.fallback.sharedFraction}, so the models differ only by that assumption; map functions to dumps in profiles (GET /v1/traces/:id/functions lists the keys)`,
    );
  }
  return warnings;
}

/** planSpecHash of an already normalized spec (validation is idempotent, so the hashes are equal). */
function hashOf(s: PlanSpec): string {
  return createHash('sha256').update(canonicalJson(s)).digest('hex');
}

function abortError(): Error {
  const e = new Error('aborted');
  e.name = 'AbortError';
  return e;
}

/**
 * Fewest hosts in [1, maxHosts] with rate ≤ target: galloping (1, 2, 4, ... and maxHosts) to the first count
 * that meets it, then bisection between the last that did not and it. Assumes the rate does not rise with more
 * hosts (true of placement on the host with the most free memory up to ties).
 */
export function searchHosts(
  target: number,
  maxHosts: number,
  evaluate: (hosts: number) => { coldStarts: number; rejected: number; rate: number },
): Omit<SizingModelResult, 'floorColdStartRate'> {
  const seen = new Map<number, { coldStarts: number; rejected: number; rate: number }>();
  const ev = (h: number) => {
    let r = seen.get(h);
    if (!r) {
      r = evaluate(h);
      seen.set(h, r);
    }
    return r;
  };
  let bad = 0;
  let good = -1;
  for (let h = 1; ; h = Math.min(maxHosts, h * 2)) {
    if (ev(h).rate <= target) {
      good = h;
      break;
    }
    bad = h;
    if (h === maxHosts) break;
  }
  if (good > 0) {
    while (good - bad > 1) {
      const mid = (bad + good) >>> 1;
      if (ev(mid).rate <= target) good = mid;
      else bad = mid;
    }
  }
  const evaluations = [...seen.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([hosts, r]) => ({ hosts, coldStartRate: r.rate, coldStarts: r.coldStarts, rejected: r.rejected }));
  return {
    hosts: good > 0 ? good : null,
    coldStartRate: good > 0 ? (seen.get(good) as { rate: number }).rate : null,
    evaluations,
  };
}

/** Nearest-rank 99th percentile of the total memory sampled from `fromS` on (0 with no sample). */
function p99MemoryPages(series: EngineResult['series'], fromS: number): number {
  if (!series) return 0;
  const xs: number[] = [];
  series.tS.forEach((t, i) => t >= fromS && xs.push(series.total.memoryPages[i]));
  if (xs.length === 0) return 0;
  xs.sort((a, b) => a - b);
  return xs[Math.ceil(0.99 * xs.length) - 1];
}

/** A model's figures; `countFromS` is where counts, peaks and means start (the warm-up's end, or the window's start). */
function modelResult(model: MergeModelName, r: EngineResult, pageSize: number, countFromS: number): PlanModelResult {
  const B = (x: number) => x * pageSize;
  const rejected = r.rejectedMemory + r.rejectedCpu;
  const started = r.coldStarts;
  return {
    model,
    invocations: r.invocations,
    coldStarts: r.coldStarts,
    warmStarts: r.warmStarts,
    rejected,
    rejectedMemory: r.rejectedMemory,
    rejectedCpu: r.rejectedCpu,
    coldStartRate: r.invocations > 0 ? (r.coldStarts + rejected) / r.invocations : 0,
    evictions: r.evictions,
    expirations: r.expirations,
    unloads: r.unloads,
    prewarms: r.prewarms,
    prewarmsSkipped: r.prewarmsSkipped,
    peakMemoryBytes: B(r.peakPages),
    peakMemoryAtS: r.peakAtS,
    p99MemoryBytes: B(p99MemoryPages(r.series, countFromS)),
    meanMemoryBytes: B(r.meanPages),
    peakUnmergedBytes: B(r.peakUnmergedPages),
    meanUnmergedBytes: B(r.meanUnmergedPages),
    savedBytes: { peak: B(r.peakSavedPages), mean: B(r.meanSavedPages) },
    peakContainers: r.peakContainers,
    meanContainers: r.meanContainers,
    coldStartLatencyMs: {
      total: r.coldStartLatencyMsTotal,
      mean: started > 0 ? r.coldStartLatencyMsTotal / started : 0,
    },
    madvise:
      model === 'upm'
        ? {
            calls: r.madviseCalls,
            totalCostMs: r.madviseCostUsTotal / 1000,
            meanCostMs: r.madviseCalls > 0 ? r.madviseCostUsTotal / 1000 / r.madviseCalls : 0,
            merges: r.madviseMerges,
            misses: r.madviseMisses,
          }
        : null,
    ksm:
      model === 'ksm'
        ? {
            scanPagesPerSec: r.ksmPagesPerSec,
            batchPeriodMs: r.ksmBatchPeriodMs,
            containersMerged: r.ksmSettled,
            meanMergeDelayS: r.ksmSettled > 0 ? r.ksmSettleDelaySumS / r.ksmSettled : 0,
          }
        : null,
    hostPeakMemoryBytes: r.perHostPeakPages.map(B),
    perFunction: {
      coldStarts: Array.from(r.fnCold ?? []),
      warmStarts: Array.from(r.fnWarm ?? []),
      rejected: Array.from(r.fnRejected ?? []),
    },
  };
}
