import { INestApplication } from '@nestjs/common';
import { QUEUES } from '@upm/jobs';
import type { Queue } from 'bull';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { testDatabases } from '../../../test/support/databases';
import { invitroTrace } from '../../../test/support/shared-dir';
import { appDataSource, createTestApp } from '../../../test/support/test-app';

const SAMPLE_DUMP = readFileSync(join(__dirname, '../../../samples/dumps/http-handler.dump'));
const ROUNDS = 40;

/** 0, 5, ..., 50 ms over the rounds: the second request lands before, during and after the first one's steps. */
const gap = (round: number) => (round * 5) % 55;

/**
 * Deletes racing uploads of the same content and plan submissions over HTTP, as two clients would send them
 * (issue 21, item 1): no round may leave a dump, trace or plan whose stored content or inputs are gone.
 */
describe.each(testDatabases())('deletes racing uploads and submissions on $name', (db) => {
  let app: INestApplication;
  let drop: () => Promise<void>;
  let plansQueue: Queue;
  const http = () => request(app.getHttpServer());
  const sql = (text: string) => {
    let n = 0;
    return db.name === 'postgres' ? text.replace(/\?/g, () => `$${++n}`) : text;
  };
  const count = async (text: string, params: unknown[] = []) => Number((await appDataSource(app).query(sql(text), params))[0].n);

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

  const uploadDump = () => http().post('/v1/dumps').set('content-type', 'application/octet-stream').send(SAMPLE_DUMP);

  /** What differs between dumps and traces: how to upload one, its table, and a GET that reads its content. */
  const kinds = [
    { kind: 'dump', table: 'dumps', upload: () => uploadDump(), read: (id: string) => `/v1/dumps/${id}/sharing` },
    {
      kind: 'trace',
      table: 'traces',
      upload: () => http().post('/v1/traces').attach('files', invitroTrace('example', 'Azure2021', 'Azure2021_200.csv')),
      read: (id: string) => `/v1/traces/${id}/functions`,
    },
  ];

  it.each(kinds)(`leaves no $kind without its blob over ${ROUNDS} rounds of DELETE and an identical upload`, async ({ kind, table, upload, read }) => {
    let broken = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const { id } = (await upload().expect(201)).body;
      const [deleted, uploaded] = await Promise.all([http().delete(`/v1/${table}/${id}`), sleep(gap(round)).then(() => upload())]);
      expect(deleted.status).toBe(204);
      expect(uploaded.status).toBe(201);
      broken += await count(`SELECT COUNT(*) AS n FROM ${table} r LEFT JOIN blobs b ON b.sha256 = r.sha256 WHERE b.sha256 IS NULL`);
      // what a reader sees of whatever survived: its content, never a 500
      for (const item of (await http().get(`/v1/${table}`).expect(200)).body.items) await http().get(read(item.id)).expect(200);
      // start the next round from an empty store
      for (const item of (await http().get(`/v1/${table}`).expect(200)).body.items) await http().delete(`/v1/${table}/${item.id}`).expect(204);
    }
    expect({ kind, broken }).toEqual({ kind, broken: 0 });
    expect(await count('SELECT COUNT(*) AS n FROM blobs')).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM blob_chunks')).toBe(0);
  });

  it(`never queues a plan whose dump a concurrent DELETE removed, over ${ROUNDS} rounds`, async () => {
    const trace = (await http().post('/v1/traces').attach('files', invitroTrace('example', 'Azure2021', 'Azure2021_200.csv')).expect(201)).body;
    const outcomes = new Set<string>();
    for (let round = 0; round < ROUNDS; round++) {
      const dump = (await uploadDump().expect(201)).body;
      // a plan of its own each round (the TTL differs), so every submission is a new plan
      const spec = { trace: trace.id, profiles: { default: [dump.id] }, host: { memoryGiB: 2 }, policy: { kind: 'ttl', ttlMinutes: 1 + round }, models: ['none'] };
      // the submission checks its spec before it locks: it starts up to 30 ms before or after the DELETE
      const offset = ((round * 7) % 61) - 30;
      const [deleted, submitted] = await Promise.all([
        sleep(Math.max(0, -offset)).then(() => http().delete(`/v1/dumps/${dump.id}`)),
        sleep(Math.max(0, offset)).then(() => http().post('/v1/plans').send(spec)),
      ]);
      // exactly one wins: the plan is queued and the delete refused, or the dump is gone and the plan refused
      outcomes.add(`${deleted.status}/${submitted.status}`);
      expect([`409/202`, `204/422`]).toContain(`${deleted.status}/${submitted.status}`);
      const dumpRows = await count('SELECT COUNT(*) AS n FROM dumps WHERE id = ?', [dump.id]);
      if (submitted.status === 202) {
        expect(dumpRows).toBe(1);
        await appDataSource(app).query(sql("UPDATE plans SET state = 'failed', error = 'stopped by the test' WHERE id = ?"), [submitted.body.id]);
        await http().delete(`/v1/plans/${submitted.body.id}`).expect(204);
        await http().delete(`/v1/dumps/${dump.id}`).expect(204);
      } else {
        expect(dumpRows).toBe(0);
        expect(submitted.body.detail).toMatch(/No dump/);
      }
    }
    // both orders happened (else the race was never run)
    expect(outcomes.size).toBe(2);
  });

  it('refuses (422) a plan whose dump has lost its content, instead of queueing a job that fails three times', async () => {
    const trace = (await http().post('/v1/traces').attach('files', invitroTrace('example', 'Azure2021', 'Azure2021_200.csv')).expect(201)).body;
    const dump = (await uploadDump().expect(201)).body;
    // a row left by the race of older versions: its blob gone
    await appDataSource(app).query(sql('DELETE FROM blobs WHERE sha256 = ?'), [dump.sha256]);
    const spec = { trace: trace.id, profiles: { default: [dump.id] }, host: { memoryGiB: 2 }, policy: { kind: 'ttl', ttlMinutes: 10 }, models: ['none'] };
    const res = await http().post('/v1/plans').send(spec).expect(422);
    expect(res.body).toMatchObject({ kind: 'dump', id: dump.id });
    expect(res.body.detail).toMatch(/has no stored content/);
    expect(await count('SELECT COUNT(*) AS n FROM plans')).toBe(0);
    // a worker loading it says the same (a permanent error: the job is not retried)
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { StoredInputs, isPermanentJobError } = require('@upm/platform') as typeof import('@upm/platform');
    const loading = new StoredInputs(appDataSource(app)).loadDumps([dump.id]);
    await expect(loading).rejects.toThrow(`dump ${dump.id} has no stored content`);
    expect(isPermanentJobError(await loading.catch((e: unknown) => e))).toBe(true);
  });
});
