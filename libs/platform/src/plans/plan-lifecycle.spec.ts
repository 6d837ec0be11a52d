import { expandSweep, planSpecHash, validatePlanSpec, type PlanResult, type PlanSpec } from '@upm/model';
import Bull, { type Queue } from 'bull';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../database/data-source-options';
import { PlanEntity, PlanPointEntity } from '../database/entities';
import { runMigrationsExclusively } from '../database/migrate';
import { MIGRATIONS } from '../database/migrations';
import { jobFailedForGood, PlanQueue } from '../queue/plan-queue';
import { PlanLifecycle } from './plan-lifecycle';

/** A point's result as the simulator would give it, with a marker to tell runs apart. */
function resultOf(point: PlanSpec, marker: number): PlanResult {
  return {
    version: 1,
    specHash: planSpecHash(point),
    trace: { ref: point.trace, format: 'azure2021', functions: 1, invocations: marker, window: { fromS: 0, toS: 60 } },
    host: { count: point.host.count, memoryBytes: null, cores: null },
    policy: point.policy,
    pageSize: 4096,
    functions: ['a/f'],
    functionsFromPercentiles: [],
    functionsFromDefaultSize: [],
    profiles: { refs: [], templates: 0, upmClasses: 0, ksmClasses: 0 },
    models: [],
    timeseries: { stepS: 60, t: [0], series: [] },
    sizing: null,
    sweep: null,
    warnings: [`run ${marker}`],
  };
}

