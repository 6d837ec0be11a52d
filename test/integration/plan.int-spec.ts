import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { ApiClient } from '@upm/client';
import { DEFAULT_JOB_OPTIONS, planPointJobId, QUEUES } from '@upm/jobs';
import Bull from 'bull';
import { captureScenarioDumps, sampleDumps, whyNoLiveProbe } from '../../scripts/demo/scenario-dumps';
import { freePort } from '../../scripts/lib/net';
import { REPO_ROOT, ServiceProcess, waitForHttp } from '../../scripts/lib/services';
import { invitroTrace } from '../support/shared-dir';

const run = promisify(execFile);

/** A deep copy without `specHash` keys: they hash the spec, whose references differ between API and CLI. */
function withoutSpecHashes(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutSpecHashes);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'specHash').map(([k, x]) => [k, withoutSpecHashes(x)]));
  return v;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/**
 * The product's main job through every real part: a plan over the 500-function Azure sample with dumps of
 * live upm-scenario processes, run by API, Redis and a worker that is SIGKILLed while a point runs and
 * started again. Its result must equal the local `upm plan run` of the same plan.
 */
describe('plan through API → Redis → worker, surviving a worker kill', () => {
  let dir: string;
  let api: ServiceProcess;
  const workers: ServiceProcess[] = [];
  let client: ApiClient;
  let base: string;
  let env: Record<string, string>;
  let dumps: Map<string, string>;
  let ids: Map<string, string>;
  let traceId: string;
  const traceFiles = ['invocations.csv', 'durations.csv', 'memory.csv'].map((f) => invitroTrace('500', f));

  const startWorker = async () => {
    const w = new ServiceProcess('worker', env, { fromSource: true, logFile: join(dir, `worker-${workers.length}.log`) });
    workers.push(w);
    await w.waitForOutput(/worker \S+ ready/);
    return w;
  };
  const getJson = async (path: string): Promise<Json> => (await client.request('GET', path)).body;
  /** The plan once it is completed or failed (polled every 250 ms, for up to 240 s). */
  const finished = async (id: string): Promise<Json> => {
    for (const until = Date.now() + 240_000; ; await sleep(250)) {
      const plan = await getJson(`/v1/plans/${id}`);
      if (plan.state === 'completed' || plan.state === 'failed') return plan;
      if (Date.now() > until) throw new Error(`plan still ${plan.state} (${plan.progress}%)`);
    }
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'upm-plan-int-'));
    // Real dumps of live processes when we can probe (root, tools built); else the committed captures.
    dumps = whyNoLiveProbe() === null ? await captureScenarioDumps(join(dir, 'dumps'), () => undefined) : sampleDumps();
    expect([...dumps.keys()].sort()).toEqual(['http-handler', 'image-recognition']);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    env = {
      PORT: String(port),
      DATABASE_URL: join(dir, 'upm.sqlite'),
      QUEUE_PREFIX: `upm-int-plan-${process.pid}`,
      LOG_LEVEL: 'info',
      QUEUE_LOCK_MS: '2000',
    };
    api = new ServiceProcess('api', env, { fromSource: true, logFile: join(dir, 'api.log') });
    await waitForHttp(`${base}/health`);
    client = new ApiClient(base);
    await startWorker();
  }, 180_000);

  afterAll(async () => {
    await Promise.all([api?.stop(), ...workers.map((w) => w.stop())]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('completes despite a SIGKILL mid-run, and equals the local CLI run of the same plan', async () => {
    const trace = await client.uploadTrace(traceFiles, 'invitro-500');
    traceId = trace.id;
    ids = new Map<string, string>();
    for (const [fn, path] of dumps) ids.set(fn, (await client.uploadDump(path, fn)).id);

    const common = {
      host: { memoryGiB: 2 },
      policy: { kind: 'ttl', ttlMinutes: 10 },
      models: ['none', 'ksm', 'upm'],
      seed: 7,
      sweep: { hostMemoryGiB: [1, 2], ttlMinutes: [5, 10] },
    };
    const spec = {
      ...common,
      trace: trace.id,
      profiles: { rules: [{ match: { trigger: 'http' }, dumps: [ids.get('http-handler')] }], default: [ids.get('image-recognition')] },
    };
    const created = (await client.request('POST', '/v1/plans', spec)).body as Json;
    expect(created.points).toBe(4);

    // Kill the worker while a point job is running (after the first point is stored: mid-plan).
    const deadline = Date.now() + 120_000;
    for (;;) {
      const p = await getJson(`/v1/plans/${created.id}`);
      if (p.state === 'running' && p.pointsDone >= 1 && p.pointsDone < 4) break;
      if (p.state === 'completed' || p.state === 'failed' || Date.now() > deadline) throw new Error(`plan reached ${p.state} before the kill`);
      await sleep(50);
    }
    await workers[0].stop('SIGKILL');
    await startWorker();

    const plan = await finished(created.id);
    expect(plan.state).toBe('completed');
    expect(plan).toMatchObject({ progress: 100, points: 4, pointsDone: 4 });

    // The same plan run locally by the CLI, with the trace and dumps as files.
    const local = {
      ...common,
      version: 1,
      trace: traceFiles.join(','),
      profiles: { rules: [{ match: { trigger: 'http' }, dumps: [dumps.get('http-handler')] }], default: [dumps.get('image-recognition')] },
    };
    writeFileSync(join(dir, 'local.json'), JSON.stringify(local));
    const cli = await run(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'apps/cli/src/main.ts', 'plan', 'run', '--spec', join(dir, 'local.json'), '--json'],
      { cwd: REPO_ROOT, maxBuffer: 1 << 30, env: { ...process.env, TS_NODE_PROJECT: join(REPO_ROOT, 'tsconfig.json') } },
    );
    const expected = JSON.parse(cli.stdout);
    const got = plan.result;
    // Everything but the references (trace and dump ids vs. file paths, hence the spec hashes) is the same.
    for (const key of ['models', 'sweep', 'sizing', 'functions', 'functionsFromPercentiles', 'functionsFromDefaultSize', 'host', 'policy', 'warnings']) {
      expect({ key, value: withoutSpecHashes(got[key]) }).toEqual({ key, value: withoutSpecHashes(expected[key]) });
    }
    // a sweep's result is the sweep's: its points carry the models, each point's time series is fetched by index
    expect(got.models).toEqual([]);
    expect(got.sweep.points.map((p: Json) => [p.index, Object.keys(p.models)])).toEqual(
      [0, 1, 2, 3].map((i) => [i, ['none', 'ksm', 'upm']]),
    );
    expect((await client.request('GET', `/v1/plans/${created.id}/timeseries`, undefined, { allowStatus: [422] })).status).toBe(422);
    for (const i of [0, 3]) {
      const ts = await getJson(`/v1/plans/${created.id}/timeseries?point=${i}`);
      expect(ts.series.filter((x: Json) => x.host === 'all').map((x: Json) => x.model)).toEqual(['none', 'ksm', 'upm']);
      expect(ts.t.length).toBeGreaterThan(0);
    }
  }, 300_000);

  // Bull adds up the concurrency of every named processor of a queue: with the coordinator and the points on one
  // queue, a worker ran two replays at once on its one core. The points have a queue of their own now.
  it('runs one point at a time per worker: no two point jobs of one worker overlap', async () => {
    const spec = {
      trace: traceId,
      profiles: { rules: [{ match: { trigger: 'http' }, dumps: [ids.get('http-handler')] }], default: [ids.get('image-recognition')] },
      host: { memoryGiB: 2 },
      policy: { kind: 'ttl', ttlMinutes: 10 },
      models: ['none'],
      seed: 8,
      sweep: { hostMemoryGiB: null, ttlMinutes: [5, 10, 15] },
    };
    const created = (await client.request('POST', '/v1/plans', spec)).body as Json;
    expect((await finished(created.id)).state).toBe('completed');
    const points = new Bull(QUEUES.planPoints, process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { prefix: env.QUEUE_PREFIX });
    try {
      const spans: { start: number; end: number }[] = [];
      for (let i = 0; i < 3; i++) {
        const job = await points.getJob(planPointJobId(created.id, i));
        expect(job?.processedOn).toEqual(expect.any(Number));
        spans.push({ start: job!.processedOn!, end: job!.finishedOn! });
      }
      spans.sort((a, b) => a.start - b.start);
      for (let i = 1; i < spans.length; i++) expect(spans[i].start).toBeGreaterThanOrEqual(spans[i - 1].end);
    } finally {
      await points.close();
    }
  }, 300_000);

  it('fails a point or analysis job whose plan or dump does not exist once, without the retries Bull would give it', async () => {
    const redis = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    const points = new Bull(QUEUES.planPoints, redis, { prefix: env.QUEUE_PREFIX });
    const analyses = new Bull(QUEUES.analyses, redis, { prefix: env.QUEUE_PREFIX });
    try {
      // as the API enqueues them: 3 attempts, 1 s exponential backoff
      const point = await points.add('plan-point', { version: 1, planId: 'd'.repeat(64), index: 0 }, { ...DEFAULT_JOB_OPTIONS, jobId: 'plan-points:gone:0' });
      const request = { model: 'sharing', mergeability: 'upm' };
      const analysis = await analyses.add('analysis', { version: 1, request, dumpIds: ['00000000-0000-4000-8000-000000000000'] }, { ...DEFAULT_JOB_OPTIONS, jobId: 'analyses:gone' });
      const failed = async (q: Bull.Queue, id: string) => {
        for (const until = Date.now() + 60_000; Date.now() < until; await sleep(200)) {
          const job = await q.getJob(id);
          if (job && (await job.getState()) === 'failed') return job;
        }
        throw new Error(`job ${id} did not fail`);
      };
      const [p, a] = [await failed(points, String(point.id)), await failed(analyses, String(analysis.id))];
      // past the first backoff (1 s): a retried job would be delayed or running again by now
      await sleep(2500);
      for (const [q, job, message] of [[points, p, /plan d+ is not in the database/], [analyses, a, /No dump 00000000/]] as const) {
        const now = (await q.getJob(String(job.id)))!;
        expect(await now.getState()).toBe('failed');
        expect(now.attemptsMade).toBe(1);
        expect(now.failedReason).toMatch(message);
      }
    } finally {
      await Promise.all([points.close(), analyses.close()]);
    }
  }, 90_000);

  it('moves a point job an older version left on the plans queue to the plan-points queue', async () => {
    const redis = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    const plans = new Bull(QUEUES.plans, redis, { prefix: env.QUEUE_PREFIX });
    const points = new Bull(QUEUES.planPoints, redis, { prefix: env.QUEUE_PREFIX });
    try {
      const planId = 'e'.repeat(64);
      await plans.add('plan-point', { version: 1, planId, index: 2 }, { jobId: `plans:${planId}:2` });
      let moved = null;
      for (const until = Date.now() + 30_000; !moved && Date.now() < until; await sleep(100)) moved = await points.getJob(planPointJobId(planId, 2));
      expect(moved?.data).toEqual({ version: 1, planId, index: 2 });
      expect(await (await plans.getJob(`plans:${planId}:2`))?.getState()).toBe('completed');
    } finally {
      await Promise.all([plans.close(), points.close()]);
    }
  }, 60_000);
});
