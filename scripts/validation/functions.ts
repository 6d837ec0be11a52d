/**
 * Issue 12 on the host: the Python functions of scripts/validation/functions/ (inference-alexnet,
 * inference-mobilenet, data-numpy, http-python) started N times (N = 1, 2, 4, 8, 16) with
 * prctl(PR_SET_MEMORY_MERGE); for each (workload, N): RSS/PSS (smaps_rollup) and /proc/meminfo, a probe with
 * upm-probe while ksmd is stopped, the sharing analysis and the none / KSM / UPM predictions, then the real
 * ksmd on the same live processes until it converges, the counters side by side, RSS/PSS and meminfo after.
 * Writes a JSON report, a self-contained HTML report with the paper's four figures (inline SVG) and the
 * generated section of docs/validation.md.
 *
 *   npm run validate:functions -- [--workloads data-numpy,http-python,inference-mobilenet,inference-alexnet]
 *     [--n 1,2,4,8,16] [--pages-to-scan 5000] [--sleep-ms 10] [--out build/validation/functions]
 *     [--doc docs/validation.md | --no-doc] [--render-json FILE]
 *
 * Needs root, KSM, Debian's /usr/bin/python3 with python3-torch/torchvision/numpy, `make -C kernel`.
 * KSM only under /tmp/upm-ksm.lock (scripts/lib/ksm-control.ts), every setting restored, children killed
 * by pid at the end, also on failure and on SIGINT/SIGTERM.
 */
import { ChildProcess, execFile, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createInterface } from 'readline';
import { promisify } from 'util';
import { loadDump } from '@upm/model/dump';
import { Dump } from '@upm/model/dump/types';
import { runKsmModel, runNoneModel, runUpmModel } from '@upm/model/merge';
import { analyzeSharing, SharingReport } from '@upm/model/sharing';
import { counters, KsmCounters, KsmSession, ksmUnavailableReason, readKsm, runUntilStable, timeToFraction, waitNoForeign } from '../lib/ksm-control';
import { Children } from '../lib/children';
import { renderHtml } from './functions-report';

const execFileP = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const PROBE_BIN = path.join(ROOT, 'kernel/build/upm-probe');
const FN_DIR = path.join(ROOT, 'scripts/validation/functions');
const PY = '/usr/bin/python3';
const PAGE = 4096;
const MiB = 1048576;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (l: string) => process.stderr.write(`[functions] ${new Date().toISOString().slice(11, 19)} ${l}\n`);
export const WORKLOADS = ['data-numpy', 'http-python', 'inference-mobilenet', 'inference-alexnet'] as const;
/** KSM's defaults (mm/ksm.c): the "default scan rate" of the time-to-merge figure. */
export const DEFAULT_RATE = { pagesToScan: 100, sleepMs: 20 };

interface Options {
  workloads: string[];
  ns: number[];
  pagesToScan: number;
  sleepMs: number;
  out: string;
  doc: string | null;
  renderJson: string | null;
  timeoutS: number;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    workloads: [...WORKLOADS],
    ns: [1, 2, 4, 8, 16],
    pagesToScan: 5000,
    sleepMs: 10,
    out: path.join(ROOT, 'build/validation/functions'),
    doc: path.join(ROOT, 'docs/validation.md'),
    renderJson: null,
    timeoutS: 900,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${a} needs a value`);
      return x;
    };
    const int = (x: string, min: number, max: number) => {
      const n = Number(x);
      if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${a} must be a whole number from ${min} to ${max}, got '${x}'`);
      return n;
    };
    if (a === '--workloads') {
      o.workloads = v().split(',');
      for (const w of o.workloads)
        if (!(WORKLOADS as readonly string[]).includes(w)) throw new Error(`--workloads: unknown '${w}' (${WORKLOADS.join(', ')})`);
    } else if (a === '--n') o.ns = v().split(',').map((x) => int(x, 1, 64));
    else if (a === '--pages-to-scan') o.pagesToScan = int(v(), 1, 1_000_000);
    else if (a === '--sleep-ms') o.sleepMs = int(v(), 0, 10_000);
    else if (a === '--timeout-s') o.timeoutS = int(v(), 10, 86_400);
    else if (a === '--out') o.out = path.resolve(v());
    else if (a === '--doc') o.doc = path.resolve(v());
    else if (a === '--no-doc') o.doc = null;
    else if (a === '--render-json') o.renderJson = path.resolve(v());
    else throw new Error(`unknown argument '${a}' (see the header of scripts/validation/functions.ts)`);
  }
  return o;
}

