/**
 * The plan specification (version 1): what to replay, on which hosts, under which keep-alive policy and merge
 * models. `validatePlanSpec` checks every field of untrusted JSON and returns the spec with every default
 * applied (so two ways of writing the same plan become the same object); its errors name the JSON path of the
 * bad field. `planSpecHash` is the sha256 of the canonical JSON of that normalized spec: the deterministic job id.
 * See docs/simulator.md.
 */
import { createHash } from 'node:crypto';
import { DEFAULT_KSM_TIMING } from '../merge/ksm/scan-timing';
import { KSM_DEFAULTS } from '../merge/ksm/ksm-model';
import { DEFAULT_UPM_COSTS, UpmCosts } from '../merge/upm/upm-model';
import type { MergeModelName } from '../merge/common/types';
import { TRIGGERS, Trigger } from '../traces/types';
import { compileNamePattern, NamePatternError } from './name-pattern';

/** Most rules a plan's profiles may have (each is tried on every function of the trace). */
export const MAX_PROFILE_RULES = 1000;

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

export const DEFAULT_TTL_MINUTES = 10;
export const DEFAULT_COLD_START_MS = 500;
/** Median committed memory of an Azure Functions app is about 170 MB (Shahrad et al., ATC'20, figure 9). */
export const DEFAULT_FALLBACK_MEMORY_MIB = 170;

export const HYBRID_DEFAULTS: Omit<HybridHistogramPolicy, 'kind'> = {
  rangeMinutes: 240,
  binMinutes: 1,
  prewarmPercentile: 5,
  keepAlivePercentile: 99,
  margin: 0.1,
  cvThreshold: 2,
  oobThreshold: 0.5,
  forecastMargin: 0.15,
};

/** KSM defaults: the kernel's (merge/ksm/ksm-model.ts) and the measured timing (merge/ksm/scan-timing.ts). */
export const DEFAULT_KSM_PLAN_PARAMS: Readonly<KsmPlanParams> = {
  pagesToScan: KSM_DEFAULTS.pagesToScan,
  sleepMs: KSM_DEFAULTS.sleepMs,
  maxPageSharing: KSM_DEFAULTS.maxPageSharing,
  useZeroPages: KSM_DEFAULTS.useZeroPages,
  smartScan: KSM_DEFAULTS.smartScan,
  assumeMergeable: true,
  hz: DEFAULT_KSM_TIMING.hz,
  pageCostUs: DEFAULT_KSM_TIMING.pageCostUs,
  wakeLatencyUs: DEFAULT_KSM_TIMING.wakeLatencyUs,
};

// ---------------------------------------------------------------------------------------------------------
// validation helpers

type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? (path ? `${path}.${key}` : key) : `${path}[${JSON.stringify(key)}]`;
}

function obj(path: string, v: Json, known: readonly string[]): Record<string, Json> {
  if (!isObject(v)) throw new PlanSpecError(path, 'must be an object');
  for (const k of Object.keys(v)) {
    if (!known.includes(k))
      throw new PlanSpecError(join(path, k), `is not a known field (expected one of ${known.join(', ')})`);
  }
  return v;
}

interface NumOpts {
  min?: number;
  max?: number;
  /** exclusive lower bound */
  gt?: number;
  int?: boolean;
}

function describe(o: NumOpts): string {
  const what = o.int ? 'an integer' : 'a number';
  if (o.gt === 0 && o.max === undefined) return o.int ? 'a positive integer' : 'a positive number';
  if (o.min === 0 && o.max === undefined) return o.int ? 'a non-negative integer' : 'a non-negative number';
  const parts: string[] = [];
  if (o.gt !== undefined) parts.push(`> ${o.gt}`);
  if (o.min !== undefined) parts.push(`>= ${o.min}`);
  if (o.max !== undefined) parts.push(`<= ${o.max}`);
  return parts.length ? `${what} ${parts.join(' and ')}` : what;
}

