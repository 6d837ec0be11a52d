import type { DumpSummary } from '@upm/model';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintNumber, jsonOf } from './transformers';

/**
 * The summary kept on a dump row: the DumpSummary's headline figures with the capture time as an ISO string
 * (what GET /v1/dumps shows; the per-process list stays in the blob).
 */
export type StoredDumpSummary = Pick<
  DumpSummary,
  | 'snapshots'
  | 'processes'
  | 'vmas'
  | 'residentPages'
  | 'distinctHashes'
  | 'zeroPages'
  | 'ksmPages'
  | 'anonPages'
  | 'filePages'
  | 'swappedPages'
  | 'thpPages'
  | 'pageSize'
  | 'hash'
  | 'host'
> & { capturedAt: string };

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
  @Column({ type: 'text', transformer: jsonOf<Record<string, string>>() })
  labels: Record<string, string>;

  /** Computed while the upload streamed in. */
  @Column({ type: 'text', transformer: jsonOf<StoredDumpSummary>() })
  summary: StoredDumpSummary;

  @Column({ type: 'bigint', name: 'created_at_ms', transformer: bigintNumber })
  createdAtMs: number;
}
