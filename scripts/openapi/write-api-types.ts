/**
 * `npm run gen:api-types`: boots the API module (a throw-away sqlite file, the Redis of REDIS_URL or
 * 127.0.0.1:6379, nothing listening), builds its OpenAPI document and writes libs/client/src/api-types.ts.
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_TYPES_FILE, renderApiTypes } from './api-types';

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'upm-openapi-'));
  Object.assign(process.env, { DATABASE_URL: join(dir, 'db.sqlite'), LOG_LEVEL: 'silent', QUEUE_PREFIX: `upm-openapi-${process.pid}` });
  // after the environment: the config module reads it when loaded
  const { NestFactory } = await import('@nestjs/core');
  const { AppModule } = await import('../../apps/api/src/app.module');
  const { buildOpenApiDocument, setApiPrefix } = await import('../../apps/api/src/app.setup');
  const app = await NestFactory.create(AppModule, { logger: false });
  try {
    setApiPrefix(app);
    writeFileSync(API_TYPES_FILE, await renderApiTypes(buildOpenApiDocument(app)));
    process.stdout.write(`wrote ${API_TYPES_FILE}\n`);
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`gen:api-types: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