function num(path: string, v: Json, o: NumOpts = {}): number {
  const ok =
    typeof v === 'number' &&
    Number.isFinite(v) &&
    (!o.int || Number.isInteger(v)) &&
    (o.min === undefined || v >= o.min) &&
    (o.max === undefined || v <= o.max) &&
    (o.gt === undefined || v > o.gt);
  if (!ok) throw new PlanSpecError(path, `must be ${describe(o)}${v === undefined ? '' : `, got ${short(v)}`}`);
  return v as number;
}

function optNum(path: string, v: Json, dflt: number, o: NumOpts = {}): number {
  return v === undefined ? dflt : num(path, v, o);
}

function bool(path: string, v: Json, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw new PlanSpecError(path, `must be true or false, got ${short(v)}`);
  return v;
}

function str(path: string, v: Json, nonEmpty = true): string {
  if (typeof v !== 'string' || (nonEmpty && v.trim() === ''))
    throw new PlanSpecError(path, `must be a non-empty string${v === undefined ? '' : `, got ${short(v)}`}`);
  return v;
}

function oneOf<T extends string>(path: string, v: Json, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new PlanSpecError(
      path,
      `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}${v === undefined ? '' : `, got ${short(v)}`}`,
    );
  }
  return v as T;
}

function refList(path: string, v: Json): string[] {
  if (!Array.isArray(v) || v.length === 0)
    throw new PlanSpecError(path, 'must be a non-empty array of dump references');
  return v.map((r, i) => str(join(path, i), r));
}

function short(v: Json): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

// ---------------------------------------------------------------------------------------------------------

const TOP_KEYS = [
  'version',
  'trace',
  'profiles',
  'host',
  'policy',
  'models',
  'modelParams',
  'coldStartMs',
  'seed',
  'window',
  'warmupMinutes',
  'timeseriesStepS',
  'sizing',
  'sweep',
];

/**
 * Checks untrusted JSON and returns the plan with every default applied. Throws PlanSpecError naming the JSON
 * path of the first bad field (e.g. `host.memoryGiB must be a positive number or null, got -1`).
 * Idempotent: validating a normalized spec returns an equal spec.
 */
