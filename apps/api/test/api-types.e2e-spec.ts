import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { testDatabases } from '../../../test/support/databases';
import { createTestApp } from '../../../test/support/test-app';

const ROOT = join(__dirname, '../../..');

/** The client's types are the API's contract: the committed file is what the served document generates. */
describe('libs/client/src/api-types.ts', () => {
  const db = testDatabases()[0];
  let app: INestApplication;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const created = await db.create();
    drop = created.drop;
    app = await createTestApp(created.url);
  });
  afterAll(async () => {
    await app?.close();
    await drop?.();
  });

  it('equals the types of the served /openapi.json (else: npm run gen:api-types)', async () => {
    const doc = (await request(app.getHttpServer()).get('/openapi.json').expect(200)).text;
    // openapi-typescript in a plain Node process (Jest cannot load the ES modules it requires)
    const r = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', 'scripts/openapi/api-types.ts'], {
      cwd: ROOT,
      input: doc,
      encoding: 'utf8',
      env: { ...process.env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') },
    });
    expect(r.stderr).toBe('');
    expect(readFileSync(join(ROOT, 'libs/client/src/api-types.ts'), 'utf8')).toBe(r.stdout);
  });
});
