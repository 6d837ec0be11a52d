/**
 * Load benchmark of the API on loopback, bounded in time: GET /health, GET /v1/plans/:id, GET /v1/dumps and
 * POST /v1/density, each with a read key, for BENCH_SECONDS (default 10) at BENCH_CONNECTIONS (default 10)
 * connections. The API runs as in production (auth on, rate-limit counters in Redis, JSON logs to a file), on
 * sqlite. Prints a markdown table for docs/benchmarks.md.
 *
 * The load generator is wrk (C, one thread: far less CPU than the API it loads) when it is installed, else
 * autocannon (Node, in this process); BENCH_DRIVER=wrk|autocannon chooses. Besides req/s and latency, each row
 * gives the CPU the API processes spent per request (user + system, from /proc, all API processes) and the
 * load generator's: on a shared machine throughput moves with the other load, CPU per request much less.
 *
 * BENCH_VARIANTS compares API configurations in one run, each its own API process started side by side (only
 * the one being loaded is busy), runs interleaved BENCH_REPEAT (default 1) times, medians reported with the
 * ratio of req/s to the first variant:
 *   production   as described above (BENCH_NO_LIMITS=1 / BENCH_LOG_LEVEL / BENCH_API_PROCESSES alter it)
 *   no-limits    RATE_LIMIT_PER_ADDRESS=0 and RATE_LIMIT_PER_KEY=0: no Redis round trip per request
 *   no-log       LOG_LEVEL=silent: no request log line
 *   bare         both
 *   processes=N  production with API_PROCESSES=N (node:cluster, one port)
 *   baseline     production, but the API of another checkout, BENCH_BASELINE_DIR (its sources; e.g.
 *                `git archive main | tar -x -C /tmp/base && ln -s $PWD/node_modules /tmp/base/`): old against new
 * BENCH_CASES (comma-separated substrings, e.g. GET) picks the requests. Each API process first gets
 * BENCH_WARMUP_SECONDS (default 2) of each request, not counted. The API processes log straight to files.
 *
 *   npm run bench:load
 *   BENCH_VARIANTS=production,no-limits,no-log,bare BENCH_CASES=GET BENCH_SECONDS=5 BENCH_REPEAT=3 npm run bench:load
 */
import autocannon from 'autocannon';
import { execFile, spawn } from 'node:child_process';
import { accessSync, closeSync, constants, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { DataSource } from 'typeorm';
import { ApiKeyStore, buildDataSourceOptions, runMigrationsExclusively } from '@upm/platform';
import { ApiClient } from '@upm/client';
import { freePort } from '../scripts/lib/net';
import { REPO_ROOT, ServiceProcess, waitForHttp } from '../scripts/lib/services';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 1);
const WARMUP_S = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const CASES = process.env.BENCH_CASES?.split(',').filter(Boolean);
const VARIANTS = (process.env.BENCH_VARIANTS ?? 'production').split(',').filter(Boolean);
const TICKS_PER_S = 100; // USER_HZ on Linux

function onPath(bin: string): string | undefined {
  for (const d of (process.env.PATH ?? '').split(delimiter)) {
    try {
      accessSync(join(d, bin), constants.X_OK);
      return join(d, bin);
    } catch {
      /* not here */
    }
  }
  return undefined;
}

const WRK = onPath('wrk');
const DRIVER = process.env.BENCH_DRIVER ?? (WRK ? 'wrk' : 'autocannon');
if (DRIVER !== 'wrk' && DRIVER !== 'autocannon') throw new Error(`BENCH_DRIVER must be wrk or autocannon, got ${DRIVER}`);
if (DRIVER === 'wrk' && !WRK) throw new Error('BENCH_DRIVER=wrk but wrk is not on PATH');