export function validatePlanSpec(json: unknown): PlanSpec {
  const o = obj('', json, TOP_KEYS);
  if (o.version !== PLAN_SPEC_VERSION)
    throw new PlanSpecError(
      'version',
      `must be ${PLAN_SPEC_VERSION}${o.version === undefined ? '' : `, got ${short(o.version)}`}`,
    );
  const trace = str('trace', o.trace);
  const profiles = validateProfiles(o.profiles);
  const host = validateHost(o.host);
  const policy = validatePolicy(o.policy);
  const models = validateModels(o.models);
  const modelParams = validateModelParams(o.modelParams);
  const coldStartMs = validateColdStart(o.coldStartMs);
  let seed: number | string = 0;
  if (o.seed !== undefined) {
    if (typeof o.seed === 'string') seed = o.seed;
    else seed = num('seed', o.seed, { int: true, min: 0, max: Number.MAX_SAFE_INTEGER });
  }
  let window: PlanSpec['window'] = null;
  if (o.window !== undefined && o.window !== null) {
    const w = obj('window', o.window, ['fromS', 'toS']);
    const fromS = num('window.fromS', w.fromS);
    const toS = num('window.toS', w.toS);
    if (!(toS > fromS))
      throw new PlanSpecError('window.toS', `must be greater than window.fromS (${fromS}), got ${toS}`);
    window = { fromS, toS };
  }
  const warmupMinutes = optNum('warmupMinutes', o.warmupMinutes, 0, { min: 0, max: 1e7 });
  if (window && warmupMinutes * 60 >= window.toS - window.fromS)
    throw new PlanSpecError(
      'warmupMinutes',
      `must be shorter than the window (${window.toS - window.fromS} s = ${(window.toS - window.fromS) / 60} min), got ${warmupMinutes}`,
    );
  const timeseriesStepS = optNum('timeseriesStepS', o.timeseriesStepS, 60, { gt: 0 });
  let sweep: SweepSpec | null = null;
  if (o.sweep !== undefined && o.sweep !== null) {
    const s = obj('sweep', o.sweep, ['hostMemoryGiB', 'ttlMinutes']);
    const list = (key: 'hostMemoryGiB' | 'ttlMinutes', opts: NumOpts): number[] | null => {
      const v = s[key];
      if (v === undefined || v === null) return null;
      if (!Array.isArray(v) || v.length === 0)
        throw new PlanSpecError(`sweep.${key}`, 'must be a non-empty array of numbers or null');
      if (v.length > 1000) throw new PlanSpecError(`sweep.${key}`, `must have at most 1000 values, got ${v.length}`);
      const xs = v.map((x, i) => num(`sweep.${key}[${i}]`, x, opts));
      return [...new Set(xs)].sort((a, b) => a - b);
    };
    sweep = { hostMemoryGiB: list('hostMemoryGiB', { gt: 0 }), ttlMinutes: list('ttlMinutes', { min: 0 }) };
    if (sweep.ttlMinutes && policy.kind !== 'ttl')
      throw new PlanSpecError('sweep.ttlMinutes', `needs policy.kind 'ttl', got '${policy.kind}'`);
    if (!sweep.hostMemoryGiB && !sweep.ttlMinutes) sweep = null;
    else if ((sweep.hostMemoryGiB?.length ?? 1) * (sweep.ttlMinutes?.length ?? 1) > 10_000)
      throw new PlanSpecError('sweep', 'must have at most 10000 combinations');
  }
  let sizing: SizingSpec | null = null;
  if (o.sizing !== undefined && o.sizing !== null) {
    const s = obj('sizing', o.sizing, ['targetColdStartRate', 'hostMemoryGiB', 'maxHosts']);
    const perPoint = sweep?.hostMemoryGiB != null;
    let hostMemoryGiB: number | null;
    if (s.hostMemoryGiB !== undefined && s.hostMemoryGiB !== null)
      hostMemoryGiB = num('sizing.hostMemoryGiB', s.hostMemoryGiB, { gt: 0 });
    else if (perPoint) hostMemoryGiB = null; // each sweep point sizes hosts of its own memory
    else if (host.memoryGiB !== null) hostMemoryGiB = host.memoryGiB;
    else
      throw new PlanSpecError(
        'sizing.hostMemoryGiB',
        `must be a positive number (host.memoryGiB is null and no sweep.hostMemoryGiB gives it)${s.hostMemoryGiB === undefined ? '' : `, got ${short(s.hostMemoryGiB)}`}`,
      );
    sizing = {
      targetColdStartRate: num('sizing.targetColdStartRate', s.targetColdStartRate, { min: 0, max: 1 }),
      hostMemoryGiB,
      maxHosts: optNum('sizing.maxHosts', s.maxHosts, 1024, { int: true, min: 1, max: 1_000_000 }),
    };
  }
  return {
    version: 1,
    trace,
    profiles,
    host,
    policy,
    models,
    modelParams,
    coldStartMs,
    seed,
    window,
    ...(warmupMinutes > 0 ? { warmupMinutes } : {}),
    timeseriesStepS,
    sizing,
    sweep,
  };
}

