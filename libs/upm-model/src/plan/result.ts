/** What a plan run returns (version 1): the same JSON from the API, the worker and `upm plan run --json`. */
import type { MergeModelName } from '../merge/common/types';
import type { TraceFormat } from '../traces/types';
import type { PolicySpec } from './spec';

export const PLAN_RESULT_VERSION = 1 as const;

/** Samples at window start + k·stepS, shared by every series. */
export interface PlanTimeseries {
  stepS: number;
  /** Sample times, seconds since the trace origin. */
  t: number[];
  /** Per model: the sum over hosts (host 'all'), then, with more than one host, one series per host. */
  series: PlanSeries[];
}

export interface PlanSeries {
  model: MergeModelName;
  /** Host index, or 'all' for the sum over hosts. */
  host: number | 'all';
  /** Physical memory of the resident containers at the sample. */
  memoryUsedBytes: number[];
  /** Highest physical memory since the previous sample. */
  memoryPeakBytes: number[];
  /** Unmerged minus physical memory of the same containers. */
  memorySavedBytes: number[];
  containers: number[];
}

export interface PlanModelResult {
  model: MergeModelName;
  /** Invocations replayed in the window and counted (after the warm-up, if any). */
  invocations: number;
  coldStarts: number;
  warmStarts: number;
  /** Invocations that did not run: rejectedMemory + rejectedCpu. */
  rejected: number;
  /** No host could hold a new container even after evicting every idle one there. */
  rejectedMemory: number;
  /** Every host had `cores` invocations running. */
  rejectedCpu: number;
  /** (coldStarts + rejected) / invocations: the rate sizing keeps under its target. */
  coldStartRate: number;
  /** Idle containers removed to make room under memory pressure. */
  evictions: number;
  /** Idle containers whose keep-alive ended. */
  expirations: number;
  /** hybrid-histogram: containers unloaded after an execution to be pre-warmed later. */
  unloads: number;
  prewarms: number;
  prewarmsSkipped: number;
  /** The maximum, after the warm-up (if any). */
  peakMemoryBytes: number;
  /** When it was first reached, seconds since the trace origin (absent in results stored before it existed). */
  peakMemoryAtS?: number;
  /**
   * The steady-state figure beside the maximum: the 99th percentile (nearest rank) of the total memory sampled
   * every timeseriesStepS from the end of the warm-up (or the window's start) to the window's end. Absent in
   * results stored before it existed.
   */
  p99MemoryBytes?: number;
  meanMemoryBytes: number;
  /** The same containers with nothing merged. */
  peakUnmergedBytes: number;
  meanUnmergedBytes: number;
  savedBytes: { peak: number; mean: number };
  peakContainers: number;
  meanContainers: number;
  /** Cold-start latency, including UPM's madvise when it runs right after initialisation. */
  coldStartLatencyMs: { total: number; mean: number };
  /** upm only. */
  madvise: { calls: number; totalCostMs: number; meanCostMs: number; merges: number; misses: number } | null;
  /** ksm only. */
  ksm: { scanPagesPerSec: number; batchPeriodMs: number; containersMerged: number; meanMergeDelayS: number } | null;
  /** Per-host peak physical memory. */
  hostPeakMemoryBytes: number[];
  /** Aligned with PlanResult.functions. */
  perFunction: { coldStarts: number[]; warmStarts: number[]; rejected: number[] };
}

export interface SizingEvaluation {
  hosts: number;
  coldStartRate: number;
  coldStarts: number;
  rejected: number;
}

export interface SizingModelResult {
  /** Fewest hosts meeting the target; null = not met with maxHosts. */
  hosts: number | null;
  coldStartRate: number | null;
  /**
   * The lowest rate any host count can give: with unlimited memory and cores (the policy's cold starts and
   * every function's first call). Above the target, no host count is searched (hosts null, no evaluations).
   */
  floorColdStartRate: number;
  /** Every host count simulated, ascending. */
  evaluations: SizingEvaluation[];
}

export interface SizingResult {
  targetColdStartRate: number;
  hostMemoryGiB: number;
  maxHosts: number;
  models: Partial<Record<MergeModelName, SizingModelResult>>;
}

export interface SweepPointSummary {
  /** The point's index: GET /v1/plans/:id/timeseries?point=index. */
  index: number;
  hostMemoryGiB: number | null;
  ttlMinutes: number | null;
  specHash: string;
  models: Partial<
    Record<
      MergeModelName,
      Pick<
        PlanModelResult,
        | 'coldStarts'
        | 'warmStarts'
        | 'rejected'
        | 'coldStartRate'
        | 'evictions'
        | 'peakMemoryBytes'
        | 'p99MemoryBytes'
        | 'meanMemoryBytes'
        | 'savedBytes'
        | 'peakContainers'
        | 'meanContainers'
      >
    >
  >;
  sizing: SizingResult | null;
}

export interface SweepResult {
  hostMemoryGiB: (number | null)[];
  ttlMinutes: (number | null)[];
  /** Host memory outer, TTL inner (expandSweep's order). */
  points: SweepPointSummary[];
}

export interface PlanResult {
  version: 1;
  specHash: string;
  trace: {
    ref: string;
    format: TraceFormat;
    functions: number;
    /** Invocations in the replayed window. */
    invocations: number;
    window: { fromS: number; toS: number };
    /**
     * Only with spec.warmupMinutes: the invocations starting before `untilS` were replayed but are in no count
     * or rate (models[].invocations counts the others).
     */
    warmup?: { minutes: number; untilS: number; invocations: number };
  };
  host: { count: number; memoryBytes: number | null; cores: number | null };
  policy: PolicySpec;
  pageSize: number;
  /** Function keys "<app>/<id>", in trace order (per-function arrays align with it). */
  functions: string[];
  /** Functions modelled from their app's memory percentiles (no dump). */
  functionsFromPercentiles: string[];
  /** Functions with neither dump nor memory figures: profiles.fallback.defaultMemoryMiB. */
  functionsFromDefaultSize: string[];
  profiles: { refs: string[]; templates: number; upmClasses: number; ksmClasses: number };
  /** One per model of the spec, in the order none, ksm, upm. */
  models: PlanModelResult[];
  timeseries: PlanTimeseries;
  sizing: SizingResult | null;
  /**
   * Set by combineSweep: the point summaries. `host` and `policy` are then the sweep spec's, `models` is empty,
   * `timeseries` has no samples and `sizing` is null: every point has its own, in `sweep.points`.
   */
  sweep: SweepResult | null;
  warnings: string[];
}
