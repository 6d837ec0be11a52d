/**
 * Scale-out: the same 16-point sweep on the real 500-function Azure trace (committed sample) with the committed
 * dumps, run by 1, 2 and 4 worker processes, each pinned to one core with `taskset -c` (core i mod the cores
 * there are), sharing one Redis and one PostgreSQL with the API. Measures wall time from submission to
 * completion and checks every run's result is identical. Prints a markdown table for docs/benchmarks.md.
 *
 * After each run it prints where the time went, from the Bull timestamps of the plan's jobs (BENCH_PHASES=0: not):
 * submission to the plan job's start, the fan-out (the plan job), the points (the first ones to start include
 * forking their sandbox processes), how many points ran at once, and the tail from the last point's end to the
 * plan seen completed (the last point's job combines the results, inside its own time).
 *
 *   npm run bench:scale-out        # BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/upm_test), REDIS_URL,
 *                                  # BENCH_WORKERS (default 1,2,4), BENCH_REPEAT (default 1: each worker count once)
 */
import { ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Bull from 'bull';
import { Client } from 'pg';
import { planJobId, planPointJobId, QUEUES } from '@upm/jobs';
import { ApiClient } from '@upm/client';
import { freePort } from '../scripts/lib/net';
import { REPO_ROOT, ServiceProcess, waitForHttp } from '../scripts/lib/services';

const WORKER_COUNTS = (process.env.BENCH_WORKERS ?? '1,2,4').split(',').map(Number);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 1);
const PHASES = process.env.BENCH_PHASES !== '0';

interface JobTimes {
  createdMs: number;
  startMs: number;
  endMs: number;
}

async function jobTimes(queue: Bull.Queue, id: string): Promise<JobTimes> {
  const job = await queue.getJob(id);
  if (!job?.processedOn || !job.finishedOn) throw new Error(`job ${id} has no timestamps`);
  return { createdMs: job.timestamp, startMs: job.processedOn, endMs: job.finishedOn };
}

/** Where the wall time of one run went, from the jobs' timestamps (ms since the epoch, one clock: this machine). */
async function phaseBreakdown(queue: Bull.Queue, pointsQueue: Bull.Queue, planId: string, points: number, workers: number, t0: number, seenDoneMs: number): Promise<string> {
  const plan = await jobTimes(queue, planJobId(planId));
  const pts = await Promise.all(Array.from({ length: points }, (_, i) => jobTimes(pointsQueue, planPointJobId(planId, i))));
  const byStart = [...pts].sort((a, b) => a.startMs - b.startMs);
  const firstStart = byStart[0].startMs;
  const lastEnd = Math.max(...pts.map((p) => p.endMs));
  const durations = pts.map((p) => p.endMs - p.startMs);
  const busy = durations.reduce((a, b) => a + b, 0);
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
  const s = (ms: number) => (ms / 1000).toFixed(2);
  const span = lastEnd - firstStart;
  // Points running at once (one per worker was the intent: POINT_CONCURRENCY 1).
  const events = pts.flatMap((p) => [{ t: p.startMs, d: 1 }, { t: p.endMs, d: -1 }]).sort((a, b) => a.t - b.t || a.d - b.d);
  let inFlight = 0;
  let maxInFlight = 0;
  for (const e of events) maxInFlight = Math.max(maxInFlight, (inFlight += e.d));
  // The first points to start, one per slot, each fork a sandbox process (Bull's pool keeps it for the next).
  const cold = byStart.slice(0, maxInFlight).map((p) => p.endMs - p.startMs);
  const warm = byStart.slice(maxInFlight).map((p) => p.endMs - p.startMs);
  return [
    `  submit -> plan job start ${s(plan.startMs - t0)} s; fan-out (plan job) ${s(plan.endMs - plan.startMs)} s; plan job end -> first point start ${s(firstStart - plan.endMs)} s`,
    `  points: ${s(span)} s from the first start to the last end; point job mean ${s(mean(durations))} s (min ${s(Math.min(...durations))}, max ${s(Math.max(...durations))}), ` +
      `the first ${maxInFlight} to start (each forks a sandbox) ${s(mean(cold))} s vs the rest ${s(mean(warm))} s`,
    `  points in flight: ${(busy / span).toFixed(2)} on average, at most ${maxInFlight}, for ${workers} worker(s)`,
    `  tail: last point end -> plan seen completed ${s(seenDoneMs - lastEnd)} s (the combination runs inside the last point's job)`,
  ].join('\n');
}
const BASE_DB = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/upm_test';
const TRACE_DIR = join(REPO_ROOT, 'test/fixtures/traces/invitro/data/traces/500');

/** The worker as deployed (dist/, what deploy/systemd runs): from source, each forked point process would spend seconds in ts-node. */
const WORKER_MAIN = join(REPO_ROOT, 'dist/apps/worker/src/main.js');