function validateProfiles(v: Json): ProfilesSpec {
  const out: ProfilesSpec = {
    functions: {},
    rules: [],
    default: null,
    fallback: { sharedFraction: 0.3, percentile: 'p50', defaultMemoryMiB: DEFAULT_FALLBACK_MEMORY_MIB },
    snapshot: 'last',
  };
  if (v === undefined || v === null) return out;
  const o = obj('profiles', v, ['functions', 'rules', 'default', 'fallback', 'snapshot']);
  if (o.functions !== undefined) {
    const f = obj('profiles.functions', o.functions, Object.keys(isObject(o.functions) ? o.functions : {}));
    for (const key of Object.keys(f).sort()) {
      if (key.trim() === '') throw new PlanSpecError('profiles.functions', 'has an empty function key');
      out.functions[key] = refList(join('profiles.functions', key), f[key]);
    }
  }
  if (o.rules !== undefined) {
    if (!Array.isArray(o.rules)) throw new PlanSpecError('profiles.rules', 'must be an array');
    if (o.rules.length > MAX_PROFILE_RULES)
      throw new PlanSpecError('profiles.rules', `must have at most ${MAX_PROFILE_RULES} rules, got ${o.rules.length}`);
    out.rules = o.rules.map((r, i) => {
      const p = `profiles.rules[${i}]`;
      const ro = obj(p, r, ['match', 'dumps']);
      const m = obj(`${p}.match`, ro.match, ['trigger', 'app', 'name']);
      const trigger =
        m.trigger === undefined || m.trigger === null ? null : oneOf(`${p}.match.trigger`, m.trigger, TRIGGERS);
      const app = m.app === undefined || m.app === null ? null : str(`${p}.match.app`, m.app);
      let name: string | null = null;
      if (m.name !== undefined && m.name !== null) {
        name = str(`${p}.match.name`, m.name);
        try {
          compileNamePattern(name);
        } catch (e) {
          if (e instanceof NamePatternError) throw new PlanSpecError(`${p}.match.name`, e.message);
          throw e;
        }
      }
      if (trigger === null && app === null && name === null)
        throw new PlanSpecError(`${p}.match`, 'must give at least one of trigger, app, name');
      return { match: { trigger, app, name }, dumps: refList(`${p}.dumps`, ro.dumps) };
    });
  }
  if (o.default !== undefined && o.default !== null) out.default = refList('profiles.default', o.default);
  if (o.fallback !== undefined && o.fallback !== null) {
    const f = obj('profiles.fallback', o.fallback, ['sharedFraction', 'percentile', 'defaultMemoryMiB']);
    out.fallback = {
      sharedFraction: optNum('profiles.fallback.sharedFraction', f.sharedFraction, 0.3, { min: 0, max: 1 }),
      percentile:
        f.percentile === undefined
          ? 'p50'
          : oneOf('profiles.fallback.percentile', f.percentile, MEMORY_PERCENTILE_NAMES),
      defaultMemoryMiB: optNum('profiles.fallback.defaultMemoryMiB', f.defaultMemoryMiB, DEFAULT_FALLBACK_MEMORY_MIB, {
        gt: 0,
        max: 1 << 20,
      }),
    };
  }
  if (o.snapshot !== undefined) out.snapshot = oneOf('profiles.snapshot', o.snapshot, ['first', 'last'] as const);
  return out;
}

function validateHost(v: Json): HostSpec {
  if (v === undefined || v === null) return { memoryGiB: null, cores: null, count: 1 };
  const o = obj('host', v, ['memoryGiB', 'cores', 'count']);
  let memoryGiB: number | null = null;
  if (o.memoryGiB !== undefined && o.memoryGiB !== null) {
    if (!(
      typeof o.memoryGiB === 'number' &&
      Number.isFinite(o.memoryGiB) &&
      o.memoryGiB > 0 &&
      o.memoryGiB <= 1 << 20
    )) {
      throw new PlanSpecError('host.memoryGiB', `must be a positive number or null, got ${short(o.memoryGiB)}`);
    }
    memoryGiB = o.memoryGiB;
  }
  let cores: number | null = null;
  if (o.cores !== undefined && o.cores !== null)
    cores = num('host.cores', o.cores, { int: true, min: 1, max: 1 << 20 });
  const count = optNum('host.count', o.count, 1, { int: true, min: 1, max: 1_000_000 });
  return { memoryGiB, cores, count };
}

