/**
 * /health latency while synchronous analyses of 2 M resident pages run, with the API's compute thread
 * (API_COMPUTE_THREADS=1, the default) against the same API computing on its event loop
 * (API_COMPUTE_THREADS=0), in one run, from the compiled services (dist/). A prober sends GET /health every
 * 20 ms (not waiting for the previous answer) for as long as each analysis runs. Prints one JSON line.
 *
 *   npm run bench:health [-- --runs N]
 */
import { synthesizeDump } from '@upm/model';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../scripts/lib/net';
import { ServiceProcess, waitForHttp } from '../scripts/lib/services';

const i = process.argv.indexOf('--runs');
const RUNS = i > 0 ? Number(process.argv[i + 1]) : 5;
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error(`--runs must be a positive integer, got ${process.argv[i + 1]}`);
const PAGES = 1_000_000; // per dump; two dumps = 2 M pages, the largest analysis answered at once by default

/** Two dumps sharing half their pages. */
const dumps = [0, 1].map((k) =>
  synthesizeDump({ processes: [{ pid: 1 + k, vmas: [{ pages: Array.from({ length: PAGES }, (_, j) => 1 + j + (j % 2 ? k * PAGES : 0)) }] }] }),
);

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

async function measure(threads: number) {
  const dir = mkdtempSync(join(tmpdir(), 'upm-bench-health-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const api = new ServiceProcess(
    'api',
    { PORT: String(port), DATABASE_URL: join(dir, 'upm.sqlite'), QUEUE_PREFIX: `upm-bench-health-${process.pid}`, LOG_LEVEL: 'warn', API_COMPUTE_THREADS: String(threads) },
    { fromSource: false, logFile: join(dir, 'api.log') },
  );
  try {
    await waitForHttp(`${base}/health`);
    const ids: string[] = [];
    for (const d of dumps) {
      const res = await fetch(`${base}/v1/dumps`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: d });
      if (res.status !== 201) throw new Error(`upload: ${res.status} ${await res.text()}`);
      ids.push(((await res.json()) as { id: string }).id);
    }
    const analyze = async () => {
      const t = performance.now();
      const res = await fetch(`${base}/v1/analyses`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ dumps: ids, model: 'ksm' }) });
      const body = (await res.json()) as { state?: string };
      if (res.status !== 200 || body.state !== 'completed') throw new Error(`analysis: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
      return performance.now() - t;
    };
    await analyze(); // warm: thread started, inputs cached, JIT warm (both settings alike)
    const latencies: number[] = [];
    const analysisMs: number[] = [];
    let non200 = 0;
    for (let r = 0; r < RUNS; r++) {
      let running = true;
      const probes: Promise<void>[] = [];
      const prober = (async () => {
        while (running) {
          const t = performance.now();
          probes.push(
            fetch(`${base}/health`).then(async (res) => {
              await res.arrayBuffer();
              if (res.status !== 200) non200++;
              latencies.push(performance.now() - t);
            }),
          );
          await new Promise((res) => setTimeout(res, 20));
        }
      })();
      analysisMs.push(await analyze());
      running = false;
      await prober;
      await Promise.all(probes);
    }
    return {
      threads,
      probes: latencies.length,
      non200,
      healthP50Ms: +quantile(latencies, 0.5).toFixed(1),
      healthP99Ms: +quantile(latencies, 0.99).toFixed(1),
      healthMaxMs: +Math.max(...latencies).toFixed(1),
      analysisMedianMs: +quantile(analysisMs, 0.5).toFixed(0),
    };
  } finally {
    await api.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const pool = await measure(1);
  const inline = await measure(0);
  console.log(
    JSON.stringify({
      bench: 'health-under-analysis',
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model, kernel: release(), loadavg: loadavg().map((x) => +x.toFixed(2)) },
      runs: RUNS,
      pagesPerAnalysis: 2 * PAGES,
      computeThread: pool,
      eventLoop: inline,
      p99Ratio: +(pool.healthP99Ms / inline.healthP99Ms).toFixed(3),
    }),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
