/**
 * Container density per host: how many containers of one function fit on a host of the given memory under
 * none, KSM (converged: every container merged) and UPM (every container's madvise done) — the paper's
 * "more than twice the container density". Containers are added one at a time, round-robin over the processes
 * of the function's dumps; a container fits when its unmerged pages fit next to what is resident (a new
 * container starts with all its pages; merging comes after).
 */
import type { Dump } from '../dump/types';
import type { MergeModelName } from '../merge/common/types';
import { KsmState, MemoryBook, NoneState, PageCacheState, UpmState } from './merge-state';
import { buildProfilesFrom, ProfileSet } from './profiles';
import { DEFAULT_KSM_PLAN_PARAMS, KsmPlanParams, PLAN_MODELS, PlanSpecError } from './spec';
import { DEFAULT_UPM_COSTS } from '../merge/upm/upm-model';

export interface DensityInput {
  /** Function key → the dumps of its containers (one container per process, round-robin). */
  profiles: ReadonlyMap<string, Dump[]>;
  hostMemoryGiB: number;
  /** Default: none, ksm, upm. */
  models?: MergeModelName[];
  ksm?: Partial<KsmPlanParams>;
  snapshot?: 'first' | 'last';
  /** Stop counting here (a function whose containers cost nothing once merged would fit forever). */
  maxContainers?: number;
}

export interface DensityRow {
  function: string;
  processes: number;
  containers: Partial<Record<MergeModelName, number>>;
  /** True when maxContainers stopped the count. */
  capped: Partial<Record<MergeModelName, boolean>>;
  /** Host memory used by those containers, divided by their number. */
  bytesPerContainer: Partial<Record<MergeModelName, number>>;
  /** containers under the model / containers under none. */
  densityVsNone: Partial<Record<MergeModelName, number>>;
}

export interface DensityResult {
  hostMemoryBytes: number;
  pageSize: number;
  functions: DensityRow[];
}

class OneHost implements MemoryBook {
  phys = 0;
  change(_h: number, _t: number, d: number): void {
    this.phys += d;
  }
  share(_h: number, _t: number, d: number): void {
    this.phys += d;
  }
}

export function densityPerHost(input: DensityInput): DensityResult {
  if (!(input.hostMemoryGiB > 0))
    throw new PlanSpecError('hostMemoryGiB', `must be a positive number, got ${input.hostMemoryGiB}`);
  const models = input.models ?? [...PLAN_MODELS];
  const ksmParams: KsmPlanParams = { ...DEFAULT_KSM_PLAN_PARAMS, ...(input.ksm ?? {}) };
  const maxContainers = input.maxContainers ?? 100_000;
  const keys = [...input.profiles.keys()];
  const dumpList: { ref: string; dump: Dump }[] = [];
  const requests = keys.map((key) => {
    const ds = input.profiles.get(key) as Dump[];
    if (ds.length === 0) throw new PlanSpecError(`profiles[${JSON.stringify(key)}]`, 'has no dump');
    const refs = ds.map((d, i) => {
      const ref = `${key}#${i}`;
      dumpList.push({ ref, dump: d });
      return ref;
    });
    return { key, refs, fn: null };
  });
  const profiles = buildProfilesFrom(requests, dumpList, {
    assumeMergeable: ksmParams.assumeMergeable,
    snapshot: input.snapshot ?? 'last',
    fallback: { sharedFraction: 0, percentile: 'p50', defaultMemoryMiB: 1 },
  });
  const capPages = Math.floor((input.hostMemoryGiB * 1073741824) / profiles.pageSize);
  const rows: DensityRow[] = keys.map((key, f) => {
    const row: DensityRow = {
      function: key,
      processes: profiles.fnTemplates[f].length,
      containers: {},
      capped: {},
      bytesPerContainer: {},
      densityVsNone: {},
    };
    for (const model of models) {
      const { n, phys, capped } = fill(profiles, f, model, capPages, maxContainers, ksmParams);
      row.containers[model] = n;
      row.capped[model] = capped;
      row.bytesPerContainer[model] = n > 0 ? (phys * profiles.pageSize) / n : 0;
    }
    const none = row.containers.none;
    for (const model of models) {
      if (none !== undefined) row.densityVsNone[model] = none > 0 ? (row.containers[model] as number) / none : 0;
    }
    return row;
  });
  return { hostMemoryBytes: input.hostMemoryGiB * 1073741824, pageSize: profiles.pageSize, functions: rows };
}

function fill(
  profiles: ProfileSet,
  f: number,
  model: MergeModelName,
  capPages: number,
  max: number,
  ksmParams: KsmPlanParams,
): { n: number; phys: number; capped: boolean } {
  const book = new OneHost();
  const upm = model === 'upm' ? new UpmState(book, profiles, 1, DEFAULT_UPM_COSTS) : null;
  const ksm = model === 'ksm' ? new KsmState(book, profiles, 1, ksmParams) : null;
  const mem = new PageCacheState(upm ?? ksm ?? new NoneState(), book, profiles, 1);
  const ts = profiles.fnTemplates[f];
  let n = 0;
  for (; n < max; n++) {
    const tpl = profiles.templates[ts[n % ts.length]];
    // a container takes its pages but the page-cache frames already on the host
    if (book.phys + tpl.units - mem.cached(0, tpl) > capPages) return { n, phys: book.phys, capped: false };
    mem.ensureContainers(n + 1);
    mem.create(n, 0, tpl, 0);
    book.phys += tpl.units;
    if (upm) upm.madvise(n, 0, tpl, 0);
    if (ksm) ksm.settleNow(n, 0, 0);
  }
  return { n, phys: book.phys, capped: true };
}
