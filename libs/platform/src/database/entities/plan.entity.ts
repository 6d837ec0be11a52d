import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintNumber } from './transformers';

export type PlanState = 'queued' | 'running' | 'completed' | 'failed';

/** A capacity plan. Its id is the hash of its validated spec: the same plan is stored and run once. */
@Entity({ name: 'plans' })
export class PlanEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id: string;

  @Column({ type: 'varchar', length: 36, name: 'trace_id' })
  traceId: string;

  /** The validated PlanSpec with defaults applied. */
  @Column({ type: 'simple-json' })
  spec: Record<string, unknown>;

  @Column({ type: 'varchar', length: 16 })
  state: PlanState;

  /** Points of the sweep (1 without a sweep). */
  @Column({ type: 'integer' })
  points: number;

  /** SHA-256 of the combined PlanResult (a blob), once completed. */
  @Column({ type: 'varchar', length: 64, name: 'result_sha256', nullable: true })
  resultSha256: string | null;

  /** Headline numbers per model, for listing without loading the result. */
  @Column({ type: 'simple-json', nullable: true })
  summary: Record<string, unknown> | null;

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

  @Column({ type: 'varchar', length: 64, name: 'result_sha256' })
  resultSha256: string;

  @Column({ type: 'bigint', name: 'completed_at_ms', transformer: bigintNumber })
  completedAtMs: number;
}
