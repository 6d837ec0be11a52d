import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { freePort } from '../../scripts/lib/net';
import { PrivateRedis } from '../../scripts/lib/redis-server';
import { ServiceProcess, waitForHttp } from '../../scripts/lib/services';
import { buildDataSourceOptions } from '../../libs/platform/src/database/data-source-options';

/**
 * API and worker as real processes, on a private redis-server (so the test can stop it) and a sqlite
 * file shared by both, exactly as deployed.
 */
describe('ping job through API → Redis → worker → database', () => {
  let dir: string;
  let redis: PrivateRedis;
  let api: ServiceProcess;
  const workers: ServiceProcess[] = [];
  let baseUrl: string;
  let env: Record<string, string>;

  const startWorker = async (): Promise<ServiceProcess> => {
    const w = new ServiceProcess('worker', env, { fromSource: true, logFile: join(dir, 'worker.log') });
    workers.push(w);
    await w.waitForOutput(/worker \S+ ready/);
    return w;
  };

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  type Json = any;
  const post = async (path: string, body: unknown): Promise<{ status: number; type: string | null; body: Json }> => {
    const res = await fetch(`${baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, type: res.headers.get('content-type'), body: await res.json() };
  };
  const get = async (path: string): Promise<{ status: number; type: string | null; body: Json }> => {
    const res = await fetch(`${baseUrl}${path}`);
    return { status: res.status, type: res.headers.get('content-type'), body: await res.json() };
  };
  const waitForState = async (id: string, states: string[], timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { body } = await get(`/v1/jobs/${id}`);
      if (states.includes(body.state)) return body;
      if (Date.now() > deadline) throw new Error(`job ${id} is ${body.state}, not ${states.join('/')}, after ${timeoutMs} ms`);
      await sleep(100);
    }
  };
  const pingRows = async (jobId: string) => {
    const ds = new DataSource(buildDataSourceOptions(env.DATABASE_URL));
    await ds.initialize();
    try {
      return await ds.query('SELECT job_id, runs, worker_id FROM ping_records WHERE job_id = ?', [jobId]);
    } finally {
      await ds.destroy();
    }
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'upm-int-'));
    redis = await PrivateRedis.start();
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    env = {
      PORT: String(port),
      DATABASE_URL: join(dir, 'upm.sqlite'),
      REDIS_URL: redis.url,
      LOG_LEVEL: 'info',
      // A dead worker's job is picked up again within seconds, not the default 30 s.
      QUEUE_LOCK_MS: '2000',
    };
    api = new ServiceProcess('api', env, { fromSource: true, logFile: join(dir, 'api.log') });
    await waitForHttp(`${baseUrl}/health`);
    await startWorker();
  }, 120_000);

  afterAll(async () => {
    await Promise.all([api?.stop(), ...workers.map((w) => w.stop())]);
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('completes a ping and records it in the database', async () => {
    const { status, body } = await post('/v1/jobs/ping', { message: 'hello' });
    expect(status).toBe(202);
    const done = await waitForState(body.id, ['completed', 'failed']);
    expect(done).toMatchObject({ state: 'completed', progress: 100, attempts: 1 });
    expect(done.result).toMatchObject({ version: 1, message: 'hello', runs: 1 });
    expect(await pingRows(body.id)).toHaveLength(1);
  });

  it('finishes a job exactly once when its worker is SIGKILLed mid-job and restarted', async () => {
    const { body } = await post('/v1/jobs/ping', { message: 'survive', holdMs: 3000 });
    await waitForState(body.id, ['active']);
    const victim = workers[workers.length - 1];
    await victim.stop('SIGKILL');
    const replacement = await startWorker();
    const done = await waitForState(body.id, ['completed', 'failed'], 90_000);
    expect(done.state).toBe('completed');
    expect(done.result.workerId).toMatch(new RegExp(`:${replacement.pid}$`));
    const rows = await pingRows(body.id);
    expect(rows).toHaveLength(1);
    expect(rows[0].runs).toBe(1);
  }, 120_000);

  it('answers 503 problem+json while Redis is down and recovers without a restart', async () => {
    await redis.stop();
    const health = await get('/health');
    expect(health.status).toBe(503);
    expect(health.body.down).toEqual(['redis']);
    const ping = await post('/v1/jobs/ping', {});
    expect(ping.status).toBe(503);
    expect(ping.type).toMatch(/^application\/problem\+json/);
    expect(ping.body.detail).toMatch(/Redis is unavailable/);

    await redis.startProcess();
    await waitForHttp(`${baseUrl}/health`, 200, 30_000);
    const again = await post('/v1/jobs/ping', { message: 'back' });
    expect(again.status).toBe(202);
    const done = await waitForState(again.body.id, ['completed', 'failed'], 60_000);
    expect(done.state).toBe('completed');
    expect(api.running).toBe(true);
  }, 120_000);
});
