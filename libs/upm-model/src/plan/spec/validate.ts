/**
 * validatePlanSpec: checks every field of untrusted JSON and returns the spec with every default applied (so
 * two ways of writing the same plan become the same object); its errors name the JSON path of the bad field.
 */
import { DEFAULT_UPM_COSTS, UpmCosts } from '../../merge/upm/upm-model';
import type { MergeModelName } from '../../merge/common/types';
import { TRIGGERS } from '../../traces/types';
import {
  arrayOf,
  boolean,
  isObject,
  joinPath,
  nullable,
  number,
  NumberRange,
  object,
  oneOf,
  optional,
  render,
  string,
  ValidationError,
} from '../../validation';
import { compileNamePattern, NamePatternError } from '../name-pattern';
import {
  DEFAULT_COLD_START_MS,
  DEFAULT_FALLBACK_MEMORY_MIB,
  DEFAULT_KSM_PLAN_PARAMS,
  DEFAULT_MAX_HOSTS,
  DEFAULT_SEED,
  DEFAULT_SHARED_FRACTION,
  DEFAULT_TIMESERIES_STEP_S,
  DEFAULT_TTL_MINUTES,
  HYBRID_DEFAULTS,
} from './defaults';
import {
  HostSpec,
  HybridHistogramPolicy,
  KsmPlanParams,
  MAX_PROFILE_RULES,
  PLAN_LIMITS,
  MEMORY_PERCENTILE_NAMES,
  PLAN_MODELS,
  PLAN_POLICY_KINDS,
  PLAN_SPEC_VERSION,
  PlanSpec,
  PlanSpecError,
  PolicySpec,
  ProfilesSpec,
  SizingSpec,
  SweepSpec,
  UpmPlanParams,
} from './types';

type Json = unknown;

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

const nonEmpty = (v: Json, path: string) => string(v, path, { nonEmpty: true });
const refList = (v: Json, path: string) =>
  arrayOf(v, path, nonEmpty, { minLength: 1, what: 'a non-empty array of dump references' });
/** An optional number: `dflt` when absent. */
const optNum = (v: Json, path: string, dflt: number, o: NumberRange = {}) =>
  optional(v, dflt, (x) => number(x, path, o));

/**
 * Checks untrusted JSON and returns the plan with every default applied. Throws PlanSpecError naming the JSON
 * path of the first bad field (e.g. `host.memoryGiB must be a positive number or null, got -1`).
 * Idempotent: validating a normalized spec returns an equal spec.
 */
export function validatePlanSpec(json: unknown): PlanSpec {
  try {
    return validate(json);
  } catch (e) {
    if (e instanceof ValidationError) throw new PlanSpecError(e.path, e.detail);
    throw e;
  }
}