function validatePolicy(v: Json): PolicySpec {
  if (!isObject(v)) throw new PlanSpecError('policy', 'must be an object with a kind');
  const kind = oneOf('policy.kind', v.kind, PLAN_POLICY_KINDS);
  if (kind === 'ttl') {
    const o = obj('policy', v, ['kind', 'ttlMinutes']);
    return { kind, ttlMinutes: optNum('policy.ttlMinutes', o.ttlMinutes, DEFAULT_TTL_MINUTES, { min: 0, max: 1e7 }) };
  }
  if (kind === 'greedy-dual') {
    const o = obj('policy', v, ['kind', 'maxIdleMinutes']);
    const m =
      o.maxIdleMinutes === undefined || o.maxIdleMinutes === null
        ? null
        : num('policy.maxIdleMinutes', o.maxIdleMinutes, { min: 0, max: 1e7 });
    return { kind, maxIdleMinutes: m };
  }
  const keys = Object.keys(HYBRID_DEFAULTS) as (keyof typeof HYBRID_DEFAULTS)[];
  const o = obj('policy', v, ['kind', ...keys]);
  const d = HYBRID_DEFAULTS;
  const p: HybridHistogramPolicy = {
    kind,
    rangeMinutes: optNum('policy.rangeMinutes', o.rangeMinutes, d.rangeMinutes, { gt: 0, max: 1e6 }),
    binMinutes: optNum('policy.binMinutes', o.binMinutes, d.binMinutes, { gt: 0, max: 1e6 }),
    prewarmPercentile: optNum('policy.prewarmPercentile', o.prewarmPercentile, d.prewarmPercentile, {
      min: 0,
      max: 100,
    }),
    keepAlivePercentile: optNum('policy.keepAlivePercentile', o.keepAlivePercentile, d.keepAlivePercentile, {
      min: 0,
      max: 100,
    }),
    margin: optNum('policy.margin', o.margin, d.margin, { min: 0, max: 1 }),
    cvThreshold: optNum('policy.cvThreshold', o.cvThreshold, d.cvThreshold, { min: 0 }),
    oobThreshold: optNum('policy.oobThreshold', o.oobThreshold, d.oobThreshold, { min: 0, max: 1 }),
    forecastMargin: optNum('policy.forecastMargin', o.forecastMargin, d.forecastMargin, { min: 0, max: 1 }),
  };
  if (p.rangeMinutes / p.binMinutes > 100_000)
    throw new PlanSpecError('policy.binMinutes', `gives more than 100000 bins over rangeMinutes ${p.rangeMinutes}`);
  if (p.rangeMinutes / p.binMinutes < 1)
    throw new PlanSpecError('policy.binMinutes', `must not exceed policy.rangeMinutes (${p.rangeMinutes})`);
  if (p.prewarmPercentile > p.keepAlivePercentile)
    throw new PlanSpecError(
      'policy.prewarmPercentile',
      `must not exceed policy.keepAlivePercentile (${p.keepAlivePercentile})`,
    );
  return p;
}

function validateModels(v: Json): MergeModelName[] {
  if (!Array.isArray(v) || v.length === 0)
    throw new PlanSpecError('models', `must be a non-empty array of ${PLAN_MODELS.map((m) => `'${m}'`).join(', ')}`);
  const set = new Set(v.map((m, i) => oneOf(`models[${i}]`, m, PLAN_MODELS)));
  return PLAN_MODELS.filter((m) => set.has(m));
}

function validateModelParams(v: Json): PlanSpec['modelParams'] {
  const ksmD: KsmPlanParams = { ...DEFAULT_KSM_PLAN_PARAMS };
  const upmD: UpmPlanParams = { madviseAfterInitMs: 0, costs: { ...DEFAULT_UPM_COSTS } };
  if (v === undefined || v === null) return { ksm: ksmD, upm: upmD };
  const o = obj('modelParams', v, ['ksm', 'upm']);
  let ksm = ksmD;
  if (o.ksm !== undefined && o.ksm !== null) {
    const k = obj('modelParams.ksm', o.ksm, Object.keys(ksmD));
    ksm = {
      pagesToScan: optNum('modelParams.ksm.pagesToScan', k.pagesToScan, ksmD.pagesToScan, {
        int: true,
        min: 1,
        max: 1e7,
      }),
      sleepMs: optNum('modelParams.ksm.sleepMs', k.sleepMs, ksmD.sleepMs, { min: 0, max: 1e7 }),
      maxPageSharing: optNum('modelParams.ksm.maxPageSharing', k.maxPageSharing, ksmD.maxPageSharing, {
        int: true,
        min: 2,
        max: 1 << 30,
      }),
      useZeroPages: bool('modelParams.ksm.useZeroPages', k.useZeroPages, ksmD.useZeroPages),
      smartScan: bool('modelParams.ksm.smartScan', k.smartScan, ksmD.smartScan),
      assumeMergeable: bool('modelParams.ksm.assumeMergeable', k.assumeMergeable, ksmD.assumeMergeable),
      hz: optNum('modelParams.ksm.hz', k.hz, ksmD.hz, { int: true, min: 1, max: 10000 }),
      pageCostUs: optNum('modelParams.ksm.pageCostUs', k.pageCostUs, ksmD.pageCostUs, { min: 0, max: 1e6 }),
      wakeLatencyUs: optNum('modelParams.ksm.wakeLatencyUs', k.wakeLatencyUs, ksmD.wakeLatencyUs, { min: 0, max: 1e6 }),
    };
  }
  let upm = upmD;
  if (o.upm !== undefined && o.upm !== null) {
    const u = obj('modelParams.upm', o.upm, ['madviseAfterInitMs', 'costs']);
    const costs: UpmCosts = { ...DEFAULT_UPM_COSTS };
    if (u.costs !== undefined && u.costs !== null) {
      const keys = Object.keys(DEFAULT_UPM_COSTS) as (keyof UpmCosts)[];
      const c = obj('modelParams.upm.costs', u.costs, keys);
      for (const key of keys)
        costs[key] = optNum(`modelParams.upm.costs.${key}`, c[key], DEFAULT_UPM_COSTS[key], { min: 0, max: 1e9 });
    }
    upm = {
      madviseAfterInitMs: optNum('modelParams.upm.madviseAfterInitMs', u.madviseAfterInitMs, 0, { min: 0, max: 1e9 }),
      costs,
    };
  }
  return { ksm, upm };
}

