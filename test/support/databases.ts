import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

export interface TestDatabase {
  name: 'sqlite' | 'postgres';
  /** Creates a fresh, empty database and returns its DATABASE_URL. */
  create(): Promise<{ url: string; drop(): Promise<void> }>;
}

const sqlite: TestDatabase = {
  name: 'sqlite',
  async create() {
    const dir = mkdtempSync(join(tmpdir(), 'upm-e2e-'));
    return { url: join(dir, 'upm.sqlite'), drop: async () => rmSync(dir, { recursive: true, force: true }) };
  },
};

/** A private schema per suite in DATABASE_URL_TEST's database, selected through search_path. */
function postgres(baseUrl: string): TestDatabase {
  return {
    name: 'postgres',
    async create() {
      const schema = `e2e_${randomBytes(6).toString('hex')}`;
      const admin = new Client({ connectionString: baseUrl });
      await admin.connect();
      await admin.query(`CREATE SCHEMA ${schema}`);
      await admin.end();
      const url = new URL(baseUrl);
      url.searchParams.set('options', `-c search_path=${schema}`);
      return {
        url: url.toString(),
        drop: async () => {
          const c = new Client({ connectionString: baseUrl });
          await c.connect();
          await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
          await c.end();
        },
      };
    },
  };
}

/** The databases the e2e suite runs against: sqlite always, PostgreSQL when DATABASE_URL_TEST is set. */
export function testDatabases(): TestDatabase[] {
  const pg = process.env.DATABASE_URL_TEST;
  return pg ? [sqlite, postgres(pg)] : [sqlite];
}
