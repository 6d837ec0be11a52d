import { DataSource } from 'typeorm';
import { ApiKeyError, ApiKeyStore, buildDataSourceOptions, runMigrationsExclusively, validateEnvironment } from '@upm/platform';
import { CliError } from '@upm/client';

/**
 * Opens the server's database (migrated), runs `fn` on its key store, closes. Its own module because TypeORM and
 * the platform are ~1,900 modules: server-keys.command.ts loads this only when a keys command runs, so `upm --help`
 * and every other command start without them.
 */
export async function withStore<T>(database: string | undefined, fn: (store: ApiKeyStore) => Promise<T>): Promise<T> {
  let url: string;
  try {
    url = validateEnvironment({ DATABASE_URL: database ?? process.env.DATABASE_URL }).DATABASE_URL;
  } catch (e) {
    throw new CliError((e as Error).message, 2);
  }
  const ds = new DataSource(buildDataSourceOptions(url));
  try {
    await ds.initialize();
  } catch (e) {
    throw new CliError(`cannot open the database ${url.replace(/\/\/[^@/]*@/, '//***@')}: ${(e as Error).message}`);
  }
  try {
    await runMigrationsExclusively(ds);
    return await fn(new ApiKeyStore(ds));
  } catch (e) {
    if (e instanceof ApiKeyError) throw new CliError(e.message, 2);
    throw e;
  } finally {
    await ds.destroy();
  }
}
