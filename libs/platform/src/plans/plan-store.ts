import { combineSweep, expandSweep, modelSummaries, type PlanResult, type PlanSpec } from '@upm/model';
import { DataSource, Like } from 'typeorm';
import { PlanEntity, PlanPointEntity, PlanState } from '../database/entities/plan.entity';
import { BlobStore } from '../storage/blob-store';

/** The headline numbers of a result, per model, kept on the plan row for listings. */
export function summarizePlanResult(result: PlanResult): Record<string, unknown> {
  return { models: modelSummaries(result) };
}

/**
 * Plans and their points in the database; results as blobs. Every write is idempotent, because Bull may
 * run a job again after its worker died: a point re-run overwrites its own row, and whichever point
 * finds all points present combines them (twice at worst, with the same result).
 */
export class PlanStore {
  private readonly blobs: BlobStore;

  constructor(private readonly dataSource: DataSource) {
    this.blobs = new BlobStore(dataSource);
  }

  private get plans() {
    return this.dataSource.getRepository(PlanEntity);
  }

  private get pointRows() {
    return this.dataSource.getRepository(PlanPointEntity);
  }

  async get(id: string): Promise<PlanEntity | null> {
    return /^[0-9a-f]{64}$/.test(id) ? this.plans.findOneBy({ id }) : null;
  }

  /**
   * A plan by its id or a prefix of it (at least 8 hex digits, like the 12 that `upm` prints). Returns the
   * plan, null when none matches, or the matching ids (up to 5) when the prefix is not unique.
   */
  async find(idOrPrefix: string): Promise<PlanEntity | null | { ambiguous: string[] }> {
    const id = idOrPrefix.toLowerCase();
    if (/^[0-9a-f]{64}$/.test(id)) return this.get(id);
    if (!/^[0-9a-f]{8,63}$/.test(id)) return null;
    const rows = await this.plans.find({ where: { id: Like(`${id}%`) }, order: { id: 'ASC' }, take: 5 });
    if (rows.length === 0) return null;
    if (rows.length > 1) return { ambiguous: rows.map((r) => r.id) };
    return rows[0];
  }

  /** Inserts the plan unless it exists; returns the stored row and whether it was new. */
  async createOrGet(id: string, spec: PlanSpec, traceId: string): Promise<{ plan: PlanEntity; created: boolean }> {
    const existing = await this.get(id);
    if (existing) return { plan: existing, created: false };
    const plan = this.plans.create({
      id,
      traceId,
      spec: spec as unknown as Record<string, unknown>,
      state: 'queued',
      points: expandSweep(spec).length,
      resultSha256: null,
      summary: null,
      error: null,
      createdAtMs: Date.now(),
      completedAtMs: null,
    });
    try {
      await this.plans.insert(plan as never);
      return { plan, created: true };
    } catch (e) {
      const raced = await this.get(id);
      if (raced) return { plan: raced, created: false };
      throw e;
    }
  }

  async setState(id: string, state: PlanState, error: string | null = null): Promise<void> {
    await this.plans.update({ id }, { state, error });
  }

  /** Back to queued for a re-run of a failed plan: its old points are dropped. */
  async reset(id: string): Promise<void> {
    await this.pointRows.delete({ planId: id });
    await this.plans.update({ id }, { state: 'queued', error: null, resultSha256: null, summary: null, completedAtMs: null });
  }

  /**
   * Stores one point's result; when every point is stored, combines them into the plan's result.
   * Returns whether this call completed the plan.
   */
  async savePoint(plan: PlanEntity, index: number, result: PlanResult): Promise<{ resultSha256: string; combined: boolean }> {
    const blob = await this.blobs.put([Buffer.from(JSON.stringify(result))], Number.MAX_SAFE_INTEGER);
    await this.pointRows.upsert({ planId: plan.id, index, resultSha256: blob.sha256, completedAtMs: Date.now() }, ['planId', 'index']);
    const rows = await this.pointRows.find({ where: { planId: plan.id }, order: { index: 'ASC' } });
    if (rows.length < plan.points) return { resultSha256: blob.sha256, combined: false };
    const points: PlanResult[] = [];
    for (const r of rows) points.push(JSON.parse((await this.blobs.read(r.resultSha256)).toString('utf8')) as PlanResult);
    const spec = plan.spec as unknown as PlanSpec;
    const combined = plan.points === 1 ? points[0] : combineSweep(spec, points);
    const stored = await this.blobs.put([Buffer.from(JSON.stringify(combined))], Number.MAX_SAFE_INTEGER);
    await this.plans.update({ id: plan.id }, {
      state: 'completed',
      resultSha256: stored.sha256,
      // simple-json column: TypeORM's partial-entity type does not model it.
      summary: summarizePlanResult(combined) as never,
      completedAtMs: Date.now(),
      error: null,
    });
    return { resultSha256: blob.sha256, combined: true };
  }

  async pointsDone(id: string): Promise<number> {
    return this.pointRows.countBy({ planId: id });
  }

  async result(plan: PlanEntity): Promise<PlanResult | null> {
    if (!plan.resultSha256) return null;
    return JSON.parse((await this.blobs.read(plan.resultSha256)).toString('utf8')) as PlanResult;
  }

  /** The result of one point of a plan (a sweep's point i), or null when it is not stored. */
  async pointResult(plan: PlanEntity, index: number): Promise<PlanResult | null> {
    const row = await this.pointRows.findOneBy({ planId: plan.id, index });
    if (!row) return null;
    return JSON.parse((await this.blobs.read(row.resultSha256)).toString('utf8')) as PlanResult;
  }

  async list(limit: number, offset: number): Promise<[PlanEntity[], number]> {
    return this.plans.findAndCount({ order: { createdAtMs: 'DESC', id: 'ASC' }, take: limit, skip: offset });
  }
}
