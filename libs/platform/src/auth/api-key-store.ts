import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DataSource, IsNull } from 'typeorm';
import { ApiKeyEntity, ApiKeyScope } from '../database/entities/api-key.entity';

export const API_KEY_SCOPES: readonly ApiKeyScope[] = ['read', 'write'];

/** Keys start with this, so they are recognisable in configs and secret scanners. */
export const API_KEY_PREFIX = 'upm_';

/** What a key is allowed to do: write implies read. */
export function scopeAllows(held: ApiKeyScope, needed: ApiKeyScope): boolean {
  return held === 'write' || needed === 'read';
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export interface ApiKeyInfo {
  id: string;
  name: string;
  scope: ApiKeyScope;
  prefix: string;
  createdAt: string;
  revokedAt: string | null;
}

export class ApiKeyError extends Error {}

const toInfo = (e: ApiKeyEntity): ApiKeyInfo => ({
  id: e.id,
  name: e.name,
  scope: e.scope,
  prefix: e.prefix,
  createdAt: new Date(e.createdAtMs).toISOString(),
  revokedAt: e.revokedAtMs === null ? null : new Date(e.revokedAtMs).toISOString(),
});

/** API keys in the database: created (the key returned once, its hash stored), listed, revoked, looked up. */
export class ApiKeyStore {
  constructor(private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(ApiKeyEntity);
  }

  async create(name: string, scope: ApiKeyScope): Promise<ApiKeyInfo & { key: string }> {
    if (!/^[A-Za-z0-9_.@-]{1,64}$/.test(name)) throw new ApiKeyError(`key name must be 1-64 characters of [A-Za-z0-9_.@-], got '${name}'`);
    if (!API_KEY_SCOPES.includes(scope)) throw new ApiKeyError(`scope must be one of ${API_KEY_SCOPES.join(', ')}, got '${scope}'`);
    const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
    const entity = this.repo.create({
      id: randomUUID(),
      name,
      scope,
      keySha256: hashApiKey(key),
      prefix: key.slice(0, 12),
      createdAtMs: Date.now(),
      revokedAtMs: null,
    });
    await this.repo.insert(entity);
    return { ...toInfo(entity), key };
  }

  async list(): Promise<ApiKeyInfo[]> {
    return (await this.repo.find({ order: { createdAtMs: 'ASC' } })).map(toInfo);
  }

  /** Revokes a key by id; revoking a revoked key is a no-op. Throws when there is no such key. */
  async revoke(id: string): Promise<ApiKeyInfo> {
    const e = await this.repo.findOneBy({ id });
    if (!e) throw new ApiKeyError(`no API key with id '${id}'`);
    if (e.revokedAtMs === null) {
      e.revokedAtMs = Date.now();
      await this.repo.update({ id }, { revokedAtMs: e.revokedAtMs });
    }
    return toInfo(e);
  }

  /** The active (not revoked) key with this value, or null. */
  async findActive(key: string): Promise<ApiKeyInfo | null> {
    const e = await this.repo.findOneBy({ keySha256: hashApiKey(key), revokedAtMs: IsNull() });
    return e ? toInfo(e) : null;
  }

  async countActive(): Promise<number> {
    return this.repo.countBy({ revokedAtMs: IsNull() });
  }
}
