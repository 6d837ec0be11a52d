import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintNumber } from './transformers';

/** An uploaded page-hash dump: its bytes live in the blob store under `sha256`; this row is its index card. */
@Entity({ name: 'dumps' })
export class DumpEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 64, unique: true })
  sha256: string;

  @Column({ type: 'varchar', length: 255 })
  name: string;

  @Column({ type: 'bigint', name: 'size_bytes', transformer: bigintNumber })
  sizeBytes: number;

  /** HEAD labels (function=, runtime=, ...). */
  @Column({ type: 'simple-json' })
  labels: Record<string, string>;

  /** The DumpSummary computed while the upload streamed in. */
  @Column({ type: 'simple-json' })
  summary: Record<string, unknown>;

  @Column({ type: 'bigint', name: 'created_at_ms', transformer: bigintNumber })
  createdAtMs: number;
}