/** The lifecycle's transitions on real sqlite and real Redis (no worker: the test makes each transition). */
describe('PlanLifecycle', () => {
  let dir: string;
  let ds: DataSource;
  let queue: Queue;
  let points: Queue;
  let lifecycle: PlanLifecycle;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'upm-lifecycle-'));
    ds = new DataSource(buildDataSourceOptions(join(dir, 'upm.sqlite')));
    await ds.initialize();
    await runMigrationsExclusively(ds);
    const redis = process.env.REDIS_URL_TEST ?? 'redis://127.0.0.1:6379';
    const prefix = `upm-test-lifecycle-${randomBytes(4).toString('hex')}`;
    queue = new Bull('plans', redis, { prefix });
    points = new Bull('plan-points', redis, { prefix });
    lifecycle = new PlanLifecycle(ds, new PlanQueue(queue, points));
  });
  afterAll(async () => {
    for (const q of [queue, points]) {
      await q?.obliterate({ force: true });
      await q?.close();
    }
    await ds?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const specOf = (sweep: PlanSpec['sweep'] | undefined = undefined) =>
    validatePlanSpec({
      version: 1,
      trace: randomUUID(),
      profiles: { default: [randomUUID()] },
      host: { memoryGiB: 2 },
      policy: { kind: 'ttl', ttlMinutes: 10 },
      models: ['none'],
      ...(sweep && { sweep }),
    });

  it('stores and enqueues a plan once however often it is submitted', async () => {
    const spec = specOf({ hostMemoryGiB: null, ttlMinutes: [5, 10, 20] });
    const first = await lifecycle.submit(spec);
    const again = await lifecycle.submit(spec);
    expect([first.created, again.created]).toEqual([true, false]);
    expect(first.plan).toMatchObject({ id: planSpecHash(spec), state: 'queued', points: 3, traceId: spec.trace });
    expect((await lifecycle.store.get(first.plan.id))!.spec).toEqual(spec);
    expect(await queue.getJobCounts()).toMatchObject({ waiting: 1 });
    // the coordinator (and a re-run of it) starts it once and enqueues each point job once
    await lifecycle.start(first.plan.id);
    await lifecycle.start(first.plan.id);
    expect((await lifecycle.store.get(first.plan.id))!.state).toBe('running');
    // the point jobs on a queue of their own (one replay at a time per worker)
    expect(await queue.getJobCounts()).toMatchObject({ waiting: 1 });
    expect(await points.getJobCounts()).toMatchObject({ waiting: 3 });
    expect(await lifecycle.start('0'.repeat(64))).toBeNull();
  });

  it('overwrites a re-run point, combines on the last point, and stays completed when the last point runs again', async () => {
    const spec = specOf({ hostMemoryGiB: null, ttlMinutes: [5, 10] });
    const { plan } = await lifecycle.submit(spec);
    await lifecycle.start(plan.id);
    const points = expandSweep(spec);
    expect(await lifecycle.pointDone(plan, 0, resultOf(points[0], 1))).toMatchObject({ combined: false });
    // a point job Bull runs again after its worker died: the same row, its last result
    await lifecycle.pointDone(plan, 0, resultOf(points[0], 2));
    expect((await lifecycle.store.pointsDoneOf([plan.id])).get(plan.id)).toBe(1);
    expect((await lifecycle.store.get(plan.id))!.state).toBe('running');
    expect(await lifecycle.pointDone(plan, 1, resultOf(points[1], 3))).toEqual({ combined: true, state: 'completed' });
    const done = (await lifecycle.store.get(plan.id))!;
    expect(done).toMatchObject({ state: 'completed', error: null, summary: { models: {} } });
    expect(done.completedAtMs).toEqual(expect.any(Number));
    const result = (await lifecycle.store.result(done))!;
    expect(result.warnings).toEqual(['run 2', 'run 3']);
    expect(result.sweep!.points.map((p) => p.ttlMinutes)).toEqual([5, 10]);
    expect(result).not.toHaveProperty('timeseries');
    expect(JSON.parse((await lifecycle.store.pointTimeseriesJson(done, 1))!)).toEqual(resultOf(points[1], 3).timeseries);
    // the last point again (Bull re-ran its job): the plan is completed already, nothing changes
    expect(await lifecycle.pointDone(plan, 1, resultOf(points[1], 4))).toEqual({ combined: false, state: 'completed' });
    expect((await lifecycle.store.get(plan.id))!.resultSha256).toBe(done.resultSha256);
    // a late failure of a re-run job does not undo a completed plan
    await lifecycle.fail(plan.id, 'plan-point plans:x:1: boom');
    expect((await lifecycle.store.get(plan.id))!).toMatchObject({ state: 'completed', error: null });
  });

  it('ignores a late point of a failed plan and a point of a plan not started', async () => {
    const spec = specOf({ hostMemoryGiB: null, ttlMinutes: [5, 10] });
    const { plan } = await lifecycle.submit(spec);
    const points = expandSweep(spec);
    // queued: the coordinator has not started it, so no point belongs to a run yet
    expect(await lifecycle.pointDone(plan, 0, resultOf(points[0], 1))).toEqual({ combined: false, state: 'queued' });
    await lifecycle.start(plan.id);
    await lifecycle.pointDone(plan, 0, resultOf(points[0], 1));
    expect(await lifecycle.fail(plan.id, 'plan-point x:1: boom')).toBe(true);
    // a failed plan keeps its first error
    expect(await lifecycle.fail(plan.id, 'plan-point x:1: again')).toBe(false);
    expect(await lifecycle.pointDone(plan, 1, resultOf(points[1], 2))).toEqual({ combined: false, state: 'failed' });
    expect((await lifecycle.store.get(plan.id))!).toMatchObject({ state: 'failed', error: 'plan-point x:1: boom', resultSha256: null });
  });

  it('lets exactly one of a last point and a failure win when they race, and says which', async () => {
    for (let round = 0; round < 12; round++) {
      const spec = specOf({ hostMemoryGiB: null, ttlMinutes: [5, 10] });
      const { plan } = await lifecycle.submit(spec);
      await lifecycle.start(plan.id);
      const points = expandSweep(spec);
      await lifecycle.pointDone(plan, 0, resultOf(points[0], 1));
      // the failure starts a little before, at the same time, or a little after the last point
      const delay = (round % 3) * 2;
      const [done, failed] = await Promise.all([
        lifecycle.pointDone(plan, 1, resultOf(points[1], 2)),
        new Promise((r) => setTimeout(r, delay)).then(() => lifecycle.fail(plan.id, 'plan-point x:0: boom')),
      ]);
      const row = (await lifecycle.store.get(plan.id))!;
      expect(done.combined !== failed).toBe(true);
      if (done.combined) expect(row).toMatchObject({ state: 'completed', error: null, resultSha256: expect.any(String) });
      else expect(row).toMatchObject({ state: 'failed', error: 'plan-point x:0: boom', resultSha256: null, summary: null });
    }
  });

  it('runs a failed plan again when it is submitted again: reset to queued, old points and jobs gone', async () => {
    const spec = specOf({ hostMemoryGiB: null, ttlMinutes: [5, 10] });
    const { plan } = await lifecycle.submit(spec);
    await lifecycle.start(plan.id);
    await lifecycle.pointDone(plan, 1, resultOf(expandSweep(spec)[1], 1));
    await lifecycle.fail(plan.id, 'plan-point plans:x:0: out of memory');
    expect((await lifecycle.store.get(plan.id))!).toMatchObject({ state: 'failed', error: 'plan-point plans:x:0: out of memory' });
    const pointJob = `plan-points:${plan.id}:0`;
    expect(await points.getJob(pointJob)).not.toBeNull();

    const again = await lifecycle.submit(spec);
    expect(again).toMatchObject({ created: false, plan: { state: 'queued', error: null, resultSha256: null } });
    expect((await lifecycle.store.get(plan.id))!).toMatchObject({ state: 'queued', error: null, summary: null, completedAtMs: null });
    expect((await lifecycle.store.pointsDoneOf([plan.id])).get(plan.id) ?? 0).toBe(0);
    expect(await points.getJob(pointJob)).toBeNull();
    expect(await queue.getJob(`plans:${plan.id}`)).not.toBeNull();
  });

  it('reads a spec and a summary stored by the simple-json columns of before unchanged', async () => {
    const spec = specOf();
    const id = planSpecHash(spec);
    const summary = { models: { none: { coldStarts: 3 } } };
    await ds.query(
      'INSERT INTO plans (id, trace_id, spec, state, points, result_sha256, summary, error, created_at_ms, completed_at_ms) VALUES (?, ?, ?, ?, ?, NULL, ?, NULL, ?, NULL)',
      [id, spec.trace, JSON.stringify(spec), 'failed', 1, JSON.stringify(summary), 1],
    );
    const row = (await ds.getRepository(PlanEntity).findOneBy({ id }))!;
    expect(row.spec).toEqual(spec);
    expect(row.summary).toEqual(summary);
    expect(row.timeseriesSha256).toBeNull();
    const [raw] = await ds.query('SELECT spec FROM plans WHERE id = ?', [id]);
    expect(raw.spec).toBe(JSON.stringify(spec));
    expect(await ds.getRepository(PlanPointEntity).countBy({ planId: id })).toBe(0);
  });

  it('upgrades a database holding plans and points: rows kept, their series column empty (read the old way)', async () => {
    const file = join(dir, 'old.sqlite');
    const before = MIGRATIONS.filter((m) => m.name !== 'AddPlanTimeseriesSha2561763800710000');
    expect(before).toHaveLength(MIGRATIONS.length - 1);
    const old = new DataSource({ ...buildDataSourceOptions(file), migrations: before, entities: [] });
    await old.initialize();
    await old.runMigrations();
    const spec = specOf();
    const id = planSpecHash(spec);
    await old.query(
      'INSERT INTO plans (id, trace_id, spec, state, points, result_sha256, summary, error, created_at_ms, completed_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)',
      [id, spec.trace, JSON.stringify(spec), 'completed', 1, 'a'.repeat(64), JSON.stringify({ models: {} }), 1, 2],
    );
    await old.query('INSERT INTO plan_points (plan_id, "index", result_sha256, completed_at_ms) VALUES (?, 0, ?, 2)', [id, 'a'.repeat(64)]);
    await old.destroy();
    const upgraded = new DataSource(buildDataSourceOptions(file));
    await upgraded.initialize();
    try {
      await runMigrationsExclusively(upgraded);
      expect(await upgraded.getRepository(PlanEntity).findOneBy({ id })).toMatchObject({ spec, state: 'completed', resultSha256: 'a'.repeat(64), timeseriesSha256: null });
      expect(await upgraded.getRepository(PlanPointEntity).findOneBy({ planId: id, index: 0 })).toMatchObject({ resultSha256: 'a'.repeat(64), timeseriesSha256: null });
    } finally {
      await upgraded.destroy();
    }
  });

  it('tells a job that failed for good from one Bull retries', async () => {
    const job = await queue.add('probe', {}, { attempts: 3 });
    expect(jobFailedForGood(job)).toBe(false);
    job.attemptsMade = 3;
    expect(jobFailedForGood(job)).toBe(true);
    job.attemptsMade = 1;
    await job.discard();
    expect(jobFailedForGood(job)).toBe(true);
  });
});
