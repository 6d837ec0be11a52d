import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintNumber } from './transformers';

export type ApiKeyScope = 'read' | 'write';

/** An API key. Only the SHA-256 of the key is stored; the key itself is shown once, when created. */
@Entity({ name: 'api_keys' })
export class ApiKeyEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 64 })
  name: string;

  @Column({ type: 'varchar', length: 8 })
  scope: ApiKeyScope;

  /** SHA-256 (hex) of the whole key. Keys are 256 random bits, so a fast hash is enough. */
  @Column({ type: 'varchar', length: 64, name: 'key_sha256' })
  keySha256: string;

  /** The key's first characters, to recognise it in a list. */
  @Column({ type: 'varchar', length: 16 })
  prefix: string;

  @Column({ type: 'bigint', name: 'created_at_ms', transformer: bigintNumber })
  createdAtMs: number;

  @Column({ type: 'bigint', name: 'revoked_at_ms', nullable: true, transformer: bigintNumber })
  revokedAtMs: number | null;
}
