import type { FileReadSummary, JoinReport, TraceStats } from '@upm/model';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintNumber, jsonOf } from './transformers';

/** An ingested trace: the normalized trace is a blob under `sha256`; stats and reports are kept here for listing. */
@Entity({ name: 'traces' })
export class TraceEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 255 })
  name: string;

  @Column({ type: 'varchar', length: 32 })
  format: string;

  /** SHA-256 of the normalized trace blob. */
  @Column({ type: 'varchar', length: 64 })
  sha256: string;

  /** SHA-256 over the uploaded files' hashes (sorted) and the format asked for: the same upload is stored once. */
  @Column({ type: 'varchar', length: 64, name: 'source_sha256', nullable: true })
  sourceSha256: string | null;

  @Column({ type: 'bigint', name: 'source_bytes', transformer: bigintNumber })
  sourceBytes: number;

  @Column({ type: 'text', transformer: jsonOf<{ startS: number; endS: number }>() })
  window: { startS: number; endS: number };

  @Column({ type: 'text', transformer: jsonOf<TraceStats>() })
  stats: TraceStats;

  @Column({ type: 'text', name: 'join_report', nullable: true, transformer: jsonOf<JoinReport>() })
  joinReport: JoinReport | null;

  /** Per source file: kind, rows, rejected rows and the first errors. */
  @Column({ type: 'text', transformer: jsonOf<FileReadSummary[]>() })
  files: FileReadSummary[];

  @Column({ type: 'bigint', name: 'created_at_ms', transformer: bigintNumber })
  createdAtMs: number;
}