/** The API configuration of a variant, over the production one. */
function variantEnv(name: string): Record<string, string> {
  const noLimits = { RATE_LIMIT_PER_ADDRESS: '0', RATE_LIMIT_PER_KEY: '0' };
  const silent = { LOG_LEVEL: 'silent' };
  const production = {
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
    // Limits high enough never to trigger, so each request still pays for its Redis counters.
    ...(process.env.BENCH_NO_LIMITS ? noLimits : { RATE_LIMIT_PER_ADDRESS: '1000000000', RATE_LIMIT_PER_KEY: '1000000000' }),
    API_PROCESSES: process.env.BENCH_API_PROCESSES ?? '1',
  };
  const processes = /^processes=(\d+)$/.exec(name);
  if (name === 'baseline') return production;
  if (processes) return { ...production, API_PROCESSES: processes[1] };
  switch (name) {
    case 'production':
      return production;
    case 'no-limits':
      return { ...production, ...noLimits };
    case 'no-log':
      return { ...production, ...silent };
    case 'bare':
      return { ...production, ...noLimits, ...silent };
    default:
      throw new Error(`unknown BENCH_VARIANTS entry ${name}: production, no-limits, no-log, bare, processes=N or baseline`);
  }
}

/** CPU seconds (user + system) of a process and its descendants, from /proc. */
function treeCpuSeconds(rootPid: number): number {
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces): state ppid ... utime(14) stime(15).
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(entry), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      /* gone meanwhile */
    }
  }
  let ticks = 0;
  const inTree = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; hops++) {
      if (p === rootPid) return true;
      p = stats.get(p)?.ppid ?? 0;
    }
    return false;
  };
  for (const [pid, s] of stats) if (inTree(pid)) ticks += s.ticks;
  return ticks / TICKS_PER_S;
}

interface Case {
  name: string;
  path: string;
  method?: 'POST';
  body?: string;
}

interface Sample {
  rps: number;
  p50: number;
  p99: number;
  max: number;
  bad: number;
  requests: number;
  driverCpuS: number;
}

const execFileP = promisify(execFile);

/** wrk reports through this script: the bearer header, the POST body, and a JSON line of its results. */
function wrkScript(dir: string, c: Case, key: string): string {
  const file = join(dir, `wrk-${c.name.replace(/\W+/g, '_')}.lua`);
  const lua = [
    `wrk.method = ${JSON.stringify(c.method ?? 'GET')}`,
    `wrk.headers["Authorization"] = ${JSON.stringify(`Bearer ${key}`)}`,
    ...(c.body ? [`wrk.headers["Content-Type"] = "application/json"`, `wrk.body = ${JSON.stringify(c.body)}`] : []),
    'function done(summary, latency, requests)',
    '  local e = summary.errors',
    '  io.write(string.format(\'BENCH {"requests":%d,"durationUs":%d,"bad":%d,"p50Us":%d,"p99Us":%d,"maxUs":%d}\\n\',',
    '    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,',
    '    latency:percentile(50), latency:percentile(99), latency.max))',
    'end',
  ].join('\n');
  writeFileSync(file, lua);
  return file;
}

