import { expandSweep, resolveProfiles, runPlan, type PlanSpec } from '@upm/model';
import type { StoredInputs } from '../inputs/stored-inputs';
import type { PlanStore } from './plan-store';

/**
 * Runs point `index` of a stored plan over its stored inputs and saves its result (combining the plan when it
 * was the last point): the whole work of a plan-point job. `onProgress` gets percentages 5..99.
 */
export async function runStoredPlanPoint(
  store: PlanStore,
  inputs: StoredInputs,
  planId: string,
  index: number,
  onProgress: (percent: number) => void = () => undefined,
): Promise<{ resultSha256: string; combined: boolean }> {
  const plan = await store.get(planId);
  if (!plan) throw new Error(`plan ${planId} is not in the database`);
  const point = expandSweep(plan.spec as unknown as PlanSpec)[index];
  if (!point) throw new Error(`plan ${planId} has no point ${index}`);
  const trace = await inputs.loadTrace(plan.traceId);
  const dumps = await inputs.loadDumps(resolveProfiles(point, trace).refs);
  onProgress(5);
  let last = 5;
  const result = runPlan(point, { trace, dumps }, {
    onProgress: (fraction) => {
      const p = Math.max(5, Math.min(99, Math.round(5 + fraction * 94)));
      if (p !== last) {
        last = p;
        onProgress(p);
      }
    },
  });
  return store.savePoint(plan, index, result);
}
