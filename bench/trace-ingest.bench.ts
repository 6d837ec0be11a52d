/**
 * Trace ingest benchmark: generates a full-size synthetic Azure 2019 day (~46,000 functions, invocations file
 * ~140 MB) into a temp dir, then, each in a fresh child process (so peak RSS is the phase's own):
 *   plain      fs.createReadStream over the invocations file, counting bytes (the I/O floor)
 *   ingest     the reader on the day's three files → normalized trace (goal: ≤ 10 s, ≤ 500 MB peak RSS)
 *   csv-parse  csv-parse over the invocations file, summing the minute cells (why the wide file has its own
 *              tokenizer; skip with --no-csv-parse)
 *
 *   npm run bench:trace-ingest   (npm run build:ts && node dist/bench/trace-ingest.bench.js)
 *     [--functions 46000] [--seed 2019] [--dir DIR (reuse/keep files)] [--no-csv-parse] [--json]
 *
 * Exit status 1 when the ingest misses a goal.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

type Mode = 'plain' | 'ingest' | 'csv-parse';

interface PhaseResult {
  mode: Mode;
  seconds: number;
  bytes: number;
  mbPerS: number;
  peakRssMb: number;
  baselineRssMb: number;
  detail: Record<string, number | string>;
}

const GOAL_SECONDS = 10;
const GOAL_RSS_MB = 500;

async function child(mode: Mode, files: string[]): Promise<void> {
  const baselineRssMb = process.memoryUsage().rss / 2 ** 20;
  const bytes = mode === 'ingest' ? files.reduce((s, f) => s + fs.statSync(f).size, 0) : fs.statSync(files[0]).size;
  const t0 = process.hrtime.bigint();
  const detail: Record<string, number | string> = {};
  if (mode === 'plain') {
    let n = 0;
    for await (const chunk of fs.createReadStream(files[0], { highWaterMark: 1 << 20 })) n += (chunk as Buffer).length;
    detail.bytesRead = n;
  } else if (mode === 'ingest') {
    const { ingestTrace, encodeTrace } = await import('@upm/model/traces');
    const t = await ingestTrace(files);
    const ingestS = Number(process.hrtime.bigint() - t0) / 1e9;
    detail.functions = t.stats.functions;
    detail.apps = t.stats.apps;
    detail.invocations = t.stats.invocations;
    detail.nonZeroMinutes = t.arrivals.kind === 'minute-counts' ? t.arrivals.slot.length : 0;
    detail.unjoined = t.stats.unjoined;
    detail.peakPerMinute = t.stats.peakInvocationsPerMinute;
    const peakAfterIngest = process.resourceUsage().maxRSS / 1024;
    detail.heapUsedMb = +(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0);
    detail.arrayBuffersMb = +(process.memoryUsage().arrayBuffers / 2 ** 20).toFixed(0);
    const e0 = process.hrtime.bigint();
    detail.serializedMb = +(encodeTrace(t).length / 2 ** 20).toFixed(1);
    detail.encodeSeconds = +(Number(process.hrtime.bigint() - e0) / 1e9).toFixed(2);
    // The goal is on the ingest: report its peak; the peak including encodeTrace goes in the detail.
    detail.peakRssWithEncodeMb = +(process.resourceUsage().maxRSS / 1024).toFixed(0);
    report({ mode, seconds: ingestS, bytes, baselineRssMb, detail }, peakAfterIngest);
    return;
  } else {
    const { parse } = await import('csv-parse');
    let rows = 0;
    let sum = 0;
    const parser = fs
      .createReadStream(files[0], { highWaterMark: 1 << 20 })
      .pipe(parse({ bom: true, relax_column_count: true, info: true }));
    for await (const item of parser as AsyncIterable<{ record: string[] }>) {
      if (rows++ === 0) continue;
      const r = item.record;
      for (let i = 4; i < r.length; i++) sum += +r[i];
    }
    detail.rows = rows - 1;
    detail.invocations = sum;
  }
  report({ mode, seconds: Number(process.hrtime.bigint() - t0) / 1e9, bytes, baselineRssMb, detail });
}

function report(
  r: Omit<PhaseResult, 'mbPerS' | 'peakRssMb'>,
  peakRssMb = process.resourceUsage().maxRSS / 1024 /* KiB → MiB */,
): void {
  const out: PhaseResult = { ...r, mbPerS: r.bytes / 2 ** 20 / r.seconds, peakRssMb };
  process.stdout.write(`@@RESULT ${JSON.stringify(out)}\n`);
}

