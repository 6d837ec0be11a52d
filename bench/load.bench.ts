/**
 * Load benchmark of the API on loopback with autocannon, bounded in time: GET /health, GET /v1/plans/:id,
 * GET /v1/dumps and POST /v1/density, each with a read key, for BENCH_SECONDS (default 10) at BENCH_CONNECTIONS
 * (default 10) connections. The API runs as in production (auth on, rate-limit counters in Redis, JSON logs to a
 * file), on sqlite. Prints a markdown table for docs/benchmarks.md.
 *
 *   npm run bench:load
 */
import autocannon from 'autocannon';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { ApiKeyStore, buildDataSourceOptions, runMigrationsExclusively } from '@upm/platform';
import { ApiClient } from '@upm/client';
import { freePort } from '../scripts/lib/net';
import { REPO_ROOT, ServiceProcess, waitForHttp } from '../scripts/lib/services';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'upm-bench-load-'));
  const dbPath = join(dir, 'upm.sqlite');
  const ds = new DataSource(buildDataSourceOptions(dbPath));
  await ds.initialize();
  await runMigrationsExclusively(ds);
  const write = (await new ApiKeyStore(ds).create('bench-write', 'write')).key;
  const read = (await new ApiKeyStore(ds).create('bench-read', 'read')).key;
  await ds.destroy();

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const api = new ServiceProcess(
    'api',
    {
      PORT: String(port),
      DATABASE_URL: dbPath,
      QUEUE_PREFIX: `upm-bench-load-${process.pid}`,
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
      // Limits high enough never to trigger, so each request still pays for its Redis counters (BENCH_NO_LIMITS=1: none).
      RATE_LIMIT_PER_ADDRESS: process.env.BENCH_NO_LIMITS ? '0' : '1000000000',
      RATE_LIMIT_PER_KEY: process.env.BENCH_NO_LIMITS ? '0' : '1000000000',
    },
    { fromSource: true, logFile: join(dir, 'api.log') },
  );
  try {
    await waitForHttp(`${base}/health`);
    const client = new ApiClient(base, write);
    const dump = await client.uploadDump(join(REPO_ROOT, 'samples/dumps/http-handler.dump'), 'http-handler');
    const trace = await client.uploadTrace([join(REPO_ROOT, 'test/fixtures/traces/invitro/data/traces/example/Azure2021/Azure2021_200.csv')]);
    const plan = (await client.request('POST', '/v1/plans', { trace: trace.id, profiles: { default: [dump.id] }, host: { memoryGiB: 2 }, policy: { kind: 'ttl', ttlMinutes: 10 }, models: ['none', 'upm'] })).body as { id: string };
    const density = JSON.stringify({ dumps: { 'http-handler': [dump.id] }, hostMemoryGiB: 4 });

    const cases: Array<{ name: string; path: string; method?: 'POST'; body?: string }> = [
      { name: 'GET /health', path: '/health' },
      { name: 'GET /v1/plans/:id', path: `/v1/plans/${plan.id}` },
      { name: 'GET /v1/dumps', path: '/v1/dumps' },
      { name: 'POST /v1/density', path: '/v1/density', method: 'POST', body: density },
    ];
    const rows: string[] = [];
    for (const c of cases) {
      const r = await autocannon({
        url: base + c.path,
        method: c.method ?? 'GET',
        body: c.body,
        connections: CONNECTIONS,
        duration: SECONDS,
        headers: { authorization: `Bearer ${read}`, ...(c.body && { 'content-type': 'application/json' }) },
      });
      const bad = r.non2xx + r.errors + r.timeouts;
      rows.push(`| ${c.name} | ${Math.round(r.requests.average)} | ${r.latency.p50} | ${r.latency.p99} | ${r.latency.max} | ${bad} |`);
      process.stderr.write(`${c.name}: ${Math.round(r.requests.average)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, not 2xx ${bad}\n`);
    }
    process.stdout.write(
      [`${CONNECTIONS} connections, ${SECONDS} s each, read key, ${process.env.BENCH_NO_LIMITS ? 'no rate limits' : 'rate limits counted in Redis'}, log level ${process.env.BENCH_LOG_LEVEL ?? 'info'} to a file`, '', '| request | req/s | p50 ms | p99 ms | max ms | not 2xx |', '|---|---|---|---|---|---|', ...rows, ''].join('\n'),
    );
  } finally {
    await api.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`bench:load failed: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