// ------------------------------------------------------------------------------------------ processes

interface Child {
  proc: ChildProcess;
  pid: number;
  info: Record<string, unknown>;
}
const children = new Children<Child>();
/** Ends this round's children and forgets them (each (workload, N) starts its own). */
async function stopChildren(): Promise<void> {
  await children.stop();
  children.clear();
}

function startFunction(workload: string, cache: string, timeoutMs: number): Promise<Child> {
  return new Promise((resolve, reject) => {
    const proc = spawn(PY, [path.join(FN_DIR, `${workload}.py`), '--merge', 'ksm', '--cache', cache], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', PYTHONHASHSEED: '0' },
    });
    const child: Child = { proc, pid: proc.pid!, info: {} };
    children.add(child);
    let err = '';
    proc.stderr!.on('data', (d) => (err += d));
    const timer = setTimeout(() => reject(new Error(`${workload} ${proc.pid} not ready after ${timeoutMs} ms: ${err}`)), timeoutMs);
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      if (!line.startsWith('ready ')) return;
      clearTimeout(timer);
      child.info = JSON.parse(line.slice(6));
      resolve(child);
    });
    proc.once('exit', (code, sig) => {
      clearTimeout(timer);
      reject(new Error(`${workload} ${proc.pid} exited (${code ?? sig}) before ready: ${err.trim()}`));
    });
  });
}

function rollup(pid: number): { rssKiB: number; pssKiB: number; anonKiB: number } {
  const t = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kib = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(t)?.[1] ?? 0);
  return { rssKiB: kib('Rss'), pssKiB: kib('Pss'), anonKiB: kib('Anonymous') };
}

function meminfo(): { usedKiB: number; freeKiB: number; availableKiB: number; anonPagesKiB: number; cachedKiB: number } {
  const t = fs.readFileSync('/proc/meminfo', 'utf8');
  const kib = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(t)?.[1] ?? 0);
  // "used" as free(1) computes it: total - free - buffers - page cache - reclaimable slab
  return {
    usedKiB: kib('MemTotal') - kib('MemFree') - kib('Buffers') - kib('Cached') - kib('SReclaimable'),
    freeKiB: kib('MemFree'),
    availableKiB: kib('MemAvailable'),
    anonPagesKiB: kib('AnonPages'),
    cachedKiB: kib('Cached'),
  };
}

function ksmStat(pid: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of fs.readFileSync(`/proc/${pid}/ksm_stat`, 'utf8').split('\n')) {
    const m = /^(\S+?):?\s+(\S+)$/.exec(line.trim());
    if (m) out[m[1]] = m[2];
  }
  return out;
}

// ------------------------------------------------------------------------------------------ one (workload, N)