function startWorker(i: number, env: Record<string, string>, logDir: string): ChildProcess {
  const core = String(i % availableParallelism());
  const child = spawn(
    'taskset',
    ['-c', core, process.execPath, WORKER_MAIN],
    { cwd: REPO_ROOT, env: { ...process.env, TS_NODE_PROJECT: join(REPO_ROOT, 'tsconfig.json'), ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const log = createWriteStream(join(logDir, `worker-${i}.log`));
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  return child;
}

const waitReady = (c: ChildProcess) =>
  new Promise<void>((resolve, reject) => {
    let seen = '';
    c.stdout?.on('data', (d: Buffer) => {
      seen += d.toString();
      if (/worker \S+ ready/.test(seen)) resolve();
    });
    c.once('exit', (code) => reject(new Error(`worker exited (${code}): ${seen.slice(-1000)}`)));
  });

const stop = (c: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) return resolve();
    c.once('exit', () => resolve());
    c.kill('SIGTERM');
  });

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'upm-bench-scale-'));
  const schema = `bench_${process.pid}`;
  const admin = new Client({ connectionString: BASE_DB });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const url = new URL(BASE_DB);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = { PORT: String(port), DATABASE_URL: url.toString(), QUEUE_PREFIX: `upm-bench-scale-${process.pid}`, LOG_LEVEL: 'info' };
  if (!existsSync(WORKER_MAIN)) throw new Error(`${WORKER_MAIN} is not built: npm run build:ts`);
  const api = new ServiceProcess('api', env, { fromSource: false, logFile: join(dir, 'api.log') });
  const rows: string[] = [];
  try {
    await waitForHttp(`${base}/health`);
    const client = new ApiClient(base);
    const trace = await client.uploadTrace(['invocations.csv', 'durations.csv', 'memory.csv'].map((f) => join(TRACE_DIR, f)), 'invitro-500');
    const http = await client.uploadDump(join(REPO_ROOT, 'samples/dumps/http-handler.dump'), 'http-handler');
    const image = await client.uploadDump(join(REPO_ROOT, 'samples/dumps/image-recognition.dump'), 'image-recognition');
    const spec = {
      trace: trace.id,
      profiles: { rules: [{ match: { trigger: 'http' }, dumps: [http.id] }], default: [image.id] },
      host: { memoryGiB: 2 },
      policy: { kind: 'ttl', ttlMinutes: 10 },
      models: ['none', 'ksm', 'upm'],
      seed: 7,
      sweep: { hostMemoryGiB: [1, 2, 4, 8], ttlMinutes: [5, 10, 15, 20] },
    };
    const queue = new Bull(QUEUES.plans, process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { prefix: env.QUEUE_PREFIX });
    const pointsQueue = new Bull(QUEUES.planPoints, process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { prefix: env.QUEUE_PREFIX });
    const baselines: number[] = [];
    let firstHash = '';
    for (let round = 0; round < REPEAT; round++) for (const n of WORKER_COUNTS) {
      const workers = Array.from({ length: n }, (_, i) => startWorker(i, env, dir));
      await Promise.all(workers.map(waitReady));
      const t0 = Date.now();
      const created = (await client.request('POST', '/v1/plans', spec)).body as { id: string; points: number; created: boolean };
      if (!created.created) throw new Error('the plan was not run afresh (it should have been deleted)');
      let plan: { state: string; result: unknown; error: string | null };
      for (;;) {
        plan = (await client.request('GET', `/v1/plans/${created.id}`)).body as typeof plan;
        if (plan.state === 'completed' || plan.state === 'failed') break;
        await sleep(100);
      }
      const seenDoneMs = Date.now();
      const seconds = (seenDoneMs - t0) / 1000;
      await Promise.all(workers.map(stop));
      if (plan.state !== 'completed') throw new Error(`plan failed with ${n} workers: ${plan.error}`);
      const hash = createHash('sha256').update(JSON.stringify(plan.result)).digest('hex');
      firstHash ||= hash;
      // Speed-up against the round's first worker count (a loaded machine drifts between rounds).
      if (n === WORKER_COUNTS[0]) baselines[round] = seconds;
      const baseline = baselines[round];
      rows.push(`| ${n} | ${seconds.toFixed(1)} | ${(baseline / seconds).toFixed(2)}× | ${hash === firstHash ? 'identical' : 'DIFFERENT'} (${hash.slice(0, 12)}) |`);
      process.stderr.write(`${n} worker(s): ${seconds.toFixed(1)} s, result ${hash.slice(0, 12)}\n`);
      if (PHASES) process.stderr.write(`${await phaseBreakdown(queue, pointsQueue, created.id, created.points, n, t0, seenDoneMs)}\n`);
      if (hash !== firstHash) throw new Error(`result with ${n} workers differs from the first run`);
      await client.request('DELETE', `/v1/plans/${created.id}`);
    }
    await queue.close();
    await pointsQueue.close();
    process.stdout.write(
      [`16-point sweep (host memory 1/2/4/8 GiB × TTL 5/10/15/20 min, none/ksm/upm) on the 500-function Azure sample; workers pinned with taskset to core i mod ${availableParallelism()}; PostgreSQL + Redis`, '', '| workers | wall s | speedup | result |', '|---|---|---|---|', ...rows, ''].join('\n'),
    );
  } finally {
    await api.stop();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`bench:scale-out failed: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
