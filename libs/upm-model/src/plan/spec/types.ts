/**
 * The plan specification (version 1): what to replay, on which hosts, under which keep-alive policy and merge
 * models; its enumerations and its error type. See docs/simulator.md.
 */
import type { UpmCosts } from '../../merge/upm/upm-model';
import type { MergeModelName } from '../../merge/common/types';
import type { Trigger } from '../../traces/types';

/** Most rules a plan's profiles may have (each is tried on every function of the trace). */
export const MAX_PROFILE_RULES = 1000;
/**
 * The plan spec's bounds: what validatePlanSpec enforces and what the API's OpenAPI schema documents, from here
 * alone (so the two cannot drift).
 */
export const PLAN_LIMITS = {
  /** host.count and sizing.maxHosts */
  maxHosts: 1_000_000,
  /** values of one sweep axis */
  maxSweepValues: 1000,
  /** points of a sweep (product of its axes) */
  maxSweepPoints: 10_000,
  /** rangeMinutes / binMinutes of the hybrid-histogram policy */
  maxHistogramBins: 100_000,
  /** modelParams.ksm.hz */
  maxKernelHz: 10_000,
  maxProfileRules: MAX_PROFILE_RULES,
} as const;

export const PLAN_SPEC_VERSION = 1 as const;
export const PLAN_MODELS: readonly MergeModelName[] = ['none', 'ksm', 'upm'];
export const PLAN_POLICY_KINDS = ['ttl', 'hybrid-histogram', 'greedy-dual'] as const;
export type PlanPolicyKind = (typeof PLAN_POLICY_KINDS)[number];
/** Memory figure used for functions without a dump: a percentile of the app's committed memory, or its average. */
export const MEMORY_PERCENTILE_NAMES = ['p1', 'p5', 'p25', 'p50', 'p75', 'p95', 'p99', 'p100', 'average'] as const;
export type MemoryPercentileName = (typeof MEMORY_PERCENTILE_NAMES)[number];

/** Thrown by validatePlanSpec (and by the runner for spec/input mismatches); `path` is the JSON path. */
export class PlanSpecError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(path ? `${path} ${message}` : message);
    this.name = 'PlanSpecError';
  }
}

export interface ProfileRule {
  match: { trigger: Trigger | null; app: string | null; name: string | null };
  dumps: string[];
}

export interface ProfilesSpec {
  /** "<app>/<id>" or "<id>" → dump refs. */
  functions: Record<string, string[]>;
  /** First matching rule wins (after `functions`). `name` is a regular expression tested on the function id. */
  rules: ProfileRule[];
  /** For every function matched by neither `functions` nor `rules`; null = those use the fallback. */
  default: string[] | null;
  fallback: {
    /** Fraction of a fallback container's pages identical across containers of the same function. */
    sharedFraction: number;
    percentile: MemoryPercentileName;
    /** Container size for functions whose trace carries no memory figures (Azure 2021, Huawei). */
    defaultMemoryMiB: number;
  };
  /** Which snapshot of each dump gives the processes. */
  snapshot: 'first' | 'last';
}

export interface HostSpec {
  /** null = unlimited. */
  memoryGiB: number | null;
  /** Concurrent invocations per host; null = unlimited. */
  cores: number | null;
  count: number;
}

export interface TtlPolicy {
  kind: 'ttl';
  ttlMinutes: number;
}

/** Shahrad et al., "Serverless in the Wild", USENIX ATC 2020, section 4.2. */
export interface HybridHistogramPolicy {
  kind: 'hybrid-histogram';
  rangeMinutes: number;
  binMinutes: number;
  /** Pre-warm at this percentile of the idle-time histogram (the head). */
  prewarmPercentile: number;
  /** Keep alive until this percentile (the tail). */
  keepAlivePercentile: number;
  /** The head is lowered and the tail raised by this fraction. */
  margin: number;
  /** The histogram is trusted when the CV of its bin counts is at least this. */
  cvThreshold: number;
  /** Above this fraction of out-of-range idle times the time-series branch is used. */
  oobThreshold: number;
  /** Margin of the time-series branch (the paper's ARIMA branch; see docs/simulator.md). */
  forecastMargin: number;
}

/** Fuerst and Sharma, "FaasCache", ASPLOS 2021: priority = clock + frequency × cold cost / size. */
export interface GreedyDualPolicy {
  kind: 'greedy-dual';
  /** Optional idle limit; null = keep until evicted by memory pressure (FaasCache). */
  maxIdleMinutes: number | null;
}

export type PolicySpec = TtlPolicy | HybridHistogramPolicy | GreedyDualPolicy;

export interface KsmPlanParams {
  pagesToScan: number;
  sleepMs: number;
  maxPageSharing: number;
  useZeroPages: boolean;
  smartScan: boolean;
  /** Containers opt in with prctl(PR_SET_MEMORY_MERGE): every private anonymous VMA is mergeable. */
  assumeMergeable: boolean;
  /** Kernel tick rate and per-page CPU (merge/ksm/scan-timing.ts). */
  hz: number;
  pageCostUs: number;
  wakeLatencyUs: number;
}

export interface UpmPlanParams {
  /** Delay of the madvise call after the cold start's initialisation (0: right after it, lengthening it). */
  madviseAfterInitMs: number;
  costs: UpmCosts;
}

export interface SizingSpec {
  targetColdStartRate: number;
  /**
   * Memory of the hosts sized. Defaults to host.memoryGiB; in a spec sweeping host memory without it, null:
   * each point sizes hosts of its own memory (expandSweep fills it in).
   */
  hostMemoryGiB: number | null;
  maxHosts: number;
}

export interface SweepSpec {
  hostMemoryGiB: number[] | null;
  ttlMinutes: number[] | null;
}

export interface PlanSpec {
  version: 1;
  /** Opaque reference to the trace (an API trace id, or the CLI's file paths). */
  trace: string;
  profiles: ProfilesSpec;
  host: HostSpec;
  policy: PolicySpec;
  /** Canonical order none, ksm, upm; no duplicates. */
  models: MergeModelName[];
  modelParams: { ksm: KsmPlanParams; upm: UpmPlanParams };
  coldStartMs: { default: number; functions: Record<string, number> };
  seed: number | string;
  window: { fromS: number; toS: number } | null;
  /**
   * Minutes at the start of the replayed window whose invocations are replayed (containers start and stay
   * warm) but not counted: every count and rate (cold starts, rejections, sizing, its floor) covers the steady
   * state after it. Absent when 0 (the default), so that specs without it keep their hash.
   */
  warmupMinutes?: number;
  timeseriesStepS: number;
  sizing: SizingSpec | null;
  sweep: SweepSpec | null;
}