export interface RunRow {
  workload: string;
  n: number;
  pids: number[];
  startSec: number;
  info: Record<string, unknown>[];
  meminfoBaseline: ReturnType<typeof meminfo>;
  meminfoBefore: ReturnType<typeof meminfo>;
  meminfoAfter: ReturnType<typeof meminfo>;
  rollupBefore: ReturnType<typeof rollup>[];
  rollupAfter: ReturnType<typeof rollup>[];
  probe: { seconds: number; bytes: number; snapshots: number };
  thpPages: number;
  sharingUpm: Pick<SharingReport, 'total'>;
  sharingKsm: Pick<SharingReport, 'total'>;
  predicted: {
    none: { physicalPages: number; residentPages: number };
    upm: { physicalPages: number; pagesShared: number; pagesSharing: number; merges: number; costMs: number };
    ksm: { physicalPages: number; pagesShared: number; pagesSharing: number; unsharedVolatile: number; pagesScanned: number; fullScans: number; halfSec: number | null; fullSec: number | null };
    ksmDefaultRate: { pagesSharing: number; halfSec: number | null; fullSec: number | null };
  };
  kernel: {
    counters: KsmCounters;
    unsharedVolatile: number;
    fullScans: number;
    pagesScanned: number;
    halfSec: number | null;
    fullSec: number | null;
    converged: boolean;
    attempts: number;
    foreign: string[];
    wallSec: number;
  };
}

async function runOne(o: Options, session: KsmSession, workload: string, n: number, cache: string, tmp: string): Promise<RunRow> {
  await session.configure({ pages_to_scan: o.pagesToScan, sleep_millisecs: o.sleepMs, use_zero_pages: 0, max_page_sharing: 256, smart_scan: 1, advisor_mode: 'none' });
  const meminfoBaseline = meminfo();
  const t0 = performance.now();
  // two at a time: 2 cores
  for (let i = 0; i < n; i += 2) await Promise.all([startFunction(workload, cache, 600_000), ...(i + 1 < n ? [startFunction(workload, cache, 600_000)] : [])]);
  const startSec = (performance.now() - t0) / 1000;
  const pids = children.pids;
  for (const p of pids) if (ksmStat(p).ksm_merge_any !== 'yes') throw new Error(`pid ${p}: ksm_merge_any is not yes after prctl`);
  log(`${workload} ×${n}: ready in ${startSec.toFixed(1)} s; settling 2 s`);
  await sleep(2000);
  const meminfoBefore = meminfo();
  const rollupBefore = pids.map(rollup);
  const dumpFile = path.join(tmp, `${workload}-${n}.dump`);
  const p0 = performance.now();
  await execFileP(PROBE_BIN, [...pids.flatMap((p) => ['--pid', String(p)]), '-o', dumpFile, '--interval', '2000', '--count', '2', '--label', `function=${workload}`], {
    timeout: 900_000,
    maxBuffer: 64 * MiB,
  });
  const probeSec = (performance.now() - p0) / 1000;
  const dump: Dump = await loadDump(dumpFile);
  let thpPages = 0;
  for (const p of dump.snapshots[dump.snapshots.length - 1].processes) for (let i = 0; i < p.count; i++) if (p.flags[i] & 64) thpPages++;
  const sharingUpm = analyzeSharing([dump], { mergeability: 'upm' });
  const sharingKsm = analyzeSharing([dump], { mergeability: 'ksm' });
  const none = runNoneModel([dump]);
  const upm = runUpmModel([dump]);
  const lastElapsed = dump.snapshots[dump.snapshots.length - 1].info.elapsedMs;
  const ksmParams = { pagesToScan: o.pagesToScan, sleepMs: o.sleepMs, useZeroPages: false, maxPageSharing: 256, smartScan: true };
  const ksm = runKsmModel([dump], { runStartMs: lastElapsed, timelineResolutionMs: 0, params: ksmParams });
  const ksmDef = runKsmModel([dump], { runStartMs: lastElapsed, timelineResolutionMs: 0, params: { ...ksmParams, ...DEFAULT_RATE } });

  let attempts = 0;
  let run: Awaited<ReturnType<typeof runUntilStable>>;
  let before: KsmCounters;
  for (attempts = 1; ; attempts++) {
    await session.reset();
    await waitNoForeign(pids, 600_000, log);
    before = counters();
    run = await runUntilStable({ ours: pids, timeoutMs: o.timeoutS * 1000 });
    if (run.foreign.length === 0 || attempts === 3) break;
    log(`other KSM users during the run (${run.foreign.join('; ')}): again`);
  }
  const f = run.final;
  const kernel = {
    counters: f,
    unsharedVolatile: f.pages_unshared + f.pages_volatile,
    fullScans: f.full_scans - before.full_scans,
    pagesScanned: f.pages_scanned - before.pages_scanned,
    halfSec: timeToFraction(run.samples, f.pages_sharing, 0.5),
    fullSec: timeToFraction(run.samples, f.pages_sharing, 1),
    converged: run.converged,
    attempts,
    foreign: run.foreign,
    wallSec: run.stoppedMs / 1000,
  };
  const c = ksm.converged;
  const row: RunRow = {
    workload,
    n,
    pids,
    startSec,
    info: children.list.map((ch) => ch.info),
    meminfoBaseline,
    meminfoBefore,
    meminfoAfter: meminfo(),
    rollupBefore,
    rollupAfter: pids.map(rollup),
    probe: { seconds: probeSec, bytes: fs.statSync(dumpFile).size, snapshots: dump.snapshots.length },
    thpPages,
    sharingUpm: { total: sharingUpm.total },
    sharingKsm: { total: sharingKsm.total },
    predicted: {
      none: { physicalPages: none.physicalPagesAfter, residentPages: none.residentPages },
      upm: { physicalPages: upm.physicalPagesAfter, pagesShared: upm.pagesShared, pagesSharing: upm.pagesSharing, merges: upm.totalMerges, costMs: upm.totalCostUs / 1000 },
      ksm: {
        physicalPages: ksm.physicalPagesAfter,
        pagesShared: c.pagesShared,
        pagesSharing: c.pagesSharing,
        unsharedVolatile: c.pagesUnshared + c.pagesVolatile,
        pagesScanned: c.pagesScanned,
        fullScans: c.fullScans,
        halfSec: ksm.sharingHalfSec,
        fullSec: ksm.sharingFullSec,
      },
      ksmDefaultRate: { pagesSharing: ksmDef.converged.pagesSharing, halfSec: ksmDef.sharingHalfSec, fullSec: ksmDef.sharingFullSec },
    },
    kernel,
  };
  log(
    `${workload} ×${n}: pages_shared model ${c.pagesShared} kernel ${f.pages_shared}; pages_sharing model ${c.pagesSharing} kernel ${f.pages_sharing}; 100% at ${ksm.sharingFullSec?.toFixed(1)} s / ${kernel.fullSec?.toFixed(1)} s`,
  );
  fs.rmSync(dumpFile, { force: true });
  await stopChildren();
  return row;
}