function validateColdStart(v: Json): PlanSpec['coldStartMs'] {
  if (v === undefined || v === null) return { default: DEFAULT_COLD_START_MS, functions: {} };
  if (typeof v === 'number') return { default: num('coldStartMs', v, { min: 0, max: 1e9 }), functions: {} };
  const o = obj('coldStartMs', v, ['default', 'functions']);
  const functions: Record<string, number> = {};
  if (o.functions !== undefined && o.functions !== null) {
    if (!isObject(o.functions))
      throw new PlanSpecError('coldStartMs.functions', 'must be an object mapping function keys to milliseconds');
    for (const key of Object.keys(o.functions).sort())
      functions[key] = num(join('coldStartMs.functions', key), o.functions[key], { min: 0, max: 1e9 });
  }
  return { default: optNum('coldStartMs.default', o.default, DEFAULT_COLD_START_MS, { min: 0, max: 1e9 }), functions };
}

// ---------------------------------------------------------------------------------------------------------

/** JSON with object keys sorted at every level: equal values give equal strings. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
}

/** sha256 hex of the canonical JSON of the normalized spec: the same plan always gives the same hash. */
export function planSpecHash(spec: PlanSpec | unknown): string {
  return createHash('sha256')
    .update(canonicalJson(validatePlanSpec(spec)))
    .digest('hex');
}

/**
 * One point spec per combination of the sweep (host memory outer, TTL inner), each without a sweep. A spec
 * without a sweep gives itself (normalized).
 */
/** Every dump reference the profiles name (used by the trace or not), each once, in order. */
export function profileRefs(p: ProfilesSpec): string[] {
  return [...new Set([...Object.values(p.functions).flat(), ...p.rules.flatMap((r) => r.dumps), ...(p.default ?? [])])];
}

/** The profiles with every dump reference replaced by `f(ref)` (e.g. a file path by the id it was uploaded as). */
export async function mapProfileRefs(p: ProfilesSpec, f: (ref: string) => Promise<string>): Promise<ProfilesSpec> {
  const map = (refs: string[]) => Promise.all(refs.map(f));
  const functions: Record<string, string[]> = {};
  for (const [fn, refs] of Object.entries(p.functions)) functions[fn] = await map(refs);
  const rules: ProfileRule[] = [];
  for (const r of p.rules) rules.push({ ...r, dumps: await map(r.dumps) });
  return { ...p, functions, rules, default: p.default && (await map(p.default)) };
}

