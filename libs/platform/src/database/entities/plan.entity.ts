import type { PlanSpec, SweepPointSummary } from '@upm/model';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintNumber, jsonOf } from './transformers';

export type PlanState = 'queued' | 'running' | 'completed' | 'failed';

/** The headline numbers of a plan's result, per model, kept on its row for listings. */
export type PlanSummary = { models: SweepPointSummary['models'] };

/** A capacity plan. Its id is the hash of its validated spec: the same plan is stored and run once. */
@Entity({ name: 'plans' })
export class PlanEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id: string;

  @Column({ type: 'varchar', length: 36, name: 'trace_id' })
  traceId: string;

  /** The validated PlanSpec with defaults applied (validated once, by the API, before it is stored). */
  @Column({ type: 'text', transformer: jsonOf<PlanSpec>() })
  spec: PlanSpec;

  @Column({ type: 'varchar', length: 16 })
  state: PlanState;

  /** Points of the sweep (1 without a sweep). */
  @Column({ type: 'integer' })
  points: number;

  /**
   * SHA-256 of the combined PlanResult (a blob), once completed: without its `timeseries` when
   * timeseriesSha256 is set, whole in rows completed before that column existed.
   */
  @Column({ type: 'varchar', length: 64, name: 'result_sha256', nullable: true })
  resultSha256: string | null;

  /** SHA-256 of the result's `timeseries` (a blob of its own, so that reading the result skips it); null before. */
  @Column({ type: 'varchar', length: 64, name: 'timeseries_sha256', nullable: true })
  timeseriesSha256: string | null;

  /** Headline numbers per model, for listing without loading the result. */
  @Column({ type: 'text', nullable: true, transformer: jsonOf<PlanSummary>() })
  summary: PlanSummary | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ type: 'bigint', name: 'created_at_ms', transformer: bigintNumber })
  createdAtMs: number;

  @Column({ type: 'bigint', name: 'completed_at_ms', nullable: true, transformer: bigintNumber })
  completedAtMs: number | null;
}

/** The result of one point of a plan's sweep. Upserted by (plan, index): a re-run point writes the same row. */
@Entity({ name: 'plan_points' })
export class PlanPointEntity {
  @PrimaryColumn({ type: 'varchar', length: 64, name: 'plan_id' })
  planId: string;

  @PrimaryColumn({ type: 'integer' })
  index: number;

  /** SHA-256 of the point's PlanResult: without its `timeseries` when timeseriesSha256 is set, whole before. */
  @Column({ type: 'varchar', length: 64, name: 'result_sha256' })
  resultSha256: string;

  /** SHA-256 of the point's `timeseries` (a blob of its own); null in rows stored before it existed. */
  @Column({ type: 'varchar', length: 64, name: 'timeseries_sha256', nullable: true })
  timeseriesSha256: string | null;

  @Column({ type: 'bigint', name: 'completed_at_ms', transformer: bigintNumber })
  completedAtMs: number;
}
