/** Sweeps: one point spec per combination (expandSweep), and the point results combined into one PlanResult. */
import type { PlanResult, SweepPointSummary } from './result';
import { planSpecHash } from './spec/hash';
import { PlanSpec, PlanSpecError } from './spec/types';
import { validatePlanSpec } from './spec/validate';

/**
 * One point spec per combination of the sweep (host memory outer, TTL inner), each without a sweep. A spec
 * without a sweep gives itself (normalized).
 */
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

/**
 * One PlanResult for a sweep: `sweep.points` summarises every point (in expandSweep's order: host memory outer,
 * TTL inner: point i is the i-th) with its models' headline numbers and its sizing. The result is the
 * sweep's, not any point's: `host` and `policy` are the sweep spec's, `models` is empty, `timeseries` has no
 * samples and `sizing` is null (each point has its own: its summary here, its time series from the point's
 * own result); `warnings` are every point's, once. `pointResults` must be the results of expandSweep(spec)
 * (their time series are not read: a store may pass them without).
 */
export function combineSweep(spec: PlanSpec, pointResults: Omit<PlanResult, 'timeseries'>[]): PlanResult {
  const s = validatePlanSpec(spec);
  const points = expandSweep(s);
  if (pointResults.length !== points.length) {
    throw new PlanSpecError('sweep', `has ${points.length} points but ${pointResults.length} results were given`);
  }
  const summaries: SweepPointSummary[] = points.map((p, i) => {
    const r = pointResults[i];
    const hash = planSpecHash(p);
    if (r.specHash !== hash)
      throw new PlanSpecError(
        'sweep',
        `result ${i} is not the result of point ${i} (spec hash ${r.specHash}, expected ${hash})`,
      );
    const models = modelSummaries(r);
    return {
      index: i,
      hostMemoryGiB: p.host.memoryGiB,
      ttlMinutes: p.policy.kind === 'ttl' ? p.policy.ttlMinutes : null,
      specHash: hash,
      models,
      sizing: r.sizing,
    };
  });
  const first = pointResults[0];
  return {
    ...first,
    specHash: planSpecHash(s),
    host: {
      count: s.host.count,
      memoryBytes: s.host.memoryGiB === null ? null : s.host.memoryGiB * 1073741824,
      cores: s.host.cores,
    },
    policy: s.policy,
    models: [],
    timeseries: { stepS: s.timeseriesStepS, t: [], series: [] },
    sizing: null,
    warnings: [...new Set(pointResults.flatMap((r) => r.warnings))],
    sweep: {
      hostMemoryGiB: s.sweep?.hostMemoryGiB ?? [s.host.memoryGiB],
      ttlMinutes: s.sweep?.ttlMinutes ?? [null],
      points: summaries,
    },
  };
}

/** The headline numbers of each model of a result (a sweep point's summary, a plan listing's summary). */
export function modelSummaries(r: Pick<PlanResult, 'models'>): SweepPointSummary['models'] {
  const models: SweepPointSummary['models'] = {};
  for (const m of r.models) {
    models[m.model] = {
      coldStarts: m.coldStarts,
      warmStarts: m.warmStarts,
      rejected: m.rejected,
      coldStartRate: m.coldStartRate,
      evictions: m.evictions,
      peakMemoryBytes: m.peakMemoryBytes,
      p99MemoryBytes: m.p99MemoryBytes,
      meanMemoryBytes: m.meanMemoryBytes,
      savedBytes: m.savedBytes,
      peakContainers: m.peakContainers,
      meanContainers: m.meanContainers,
    };
  }
  return models;
}