// Long: one line per top-level field, in the order of the spec, with the checks across fields beside them.
function validate(json: unknown): PlanSpec {
  const o = object(json, '', TOP_KEYS);
  oneOf(o.version, 'version', [PLAN_SPEC_VERSION], String(PLAN_SPEC_VERSION));
  const trace = nonEmpty(o.trace, 'trace');
  const profiles = validateProfiles(o.profiles);
  const host = validateHost(o.host);
  const policy = validatePolicy(o.policy);
  const models = validateModels(o.models);
  const modelParams = validateModelParams(o.modelParams);
  const coldStartMs = validateColdStart(o.coldStartMs);
  const seed: number | string = optional(o.seed, DEFAULT_SEED, (s) =>
    typeof s === 'string' ? s : number(s, 'seed', { int: true, min: 0, max: Number.MAX_SAFE_INTEGER }),
  );
  let window: PlanSpec['window'] = null;
  if (o.window !== undefined && o.window !== null) {
    const w = object(o.window, 'window', ['fromS', 'toS']);
    const fromS = number(w.fromS, 'window.fromS');
    const toS = number(w.toS, 'window.toS');
    if (!(toS > fromS))
      throw new PlanSpecError('window.toS', `must be greater than window.fromS (${fromS}), got ${toS}`);
    window = { fromS, toS };
  }
  const warmupMinutes = optNum(o.warmupMinutes, 'warmupMinutes', 0, { min: 0, max: 1e7 });
  if (window && warmupMinutes * 60 >= window.toS - window.fromS)
    throw new PlanSpecError(
      'warmupMinutes',
      `must be shorter than the window (${window.toS - window.fromS} s = ${(window.toS - window.fromS) / 60} min), got ${warmupMinutes}`,
    );
  const timeseriesStepS = optNum(o.timeseriesStepS, 'timeseriesStepS', DEFAULT_TIMESERIES_STEP_S, { gt: 0 });
  const sweep = validateSweep(o.sweep, policy);
  const sizing = validateSizing(o.sizing, host, sweep);
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

function validateSweep(v: Json, policy: PolicySpec): SweepSpec | null {
  if (v === undefined || v === null) return null;
  const s = object(v, 'sweep', ['hostMemoryGiB', 'ttlMinutes']);
  const list = (key: 'hostMemoryGiB' | 'ttlMinutes', opts: NumberRange): number[] | null => {
    const x = s[key];
    if (x === undefined || x === null) return null;
    if (Array.isArray(x) && x.length > PLAN_LIMITS.maxSweepValues)
      throw new PlanSpecError(`sweep.${key}`, `must have at most ${PLAN_LIMITS.maxSweepValues} values, got ${x.length}`);
    const xs = arrayOf(x, `sweep.${key}`, (n, p) => number(n, p, opts), {
      minLength: 1,
      what: 'a non-empty array of numbers or null',
    });
    return [...new Set(xs)].sort((a, b) => a - b);
  };
  const sweep: SweepSpec = { hostMemoryGiB: list('hostMemoryGiB', { gt: 0 }), ttlMinutes: list('ttlMinutes', { min: 0 }) };
  if (sweep.ttlMinutes && policy.kind !== 'ttl')
    throw new PlanSpecError('sweep.ttlMinutes', `needs policy.kind 'ttl', got '${policy.kind}'`);
  if (!sweep.hostMemoryGiB && !sweep.ttlMinutes) return null;
  if ((sweep.hostMemoryGiB?.length ?? 1) * (sweep.ttlMinutes?.length ?? 1) > PLAN_LIMITS.maxSweepPoints)
    throw new PlanSpecError('sweep', `must have at most ${PLAN_LIMITS.maxSweepPoints} combinations`);
  return sweep;
}

function validateSizing(v: Json, host: HostSpec, sweep: SweepSpec | null): SizingSpec | null {
  if (v === undefined || v === null) return null;
  const s = object(v, 'sizing', ['targetColdStartRate', 'hostMemoryGiB', 'maxHosts']);
  const perPoint = sweep?.hostMemoryGiB != null;
  let hostMemoryGiB: number | null;
  if (s.hostMemoryGiB !== undefined && s.hostMemoryGiB !== null)
    hostMemoryGiB = number(s.hostMemoryGiB, 'sizing.hostMemoryGiB', { gt: 0 });
  else if (perPoint) hostMemoryGiB = null; // each sweep point sizes hosts of its own memory
  else if (host.memoryGiB !== null) hostMemoryGiB = host.memoryGiB;
  else
    throw new PlanSpecError(
      'sizing.hostMemoryGiB',
      `must be a positive number (host.memoryGiB is null and no sweep.hostMemoryGiB gives it)${s.hostMemoryGiB === undefined ? '' : `, got ${render(s.hostMemoryGiB)}`}`,
    );
  return {
    targetColdStartRate: number(s.targetColdStartRate, 'sizing.targetColdStartRate', { min: 0, max: 1 }),
    hostMemoryGiB,
    maxHosts: optNum(s.maxHosts, 'sizing.maxHosts', DEFAULT_MAX_HOSTS, { int: true, min: 1, max: PLAN_LIMITS.maxHosts }),
  };
}

function validateProfiles(v: Json): ProfilesSpec {
  const out: ProfilesSpec = {
    functions: {},
    rules: [],
    default: null,
    fallback: { sharedFraction: DEFAULT_SHARED_FRACTION, percentile: 'p50', defaultMemoryMiB: DEFAULT_FALLBACK_MEMORY_MIB },
    snapshot: 'last',
  };
  if (v === undefined || v === null) return out;
  const o = object(v, 'profiles', ['functions', 'rules', 'default', 'fallback', 'snapshot']);
  if (o.functions !== undefined) {
    const f = object(o.functions, 'profiles.functions');
    for (const key of Object.keys(f).sort()) {
      if (key.trim() === '') throw new PlanSpecError('profiles.functions', 'has an empty function key');
      out.functions[key] = refList(f[key], joinPath('profiles.functions', key));
    }
  }
  if (o.rules !== undefined) {
    if (Array.isArray(o.rules) && o.rules.length > MAX_PROFILE_RULES)
      throw new PlanSpecError('profiles.rules', `must have at most ${MAX_PROFILE_RULES} rules, got ${o.rules.length}`);
    out.rules = arrayOf(o.rules, 'profiles.rules', (r, p) => {
      const ro = object(r, p, ['match', 'dumps']);
      const m = object(ro.match, `${p}.match`, ['trigger', 'app', 'name']);
      const trigger = nullable(m.trigger, null, (t) => oneOf(t, `${p}.match.trigger`, TRIGGERS));
      const app = nullable(m.app, null, (a) => nonEmpty(a, `${p}.match.app`));
      const name = nullable(m.name, null, (n) => {
        const pattern = nonEmpty(n, `${p}.match.name`);
        try {
          compileNamePattern(pattern);
        } catch (e) {
          if (e instanceof NamePatternError) throw new PlanSpecError(`${p}.match.name`, e.message);
          throw e;
        }
        return pattern;
      });
      if (trigger === null && app === null && name === null)
        throw new PlanSpecError(`${p}.match`, 'must give at least one of trigger, app, name');
      return { match: { trigger, app, name }, dumps: refList(ro.dumps, `${p}.dumps`) };
    });
  }
  out.default = nullable(o.default, null, (d) => refList(d, 'profiles.default'));
  if (o.fallback !== undefined && o.fallback !== null) {
    const f = object(o.fallback, 'profiles.fallback', ['sharedFraction', 'percentile', 'defaultMemoryMiB']);
    out.fallback = {
      sharedFraction: optNum(f.sharedFraction, 'profiles.fallback.sharedFraction', DEFAULT_SHARED_FRACTION, {
        min: 0,
        max: 1,
      }),
      percentile: optional(f.percentile, 'p50', (x) => oneOf(x, 'profiles.fallback.percentile', MEMORY_PERCENTILE_NAMES)),
      defaultMemoryMiB: optNum(f.defaultMemoryMiB, 'profiles.fallback.defaultMemoryMiB', DEFAULT_FALLBACK_MEMORY_MIB, {
        gt: 0,
        max: 1 << 20,
      }),
    };
  }
  out.snapshot = optional(o.snapshot, out.snapshot, (s) => oneOf(s, 'profiles.snapshot', ['first', 'last'] as const));
  return out;
}

function validateHost(v: Json): HostSpec {
  if (v === undefined || v === null) return { memoryGiB: null, cores: null, count: 1 };
  const o = object(v, 'host', ['memoryGiB', 'cores', 'count']);
  return {
    memoryGiB: nullable(o.memoryGiB, null, (m) =>
      number(m, 'host.memoryGiB', { gt: 0, max: 1 << 20, what: 'a positive number or null' }),
    ),
    cores: nullable(o.cores, null, (c) => number(c, 'host.cores', { int: true, min: 1, max: 1 << 20 })),
    count: optNum(o.count, 'host.count', 1, { int: true, min: 1, max: PLAN_LIMITS.maxHosts }),
  };
}

function validatePolicy(v: Json): PolicySpec {
  if (!isObject(v)) throw new PlanSpecError('policy', 'must be an object with a kind');
  const kind = oneOf(v.kind, 'policy.kind', PLAN_POLICY_KINDS);
  if (kind === 'ttl') {
    const o = object(v, 'policy', ['kind', 'ttlMinutes']);
    return { kind, ttlMinutes: optNum(o.ttlMinutes, 'policy.ttlMinutes', DEFAULT_TTL_MINUTES, { min: 0, max: 1e7 }) };
  }
  if (kind === 'greedy-dual') {
    const o = object(v, 'policy', ['kind', 'maxIdleMinutes']);
    return {
      kind,
      maxIdleMinutes: nullable(o.maxIdleMinutes, null, (m) => number(m, 'policy.maxIdleMinutes', { min: 0, max: 1e7 })),
    };
  }
  const keys = Object.keys(HYBRID_DEFAULTS) as (keyof typeof HYBRID_DEFAULTS)[];
  const o = object(v, 'policy', ['kind', ...keys]);
  const d = HYBRID_DEFAULTS;
  const field = (key: keyof typeof HYBRID_DEFAULTS, r: NumberRange) => optNum(o[key], `policy.${key}`, d[key], r);
  const p: HybridHistogramPolicy = {
    kind,
    rangeMinutes: field('rangeMinutes', { gt: 0, max: 1e6 }),
    binMinutes: field('binMinutes', { gt: 0, max: 1e6 }),
    prewarmPercentile: field('prewarmPercentile', { min: 0, max: 100 }),
    keepAlivePercentile: field('keepAlivePercentile', { min: 0, max: 100 }),
    margin: field('margin', { min: 0, max: 1 }),
    cvThreshold: field('cvThreshold', { min: 0 }),
    oobThreshold: field('oobThreshold', { min: 0, max: 1 }),
    forecastMargin: field('forecastMargin', { min: 0, max: 1 }),
  };
  if (p.rangeMinutes / p.binMinutes > PLAN_LIMITS.maxHistogramBins)
    throw new PlanSpecError('policy.binMinutes', `gives more than ${PLAN_LIMITS.maxHistogramBins} bins over rangeMinutes ${p.rangeMinutes}`);
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
  const given = arrayOf(v, 'models', (m, p) => oneOf(m, p, PLAN_MODELS), {
    minLength: 1,
    what: `a non-empty array of ${PLAN_MODELS.map((m) => `'${m}'`).join(', ')}`,
  });
  const set = new Set(given);
  return PLAN_MODELS.filter((m) => set.has(m));
}

function validateModelParams(v: Json): PlanSpec['modelParams'] {
  const ksmD: KsmPlanParams = { ...DEFAULT_KSM_PLAN_PARAMS };
  const upmD: UpmPlanParams = { madviseAfterInitMs: 0, costs: { ...DEFAULT_UPM_COSTS } };
  if (v === undefined || v === null) return { ksm: ksmD, upm: upmD };
  const o = object(v, 'modelParams', ['ksm', 'upm']);
  const ksm = nullable(o.ksm, ksmD, (x) => {
    const k = object(x, 'modelParams.ksm', Object.keys(ksmD));
    const n = (key: keyof KsmPlanParams & string, r: NumberRange) =>
      optNum(k[key], `modelParams.ksm.${key}`, ksmD[key] as number, r);
    const b = (key: keyof KsmPlanParams & string) =>
      optional(k[key], ksmD[key] as boolean, (y) => boolean(y, `modelParams.ksm.${key}`));
    return {
      pagesToScan: n('pagesToScan', { int: true, min: 1, max: 1e7 }),
      sleepMs: n('sleepMs', { min: 0, max: 1e7 }),
      maxPageSharing: n('maxPageSharing', { int: true, min: 2, max: 1 << 30 }),
      useZeroPages: b('useZeroPages'),
      smartScan: b('smartScan'),
      assumeMergeable: b('assumeMergeable'),
      hz: n('hz', { int: true, min: 1, max: PLAN_LIMITS.maxKernelHz }),
      pageCostUs: n('pageCostUs', { min: 0, max: 1e6 }),
      wakeLatencyUs: n('wakeLatencyUs', { min: 0, max: 1e6 }),
    };
  });
  const upm = nullable(o.upm, upmD, (x) => {
    const u = object(x, 'modelParams.upm', ['madviseAfterInitMs', 'costs']);
    const costs: UpmCosts = { ...DEFAULT_UPM_COSTS };
    if (u.costs !== undefined && u.costs !== null) {
      const keys = Object.keys(DEFAULT_UPM_COSTS) as (keyof UpmCosts)[];
      const c = object(u.costs, 'modelParams.upm.costs', keys);
      for (const key of keys)
        costs[key] = optNum(c[key], `modelParams.upm.costs.${key}`, DEFAULT_UPM_COSTS[key], { min: 0, max: 1e9 });
    }
    return {
      madviseAfterInitMs: optNum(u.madviseAfterInitMs, 'modelParams.upm.madviseAfterInitMs', 0, { min: 0, max: 1e9 }),
      costs,
    };
  });
  return { ksm, upm };
}

function validateColdStart(v: Json): PlanSpec['coldStartMs'] {
  if (v === undefined || v === null) return { default: DEFAULT_COLD_START_MS, functions: {} };
  const ms = (x: Json, path: string) => number(x, path, { min: 0, max: 1e9 });
  if (typeof v === 'number') return { default: ms(v, 'coldStartMs'), functions: {} };
  const o = object(v, 'coldStartMs', ['default', 'functions']);
  const functions: Record<string, number> = {};
  if (o.functions !== undefined && o.functions !== null) {
    const f = object(o.functions, 'coldStartMs.functions', undefined, 'an object mapping function keys to milliseconds');
    for (const key of Object.keys(f).sort()) functions[key] = ms(f[key], joinPath('coldStartMs.functions', key));
  }
  return { default: optional(o.default, DEFAULT_COLD_START_MS, (x) => ms(x, 'coldStartMs.default')), functions };
}
