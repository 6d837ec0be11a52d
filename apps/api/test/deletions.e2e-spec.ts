import { INestApplication } from '@nestjs/common';
import { QUEUES } from '@upm/jobs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Queue } from 'bull';
import request from 'supertest';
import { testDatabases } from '../../../test/support/databases';
import { invitroTrace } from '../../../test/support/shared-dir';
import { appDataSource, createTestApp } from '../../../test/support/test-app';

const SAMPLE_DUMP = join(__dirname, '../../../samples/dumps/http-handler.dump');

/** DELETE /v1/dumps/:id, /v1/traces/:id, /v1/plans/:id: 409 while a plan that is not finished uses them. */
describe.each(testDatabases())('deletions on $name', (db) => {
  let app: INestApplication;
  let drop: () => Promise<void>;
  let plansQueue: Queue;
  const http = () => request(app.getHttpServer());
  const count = async (sql: string, params: unknown[]) => Number((await appDataSource(app).query(sql, params))[0].n);

  beforeAll(async () => {
    const created = await db.create();
    drop = created.drop;
    app = await createTestApp(created.url);
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    plansQueue = app.get(require('@nestjs/bull').getQueueToken(QUEUES.plans));
  });
  afterAll(async () => {
    await plansQueue?.obliterate({ force: true });
    await app?.close();
    await drop?.();
  });

  it('refuses while a plan is queued, deletes once it has finished, and leaves no blob behind', async () => {
    const trace = (await http().post('/v1/traces').attach('files', invitroTrace('example', 'Azure2021', 'Azure2021_200.csv')).expect(201)).body;
    const dump = (await http().post('/v1/dumps').set('content-type', 'application/octet-stream').send(readFileSync(SAMPLE_DUMP)).expect(201)).body;
    const spec = { trace: trace.id, profiles: { default: [dump.id] }, host: { memoryGiB: 2 }, policy: { kind: 'ttl', ttlMinutes: 10 }, models: ['none', 'upm'] };
    const plan = (await http().post('/v1/plans').send(spec).expect(202)).body;
    expect(plan.state).toBe('queued');

    for (const path of [`/v1/dumps/${dump.id}`, `/v1/traces/${trace.id}`, `/v1/plans/${plan.id}`]) {
      const res = await http().delete(path).expect(409);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.detail).toMatch(/queued/);
    }
    expect((await http().delete(`/v1/dumps/${dump.id}`)).body.plans).toEqual([plan.id]);
    await http().get(`/v1/dumps/${dump.id}`).expect(200);

    // No worker runs in this suite: the plan finishes the way a worker marks it (failed: it has no result).
    await appDataSource(app).query(`UPDATE plans SET state = 'failed', error = 'stopped by the test' WHERE id = '${plan.id}'`);

    expect(await plansQueue.getJob(`plans:${plan.id}`)).not.toBeNull();
    await http().delete(`/v1/plans/${plan.id}`).expect(204);
    await http().get(`/v1/plans/${plan.id}`).expect(404);
    // Its job went with it: submitting the same plan again runs it afresh (job ids are the plan's).
    expect(await plansQueue.getJob(`plans:${plan.id}`)).toBeNull();
    const again = (await http().post('/v1/plans').send(spec).expect(202)).body;
    expect(again).toMatchObject({ id: plan.id, created: true, state: 'queued' });
    expect(await (await plansQueue.getJob(`plans:${plan.id}`))?.getState()).toBe('waiting');
    await appDataSource(app).query(`UPDATE plans SET state = 'completed' WHERE id = '${plan.id}'`);
    // by the 12-digit prefix `upm` prints, as GET takes it
    await http().delete(`/v1/plans/${plan.id.slice(0, 12)}`).expect(204);
    await http().get(`/v1/plans/${plan.id}`).expect(404);
    await http().delete(`/v1/dumps/${dump.id}`).expect(204);
    await http().get(`/v1/dumps/${dump.id}`).expect(404);
    await http().delete(`/v1/traces/${trace.id}`).expect(204);
    await http().get(`/v1/traces/${trace.id}`).expect(404);
    const gone = await http().delete(`/v1/dumps/${dump.id}`).expect(404);
    expect(gone.headers['content-type']).toMatch(/^application\/problem\+json/);

    const p = db.name === 'postgres' ? ['$1', '$2'] : ['?', '?'];
    expect(await count(`SELECT COUNT(*) AS n FROM blobs WHERE sha256 IN (${p.join(', ')})`, [dump.sha256, trace.sha256 ?? ''])).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM blob_chunks', [])).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM blobs', [])).toBe(0);
  });
});
