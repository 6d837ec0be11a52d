/**
 * Trace ingest through the API: a generated full-size Azure 2019 day (~46,000 functions, invocations file
 * ~140 MB) uploaded as one multipart POST /v1/traces to a real API process (sqlite in a temp dir, the local
 * Redis), beside a plain read of the same files in the same run. Reports seconds, MB/s and the API process's
 * peak RSS (VmHWM) over the upload.
 *
 *   npm run bench:trace-api [-- --functions 46000 --seed 2019 --runs 3]
 *
 * Goals (issue: invocation traces): ≤ 10 s and ≤ 500 MB peak RSS. Exit status 1 when a goal is missed.
 */
import { createReadStream, mkdtempSync, openAsBlob, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { generateAzure2019 } from '@upm/model/traces/generator';
import { freePort } from '../scripts/lib/net';
import { ServiceProcess, waitForHttp } from '../scripts/lib/services';

const GOAL_SECONDS = 10;
const GOAL_RSS_MB = 500;

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}

/** Peak resident set of a process since it started, in MiB (Linux /proc). */
function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function plainRead(files: string[]): Promise<number> {
  const t0 = performance.now();
  for (const f of files) for await (const _ of createReadStream(f, { highWaterMark: 1 << 20 })) void _;
  return (performance.now() - t0) / 1000;
}

async function main(): Promise<void> {
  const functions = arg('functions', 46_000);
  const runs = arg('runs', 3);
  const dir = mkdtempSync(join(tmpdir(), 'upm-bench-api-'));
  const api = await (async () => {
    const port = await freePort();
    const svc = new ServiceProcess('api', {
      PORT: String(port),
      DATABASE_URL: join(dir, 'bench.sqlite'),
      LOG_LEVEL: 'warn',
      QUEUE_PREFIX: 'upm-bench',
      UPLOAD_MAX_BYTES: String(4 * 1024 ** 3),
    });
    await waitForHttp(`http://127.0.0.1:${port}/health`);
    return { svc, url: `http://127.0.0.1:${port}` };
  })();
  try {
    const gen = await generateAzure2019({ functions, seed: arg('seed', 2019), outDir: join(dir, 'day') });
    const bytes = gen.files.reduce((n, f) => n + statSync(f).size, 0);
    const mb = bytes / 2 ** 20;
    const rows: Array<Record<string, number>> = [];
    for (let r = 0; r < runs; r++) {
      const plainS = await plainRead(gen.files);
      const form = new FormData();
      for (const f of gen.files) form.append('files', await openAsBlob(f), basename(f));
      const t0 = performance.now();
      const res = await fetch(`${api.url}/v1/traces?name=bench-${r}`, { method: 'POST', body: form });
      const body = (await res.json()) as { stats?: { functions: number; invocations: number }; detail?: string };
      const uploadS = (performance.now() - t0) / 1000;
      if (res.status !== 201) throw new Error(`upload failed: ${res.status} ${body.detail}`);
      rows.push({
        run: r + 1,
        plainReadS: +plainS.toFixed(3),
        plainMBps: +(mb / plainS).toFixed(0),
        apiIngestS: +uploadS.toFixed(2),
        apiMBps: +(mb / uploadS).toFixed(1),
        apiPeakRssMb: +peakRssMb(api.svc.pid).toFixed(0),
        functions: body.stats!.functions,
        invocations: body.stats!.invocations,
      });
      process.stdout.write(JSON.stringify(rows[rows.length - 1]) + '\n');
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const summary = {
      bench: 'trace-upload-api',
      date: new Date().toISOString().slice(0, 10),
      files: gen.files.map((f) => basename(f)),
      megabytes: +mb.toFixed(1),
      medianApiIngestS: median(rows.map((r) => r.apiIngestS)),
      medianApiMBps: median(rows.map((r) => r.apiMBps)),
      medianPlainMBps: median(rows.map((r) => r.plainMBps)),
      apiPeakRssMb: Math.max(...rows.map((r) => r.apiPeakRssMb)),
      goals: { seconds: GOAL_SECONDS, peakRssMb: GOAL_RSS_MB },
    };
    process.stdout.write(JSON.stringify(summary) + '\n');
    if (summary.medianApiIngestS > GOAL_SECONDS || summary.apiPeakRssMb > GOAL_RSS_MB) process.exitCode = 1;
  } finally {
    await api.svc.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
