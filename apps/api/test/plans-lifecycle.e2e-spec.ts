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

/** Listing plans costs one Redis command, and a plan's result is read without its time series. */
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

  /**
   * Writes and commands sent on the plan queues' Redis connections: a pipeline is one write, each lone command
   * one too; commands are counted from the RESP arrays written (`*<n>\r\n` opens each command).
   */
  async function redisTraffic(run: () => Promise<void>): Promise<{ writes: number; commands: number }> {
    let writes = 0;
    let commands = 0;
    const restore: (() => void)[] = [];
    for (const q of [plansQueue, pointsQueue]) {
      await q.isReady();
      const socket = q.client.stream;
      const write = socket.write;
      socket.write = function (this: typeof socket, ...args: Parameters<typeof write>) {
        writes++;
        commands += (String(args[0]).match(/(?:^|\r\n)\*\d+\r\n/g) ?? []).length;
        return write.apply(this, args);
      } as typeof write;
      restore.push(() => (socket.write = write));
    }
    try {
      await run();
    } finally {
      for (const r of restore) r();
    }
    return { writes, commands };
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

  it('lists 100 plans, some running with many points, with Redis work proportional to the point jobs running', async () => {
    // a running plan of 4 points: 0 and 1 stored (done), 2 running at 40%, 3 waiting: (100 + 100 + 40 + 0) / 4
    const [watched] = await storePlans(1, 4, 'running');
    const jobs = await pointsQueue.addBulk(
      [2, 3].map((index) => ({
        name: 'plan-point',
        data: { version: 1, planId: watched, index },
        opts: { jobId: `plan-points:${watched}:${index}` },
      })),
    );
    await jobs[0].progress(40);
    await jobs[1].progress(70); // waiting, so not counted: a job's progress counts only while it runs
    // what Bull does when a worker takes a job (no worker here): its id moves to the active list
    await pointsQueue.client.lrem(pointsQueue.toKey('wait'), 0, String(jobs[0].id));
    await pointsQueue.client.lpush(pointsQueue.toKey('active'), String(jobs[0].id));
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
    await storePlans(4, 1, 'queued');
    await storePlans(2, 3, 'completed');

    let body: { items: { id: string; state: string; progress: number; pointsDone: number }[]; total: number } = {
      items: [],
      total: 0,
    };
    const few = await redisTraffic(async () => {
      body = await listAll();
    });
    expect(body.total).toBe(7);
    expect(body.items.find((p) => p.id === watched)).toMatchObject({ state: 'running', progress: 60, pointsDone: 2 });
    expect(body.items.filter((p) => p.state === 'completed').map((p) => p.progress)).toEqual([100, 100]);
    expect(body.items.filter((p) => p.state === 'queued').map((p) => p.progress)).toEqual([0, 0, 0, 0]);

    // 93 plans more, 40 of them running with 250 points each: 10,000 more points, none of them running
    await storePlans(40, 250, 'running');
    await storePlans(53, 2, 'completed');
    const many = await redisTraffic(async () => {
      body = await listAll();
    });
    expect(body.items).toHaveLength(100);
    expect(body.items.find((p) => p.id === watched)).toMatchObject({ progress: 60, pointsDone: 2 });
    expect(body.items.filter((p) => p.state === 'running' && p.id !== watched).every((p) => p.progress === 0)).toBe(true);
    // the same single command whatever the points (a per-point read would send 20,000)
    expect(many).toEqual(few);
    expect(many.commands).toBe(1);
    await pointsQueue.client.del(pointsQueue.toKey('active'));
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
    // what the coordinator (queued → running) and then the worker's plan-point job do, in this process
    const lifecycle = new platform.PlanLifecycle(ds);
    await ds.getRepository(platform.PlanEntity).update({ id }, { state: 'running' });
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