export function expandSweep(spec: PlanSpec): PlanSpec[] {
  const s = validatePlanSpec(spec);
  if (!s.sweep) return [s];
  const mems: (number | null)[] = s.sweep.hostMemoryGiB ?? [s.host.memoryGiB];
  const ttls: (number | null)[] = s.sweep.ttlMinutes ?? [null];
  const out: PlanSpec[] = [];
  for (const m of mems) {
    for (const ttl of ttls) {
      const p: PlanSpec = JSON.parse(JSON.stringify({ ...s, sweep: null }));
      p.host.memoryGiB = m;
      // sizing without its own memory sizes hosts of this point's memory
      if (p.sizing && (s.sizing?.hostMemoryGiB ?? null) === null) p.sizing.hostMemoryGiB = m;
      if (ttl !== null && p.policy.kind === 'ttl') p.policy.ttlMinutes = ttl;
      out.push(validatePlanSpec(p));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------

/** The key of a trace function in specs and results: "<app>/<id>". */
export function functionKey(f: { app: string; id: string }): string {
  return `${f.app}/${f.id}`;
}

/**
 * Checks that every function key the spec names (profiles.functions, coldStartMs.functions) is a function of
 * the trace, as "<app>/<id>" or "<id>". Throws PlanSpecError naming the first unknown key and the closest
 * existing keys (longest common prefix), so that a typo is not silently replaced by the fallback profile.
 */
export function checkFunctionKeys(
  spec: Pick<PlanSpec, 'profiles' | 'coldStartMs'>,
  trace: { functions: readonly { id: string; app: string }[] },
): void {
  const known = new Set<string>();
  for (const f of trace.functions) {
    known.add(functionKey(f));
    known.add(f.id);
  }
  const check = (path: string, keys: string[]) => {
    for (const key of keys) {
      if (known.has(key)) continue;
      throw new PlanSpecError(
        join(path, key),
        `names no function of the trace (${trace.functions.length} functions, keys "<app>/<id>" or "<id>"); closest: ${closestKeys(key, trace.functions).join(', ') || 'none'}`,
      );
    }
  };
  check('profiles.functions', Object.keys(spec.profiles.functions));
  check('coldStartMs.functions', Object.keys(spec.coldStartMs.functions));
}

/** Up to `n` function keys of the trace sharing the longest prefix with `key` (or with its id part). */
export function closestKeys(key: string, functions: readonly { id: string; app: string }[], n = 3): string[] {
  const slash = key.indexOf('/');
  const idPart = slash >= 0 ? key.slice(slash + 1) : key;
  const lcp = (a: string, b: string) => {
    let i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i++;
    return i;
  };
  const scored = functions.map((f) => {
    const k = functionKey(f);
    return { k, score: Math.max(lcp(key, k), lcp(idPart, f.id), lcp(key, f.id)) };
  });
  scored.sort((a, b) => b.score - a.score || (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  return scored.slice(0, n).map((x) => x.k);
}

export interface ResolvedProfiles {
  /** Per trace function (same index as trace.functions): the dump refs it uses, or null = the fallback profile. */
  byFunction: Array<string[] | null>;
  /** Every dump ref used, in order of first use: what the caller must load. */
  refs: string[];
}

/**
 * Which dumps each function of the trace uses. Precedence: `functions["<app>/<id>"]`, then `functions["<id>"]`,
 * then the first rule whose every given condition holds (trigger equal, app equal, `name` regex found in the
 * function id), then `default`; otherwise null (modelled from the app's memory percentiles).
 */
export function resolveProfiles(
  spec: PlanSpec,
  trace: { functions: readonly { id: string; app: string; trigger: Trigger }[] },
): ResolvedProfiles {
  const p = spec.profiles;
  const rules = p.rules.map((r) => ({ ...r, re: r.match.name === null ? null : compileNamePattern(r.match.name) }));
  const refs: string[] = [];
  const seen = new Set<string>();
  const byFunction = trace.functions.map((f) => {
    let got: string[] | null = p.functions[functionKey(f)] ?? p.functions[f.id] ?? null;
    if (got === null) {
      for (const r of rules) {
        if (r.match.trigger !== null && r.match.trigger !== f.trigger) continue;
        if (r.match.app !== null && r.match.app !== f.app) continue;
        if (r.re !== null && !r.re.test(f.id)) continue;
        got = r.dumps;
        break;
      }
    }
    if (got === null) got = p.default;
    if (got !== null) {
      for (const ref of got) {
        if (!seen.has(ref)) {
          seen.add(ref);
          refs.push(ref);
        }
      }
    }
    return got;
  });
  return { byFunction, refs };
}
