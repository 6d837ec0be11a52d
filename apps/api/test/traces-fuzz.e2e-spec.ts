import { INestApplication } from '@nestjs/common';
import { Rng } from '@upm/model';
import { mutateCsv } from '@upm/model/traces/test/mutate';
import { readFileSync } from 'node:fs';
import request from 'supertest';
import { testDatabases } from '../../../test/support/databases';
import { invitroTrace } from '../../../test/support/shared-dir';
import { appDataSource, createTestApp } from '../../../test/support/test-app';

const UPLOADS = 5000;

/**
 * Fuzzed trace uploads through the service: whatever the bytes, the API answers 201 or a problem+json 4xx,
 * keeps serving, and stores exactly one trace per accepted distinct upload and nothing of the rejected ones.
 */
describe('trace uploads fuzzed through the API', () => {
  const [db] = testDatabases(); // sqlite: the property is the service's, not the database's
  let app: INestApplication;
  let drop: () => Promise<void>;

  const text = (p: string, lines = 60) => Buffer.from(readFileSync(p, 'latin1').split('\n').slice(0, lines).join('\n'), 'latin1');
  const corpus = {
    a21: text(invitroTrace('example', 'Azure2021', 'Azure2021_200.csv')),
    inv: text(invitroTrace('5', 'invocations.csv')),
    dur: text(invitroTrace('5', 'durations.csv')),
    mem: text(invitroTrace('5', 'memory.csv')),
  };

  beforeAll(async () => {
    const created = await db.create();
    drop = created.drop;
    app = await createTestApp(created.url);
  });
  afterAll(async () => {
    await app?.close();
    await drop?.();
  });

  it(`answers ${UPLOADS} mutated uploads with 201 or a 4xx problem, and stores only whole traces`, async () => {
    const rng = new Rng('upm-api-trace-fuzz-1');
    const accepted = new Set<string>();
    const statuses = new Map<number, number>();
    for (let i = 0; i < UPLOADS; i++) {
      let req = request(app.getHttpServer()).post('/v1/traces');
      if (rng.int(2) === 0) {
        req = req.attach('files', mutateCsv(rng, corpus.a21), 'azure2021.csv');
      } else {
        // One of the three Azure 2019 files mutated, the others intact.
        const which = rng.int(3);
        req = req
          .attach('files', which === 0 ? mutateCsv(rng, corpus.inv) : corpus.inv, 'invocations.csv')
          .attach('files', which === 1 ? mutateCsv(rng, corpus.dur) : corpus.dur, 'durations.csv')
          .attach('files', which === 2 ? mutateCsv(rng, corpus.mem) : corpus.mem, 'memory.csv');
      }
      const res = await req;
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status === 201) accepted.add(res.body.id);
      else if (res.status >= 400 && res.status < 500) {
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(typeof res.body.detail).toBe('string');
      } else throw new Error(`upload ${i}: unexpected ${res.status} ${JSON.stringify(res.body)}`);
    }
    // Both outcomes happened, so the test exercises both paths.
    expect(statuses.get(201)).toBeGreaterThan(0);
    expect(statuses.get(422)).toBeGreaterThan(0);
    const ds = appDataSource(app);
    const [[traces], [orphans], [unreferenced]] = await Promise.all([
      ds.query('SELECT COUNT(*) AS n FROM traces'),
      ds.query('SELECT COUNT(*) AS n FROM blob_chunks c LEFT JOIN blobs b ON b.upload_id = c.upload_id WHERE b.upload_id IS NULL'),
      ds.query('SELECT COUNT(*) AS n FROM traces t LEFT JOIN blobs b ON b.sha256 = t.sha256 WHERE b.sha256 IS NULL'),
    ]);
    expect(Number(traces.n)).toBe(accepted.size);
    expect(Number(orphans.n)).toBe(0);
    expect(Number(unreferenced.n)).toBe(0);
    await request(app.getHttpServer()).get('/health').expect(200);
  }, 600_000);
});
