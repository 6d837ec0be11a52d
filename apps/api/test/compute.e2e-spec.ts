import { INestApplication } from '@nestjs/common';
import { synthesizeDump } from '@upm/model';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serialize } from 'node:v8';
import request from 'supertest';
import { testDatabases } from '../../../test/support/databases';
import { invitroTrace } from '../../../test/support/shared-dir';
import { appDataSource, createTestApp } from '../../../test/support/test-app';
import type { ComputePool } from '../src/compute/compute-pool';

/** Two dumps of `pages` resident pages each, sharing half their content: enough work for a KSM analysis. */
function bigDumps(pages: number): [Buffer, Buffer] {
  const make = (offset: number) =>
    synthesizeDump({ processes: [{ pid: 1 + offset, vmas: [{ pages: Array.from({ length: pages }, (_, i) => 1 + i + (i % 2 ? offset * pages : 0)) }] }] });
  return [make(0), make(1)];
}

/**
 * CPU-heavy requests run on the API's compute thread: the event loop keeps answering meanwhile, and what a
 * thread decoded from content-addressed inputs is not read or decoded again.
 */
describe('API compute thread', () => {
  let app: INestApplication;
  let drop: () => Promise<void>;
  let pool: ComputePool;
  const ids: string[] = [];
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    const created = await testDatabases()[0].create();
    drop = created.drop;
    app = await createTestApp(created.url, { API_COMPUTE_THREADS: '1' });
    // the app's own class (its module registry is the one createTestApp loaded)
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { ComputePool: Pool } = require('../src/compute/compute-pool') as typeof import('../src/compute/compute-pool');
    pool = app.get(Pool);
    for (const bytes of bigDumps(300_000)) {
      const res = await http().post('/v1/dumps').set('content-type', 'application/octet-stream').send(bytes).expect(201);
      ids.push(res.body.id);
    }
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await drop?.();
  });

  it('answers /health while a synchronous analysis computes, before the analysis answers', async () => {
    // the thread started (and compiled) by a first, small task, so what follows measures the analysis itself
    await http().get(`/v1/dumps/${ids[0]}/sharing`).expect(200);
    const before = pool.stats();
    let analysisDone = false;
    const analysis = http()
      .post('/v1/analyses')
      .send({ dumps: ids, model: 'ksm' })
      .then((res) => {
        analysisDone = true;
        return res;
      });
    // Its second dump's bytes sent to the thread: the thread is decoding and merging now.
    for (const until = Date.now() + 60_000; pool.stats().inputsSent < before.inputsSent + 1 && !analysisDone; ) {
      if (Date.now() > until) throw new Error('the analysis never reached the compute thread');
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(analysisDone).toBe(false);
    expect(pool.stats().running).toBe(1);
    const health = await http().get('/health');
    expect(health.status).toBe(200);
    // the order is the point: on the event loop, /health would wait for the whole analysis
    expect(analysisDone).toBe(false);
    const res = await analysis;
    expect(res.status).toBe(200);
    expect(res.body.state).toBe('completed');
    expect(res.body.result.model).toBe('ksm');
  }, 120_000);

  it('reads and decodes a dump once: the same analysis again sends no bytes and decodes nothing', async () => {
    const first = await http().post('/v1/analyses').send({ dumps: ids, model: 'upm' }).expect(200);
    const before = pool.stats();
    const again = await http().post('/v1/analyses').send({ dumps: ids, model: 'upm' }).expect(200);
    const after = pool.stats();
    expect(again.body).toEqual(first.body);
    expect(after.tasks).toBe(before.tasks + 1);
    expect(after.inputsSent).toBe(before.inputsSent);
    expect(after.decoded).toBe(before.decoded);
  }, 120_000);

  it('keeps the domain errors of a task: a malformed request is a 400/422 naming the field, not a 500', async () => {
    const res = await http().post('/v1/analyses').send({ dumps: ids, model: 'ksm', ksm: { pagesToScan: -1 } });
    expect([400, 422]).toContain(res.status);
    expect(JSON.stringify(res.body)).toMatch(/pagesToScan/);
    const sharing = await http().get(`/v1/dumps/${ids[0]}/sharing?snapshot=7`);
    expect(sharing.status).toBe(422);
    expect(sharing.body.detail).toMatch(/snapshot/);
  });
});

/**
 * A worker job process keeps what it decoded (StoredInputs with a cache): the points of a sweep read and
 * decode the trace and each dump once, and running a plan leaves the shared inputs as they were.
 */
describe('worker input cache', () => {
  let app: INestApplication;
  let drop: () => Promise<void>;
  let traceId: string;
  let dumpId: string;

  beforeAll(async () => {
    const created = await testDatabases()[0].create();
    drop = created.drop;
    app = await createTestApp(created.url);
    const t = await request(app.getHttpServer()).post('/v1/traces').attach('files', invitroTrace('example', 'Azure2021', 'Azure2021_200.csv')).expect(201);
    traceId = t.body.id;
    const d = await request(app.getHttpServer())
      .post('/v1/dumps')
      .set('content-type', 'application/octet-stream')
      .send(readFileSync(join(__dirname, '../../../samples/dumps/http-handler.dump')))
      .expect(201);
    dumpId = d.body.id;
  }, 120_000);
  afterAll(async () => {
    jest.restoreAllMocks();
    await app?.close();
    await drop?.();
  });

  it('loads each input once across the points of a sweep, and runPlan does not modify them', async () => {
    // the app's own modules (its entities are the ones its DataSource knows)
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { BlobStore, StoredInputs } = require('@upm/platform') as typeof import('@upm/platform');
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { expandSweep, runPlan, validatePlanSpec } = require('@upm/model') as typeof import('@upm/model');
    const inputs = new StoredInputs(appDataSource(app), { cacheBytes: 1 << 30 });
    const reads = jest.spyOn(BlobStore.prototype, 'read');
    const spec = validatePlanSpec({
      version: 1,
      trace: traceId,
      profiles: { default: [dumpId] },
      host: { memoryGiB: 0.25 },
      policy: { kind: 'ttl', ttlMinutes: 10 },
      models: ['none', 'ksm', 'upm'],
      sweep: { ttlMinutes: [5, 20] },
    });
    const [p0, p1] = expandSweep(spec);
    const trace = await inputs.loadTrace(traceId);
    const dumps = await inputs.loadDumps([dumpId]);
    expect(reads).toHaveBeenCalledTimes(2);
    // every byte of the decoded inputs, typed arrays included
    const snapshot = () => serialize({ trace, dump: dumps.get(dumpId) });
    const pristine = snapshot();
    const r0 = runPlan(p0, { trace, dumps });
    expect(snapshot().equals(pristine)).toBe(true);

    const trace1 = await inputs.loadTrace(traceId);
    const dumps1 = await inputs.loadDumps([dumpId]);
    expect(reads).toHaveBeenCalledTimes(2);
    expect(trace1).toBe(trace);
    expect(dumps1.get(dumpId)).toBe(dumps.get(dumpId));
    runPlan(p1, { trace: trace1, dumps: dumps1 });
    expect(snapshot().equals(pristine)).toBe(true);
    // and a point run on cached inputs gives what it gives on freshly decoded ones
    const fresh = new StoredInputs(appDataSource(app));
    expect(runPlan(p0, { trace: await fresh.loadTrace(traceId), dumps: await fresh.loadDumps([dumpId]) })).toEqual(r0);
  }, 120_000);
});
