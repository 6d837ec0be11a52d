import { combineSweep, expandSweep, modelSummaries, planSpecHash, type PlanResult, type PlanSpec } from '@upm/model';
import { DataSource, In } from 'typeorm';
import { PlanEntity, PlanPointEntity, type PlanState, type PlanSummary } from '../database/entities/plan.entity';
import type { PlanQueue } from '../queue/plan-queue';
import { BlobStore, type StagedBlob } from '../storage/blob-store';
import { PlanStore, type PlanResultWithoutSeries } from './plan-store';

/** What a point's report did: whether it completed the plan, and the plan's state after it (null: deleted). */
export interface PointOutcome {
  combined: boolean;
  state: PlanState | null;
}

class NotRunningError extends Error {}

/** The headline numbers of a result, per model, kept on the plan row for listings. */
export function summarizePlanResult(result: Pick<PlanResult, 'models'>): PlanSummary {
  return { models: modelSummaries(result) };
}

/**
 * The one owner of a plan's state: submit (queued), start (running, its point jobs enqueued), a point done
 * (completed once the last point combines them), fail, a failed plan's reset when it is submitted again, and
 * deletion. Nothing else writes a plan's row (state, result, summary, error, completion time) or its point rows.
 *
 * The states and their only transitions, each one conditional update on the state it leaves:
 *   queued → running (start) → completed (last point) ; queued | running → failed (fail) ; failed → queued (submit)
 * completed is final; a late point of a failed plan and a late failure of a completed one change nothing.
 *
 * Every transition is idempotent, because Bull may run a job again after its worker died: a point re-run
 * overwrites its own row, whichever point finds all points present combines them (twice at worst, with the same
 * result), and job ids are deterministic so enqueueing again adds nothing.
 */
export class PlanLifecycle {
  readonly store: PlanStore;
  private readonly blobs: BlobStore;

  /** `queue` may be left out where no job is enqueued: a sandboxed point process only reports points done. */
  constructor(
    private readonly dataSource: DataSource,
    private readonly queue?: PlanQueue,
  ) {
    this.store = new PlanStore(dataSource);
    this.blobs = new BlobStore(dataSource);
  }

  private get plans() {
    return this.dataSource.getRepository(PlanEntity);
  }

  private get pointRows() {
    return this.dataSource.getRepository(PlanPointEntity);
  }

  private get jobs(): PlanQueue {
    if (!this.queue) throw new Error('this PlanLifecycle has no queue: it cannot enqueue jobs');
    return this.queue;
  }

  /**
   * Stores a validated spec and enqueues its plan. The plan's id is its content hash: the same plan submitted
   * again returns the stored one and runs nothing, unless it had failed: then it is reset and runs again.
   */
  async submit(spec: PlanSpec): Promise<{ plan: PlanEntity; created: boolean }> {
    const id = planSpecHash(spec);
    const { plan, created } = await this.createOrGet(id, spec);
    if (plan.state === 'failed') {
      await this.jobs.removePlanJobs(plan.id, plan.points);
      await this.reset(plan);
    }
    await this.jobs.enqueuePlan(plan.id);
    return { plan, created };
  }

  /**
   * The coordinator's transition: a queued plan becomes running and its point jobs are enqueued. Returns the
   * plan, or null when it is not in the database.
   */
  async start(planId: string): Promise<PlanEntity | null> {
    const plan = await this.store.get(planId);
    if (!plan) return null;
    // conditional: a re-run coordinator (or a late one) never moves a plan back from completed or failed
    await this.plans.update({ id: plan.id, state: 'queued' }, { state: 'running' });
    await this.jobs.enqueuePoints(plan.id, plan.points);
    return plan;
  }

