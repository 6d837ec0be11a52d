import { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { testDatabases } from './databases';

const dataSources = new WeakMap<INestApplication, import('typeorm').DataSource>();

/** The app's own DataSource (its module registry differs from the test file's after resetModules). */
export function appDataSource(app: INestApplication): import('typeorm').DataSource {
  const ds = dataSources.get(app);
  if (!ds) throw new Error('not an app made by createTestApp');
  return ds;
}

/**
 * The real API module, on a fresh database and a private Bull key prefix in the real Redis.
 * Environment variables are the module's only input, as in production.
 */
export async function createTestApp(databaseUrl: string, extraEnv: Record<string, string> = {}): Promise<INestApplication> {
  Object.assign(process.env, {
    DATABASE_URL: databaseUrl,
    REDIS_URL: process.env.REDIS_URL_TEST ?? 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `upm-test-${randomBytes(4).toString('hex')}`,
    LOG_LEVEL: 'silent',
    // Suites that test rate limits or auth modes set these; the others run unlimited, open on loopback.
    RATE_LIMIT_PER_ADDRESS: '0',
    RATE_LIMIT_PER_KEY: '0',
    AUTH: 'auto',
    BOOTSTRAP_API_KEY: '',
    ...extraEnv,
  });
  // ConfigModule.forRoot reads the environment when the module file is evaluated: load it afresh.
  jest.resetModules();
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { AppModule } = require('../../apps/api/src/app.module') as typeof import('../../apps/api/src/app.module');
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { configureApp } = require('../../apps/api/src/app.setup') as typeof import('../../apps/api/src/app.setup');
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { Test } = require('@nestjs/testing') as typeof import('@nestjs/testing');
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  const app = configureApp(moduleRef.createNestApplication({ bufferLogs: true }));
  await app.init();
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { DataSource } = require('typeorm') as typeof import('typeorm');
  dataSources.set(app, app.get(DataSource));
  return app;
}

/**
 * For suites that make several apps of different settings: `make` builds one on a fresh database (the first
 * of testDatabases()), `closeAll` (in afterEach) closes every app made so far with `closeApp` and drops
 * their databases.
 */
export function freshApps(closeApp: (app: INestApplication) => Promise<void> = (app) => app.close()) {
  let apps: INestApplication[] = [];
  let drops: Array<() => Promise<void>> = [];
  return {
    async make(extraEnv: Record<string, string> = {}): Promise<INestApplication> {
      const created = await testDatabases()[0].create();
      drops.push(created.drop);
      const app = await createTestApp(created.url, extraEnv);
      apps.push(app);
      return app;
    },
    async closeAll(): Promise<void> {
      for (const a of apps) await closeApp(a);
      for (const d of drops) await d();
      apps = [];
      drops = [];
    },
  };
}
