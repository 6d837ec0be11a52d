import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

/** Several processes (API, workers) write the same sqlite file: wait for the lock instead of failing. */
const SQLITE_BUSY_TIMEOUT_MS = 10_000;

/**
 * The sqlite3 module for TypeORM, whose driver calls `verbose()` on it: that wraps every Database and Statement
 * call to capture a stack and util.inspect its arguments, for longer error stacks; in a CPU profile of the API
 * serving GETs on sqlite it was about 5% of the CPU. Here verbose() is a no-op; errors keep their messages.
 */
// eslint-disable-next-line @typescript-eslint/no-var-requires
const sqliteWithoutTraces: unknown = Object.assign(Object.create(require('sqlite3') as object) as object, {
  verbose(this: unknown) {
    return this;
  },
});

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
    driver: sqliteWithoutTraces,
    ...common,
  };
}
