import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import { JOB_NAMES, PlanJobPayload, planJobId, planPointJobId, QUEUES } from '@upm/jobs';
import {
  checkFunctionKeys,
  checkPlanWindow,
  densityPerHost,
  planSpecHash,
  profileRefs,
  validatePlanSpec,
  type DensityResult,
} from '@upm/model';
import { PlanEntity, PlanStore, StoredInputs } from '@upm/platform';
import type { Queue } from 'bull';
import { DataSource } from 'typeorm';
import { ConflictError, InvalidInputError, NotFoundError } from '../common/errors';
import { JobStatusService } from '../jobs/job-status.service';
import { CreatePlanDto, DensityRequestDto, PlanDto, PlanListDto, PlanStatusDto } from './dto/plan.dto';
import { toPlanStatusDto } from './plan.mapper';
import { timeseriesToCsv } from '@upm/model/plan/timeseries-csv';

@Injectable()
export class PlansService {
  private readonly store: PlanStore;
  private readonly inputs: StoredInputs;

  constructor(
    dataSource: DataSource,
    @InjectQueue(QUEUES.plans) private readonly queue: Queue<PlanJobPayload>,
    private readonly jobs: JobStatusService,
  ) {
    this.store = new PlanStore(dataSource);
    this.inputs = new StoredInputs(dataSource);
  }

  /**
   * Validates and stores the plan, then enqueues it. The plan's id is its content hash: the same plan
   * submitted again returns the stored one and runs nothing (unless it had failed: then it runs again).
   */
  async create(dto: CreatePlanDto): Promise<PlanStatusDto> {
    const spec = validatePlanSpec({ ...dto, version: dto.version ?? 1 });
    const traceRow = await this.inputs.traceEntity(spec.trace);
    // what the worker would find out later, found now: a window outside the trace, too many samples, and
    // function keys that name no function of the trace
    checkPlanWindow(spec, traceRow.window);
    if (Object.keys(spec.profiles.functions).length + Object.keys(spec.coldStartMs.functions).length > 0)
      checkFunctionKeys(spec, await this.inputs.loadTrace(spec.trace));
    await this.inputs.dumpEntities(profileRefs(spec.profiles));
    await this.jobs.requireRedis();
    const id = planSpecHash(spec);
    const { plan, created } = await this.store.createOrGet(id, spec, spec.trace);
    if (plan.state === 'failed') {
      await this.removeJobs(plan);
      await this.store.reset(plan.id);
      plan.state = 'queued';
      plan.error = null;
    }
    // Adding a job whose id exists is a no-op in Bull, so a repeated submission never runs twice.
    await this.queue.add(JOB_NAMES.plan, { version: 1, planId: plan.id }, { jobId: planJobId(plan.id) });
    return toPlanStatusDto(plan, await this.progressOf(plan), await this.store.pointsDone(plan.id), created);
  }

  async get(id: string): Promise<PlanDto> {
    const plan = await this.plan(id);
    const result = await this.store.result(plan);
    let withoutSeries: Record<string, unknown> | null = null;
    if (result) {
      const { timeseries: _omitted, ...rest } = result;
      withoutSeries = rest as unknown as Record<string, unknown>;
    }
    return {
      ...toPlanStatusDto(plan, await this.progressOf(plan), await this.store.pointsDone(plan.id)),
      spec: plan.spec,
      result: withoutSeries,
    };
  }

  /** The time series of a plan, or of one point of a sweep (`point`, required for a sweep). */
  async timeseries(id: string, format: 'json' | 'csv', point?: number): Promise<{ contentType: string; body: string }> {
    const plan = await this.plan(id);
    let result = await this.store.result(plan);
    if (!result) throw new NotFoundError(`Plan ${id} has no result yet (state ${plan.state})`);
    if (plan.points > 1) {
      if (point === undefined)
        throw new InvalidInputError(
          `point is required: plan ${id} is a sweep of ${plan.points} points (?point=0..${plan.points - 1}, see result.sweep.points)`,
        );
      if (point >= plan.points)
        throw new InvalidInputError(`point must be less than ${plan.points} (the sweep's points), got ${point}`);
      result = await this.store.pointResult(plan, point);
      if (!result) throw new NotFoundError(`Point ${point} of plan ${id} has no result`);
    } else if (point !== undefined && point !== 0) {
      throw new InvalidInputError(`point must be 0 (plan ${id} is not a sweep), got ${point}`);
    }
    if (format === 'csv') return { contentType: 'text/csv; charset=utf-8', body: timeseriesToCsv(result) };
    return { contentType: 'application/json; charset=utf-8', body: JSON.stringify(result.timeseries) };
  }

  async list(limit = 50, offset = 0): Promise<PlanListDto> {
    const [rows, total] = await this.store.list(limit, offset);
    const items: PlanStatusDto[] = [];
    for (const p of rows) items.push(toPlanStatusDto(p, await this.progressOf(p), await this.store.pointsDone(p.id)));
    return { items, total };
  }

  /** How many containers of each function fit on one host under each model (answered at once). */
  async density(dto: DensityRequestDto): Promise<DensityResult> {
    if (!(dto.hostMemoryGiB > 0)) throw new InvalidInputError('hostMemoryGiB must be a positive number');
    const entries = Object.entries(dto.dumps);
    if (entries.length === 0) throw new InvalidInputError('dumps must name at least one function with its dump ids');
    for (const [fn, ids] of entries) {
      if (!Array.isArray(ids) || ids.length === 0 || !ids.every((x) => typeof x === 'string')) {
        throw new InvalidInputError(`dumps.${fn} must be a non-empty array of dump ids`);
      }
    }
    const loaded = await this.inputs.loadDumps(entries.flatMap(([, ids]) => ids));
    const profiles = new Map(entries.map(([fn, ids]) => [fn, ids.map((i) => loaded.get(i)!)]));
    const models = (dto.models ?? ['none', 'ksm', 'upm']) as Array<'none' | 'ksm' | 'upm'>;
    return densityPerHost({ profiles, hostMemoryGiB: dto.hostMemoryGiB, models });
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

  /** 100 when done; else the mean progress of the point jobs (0 for points not enqueued yet). */
  private async progressOf(plan: PlanEntity): Promise<number> {
    if (plan.state === 'completed') return 100;
    if (plan.state === 'queued') return 0;
    let sum = 0;
    for (let i = 0; i < plan.points; i++) {
      const job = await this.queue.getJob(planPointJobId(plan.id, i));
      const p = job ? ((await job.isCompleted()) ? 100 : Number(job.progress()) || 0) : 0;
      sum += p;
    }
    return Math.min(99, Math.round(sum / plan.points));
  }

  private async removeJobs(plan: PlanEntity): Promise<void> {
    const ids = [planJobId(plan.id), ...Array.from({ length: plan.points }, (_, i) => planPointJobId(plan.id, i))];
    for (const id of ids) await (await this.queue.getJob(id))?.remove();
  }
}
