import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { generateAzure2019 } from '@upm/model/traces/generator';
import { ApiClient, watchPlan } from '@upm/client';
import { freePort } from '../lib/net';
import { REPO_ROOT, ServiceProcess, waitForHttp } from '../lib/services';
import { ensureRedis } from './ensure-redis';
import { demoQueuePrefix, dropQueueKeys } from './queue-prefix';
import { captureScenarioDumps, sampleDumps, whyNoLiveProbe } from './scenario-dumps';

/** The demo's trace: a synthetic Azure 2019 day of this many functions, replayed over these minutes. */
const DEMO_FUNCTIONS = 200;
const DEMO_MINUTES: [number, number] = [481, 720];
const DEMO_SEED = 2026;

/**
 * `npm run demo`: the main job end to end on the embedded defaults, driven over HTTP like a user would:
 * generate a trace, capture page-hash dumps of live processes (or use the committed ones), upload both, run a
 * capacity plan on the worker, and print none / KSM / UPM side by side. Stops everything it started.
 */
async function main(): Promise<void> {
  const log = (line: string) => process.stdout.write(`[demo] ${line}\n`);
  const cleanup: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const f of cleanup.reverse()) await f().catch(() => undefined);
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  try {
    const work = join(REPO_ROOT, 'data', 'demo');
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });

    const redis = await ensureRedis(log);
    cleanup.push(() => redis.stop());
    const port = process.env.PORT ? Number(process.env.PORT) : await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const queuePrefix = demoQueuePrefix();
    cleanup.push(() => dropQueueKeys(redis.url, queuePrefix).then(() => undefined));
    const env = { PORT: String(port), REDIS_URL: redis.url, LOG_LEVEL: 'info', QUEUE_PREFIX: queuePrefix };
    const api = new ServiceProcess('api', env, { fromSource: false, logFile: join(work, 'api.log') });
    cleanup.push(() => api.stop());
    // The worker starts once the API has migrated the database: on a fresh sqlite file both would migrate at
    // once and one of them fail with SQLITE_BUSY.
    await waitForHttp(`${baseUrl}/health`);
    const worker = new ServiceProcess('worker', env, { fromSource: false, logFile: join(work, 'worker.log') });
    cleanup.push(() => worker.stop());
    log(`api ${baseUrl} (web UI ${baseUrl}/ui/, OpenAPI ${baseUrl}/openapi.json, Swagger UI ${baseUrl}/docs), one worker; logs in data/demo/`);
    const client = new ApiClient(baseUrl);

    // 1. A trace.
    const gen = await generateAzure2019({ functions: DEMO_FUNCTIONS, seed: DEMO_SEED, outDir: join(work, 'trace'), minutes: DEMO_MINUTES });
    log(`generated an Azure 2019 trace: ${gen.functions} functions in ${gen.apps} apps, ${gen.invocations} invocations (minutes ${DEMO_MINUTES.join('..')})`);

    // 2. Page-hash dumps: live upm-scenario processes probed now, or the committed captures.
    let dumps: Map<string, string>;
    const noProbe = whyNoLiveProbe();
    if (noProbe === null) {
      dumps = await captureScenarioDumps(join(work, 'dumps'), log);
    } else {
      dumps = sampleDumps();
      log(`cannot probe live processes: ${noProbe}; using the committed dumps of samples/dumps/ (${[...dumps.keys()].join(', ')})`);
    }

    // 3. Upload both.
    const trace = await client.uploadTrace(gen.files, 'demo');
    log(`uploaded the trace: ${JSON.stringify(trace.stats.invocations)} invocations, ${JSON.stringify(trace.stats.functions)} functions`);
    const ids = new Map<string, string>();
    for (const [fn, path] of dumps) ids.set(fn, (await client.uploadDump(path, fn)).id);
    log(`uploaded ${ids.size} dumps: ${[...ids].map(([fn, id]) => `${fn}=${id}`).join(', ')}`);

    // 4. A plan: HTTP functions look like the small handler, all others like the image-recognition function.
    const spec = {
      trace: trace.id,
      profiles: { rules: [{ match: { trigger: 'http' }, dumps: [ids.get('http-handler')] }], default: [ids.get('image-recognition')] },
      host: { memoryGiB: 2 },
      policy: { kind: 'ttl', ttlMinutes: 10 },
      models: ['none', 'ksm', 'upm'],
      sizing: { targetColdStartRate: 0.01, hostMemoryGiB: 2, maxHosts: 64 },
      seed: DEMO_SEED,
    };
    const created = (await client.request('POST', '/v1/plans', spec)).body as { id: string };
    log(`plan ${created.id.slice(0, 12)} submitted; the worker replays it under none, ksm and upm`);
    // The same wait as `upm plan watch`: a progress bar on a terminal, then the table.
    const table = await watchPlan(client, created.id, { timeout: '3600' });
    log('plan completed:\n');
    process.stdout.write(table);
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