async function runWrk(url: string, c: Case, key: string, dir: string, seconds = SECONDS): Promise<Sample> {
  // bash's `times` gives the CPU wrk used (a child of that shell), which Node cannot see for a child.
  const { stdout } = await execFileP(
    'bash',
    ['-c', '"$@"; times', 'bench', WRK!, '-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--timeout', '10s', '-s', wrkScript(dir, c, key), url],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  const line = /BENCH (\{.*\})/.exec(stdout);
  if (!line) throw new Error(`wrk printed no result:\n${stdout}`);
  const r = JSON.parse(line[1]) as { requests: number; durationUs: number; bad: number; p50Us: number; p99Us: number; maxUs: number };
  // `times` prints the shell's user/system, then its children's: "0m1.234s 0m0.056s".
  const times = [...stdout.matchAll(/(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s/g)];
  const child = times[times.length - 1];
  const driverCpuS = child ? Number(child[1]) * 60 + Number(child[2]) + Number(child[3]) * 60 + Number(child[4]) : NaN;
  const ms = (us: number) => Math.round(us / 100) / 10;
  return { rps: r.requests / (r.durationUs / 1e6), p50: ms(r.p50Us), p99: ms(r.p99Us), max: ms(r.maxUs), bad: r.bad, requests: r.requests, driverCpuS };
}

async function runAutocannon(url: string, c: Case, key: string, seconds = SECONDS): Promise<Sample> {
  const cpu0 = process.cpuUsage();
  const r = await autocannon({
    url,
    method: c.method ?? 'GET',
    body: c.body,
    connections: CONNECTIONS,
    duration: seconds,
    headers: { authorization: `Bearer ${key}`, ...(c.body && { 'content-type': 'application/json' }) },
  });
  const cpu = process.cpuUsage(cpu0);
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    max: r.latency.max,
    bad: r.non2xx + r.errors + r.timeouts,
    requests: r.requests.total,
    driverCpuS: (cpu.user + cpu.system) / 1e6,
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

interface Api {
  variant: string;
  base: string;
  process: Pick<ServiceProcess, 'pid' | 'stop'>;
}

/**
 * The API of the checkout at `root`, logging to `logFile`: its build (dist/, what deploy/systemd runs) when there
 * is one, else its sources through ts-node.
 */
function startApiAt(root: string, env: Record<string, string>, logFile: string): Pick<ServiceProcess, 'pid' | 'stop'> {
  // Logs straight to the file (not through a pipe this process would copy from, on the same cores).
  const log = openSync(logFile, 'a');
  const built = join(root, 'dist/apps/api/src/main.js');
  const args = existsSync(built) ? [built] : ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', join(root, 'apps/api/src/main.ts')];
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, TS_NODE_PROJECT: join(root, 'tsconfig.json'), ...env },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  return {
    pid: child.pid ?? -1,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'upm-bench-load-'));
  const dbPath = join(dir, 'upm.sqlite');
  const ds = new DataSource(buildDataSourceOptions(dbPath));
  await ds.initialize();
  await runMigrationsExclusively(ds);
  const write = (await new ApiKeyStore(ds).create('bench-write', 'write')).key;
  const read = (await new ApiKeyStore(ds).create('bench-read', 'read')).key;
  await ds.destroy();

  // All variants share the database (only the one being loaded reads it) and, under their own prefixes, Redis.
  const apis: Api[] = [];
  try {
    for (const variant of VARIANTS) {
      const port = await freePort();
      const env = { PORT: String(port), DATABASE_URL: dbPath, QUEUE_PREFIX: `upm-bench-load-${process.pid}-${apis.length}`, ...variantEnv(variant) };
      const logFile = join(dir, `api-${apis.length}.log`);
      if (variant === 'baseline' && !process.env.BENCH_BASELINE_DIR) throw new Error('the baseline variant needs BENCH_BASELINE_DIR');
      const api = startApiAt(variant === 'baseline' ? process.env.BENCH_BASELINE_DIR! : REPO_ROOT, env, logFile);
      apis.push({ variant, base: `http://127.0.0.1:${port}`, process: api });
    }
    await Promise.all(apis.map((a) => waitForHttp(`${a.base}/health`, 200, 120_000)));
    const client = new ApiClient(apis[0].base, write);
    const dump = await client.uploadDump(join(REPO_ROOT, 'samples/dumps/http-handler.dump'), 'http-handler');
    const trace = await client.uploadTrace([join(REPO_ROOT, 'test/fixtures/traces/invitro/data/traces/example/Azure2021/Azure2021_200.csv')]);
    const plan = (await client.request('POST', '/v1/plans', { trace: trace.id, profiles: { default: [dump.id] }, host: { memoryGiB: 2 }, policy: { kind: 'ttl', ttlMinutes: 10 }, models: ['none', 'upm'] })).body as { id: string };
    const density = JSON.stringify({ dumps: { 'http-handler': [dump.id] }, hostMemoryGiB: 4 });

    const cases = ([
      { name: 'GET /health', path: '/health' },
      { name: 'GET /v1/plans/:id', path: `/v1/plans/${plan.id}` },
      { name: 'GET /v1/dumps', path: '/v1/dumps' },
      { name: 'POST /v1/density', path: '/v1/density', method: 'POST', body: density },
    ] as Case[]).filter((c) => !CASES || CASES.some((s) => c.name.includes(s)));

    // Warm-up, not counted: each process's first requests pay for JIT compilation and first-use caches.
    for (const c of cases) {
      for (const a of apis) {
        if (WARMUP_S > 0) await (DRIVER === 'wrk' ? runWrk(a.base + c.path, c, read, dir, WARMUP_S) : runAutocannon(a.base + c.path, c, read, WARMUP_S));
      }
    }
    const samples = new Map<string, Array<Sample & { apiCpuS: number }>>();
    for (let round = 0; round < REPEAT; round++) {
      for (const c of cases) {
        for (const a of apis) {
          const cpu0 = treeCpuSeconds(a.process.pid);
          const s = DRIVER === 'wrk' ? await runWrk(a.base + c.path, c, read, dir) : await runAutocannon(a.base + c.path, c, read);
          const apiCpuS = treeCpuSeconds(a.process.pid) - cpu0;
          const key = `${c.name}\u0000${a.variant}`;
          samples.set(key, [...(samples.get(key) ?? []), { ...s, apiCpuS }]);
          process.stderr.write(
            `${c.name} [${a.variant}] round ${round + 1}: ${Math.round(s.rps)} req/s, p50 ${s.p50} ms, p99 ${s.p99} ms, not 2xx ${s.bad}, ` +
              `API ${Math.round((1e6 * apiCpuS) / s.requests)} µs CPU/request, ${DRIVER} ${Math.round((1e6 * s.driverCpuS) / s.requests)} µs\n`,
          );
        }
      }
    }

    const rows: string[] = [];
    for (const c of cases) {
      const first = median(samples.get(`${c.name}\u0000${apis[0].variant}`)!.map((s) => s.rps));
      for (const a of apis) {
        const xs = samples.get(`${c.name}\u0000${a.variant}`)!;
        const rps = median(xs.map((s) => s.rps));
        const perRequest = (f: (s: Sample & { apiCpuS: number }) => number) => Math.round(median(xs.map((s) => (1e6 * f(s)) / s.requests)));
        const cells = [
          c.name,
          ...(apis.length > 1 ? [a.variant] : []),
          Math.round(rps),
          ...(apis.length > 1 ? [`${(rps / first).toFixed(2)}×`] : []),
          median(xs.map((s) => s.p50)).toFixed(1),
          median(xs.map((s) => s.p99)).toFixed(1),
          Math.max(...xs.map((s) => s.max)),
          xs.reduce((n, s) => n + s.bad, 0),
          perRequest((s) => s.apiCpuS),
          perRequest((s) => s.driverCpuS),
        ];
        rows.push(`| ${cells.join(' | ')} |`);
      }
    }
    const head = ['request', ...(apis.length > 1 ? ['variant'] : []), 'req/s', ...(apis.length > 1 ? ['vs first'] : []), 'p50 ms', 'p99 ms', 'max ms', 'not 2xx', 'API µs CPU/req', `${DRIVER} µs CPU/req`];
    const v = variantEnv(VARIANTS[0]);
    process.stdout.write(
      [
        `${DRIVER}, ${CONNECTIONS} connections, ${SECONDS} s each${REPEAT > 1 ? `, median of ${REPEAT} interleaved rounds` : ''}, read key; ` +
          `first variant ${VARIANTS[0]}: ${v.RATE_LIMIT_PER_KEY === '0' ? 'no rate limits' : 'rate limits counted in Redis'}, log level ${v.LOG_LEVEL} to a file, ${v.API_PROCESSES} API process(es)`,
        '',
        `| ${head.join(' | ')} |`,
        `|${head.map(() => '---').join('|')}|`,
        ...rows,
        '',
      ].join('\n'),
    );
  } finally {
    await Promise.all(apis.map((a) => a.process.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`bench:load failed: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
