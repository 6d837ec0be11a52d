/** Combining the point results of a sweep (expandSweep) into one PlanResult. */
import type { PlanResult, SweepPointSummary } from './result';
import { expandSweep, PlanSpec, planSpecHash, PlanSpecError, validatePlanSpec } from './spec';

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
      meanMemoryBytes: m.meanMemoryBytes,
      savedBytes: m.savedBytes,
      peakContainers: m.peakContainers,
      meanContainers: m.meanContainers,
    };
  }
  return models;
}
