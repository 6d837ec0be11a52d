import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

/** Several processes (API, workers) write the same sqlite file: wait for the lock instead of failing. */
const SQLITE_BUSY_TIMEOUT_MS = 10_000;

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

/**
 * TypeORM options for DATABASE_URL: a postgres:// URL, or else a sqlite file (WAL, busy timeout).
 * Schema comes only from migrations; `synchronize` stays off in every environment.
 */
export function buildDataSourceOptions(databaseUrl: string): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: false,
    synchronize: false,
    logging: false,
  } as const;
  if (isPostgresUrl(databaseUrl)) {
    return { type: 'postgres', url: databaseUrl, ...common };
  }
  if (databaseUrl !== ':memory:') mkdirSync(dirname(resolve(databaseUrl)), { recursive: true });
  return {
    type: 'sqlite',
    database: databaseUrl,
    enableWAL: true,
    busyTimeout: SQLITE_BUSY_TIMEOUT_MS,
    ...common,
  };
}