  /**
   * Stores one point's result (its time series as a blob of its own); when every point is stored, combines them
   * into the plan's result and completes the plan. Only a running plan takes points: a late point of a failed
   * plan (or of one already completed by a re-run of the same job) changes nothing. The completion is one
   * conditional update (running → completed), so it and a concurrent `fail` cannot both win.
   */
  async pointDone(plan: PlanEntity, index: number, result: PlanResult): Promise<PointOutcome> {
    const current = await this.store.get(plan.id);
    if (current?.state !== 'running') return { combined: false, state: current?.state ?? null };
    const { timeseries, ...withoutSeries } = result;
    const [stored, series] = [await this.stageJson(withoutSeries), await this.stageJson(timeseries)];
    // The point's row is written with its blobs' commit: a collection of identical content cannot interleave.
    await this.blobs.commitReferenced([stored, series], () =>
      this.pointRows.upsert(
        { planId: plan.id, index, resultSha256: stored.sha256, timeseriesSha256: series.sha256, completedAtMs: Date.now() },
        ['planId', 'index'],
      ),
    );
    const rows = await this.store.points(plan.id);
    if (rows.length < plan.points) return { combined: false, state: 'running' };
    // a plan of one point has that point's result: the same blobs
    let blobs = [stored, series];
    let summary = summarizePlanResult(withoutSeries);
    if (plan.points > 1) {
      const points: PlanResultWithoutSeries[] = [];
      for (const r of rows) points.push(await this.store.pointResult(r));
      const { timeseries: sweepSeries, ...combined } = combineSweep(plan.spec, points);
      blobs = [await this.stageJson(combined), await this.stageJson(sweepSeries)];
      summary = summarizePlanResult(combined);
    }
    const completed = { resultSha256: blobs[0].sha256, timeseriesSha256: blobs[1].sha256, summary };
    try {
      await this.blobs.commitReferenced(blobs, async () => {
        const r = await this.plans.update({ id: plan.id, state: 'running' }, { state: 'completed', ...completed, completedAtMs: Date.now(), error: null });
        // not running any more (failed, or completed by another run of this point): the blobs are collected
        if (!r.affected) throw new NotRunningError();
      });
    } catch (e) {
      if (!(e instanceof NotRunningError)) throw e;
      return { combined: false, state: (await this.store.get(plan.id))?.state ?? null };
    }
    return { combined: true, state: 'completed' };
  }

  /**
   * A job of the plan failed for good: a queued or running plan becomes failed, with the error. A completed plan
   * stays completed (a late failure of a re-run job) and a failed one keeps its first error. Returns whether
   * this call failed the plan.
   */
  async fail(planId: string, error: string): Promise<boolean> {
    const r = await this.plans.update({ id: planId, state: In(['queued', 'running']) }, { state: 'failed', error });
    return (r.affected ?? 0) > 0;
  }

  /**
   * Deletes a finished plan, its points and its jobs (job ids are deterministic: Bull would take a resubmission
   * for a duplicate). Returns the blobs its rows referred to, for the caller to delete those no other row uses.
   */
  async delete(plan: PlanEntity): Promise<string[]> {
    await this.jobs.removePlanJobs(plan.id, plan.points);
    const rows = await this.store.points(plan.id);
    await this.pointRows.delete({ planId: plan.id });
    await this.plans.delete({ id: plan.id });
    const blobs = [plan.resultSha256, plan.timeseriesSha256, ...rows.flatMap((r) => [r.resultSha256, r.timeseriesSha256])];
    return [...new Set(blobs.filter((sha): sha is string => sha !== null))];
  }

  /** Inserts the plan unless it exists; returns the stored row and whether it was new. */
  private async createOrGet(id: string, spec: PlanSpec): Promise<{ plan: PlanEntity; created: boolean }> {
    const existing = await this.store.get(id);
    if (existing) return { plan: existing, created: false };
    const plan = this.plans.create({
      id,
      traceId: spec.trace,
      spec,
      state: 'queued',
      points: expandSweep(spec).length,
      resultSha256: null,
      timeseriesSha256: null,
      summary: null,
      error: null,
      createdAtMs: Date.now(),
      completedAtMs: null,
    });
    try {
      await this.plans.insert(plan);
      return { plan, created: true };
    } catch (e) {
      const raced = await this.store.get(id);
      if (raced) return { plan: raced, created: false };
      throw e;
    }
  }

  /** Back to queued for a re-run of a failed plan (the row given is updated too): its old points are dropped. */
  private async reset(plan: PlanEntity): Promise<void> {
    await this.pointRows.delete({ planId: plan.id });
    const cleared = { state: 'queued', error: null, resultSha256: null, timeseriesSha256: null, summary: null, completedAtMs: null } as const;
    await this.plans.update({ id: plan.id }, cleared);
    Object.assign(plan, cleared);
  }

  private stageJson(value: unknown): Promise<StagedBlob> {
    return this.blobs.stage([Buffer.from(JSON.stringify(value))], Number.MAX_SAFE_INTEGER);
  }
}
