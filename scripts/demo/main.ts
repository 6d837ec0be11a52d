import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ApiClient } from '../../apps/cli/src/api-client';
import { freePort } from '../lib/net';
import { REPO_ROOT, ServiceProcess, waitForHttp } from '../lib/services';
import { ensureRedis } from './ensure-redis';

/**
 * `npm run demo`: the main job end to end on the embedded defaults. Starts Redis if needed, the API
 * and a worker from dist/, drives them over HTTP like a user would, prints the result, and stops
 * everything it started.
 */
async function main(): Promise<void> {
  const log = (line: string) => process.stdout.write(`[demo] ${line}\n`);
  const cleanup: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const f of cleanup.reverse()) await f().catch(() => undefined);
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  try {
    const redis = await ensureRedis(log);
    cleanup.push(() => redis.stop());
    const port = process.env.PORT ? Number(process.env.PORT) : await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const env = { PORT: String(port), REDIS_URL: redis.url, LOG_LEVEL: 'info', QUEUE_PREFIX: 'upm-demo' };
    const logDir = join(REPO_ROOT, 'data');
    mkdirSync(logDir, { recursive: true });
    const api = new ServiceProcess('api', env, { fromSource: false, logFile: join(logDir, 'demo-api.log') });
    cleanup.push(() => api.stop());
    const worker = new ServiceProcess('worker', env, { fromSource: false, logFile: join(logDir, 'demo-worker.log') });
    cleanup.push(() => worker.stop());
    await waitForHttp(`${baseUrl}/health`);
    log(`api: ${baseUrl} (OpenAPI at ${baseUrl}/openapi.json, Swagger UI at ${baseUrl}/docs); logs in data/demo-*.log`);

    const client = new ApiClient(baseUrl);
    const done = await client.enqueueAndWait('/v1/jobs/ping', { message: 'demo' }, 60_000);
    log(`ping job ${done.id}: ${done.state} by worker ${(done.result as { workerId: string }).workerId}`);
  } finally {
    await stopAll();
  }
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    process.stderr.write(`[demo] failed: ${e.message}\n`);
    process.exit(1);
  },
);
