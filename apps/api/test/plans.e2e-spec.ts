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

/** The API side of plans, analyses and density, with no worker running: what is stored and enqueued. */
describe.each(testDatabases())('plans, analyses and density API on $name', (db) => {
  let app: INestApplication;
  let drop: () => Promise<void>;
  let traceId: string;
  let dumpId: string;
  let plansQueue: Queue;

  const plan = () => ({
    trace: traceId,
    profiles: { default: [dumpId] },
    host: { memoryGiB: 2 },
    policy: { kind: 'ttl', ttlMinutes: 10 },
    models: ['none', 'ksm', 'upm'],
    sweep: { ttlMinutes: [5, 10, 20] },
  });

  beforeAll(async () => {
    const created = await db.create();
    drop = created.drop;
    app = await createTestApp(created.url);
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    plansQueue = app.get(require('@nestjs/bull').getQueueToken(QUEUES.plans));
    const t = await request(app.getHttpServer())
      .post('/v1/traces')
      .attach('files', invitroTrace('example', 'Azure2021', 'Azure2021_200.csv'))
      .expect(201);
    traceId = t.body.id;
    const d = await request(app.getHttpServer())
      .post('/v1/dumps')
      .set('content-type', 'application/octet-stream')
      .send(readFileSync(SAMPLE_DUMP))
      .expect(201);
    dumpId = d.body.id;
  });
  afterAll(async () => {
    await plansQueue?.obliterate({ force: true });
    await app?.close();
    await drop?.();
  });

  it('accepts a plan with 202, stores it with one point per sweep combination and enqueues its job', async () => {
    const res = await request(app.getHttpServer()).post('/v1/plans').send(plan()).expect(202);
    expect(res.body).toMatchObject({ state: 'queued', points: 3, pointsDone: 0, created: true, trace: traceId });
    expect(res.body.id).toMatch(/^[0-9a-f]{64}$/);
    // no job id: the coordinating job completes once it has fanned out, long before the plan
    expect(res.body).not.toHaveProperty('jobId');
    const job = await plansQueue.getJob(`plans:${res.body.id}`);
    expect(job?.name).toBe('plan');
    // the 12 digits upm prints are enough
    const short = await request(app.getHttpServer()).get(`/v1/plans/${res.body.id.slice(0, 12)}`).expect(200);
    expect(short.body.id).toBe(res.body.id);
    await request(app.getHttpServer()).get(`/v1/plans/${res.body.id.slice(0, 7)}`).expect(404);
    const got = await request(app.getHttpServer()).get(`/v1/plans/${res.body.id}`).expect(200);
    expect(got.body.spec.sweep.ttlMinutes).toEqual([5, 10, 20]);
    expect(got.body.result).toBeNull();
  });

  it('runs the same plan once: a repeated submission returns the stored plan and enqueues nothing new', async () => {
    const before = await plansQueue.getJobCounts();
    const res = await request(app.getHttpServer()).post('/v1/plans').send(plan()).expect(202);
    expect(res.body.created).toBe(false);
    expect(await plansQueue.getJobCounts()).toEqual(before);
    const list = await request(app.getHttpServer()).get('/v1/plans').expect(200);
    expect(list.body.total).toBe(1);
  });

  it('takes a seed as upm plan run does: any string, digits as the integer; refuses a fraction naming seed', async () => {
    const post = (seed: unknown) => request(app.getHttpServer()).post('/v1/plans').send({ ...plan(), sweep: null, seed });
    const foo = await post('foo').expect(202);
    const stored = await request(app.getHttpServer()).get(`/v1/plans/${foo.body.id}`).expect(200);
    expect(stored.body.spec.seed).toBe('foo');
    const digits = await post('7').expect(202);
    expect(digits.body.id).toBe((await post(7).expect(202)).body.id);
    const bad = await post(1.5).expect(422);
    expect(bad.body.detail).toBe('invalid plan: seed must be an integer >= 0 and <= 9007199254740991, got 1.5');
  });

  it('refuses an invalid plan with 422 naming the field', async () => {
    const res = await request(app.getHttpServer())
      .post('/v1/plans')
      .send({ ...plan(), host: { memoryGiB: -1 } })
      .expect(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.detail).toMatch(/host\.memoryGiB/);
  });

  it('refuses at submission what the worker would fail on or silently ignore: 422 naming the field', async () => {
    const post = (body: object) => request(app.getHttpServer()).post('/v1/plans').send(body).expect(422);
    const t = (await request(app.getHttpServer()).get(`/v1/traces/${traceId}`).expect(200)).body.window;
    const outside = await post({ ...plan(), window: { fromS: t.endS + 1000, toS: t.endS + 2000 } });
    expect(outside.body.detail).toMatch(/^invalid plan: window \[\d+, \d+\) s lies outside the trace, which covers/);
    const step = await post({ ...plan(), timeseriesStepS: 0.001 });
    expect(step.body.detail).toMatch(/^invalid plan: timeseriesStepS gives more than \d+ samples/);
    const minutes = (t.endS - t.startS) / 60;
    const warmup = await post({ ...plan(), warmupMinutes: minutes });
    expect(warmup.body.detail).toBe(
      `invalid plan: warmupMinutes must be shorter than the replayed window [${t.startS}, ${t.endS}) s (${minutes} min), got ${minutes}`,
    );
    expect((await post({ ...plan(), warmupMinutes: -1 })).body.detail).toMatch(/^invalid plan: warmupMinutes must be a number >= 0/);
    // a shorter one is accepted (the DTO lets it through) and kept in the stored spec
    const ok = await request(app.getHttpServer()).post('/v1/plans').send({ ...plan(), warmupMinutes: 2 }).expect(202);
    const stored = await request(app.getHttpServer()).get(`/v1/plans/${ok.body.id}`).expect(200);
    expect(stored.body.spec.warmupMinutes).toBe(2);
    const fns = (await request(app.getHttpServer()).get(`/v1/traces/${traceId}/functions?limit=1`).expect(200)).body;
    const key: string = fns.items[0].key;
    const typo = `${key.slice(0, -3)}zzz`;
    const unknown = await post({ ...plan(), profiles: { functions: { [typo]: [dumpId] } } });
    expect(unknown.body.detail).toContain(`profiles.functions[${JSON.stringify(typo)}] names no function of the trace`);
    expect(unknown.body.detail).toContain(`closest: ${key}`);
    // the same key spelled right is accepted
    await request(app.getHttpServer()).post('/v1/plans').send({ ...plan(), sweep: undefined, profiles: { functions: { [key]: [dumpId] } } }).expect(202);
  });

  it('lists a trace\'s functions, most invoked first, paged', async () => {
    const all = (await request(app.getHttpServer()).get(`/v1/traces/${traceId}/functions?limit=500`).expect(200)).body;
    expect(all.total).toBe(31);
    expect(all.items[0]).toEqual({
      key: `${all.items[0].app}/${all.items[0].id}`,
      app: expect.any(String),
      id: expect.any(String),
      trigger: expect.any(String),
      invocations: expect.any(Number),
      memory: null, // Azure 2021 has no memory figures
      averageDurationMs: expect.any(Number),
    });
    expect(all.items.reduce((a: number, r: { invocations: number }) => a + r.invocations, 0)).toBe(199);
    const page = (await request(app.getHttpServer()).get(`/v1/traces/${traceId}/functions?limit=2&offset=2`).expect(200)).body;
    expect(page.items).toEqual(all.items.slice(2, 4));
    await request(app.getHttpServer()).get(`/v1/traces/${'0'.repeat(8)}-0000-4000-8000-000000000000/functions`).expect(404);
  });

  // One validator per input, one status per kind of error: every bad field of a spec is a 422 listing
  // {path, detail}, whether the field is at the top (models) or deep inside (policy.kind).
  it('refuses unknown fields, unknown models and unknown policies alike: 422 with the path of each', async () => {
    const post = (body: Record<string, unknown>) => request(app.getHttpServer()).post('/v1/plans').send(body).expect(422);
    expect((await post({ ...plan(), turbo: true })).body.errors).toEqual([{ path: 'turbo', detail: 'is not a known field' }]);
    const models = (await post({ ...plan(), models: ['zram'] })).body;
    expect(models.errors).toHaveLength(1);
    expect(models.errors[0].path).toMatch(/^models(\[0\])?$/);
    expect(models.errors[0].detail).toMatch(/zram|none, ksm, upm/);
    const policy = (await post({ ...plan(), policy: { kind: 'zram' } })).body;
    expect(policy.errors).toHaveLength(1);
    expect(policy.errors[0].path).toBe('policy.kind');
    expect(policy.detail).toBe(`invalid plan: policy.kind ${policy.errors[0].detail}`);
  });

  it('refuses a plan naming an unknown trace or dump with 422', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    const t = await request(app.getHttpServer()).post('/v1/plans').send({ ...plan(), trace: missing }).expect(422);
    expect(t.body.detail).toBe(`No trace ${missing}`);
    const d = await request(app.getHttpServer())
      .post('/v1/plans')
      .send({ ...plan(), profiles: { default: [missing] } })
      .expect(422);
    expect(d.body.detail).toBe(`No dump ${missing}`);
  });

  it('has no timeseries before the plan completes, and 404 for an unknown plan', async () => {
    const list = await request(app.getHttpServer()).get('/v1/plans').expect(200);
    await request(app.getHttpServer()).get(`/v1/plans/${list.body.items[0].id}/timeseries`).expect(404);
    await request(app.getHttpServer()).get(`/v1/plans/${'0'.repeat(64)}`).expect(404);
  });

  it('answers density at once: KSM and UPM fit more containers of a sharing function than none', async () => {
    const res = await request(app.getHttpServer())
      .post('/v1/density')
      .send({ dumps: { 'http-handler': [dumpId] }, hostMemoryGiB: 4 })
      .expect(200);
    expect(res.body.hostMemoryBytes).toBe(4 * 1024 ** 3);
    const [row] = res.body.functions;
    expect(row.function).toBe('http-handler');
    expect(row.containers.none).toBeGreaterThan(0);
    // The sample's containers share 40% of their pages: merging must fit more of them.
    expect(row.containers.upm).toBeGreaterThan(row.containers.none);
    expect(row.containers.ksm).toBeGreaterThan(row.containers.none);
    await request(app.getHttpServer()).post('/v1/density').send({ dumps: {}, hostMemoryGiB: 4 }).expect(422);
  });

  it('answers a small analysis at once with the same JSON as upm analyze', async () => {
    const res = await request(app.getHttpServer()).post('/v1/analyses').send({ dumps: [dumpId], model: 'upm' }).expect(200);
    expect(res.body.state).toBe('completed');
    expect(res.body.result).toMatchObject({ model: 'upm' });
    expect(res.body.result.physicalPagesAfter).toBeLessThan(res.body.result.physicalPagesBefore);
    const bad = await request(app.getHttpServer())
      .post('/v1/analyses')
      .send({ dumps: [dumpId], model: 'ksm', ksm: { pagesToScan: 0 } })
      .expect(422);
    expect(bad.body.detail).toMatch(/ksm\.pagesToScan/);
  });

  it('shows a sweep as a sweep: point summaries with sizing of each point\'s memory, and each point\'s timeseries', async () => {
    const spec = {
      trace: traceId,
      profiles: { default: [dumpId] },
      host: { memoryGiB: null, count: 2 },
      policy: { kind: 'ttl', ttlMinutes: 10 },
      models: ['none', 'upm'],
      sweep: { hostMemoryGiB: [0.25, 1], ttlMinutes: [5, 10] },
      sizing: { targetColdStartRate: 0.5, maxHosts: 4 },
      timeseriesStepS: 3600,
    };
    const res = await request(app.getHttpServer()).post('/v1/plans').send(spec).expect(202);
    const id: string = res.body.id;
    expect(res.body.points).toBe(4);
    // what the coordinator (queued → running) and the worker's plan-point jobs do, in this process
    // the app's module registry (createTestApp reset it), so that its entities are the app's
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { PlanEntity, PlanLifecycle, runStoredPlanPoint, StoredInputs } = require('@upm/platform') as typeof import('@upm/platform');
    const ds = appDataSource(app);
    await ds.getRepository(PlanEntity).update({ id }, { state: 'running' });
    const [lifecycle, inputs] = [new PlanLifecycle(ds), new StoredInputs(ds)];
    for (let i = 0; i < 4; i++) await runStoredPlanPoint(lifecycle, inputs, id, i);
    const got = await request(app.getHttpServer()).get(`/v1/plans/${id}`).expect(200);
    const r = got.body.result;
    expect(r.host).toEqual({ count: 2, memoryBytes: null, cores: null });
    expect(r.policy).toEqual({ kind: 'ttl', ttlMinutes: 10 });
    expect(r.models).toEqual([]);
    expect(r.sizing).toBeNull();
    expect(r.sweep.points.map((p: { index: number; hostMemoryGiB: number; ttlMinutes: number }) => [p.index, p.hostMemoryGiB, p.ttlMinutes])).toEqual([
      [0, 0.25, 5],
      [1, 0.25, 10],
      [2, 1, 5],
      [3, 1, 10],
    ]);
    expect(r.sweep.points.map((p: { sizing: { hostMemoryGiB: number } }) => p.sizing.hostMemoryGiB)).toEqual([0.25, 0.25, 1, 1]);
    const noPoint = await request(app.getHttpServer()).get(`/v1/plans/${id}/timeseries`).expect(422);
    expect(noPoint.body.detail).toMatch(/point is required.*sweep of 4 points/);
    await request(app.getHttpServer()).get(`/v1/plans/${id}/timeseries?point=4`).expect(422);
    const series = await Promise.all(
      [0, 3].map(async (i) => (await request(app.getHttpServer()).get(`/v1/plans/${id}/timeseries?point=${i}`).expect(200)).body),
    );
    for (const ts of series) expect(ts.series.map((x: { model: string; host: unknown }) => `${x.model}:${x.host}`)).toContain('none:all');
    // the 256 MiB point holds less than the 1 GiB point at some sample
    const peak = (ts: { series: { model: string; host: unknown; memoryPeakBytes: number[] }[] }) =>
      Math.max(...ts.series.find((x) => x.model === 'none' && x.host === 'all')!.memoryPeakBytes);
    expect(peak(series[0])).toBeLessThanOrEqual(2 * 0.25 * 1024 ** 3);
    const csv = await request(app.getHttpServer()).get(`/v1/plans/${id}/timeseries?point=2&format=csv`).expect(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
  });
});
