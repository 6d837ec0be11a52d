import { DataSource } from 'typeorm';

/** Arbitrary constant naming the migration lock in PostgreSQL's advisory-lock space. */
const PG_MIGRATION_LOCK_KEY = 0x55504d31;

/**
 * Runs pending migrations, serialised across processes: the API and several workers may start at once.
 * PostgreSQL: a session advisory lock. sqlite: one write transaction at a time (busy timeout) and
 * migrations written with IF NOT EXISTS, so a process that loses the race finds the work done.
 */
export async function runMigrationsExclusively(dataSource: DataSource): Promise<void> {
  if (dataSource.options.type !== 'postgres') {
    await dataSource.runMigrations({ transaction: 'each' });
    return;
  }
  const runner = dataSource.createQueryRunner();
  try {
    await runner.connect();
    await runner.query('SELECT pg_advisory_lock($1)', [PG_MIGRATION_LOCK_KEY]);
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [PG_MIGRATION_LOCK_KEY]).catch(() => undefined);
    await runner.release();
  }
}
