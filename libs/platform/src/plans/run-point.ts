import { expandSweep, resolveProfiles, runPlan } from '@upm/model';
import type { StoredInputs } from '../inputs/stored-inputs';
import { PlanPointNotFoundError } from '../queue/permanent-errors';
import type { PlanLifecycle, PointOutcome } from './plan-lifecycle';

/**
 * Runs point `index` of a stored plan over its stored inputs and reports it done (combining the plan when it
 * was the last point): the whole work of a plan-point job. `onProgress` gets percentages 5..99. The stored spec
 * was validated by the API before it was stored: it is used as it is.
 */
export async function runStoredPlanPoint(
  lifecycle: PlanLifecycle,
  inputs: StoredInputs,
  planId: string,
  index: number,
  onProgress: (percent: number) => void = () => undefined,
): Promise<PointOutcome> {
  const plan = await lifecycle.store.get(planId);
  if (!plan) throw new PlanPointNotFoundError(`plan ${planId} is not in the database`);
  const point = expandSweep(plan.spec)[index];
  if (!point) throw new PlanPointNotFoundError(`plan ${planId} has no point ${index}`);
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
  return lifecycle.pointDone(plan, index, result);
}
