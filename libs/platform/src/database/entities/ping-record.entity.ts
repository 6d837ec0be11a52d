import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintNumber } from './transformers';

/** What a ping job wrote: proof that a job crossed API → Redis → worker → database. */
@Entity({ name: 'ping_records' })
export class PingRecordEntity {
  /** The Bull job id: a retried job upserts the same row, so a ping is recorded exactly once. */
  @PrimaryColumn({ type: 'varchar', length: 128, name: 'job_id' })
  jobId: string;

  @Column({ type: 'text' })
  message: string;

  @Column({ type: 'varchar', length: 255, name: 'worker_id' })
  workerId: string;

  @Column({ type: 'integer', default: 1 })
  runs: number;

  @Column({ type: 'bigint', name: 'processed_at_ms', transformer: bigintNumber })
  processedAtMs: number;
}
