import type { PlanResult } from '@upm/model';
import { DataSource, In, Like } from 'typeorm';
import { PlanEntity, PlanPointEntity } from '../database/entities/plan.entity';
import { BlobStore } from '../storage/blob-store';

/** A PlanResult as GET /v1/plans/:id shows it: everything but the time series (at /timeseries). */
export type PlanResultWithoutSeries = Omit<PlanResult, 'timeseries'>;

/**
 * Reads plans, their points and their results. It writes nothing: every write to a plan or its points is a
 * state transition, made by PlanLifecycle.
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

  async list(limit: number, offset: number): Promise<[PlanEntity[], number]> {
    return this.plans.findAndCount({ order: { createdAtMs: 'DESC', id: 'ASC' }, take: limit, skip: offset });
  }

  /** The plans in one of these states (what deletions check against). */
  async inStates(states: PlanEntity['state'][]): Promise<PlanEntity[]> {
    return this.plans.findBy({ state: In(states) });
  }

  /** Points stored per plan, for a page of plans in one query (plans without any are absent: 0). */
  async pointsDoneOf(ids: string[]): Promise<Map<string, number>> {
    if (ids.length === 0) return new Map();
    const rows: { planId: string; n: string | number }[] = await this.pointRows
      .createQueryBuilder('p')
      .select('p.planId', 'planId')
      .addSelect('COUNT(*)', 'n')
      .where({ planId: In(ids) })
      .groupBy('p.planId')
      .getRawMany();
    return new Map(rows.map((r) => [r.planId, Number(r.n)]));
  }

  /** The point rows of a plan, in index order. */
  async points(id: string): Promise<PlanPointEntity[]> {
    return this.pointRows.find({ where: { planId: id }, order: { index: 'ASC' } });
  }

  /** The plan's result without its time series, which is not read when it is stored apart (every new plan). */
  async result(plan: PlanEntity): Promise<PlanResultWithoutSeries | null> {
    if (!plan.resultSha256) return null;
    return this.readWithoutSeries(plan.resultSha256, plan.timeseriesSha256);
  }

  /** A point's result without its time series (what combining a sweep needs). */
  async pointResult(point: PlanPointEntity): Promise<PlanResultWithoutSeries> {
    return this.readWithoutSeries(point.resultSha256, point.timeseriesSha256);
  }

  /** The plan's time series as JSON text, or null before it completes. */
  async timeseriesJson(plan: PlanEntity): Promise<string | null> {
    if (!plan.resultSha256) return null;
    return this.readSeries(plan.resultSha256, plan.timeseriesSha256);
  }

  /** The time series of point `index` of a plan as JSON text, or null when the point is not stored. */
  async pointTimeseriesJson(plan: PlanEntity, index: number): Promise<string | null> {
    const row = await this.pointRows.findOneBy({ planId: plan.id, index });
    return row ? this.readSeries(row.resultSha256, row.timeseriesSha256) : null;
  }

  private async readWithoutSeries(resultSha256: string, timeseriesSha256: string | null): Promise<PlanResultWithoutSeries> {
    const stored = JSON.parse((await this.blobs.read(resultSha256)).toString('utf8')) as PlanResultWithoutSeries;
    if (timeseriesSha256) return stored;
    // a row stored before the series had a blob of its own: the result holds it
    const { timeseries: _dropped, ...rest } = stored as PlanResult;
    return rest;
  }

  private async readSeries(resultSha256: string, timeseriesSha256: string | null): Promise<string> {
    if (timeseriesSha256) return (await this.blobs.read(timeseriesSha256)).toString('utf8');
    const whole = JSON.parse((await this.blobs.read(resultSha256)).toString('utf8')) as PlanResult;
    return JSON.stringify(whole.timeseries);
  }
}