// ------------------------------------------------------------------------------------------ the report

export interface Report {
  command: string;
  date: string;
  machine: string;
  settings: Record<string, string>;
  rows: RunRow[];
}

const f1 = (x: number) => x.toFixed(1);
const mib = (pages: number) => (pages * PAGE) / MiB;
const pct = (a: number, b: number) => (b ? `${a - b >= 0 ? '+' : ''}${(((a - b) / b) * 100).toFixed(3)}%` : a === b ? '+0.000%' : 'n/a');

/** How many more containers fit in the memory of `n` unmerged ones, given per-N physical pages of a model. */
export function moreContainers(nonePhys: Map<number, number>, modelPhys: Map<number, number>, n = 16): number | null {
  const budget = nonePhys.get(n);
  const at1 = modelPhys.get(1);
  const atN = modelPhys.get(n);
  if (budget === undefined || at1 === undefined || atN === undefined || n < 2) return null;
  const marginal = (atN - at1) / (n - 1);
  if (marginal <= 0) return null;
  return Math.floor((budget - atN) / marginal);
}

export function renderMarkdown(r: Report): string {
  const L: string[] = [];
  L.push(`Generated by \`${r.command}\` on ${r.date}.`, '', `- machine: ${r.machine}`, `- KSM settings of the runs: ${Object.entries(r.settings).map(([k, v]) => `${k}=${v}`).join(', ')}`);
  L.push('- each process: `/usr/bin/python3 scripts/validation/functions/WORKLOAD.py --merge ksm` (prctl(PR_SET_MEMORY_MERGE) before the imports), started two at a time, `ready`, 2 s settle, `upm-probe --count 2 --interval 2000` with ksmd stopped, models, then the real ksmd until pages_shared/pages_sharing are quiet for 12 full scans', '');
  for (const w of [...new Set(r.rows.map((x) => x.workload))]) {
    const rows = r.rows.filter((x) => x.workload === w).sort((a, b) => a.n - b.n);
    L.push(`### ${w}`, '');
    L.push('| N | RSS/proc MiB | PSS/proc MiB before → after KSM | pages_shared model / kernel | pages_sharing model / kernel | Δ sharing | unshared+volatile model / kernel | full scans model / kernel | 100% merged model / kernel s | UPM model pages_sharing | THP pages |');
    L.push('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const x of rows) {
      const rss = x.rollupBefore.reduce((a, b) => a + b.rssKiB, 0) / x.n / 1024;
      const pb = x.rollupBefore.reduce((a, b) => a + b.pssKiB, 0) / x.n / 1024;
      const pa = x.rollupAfter.reduce((a, b) => a + b.pssKiB, 0) / x.n / 1024;
      const k = x.kernel.counters;
      const m = x.predicted.ksm;
      L.push(
        `| ${x.n} | ${f1(rss)} | ${f1(pb)} → ${f1(pa)} | ${m.pagesShared} / ${k.pages_shared} | ${m.pagesSharing} / ${k.pages_sharing} | ${pct(m.pagesSharing, k.pages_sharing)} | ${m.unsharedVolatile} / ${x.kernel.unsharedVolatile} | ${m.fullScans} / ${x.kernel.fullScans} | ${m.fullSec?.toFixed(2) ?? '–'} / ${x.kernel.fullSec?.toFixed(2) ?? '–'} | ${x.predicted.upm.pagesSharing} | ${x.thpPages} |`,
      );
    }
    L.push('', '| N | none: physical MiB (model) | KSM: physical MiB (model) | UPM: physical MiB (model) | meminfo used: +MiB at ready (vs before start) | meminfo used: −MiB during the ksmd run | KSM saved, kernel pages_sharing MiB | KSM at the default rate (100 pages / 20 ms), model: 100% s |');
    L.push('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const x of rows)
      L.push(
        `| ${x.n} | ${f1(mib(x.predicted.none.physicalPages))} | ${f1(mib(x.predicted.ksm.physicalPages))} | ${f1(mib(x.predicted.upm.physicalPages))} | ${f1((x.meminfoBefore.usedKiB - x.meminfoBaseline.usedKiB) / 1024)} | ${f1((x.meminfoBefore.usedKiB - x.meminfoAfter.usedKiB) / 1024)} | ${f1(mib(x.kernel.counters.pages_sharing))} | ${x.predicted.ksmDefaultRate.fullSec?.toFixed(1) ?? '–'} |`,
      );
    const none = new Map(rows.map((x) => [x.n, x.predicted.none.physicalPages]));
    const r16 = rows.find((x) => x.n === 16);
    if (r16) {
      const k = moreContainers(none, new Map(rows.map((x) => [x.n, x.predicted.ksm.physicalPages])));
      const u = moreContainers(none, new Map(rows.map((x) => [x.n, x.predicted.upm.physicalPages])));
      const kSave = 1 - r16.predicted.ksm.physicalPages / r16.predicted.none.physicalPages;
      const uSave = 1 - r16.predicted.upm.physicalPages / r16.predicted.none.physicalPages;
      L.push('', `At N = 16: KSM saves ${(kSave * 100).toFixed(1)}% and UPM ${(uSave * 100).toFixed(1)}% of the 16 unmerged containers' physical memory (models; the paper: up to 55%). In the memory of 16 unmerged containers, ${k ?? '–'} more fit under KSM and ${u ?? '–'} more under UPM (the paper: 5 and 21 more).`);
    }
    L.push('');
  }
  return L.join('\n');
}

function writeDoc(doc: string, r: Report): void {
  const B = '<!-- BEGIN GENERATED: scripts/validation/functions.ts -->';
  const E = '<!-- END GENERATED: scripts/validation/functions.ts -->';
  let text = fs.readFileSync(doc, 'utf8');
  const block = `${B}\n${renderMarkdown(r)}\n${E}`;
  if (text.includes(B)) text = text.slice(0, text.indexOf(B)) + block + text.slice(text.indexOf(E) + E.length);
  else text += `\n## Python functions on the host (issue 12)\n\n${block}\n`;
  fs.writeFileSync(doc, text);
}

function machine(): string {
  const cpu = /model name\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '?';
  const thp = fs.readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8').trim();
  const py = execFileSync(PY, ['-c', 'import sys,torch,torchvision,numpy;print(sys.version.split()[0],torch.__version__,torchvision.__version__,numpy.__version__)'], { encoding: 'utf8' }).trim().split(' ');
  return `Linux ${os.release()}, ${os.cpus().length} CPUs (${cpu.trim()}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, THP \`${thp}\`; Python ${py[0]}, torch ${py[1]}, torchvision ${py[2]}, numpy ${py[3]} (Debian packages)`;
}

async function main(): Promise<number> {
  const o = parseArgs(process.argv.slice(2));
  if (o.renderJson) {
    const r = JSON.parse(fs.readFileSync(o.renderJson, 'utf8')) as Report;
    if (o.doc) writeDoc(o.doc, r);
    fs.mkdirSync(o.out, { recursive: true });
    fs.writeFileSync(path.join(o.out, 'report.html'), renderHtml(r));
    return 0;
  }
  const why = ksmUnavailableReason();
  if (why) throw new Error(`cannot run: ${why}`);
  if (!fs.existsSync(PROBE_BIN)) throw new Error(`${path.relative(ROOT, PROBE_BIN)} is not built: make -C kernel`);
  const cache = path.join(ROOT, 'build/cache/functions');
  execFileSync('sh', [path.join(FN_DIR, 'build.sh'), cache], { stdio: ['ignore', 'inherit', 'inherit'] });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'upm-validate-functions-'));
  const session = new KsmSession({ leaveRunStopped: true });
  const cleanup = () => {
    children.killSync();
    session.restoreSync();
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  process.on('exit', cleanup);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.on(sig, () => {
      cleanup();
      process.exit(130);
    });
  const rows: RunRow[] = [];
  const report: Report = {
    command: `npm run validate:functions -- ${process.argv.slice(2).join(' ')}`.trim(),
    date: new Date().toISOString().slice(0, 10),
    machine: machine(),
    settings: {},
    rows,
  };
  fs.mkdirSync(o.out, { recursive: true });
  const save = () => {
    fs.writeFileSync(path.join(o.out, 'report.json'), JSON.stringify(report, null, 1));
    fs.writeFileSync(path.join(o.out, 'report.html'), renderHtml(report));
  };
  try {
    await session.open(900_000, log);
    for (const w of o.workloads)
      for (const n of o.ns) {
        try {
          rows.push(await runOne(o, session, w, n, cache, tmp));
        } finally {
          await stopChildren();
        }
        if (!Object.keys(report.settings).length)
          for (const k of ['pages_to_scan', 'sleep_millisecs', 'use_zero_pages', 'max_page_sharing', 'smart_scan', 'merge_across_nodes', 'advisor_mode']) report.settings[k] = readKsm(k);
        save();
      }
  } finally {
    await stopChildren();
    await session.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  save();
  if (o.doc) writeDoc(o.doc, report);
  log(`wrote ${path.relative(ROOT, path.join(o.out, 'report.json'))} and report.html`);
  return 0;
}

if (require.main === module)
  main().then(
    (c) => process.exit(c),
    (e) => {
      log(`failed: ${(e as Error).stack ?? e}`);
      process.exit(1);
    },
  );
