import { Injectable } from '@nestjs/common';
import { checkPlanWindow, planSpecHash, profileRefs, validatePlanSpec, type DensityResult } from '@upm/model';
import { inputLock, LeaseLocks, PlanEntity, PlanLifecycle, PlanQueue, planLock, PlanStore, StoredInputs } from '@upm/platform';
import { DataSource } from 'typeorm';
import { ConflictError, InvalidInputError, NotFoundError } from '../common/errors';
import { ComputePool } from '../compute/compute-pool';
import { dumpRef, traceRef } from '../compute/input-refs';
import { JobStatusService } from '../jobs/job-status.service';
import { CreatePlanDto, DensityRequestDto, PlanDto, PlanListDto, PlanStatusDto } from './dto/plan.dto';
import { toPlanStatusDto } from './plan.mapper';
import { timeseriesToCsv } from '@upm/model/plan/timeseries-csv';

@Injectable()
export class PlansService {
  private readonly store: PlanStore;
  private readonly inputs: StoredInputs;
  private readonly locks: LeaseLocks;

  constructor(
    dataSource: DataSource,
    private readonly lifecycle: PlanLifecycle,
    private readonly queue: PlanQueue,
    private readonly jobs: JobStatusService,
    private readonly compute: ComputePool,
  ) {
    this.store = lifecycle.store;
    this.inputs = new StoredInputs(dataSource);
    this.locks = new LeaseLocks(dataSource);
  }

  /**
   * Validates the plan (the one validation of its spec: what is stored, enqueued and run is this validated
   * spec), checks it against its inputs, then submits it. The same plan submitted again returns the stored one
   * and runs nothing (unless it had failed: then it runs again).
   */
  async create(dto: CreatePlanDto): Promise<PlanStatusDto> {
    const spec = validatePlanSpec({ ...dto, version: dto.version ?? 1 });
    const traceRow = await this.inputs.traceEntity(spec.trace);
    // what the worker would find out later, found now: a window outside the trace, too many samples, and
    // function keys that name no function of the trace
    checkPlanWindow(spec, traceRow.window);
    if (Object.keys(spec.profiles.functions).length + Object.keys(spec.coldStartMs.functions).length > 0)
      await this.compute.run({ kind: 'functionKeys', spec: { profiles: spec.profiles, coldStartMs: spec.coldStartMs }, trace: traceRef(traceRow) });
    const dumpIds = profileRefs(spec.profiles);
    await this.jobs.requireRedis();
    // Checked and submitted under the inputs' locks: a delete of an input either finished before (and the
    // check fails) or waits and finds this plan queued (and refuses).
    const locks = [planLock(planSpecHash(spec)), inputLock(spec.trace), ...dumpIds.map(inputLock)];
    const { plan, created } = await this.locks.withLocks(locks, async () => {
      await this.inputs.requireReadable(spec.trace, dumpIds);
      return this.lifecycle.submit(spec);
    });
    const [status] = await this.statuses([plan]);
    // `created` last, as it always was
    return { ...status, created };
  }

  async get(id: string): Promise<PlanDto> {
    const plan = await this.plan(id);
    const [status] = await this.statuses([plan]);
    return { ...status, spec: plan.spec, result: await this.store.result(plan) };
  }

  /** The time series of a plan, or of one point of a sweep (`point`, required for a sweep). */
  async timeseries(id: string, format: 'json' | 'csv', point?: number): Promise<{ contentType: string; body: string }> {
    const plan = await this.plan(id);
    if (!plan.resultSha256) throw new NotFoundError(`Plan ${id} has no result yet (state ${plan.state})`);
    let json: string | null;
    if (plan.points > 1) {
      if (point === undefined)
        throw new InvalidInputError(
          `point is required: plan ${id} is a sweep of ${plan.points} points (?point=0..${plan.points - 1}, see result.sweep.points)`,
        );
      if (point >= plan.points)
        throw new InvalidInputError(`point must be less than ${plan.points} (the sweep's points), got ${point}`);
      json = await this.store.pointTimeseriesJson(plan, point);
      if (json === null) throw new NotFoundError(`Point ${point} of plan ${id} has no result`);
    } else {
      if (point !== undefined && point !== 0) throw new InvalidInputError(`point must be 0 (plan ${id} is not a sweep), got ${point}`);
      json = await this.store.timeseriesJson(plan);
      if (json === null) throw new NotFoundError(`Plan ${id} has no result yet (state ${plan.state})`);
    }
    if (format === 'csv') return { contentType: 'text/csv; charset=utf-8', body: timeseriesToCsv({ timeseries: JSON.parse(json) }) };
    return { contentType: 'application/json; charset=utf-8', body: json };
  }

  async list(limit = 50, offset = 0): Promise<PlanListDto> {
    const [rows, total] = await this.store.list(limit, offset);
    return { items: await this.statuses(rows), total };
  }

  /** How many containers of each function fit on one host under each model (answered at once, on a compute thread). */
  async density(dto: DensityRequestDto): Promise<DensityResult> {
    if (!(dto.hostMemoryGiB > 0)) throw new InvalidInputError('hostMemoryGiB must be a positive number');
    const entries = Object.entries(dto.dumps);
    if (entries.length === 0) throw new InvalidInputError('dumps must name at least one function with its dump ids');
    for (const [fn, ids] of entries) {
      if (!Array.isArray(ids) || ids.length === 0 || !ids.every((x) => typeof x === 'string')) {
        throw new InvalidInputError(`dumps.${fn} must be a non-empty array of dump ids`);
      }
    }
    const rows = new Map((await this.inputs.dumpEntities(entries.flatMap(([, ids]) => ids))).map((e) => [e.id, dumpRef(e)]));
    const profiles = entries.map(([fn, ids]): [string, ReturnType<typeof dumpRef>[]] => [fn, ids.map((i) => rows.get(i)!)]);
    const models = (dto.models ?? ['none', 'ksm', 'upm']) as Array<'none' | 'ksm' | 'upm'>;
    return this.compute.run({ kind: 'density', profiles, hostMemoryGiB: dto.hostMemoryGiB, models });
  }

  /** A plan by id or by a unique prefix of at least 8 hex digits (what `upm` prints). */
  private async plan(id: string): Promise<PlanEntity> {
    const plan = await this.store.find(id);
    if (!plan) throw new NotFoundError(`No plan ${id}`);
    if ('ambiguous' in plan)
      throw new ConflictError(`Plan id prefix ${id} matches several plans: ${plan.ambiguous.join(', ')}; give more digits`, {
        matches: plan.ambiguous,
      });
    return plan;
  }

  /**
   * The status of each plan: its points done in one query, the progress of all in one Redis command whose cost
   * is the point jobs running now (the points done are the database's).
   */
  private async statuses(plans: PlanEntity[]): Promise<PlanStatusDto[]> {
    const done = await this.store.pointsDoneOf(plans.map((p) => p.id));
    const progress = await this.queue.progressOf(plans.map((p) => ({ id: p.id, state: p.state, points: p.points, done: done.get(p.id) ?? 0 })));
    return plans.map((p) => toPlanStatusDto(p, progress.get(p.id) ?? 0, done.get(p.id) ?? 0));
  }
}
