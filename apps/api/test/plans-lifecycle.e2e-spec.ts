import { INestApplication } from '@nestjs/common';
import { QUEUES } from '@upm/jobs';
import type { PlanSpec } from '@upm/model';
import type { Queue } from 'bull';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { testDatabases } from '../../../test/support/databases';
import { invitroTrace } from '../../../test/support/shared-dir';
import { appDataSource, createTestApp } from '../../../test/support/test-app';

const SAMPLE_DUMP = join(__dirname, '../../../samples/dumps/http-handler.dump');

/** Listing plans costs O(1) Redis round trips, and a plan's result is read without its time series. */
describe.each(testDatabases())('plan listing and results on $name', (db) => {
  let app: INestApplication;
  let drop: () => Promise<void>;
  let plansQueue: Queue;
  let pointsQueue: Queue;
  // the app's module registry (createTestApp reset it), so that its entities and classes are the app's
  let platform: typeof import('@upm/platform');
  let model: typeof import('@upm/model');

  beforeAll(async () => {
    const created = await db.create();
    drop = created.drop;
    app = await createTestApp(created.url);
    /* eslint-disable @typescript-eslint/no-var-requires */
    plansQueue = app.get(require('@nestjs/bull').getQueueToken(QUEUES.plans));
    pointsQueue = app.get(require('@nestjs/bull').getQueueToken(QUEUES.planPoints));
    platform = require('@upm/platform');
    model = require('@upm/model');
    /* eslint-enable @typescript-eslint/no-var-requires */
  });
  afterAll(async () => {
    await plansQueue?.obliterate({ force: true });
    await pointsQueue?.obliterate({ force: true });
    await app?.close();
    await drop?.();
  });

  /** Writes to the plan queues' Redis connections: a pipeline is one write, each lone command one too. */
  async function redisRoundTrips(run: () => Promise<void>): Promise<number> {
    let writes = 0;
    const restore: (() => void)[] = [];
    for (const q of [plansQueue, pointsQueue]) {
      await q.isReady();
      const socket = q.client.stream;
      const write = socket.write;
      socket.write = function (this: typeof socket, ...args: Parameters<typeof write>) {
        writes++;
        return write.apply(this, args);
      } as typeof write;
      restore.push(() => (socket.write = write));
    }
    try {
      await run();
    } finally {
      for (const r of restore) r();
    }
    return writes;
  }

  /** Stores `count` plans of `points` points each in `state`, straight in the database (no worker runs here). */
  async function storePlans(
    count: number,
    points: number,
    state: 'queued' | 'running' | 'completed',
  ): Promise<string[]> {
    const repo = appDataSource(app).getRepository(platform.PlanEntity);
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const spec: PlanSpec = model.validatePlanSpec({
        version: 1,
        trace: randomUUID(),
        profiles: { default: [randomUUID()] },
        host: { memoryGiB: 2 },
        policy: { kind: 'ttl', ttlMinutes: 10 },
        models: ['none'],
      });
      const id = model.planSpecHash(spec);
      await repo.insert({
        id,
        traceId: spec.trace,
        spec,
        state,
        points,
        resultSha256: null,
        timeseriesSha256: null,
        summary: null,
        error: null,
        createdAtMs: Date.now(),
        completedAtMs: null,
      });
      ids.push(id);
    }
    return ids;
  }

  const listAll = async () => (await request(app.getHttpServer()).get('/v1/plans?limit=100').expect(200)).body;

  it('lists 100 plans, some running with many points, in a constant number of Redis round trips', async () => {
    // a running plan whose point jobs are at 20%, 40%, completed, and not enqueued yet: (20 + 40 + 100 + 0) / 4
    const [watched] = await storePlans(1, 4, 'running');
    const jobs = await pointsQueue.addBulk(
      [0, 1, 2].map((index) => ({
        name: 'plan-point',
        data: { version: 1, planId: watched, index },
        opts: { jobId: `plan-points:${watched}:${index}` },
      })),
    );
    await jobs[0].progress(20);
    await jobs[1].progress(40);
    await jobs[2].progress(10);
    // what Bull writes when a job completes (no worker here to run it): its id in the completed set
    await pointsQueue.client.zadd(pointsQueue.toKey('completed'), Date.now(), String(jobs[2].id));
    await appDataSource(app)
      .getRepository(platform.PlanPointEntity)
      .insert(
        [0, 1].map((index) => ({
          planId: watched,
          index,
          resultSha256: 'f'.repeat(64),
          timeseriesSha256: null,
          completedAtMs: Date.now(),
        })),
      );
    await storePlans(5, 10, 'running');
    await storePlans(4, 1, 'queued');
    await storePlans(2, 3, 'completed');

    let body: { items: { id: string; state: string; progress: number; pointsDone: number }[]; total: number } = {
      items: [],
      total: 0,
    };
    const few = await redisRoundTrips(async () => {
      body = await listAll();
    });
    expect(body.total).toBe(12);
    expect(body.items.find((p) => p.id === watched)).toMatchObject({ state: 'running', progress: 40, pointsDone: 2 });
    expect(body.items.filter((p) => p.state === 'completed').map((p) => p.progress)).toEqual([100, 100]);
    expect(body.items.filter((p) => p.state === 'queued').map((p) => p.progress)).toEqual([0, 0, 0, 0]);

    // 88 plans more, 40 of them running with 50 points each: 2000 more point jobs to look at
    await storePlans(40, 50, 'running');
    await storePlans(48, 2, 'completed');
    const many = await redisRoundTrips(async () => {
      body = await listAll();
    });
    expect(body.items).toHaveLength(100);
    expect(body.items.find((p) => p.id === watched)).toMatchObject({ progress: 40, pointsDone: 2 });
    // one pipeline for the lot (a per-point loop would make thousands)
    expect(many).toBe(few);
    expect(many).toBeLessThanOrEqual(1);
    expect(many).toBeGreaterThan(0);
  });

  it('reads a plan without its time series blob, serves the series apart, and reads rows stored before the split alike', async () => {
    const server = app.getHttpServer();
    const traceId = (
      await request(server)
        .post('/v1/traces')
        .attach('files', invitroTrace('example', 'Azure2021', 'Azure2021_200.csv'))
        .expect(201)
    ).body.id;
    const dumpId = (
      await request(server)
        .post('/v1/dumps')
        .set('content-type', 'application/octet-stream')
        .send(readFileSync(SAMPLE_DUMP))
        .expect(201)
    ).body.id;
    const spec = {
      trace: traceId,
      profiles: { default: [dumpId] },
      host: { memoryGiB: 1, count: 2 },
      policy: { kind: 'ttl', ttlMinutes: 10 },
      models: ['none', 'upm'],
      timeseriesStepS: 600,
    };
    const id: string = (await request(server).post('/v1/plans').send(spec).expect(202)).body.id;
    const ds = appDataSource(app);
    // what the worker's plan-point job does, in this process
    const lifecycle = new platform.PlanLifecycle(ds);
    await platform.runStoredPlanPoint(lifecycle, new platform.StoredInputs(ds), id, 0);
    const row = (await lifecycle.store.get(id))!;
    expect(row.state).toBe('completed');
    expect(row.timeseriesSha256).toMatch(/^[0-9a-f]{64}$/);

    const read = jest.spyOn(platform.BlobStore.prototype, 'read');
    try {
      const got = await request(server).get(`/v1/plans/${id}`).expect(200);
      expect(read.mock.calls.map(([sha]) => sha)).toEqual([row.resultSha256]);
      expect(got.body.result).not.toHaveProperty('timeseries');
      expect(got.body.result.models.map((m: { model: string }) => m.model)).toEqual(['none', 'upm']);
      read.mockClear();
      const series = await request(server).get(`/v1/plans/${id}/timeseries`).expect(200);
      expect(read.mock.calls.map(([sha]) => sha)).toEqual([row.timeseriesSha256]);
      expect(series.body.t.length).toBeGreaterThan(0);
      const csv = await request(server).get(`/v1/plans/${id}/timeseries?format=csv`).expect(200);

      // the same plan as a row completed before the series had a blob of its own: one blob with everything
      const whole = { ...got.body.result, timeseries: series.body };
      const blob = await new platform.BlobStore(ds).put([Buffer.from(JSON.stringify(whole))], Number.MAX_SAFE_INTEGER);
      await ds.getRepository(platform.PlanEntity).update({ id }, { resultSha256: blob.sha256, timeseriesSha256: null });
      read.mockClear();
      const legacy = await request(server).get(`/v1/plans/${id}`).expect(200);
      expect(read.mock.calls.map(([sha]) => sha)).toEqual([blob.sha256]);
      expect(legacy.text).toBe(got.text);
      expect((await request(server).get(`/v1/plans/${id}/timeseries`).expect(200)).text).toBe(series.text);
      expect((await request(server).get(`/v1/plans/${id}/timeseries?format=csv`).expect(200)).text).toBe(csv.text);
    } finally {
      read.mockRestore();
    }
    // deleting the plan deletes its blobs, the series' included (the point's: the same as the plan's)
    const legacySha = (await lifecycle.store.get(id))!.resultSha256!;
    await request(server).delete(`/v1/plans/${id}`).expect(204);
    const shas = [row.resultSha256!, row.timeseriesSha256!, legacySha];
    const marks = db.name === 'postgres' ? ['$1', '$2', '$3'] : ['?', '?', '?'];
    expect(
      Number((await ds.query(`SELECT COUNT(*) AS n FROM blobs WHERE sha256 IN (${marks.join(', ')})`, shas))[0].n),
    ).toBe(0);
  });

  it('finds a plan by a unique id prefix, and answers 409 with the matches for a prefix of several', async () => {
    const [id] = await storePlans(1, 1, 'completed');
    // a second plan whose id shares the first 10 hex digits (ids are hashes: made here by hand)
    const twin = id.slice(0, 10) + [...id.slice(10)].map((c) => (c === '0' ? '1' : '0')).join('');
    const repo = appDataSource(app).getRepository(platform.PlanEntity);
    await repo.insert({ ...(await repo.findOneByOrFail({ id })), id: twin });
    expect(
      (
        await request(app.getHttpServer())
          .get(`/v1/plans/${id.slice(0, 12)}`)
          .expect(200)
      ).body.id,
    ).toBe(id);
    const res = await request(app.getHttpServer())
      .get(`/v1/plans/${id.slice(0, 10)}`)
      .expect(409);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.detail).toMatch(/matches several plans/);
    expect([...res.body.matches].sort()).toEqual([id, twin].sort());
    await request(app.getHttpServer())
      .get(`/v1/plans/${id.slice(0, 7)}`)
      .expect(404);
    await repo.delete([id, twin]);
  });
});