function runChild(mode: Mode, files: string[]): PhaseResult {
  // from dist/ (npm run bench:trace-ingest) the child is plain node; from sources it compiles through ts-node,
  // before its clock starts
  const compile = __filename.endsWith('.ts') ? ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register'] : [];
  const args = [...compile, __filename, '--child', mode, ...files];
  const res = spawnSync(process.execPath, args, {
    encoding: 'utf8',
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: '1' },
    maxBuffer: 1 << 24,
  });
  const line = res.stdout.split('\n').find((l) => l.startsWith('@@RESULT '));
  if (res.status !== 0 || !line) throw new Error(`${mode} child failed (status ${res.status}): ${res.stderr}`);
  return JSON.parse(line.slice(9)) as PhaseResult;
}

function machine(): Record<string, string | number> {
  let uname = os.release();
  try {
    uname = execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim();
  } catch {
    // keep os.release()
  }
  return {
    date: new Date().toISOString().slice(0, 10),
    kernel: uname,
    nproc: os.availableParallelism(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
  };
}

async function main(argv: string[]): Promise<number> {
  const ci = argv.indexOf('--child');
  if (ci >= 0) {
    await child(argv[ci + 1] as Mode, argv.slice(ci + 2));
    return 0;
  }
  const opt = (name: string, def: string): string => {
    const i = argv.indexOf(name);
    return i >= 0 && i + 1 < argv.length ? argv[i + 1] : def;
  };
  const functions = Number(opt('--functions', '46000'));
  const seed = opt('--seed', '2019');
  const keepDir = opt('--dir', '');
  const json = argv.includes('--json');
  const dir = keepDir || fs.mkdtempSync(path.join(os.tmpdir(), 'upm-trace-bench-'));
  const log = (s: string): void => {
    if (!json) process.stderr.write(s + '\n');
  };
  try {
    const { generateAzure2019, azure2019FileNames } = await import('@upm/model/traces/generator');
    const names = azure2019FileNames(1);
    const files = [names.invocations, names.durations, names.memory].map((n) => path.join(dir, n));
    let generated: { seconds: number; invocations: number } | null = null;
    if (!files.every((f) => fs.existsSync(f))) {
      log(`generating a ${functions}-function Azure 2019 day (seed ${seed}) in ${dir} ...`);
      const t0 = process.hrtime.bigint();
      const g = await generateAzure2019({ functions, seed: /^\d+$/.test(seed) ? Number(seed) : seed, outDir: dir });
      generated = { seconds: Number(process.hrtime.bigint() - t0) / 1e9, invocations: g.invocations };
    }
    const sizes = files.map((f) => fs.statSync(f).size);
    log(
      `invocations file: ${(sizes[0] / 2 ** 20).toFixed(1)} MiB; durations ${(sizes[1] / 2 ** 20).toFixed(1)} MiB; memory ${(sizes[2] / 2 ** 20).toFixed(1)} MiB`,
    );
    const phases: PhaseResult[] = [];
    const modes: Mode[] = argv.includes('--no-csv-parse') ? ['plain', 'ingest'] : ['plain', 'ingest', 'csv-parse'];
    for (const m of modes) {
      log(`running ${m} ...`);
      phases.push(runChild(m, m === 'ingest' ? files : [files[0]]));
    }
    const ingest = phases.find((p) => p.mode === 'ingest') as PhaseResult;
    const ok = ingest.seconds <= GOAL_SECONDS && ingest.peakRssMb <= GOAL_RSS_MB;
    const result = {
      machine: machine(),
      functions,
      seed,
      generated,
      fileBytes: sizes,
      phases,
      goals: { seconds: GOAL_SECONDS, peakRssMb: GOAL_RSS_MB, met: ok },
    };
    if (json) process.stdout.write(JSON.stringify(result) + '\n');
    else {
      const m = result.machine;
      process.stdout.write(
        `machine: ${m.cpu}, ${m.nproc} CPUs, ${m.memGiB} GiB, kernel ${m.kernel}, node ${m.node}, ${m.date}\n`,
      );
      if (generated)
        process.stdout.write(`generate: ${generated.seconds.toFixed(2)} s, ${generated.invocations} invocations\n`);
      process.stdout.write('phase       seconds   MiB/s   peak RSS MiB   (baseline)   detail\n');
      for (const p of phases) {
        process.stdout.write(
          `${p.mode.padEnd(10)} ${p.seconds.toFixed(2).padStart(8)} ${p.mbPerS.toFixed(1).padStart(7)} ${p.peakRssMb.toFixed(0).padStart(14)} ${`(${p.baselineRssMb.toFixed(0)})`.padStart(12)}   ${JSON.stringify(p.detail)}\n`,
        );
      }
      process.stdout.write(
        `goals (ingest ≤ ${GOAL_SECONDS} s, ≤ ${GOAL_RSS_MB} MiB peak RSS): ${ok ? 'met' : 'MISSED'}\n`,
      );
    }
    return ok ? 0 : 1;
  } finally {
    if (!keepDir) fs.rmSync(dir, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`trace-ingest.bench: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = 2;
  },
);
