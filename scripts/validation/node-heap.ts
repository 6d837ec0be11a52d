/**
 * A real program measured both ways: N `node` processes that each load the same large file into
 * memory, probed with upm-probe, analysed (sharing, none, UPM, KSM models), then merged by the machine's
 * real ksmd; predicted and measured KSM counters side by side. Writes a JSON report on stdout and the
 * generated part of docs/validation.md.
 *
 *   TS_NODE_TRANSPILE_ONLY=1 npx ts-node -r tsconfig-paths/register scripts/validation/node-heap.ts \
 *     [--processes 16] [--file-mib 64] [--interval-ms 5000] [--snapshots 2] [--settle-ms 3000] \
 *     [--pages-to-scan 5000] [--sleep-ms 10] [--timeout-s 900] [--seed 1] \
 *     [--doc docs/validation.md | --no-doc] [--keep DIR] [--json-out FILE]
 *   ... node-heap.ts --render-json FILE [--doc docs/validation.md]   (rewrite the doc from a saved report)
 *
 * Needs root, KSM (/sys/kernel/mm/ksm), python3 and kernel/build/upm-probe (make -C kernel). Uses KSM
 * only under /tmp/upm-ksm.lock and restores every setting (see scripts/lib/ksm-control.ts); kills every child and
 * removes the temp directory at the end, also on failure and on SIGINT/SIGTERM.
 */
import { ChildProcess, execFile, execFileSync, spawn } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createInterface } from 'readline';
import { promisify } from 'util';
import { loadDump } from '@upm/model/dump';
import { Dump, PageFlag, ProcessPages, VmaInfo } from '@upm/model/dump/types';
import { runKsmModel, KsmResult } from '@upm/model/merge';
import { SHARING_CATEGORIES, SharingReport, VmaClass, vmaClassOf } from '@upm/model/sharing';
import {
  counters,
  foreignKsmProcesses,
  KsmCounters,
  KsmRun,
  KsmSession,
  ksmUnavailableReason,
  readKsm,
  runUntilStable,
  timeToFraction,
  waitNoForeign,
} from '../lib/ksm-control';

const execFileP = promisify(execFile);

interface CliAnalyzeOptions {
  sharing?: boolean;
  model?: string;
  timeline?: boolean;
  pagesToScan?: string;
  sleepMs?: string;
}

/** `upm analyze DUMP --json ...` run as the user runs it (the CLI from source), its stdout. */
async function upmAnalyze(dumpFile: string, o: CliAnalyzeOptions): Promise<string> {
  const root = path.resolve(__dirname, '../..');
  const args = [path.join(root, 'apps/cli/src/main.ts'), 'analyze', dumpFile, '--json'];
  if (o.sharing) args.push('--sharing');
  if (o.model) args.push('--model', o.model);
  if (o.timeline) args.push('--timeline');
  if (o.pagesToScan) args.push('--pages-to-scan', o.pagesToScan);
  if (o.sleepMs) args.push('--sleep-ms', o.sleepMs);
  const r = await execFileP(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', ...args], {
    cwd: root,
    maxBuffer: 256 * MiB,
  });
  return r.stdout;
}
const ROOT = path.resolve(__dirname, '../..');
const PROBE_BIN = path.join(ROOT, 'kernel/build/upm-probe');
const PAGE = 4096;
const CLK_TCK = 100; // USER_HZ: /proc/PID/stat and /proc/stat count in 1/100 s on Linux
const MiB = 1048576;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (l: string) => process.stderr.write(`[node-heap] ${l}\n`);

// ------------------------------------------------------------------------------------------ options

interface Options {
  processes: number;
  fileMib: number;
  intervalMs: number;
  snapshots: number;
  settleMs: number;
  pagesToScan: number;
  sleepMs: number;
  timeoutS: number;
  seed: number;
  doc: string | null;
  keep: string | null;
  jsonOut: string | null;
  /** only rewrite the doc from an earlier JSON report (no processes, no KSM) */
  renderJson: string | null;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    processes: 16,
    fileMib: 64,
    intervalMs: 5000,
    snapshots: 2,
    settleMs: 3000,
    pagesToScan: 5000,
    sleepMs: 10,
    timeoutS: 900,
    seed: 1,
    doc: path.join(ROOT, 'docs/validation.md'),
    keep: null,
    jsonOut: null,
    renderJson: null,
  };
  const ints: Record<string, [keyof Options, number, number]> = {
    '--processes': ['processes', 2, 256],
    '--file-mib': ['fileMib', 1, 4096],
    '--interval-ms': ['intervalMs', 100, 600_000],
    '--snapshots': ['snapshots', 1, 10],
    '--settle-ms': ['settleMs', 0, 600_000],
    '--pages-to-scan': ['pagesToScan', 1, 1_000_000],
    '--sleep-ms': ['sleepMs', 0, 10_000],
    '--timeout-s': ['timeoutS', 10, 86_400],
    '--seed': ['seed', 0, 2 ** 31 - 1],
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag in ints) {
      const [key, min, max] = ints[flag];
      const v = value();
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max)
        throw new Error(`${flag} must be a whole number from ${min} to ${max}, got '${v}'`);
      (o[key] as number) = n;
    } else if (flag === '--doc') o.doc = path.resolve(value());
    else if (flag === '--no-doc') o.doc = null;
    else if (flag === '--keep') o.keep = path.resolve(value());
    else if (flag === '--json-out') o.jsonOut = path.resolve(value());
    else if (flag === '--render-json') o.renderJson = path.resolve(value());
    else if (flag === '--help' || flag === '-h') {
      process.stdout.write(fs.readFileSync(__filename, 'utf8').split('*/')[0] + '*/\n');
      process.exit(0);
    } else throw new Error(`unknown argument '${a}' (--help)`);
  }
  return o;
}

// ------------------------------------------------------------------------------------------ the program measured

/**
 * The child: a plain node program. It loads the file into a Buffer (one malloc'd backing store, which at
 * this size glibc serves with its own anonymous mmap) and copies it into a Uint8Array (a second
 * anonymous copy), keeps both alive, prints "ready ..." and then does nothing: no timers, no allocation;
 * it only waits for its stdin to close (so it also ends if the parent dies).
 */
const CHILD_JS = `'use strict';
const fs = require('fs');
const file = process.argv[2];
const buf = fs.readFileSync(file);
const copy = new Uint8Array(buf.length);
copy.set(buf);
let sum = 0;
for (let i = 0; i < copy.length; i += 4096) sum = (sum * 31 + copy[i]) >>> 0;
globalThis.__keep = [buf, copy];
process.stdout.write('ready ' + JSON.stringify({ pid: process.pid, bytes: buf.length, sample: sum }) + '\\n');
process.stdin.on('end', () => process.exit(0));
process.stdin.on('data', () => {});
`;

/**
 * Opt-in to KSM before exec: prctl(PR_SET_MEMORY_MERGE = 67, 1) marks the whole mm MMF_VM_MERGE_ANY;
 * since Linux 6.7 (ksm_execve) the flag is carried over to the new mm by execve, so the node process
 * that replaces python (same pid) has every compatible VMA VM_MERGEABLE (ksm_stat "ksm_merge_any: yes",
 * checked below). Arguments are unsigned long (the kernel refuses non-zero arg3..arg5).
 */
const PRCTL_EXEC_PY = [
  'import ctypes, os, sys',
  'libc = ctypes.CDLL(None, use_errno=True)',
  'z = ctypes.c_ulong(0)',
  'if libc.prctl(ctypes.c_int(67), ctypes.c_ulong(1), z, z, z) != 0:',
  "    sys.stderr.write('prctl(PR_SET_MEMORY_MERGE): %s\\n' % os.strerror(ctypes.get_errno())); sys.exit(3)",
  'os.execv(sys.argv[1], sys.argv[1:])',
].join('\n');

/** Deterministic pseudo-random bytes (xorshift128, seeded through splitmix32). */
function writeSeededFile(file: string, bytes: number, seed: number): string {
  let s = seed >>> 0;
  const split = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let x = split() | 1,
    y = split(),
    z = split(),
    w = split();
  const hash = crypto.createHash('sha256');
  const fd = fs.openSync(file, 'w', 0o600);
  try {
    const chunk = new Uint32Array(1 << 20); // 4 MiB
    for (let done = 0; done < bytes;) {
      for (let i = 0; i < chunk.length; i++) {
        const t = x ^ (x << 11);
        x = y;
        y = z;
        z = w;
        w = (w ^ (w >>> 19) ^ (t ^ (t >>> 8))) >>> 0;
        chunk[i] = w;
      }
      const b = Buffer.from(chunk.buffer, 0, Math.min(chunk.byteLength, bytes - done));
      fs.writeSync(fd, b);
      hash.update(b);
      done += b.length;
    }
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

interface Child {
  proc: ChildProcess;
  pid: number;
}

const children: Child[] = [];

function startChild(childJs: string, dataFile: string, timeoutMs: number): Promise<Child> {
  return new Promise((resolve, reject) => {
    const proc = spawn('python3', ['-c', PRCTL_EXEC_PY, process.execPath, childJs, dataFile], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const child: Child = { proc, pid: proc.pid! };
    children.push(child);
    let err = '';
    proc.stderr!.on('data', (d) => (err += d));
    const timer = setTimeout(
      () => reject(new Error(`child ${proc.pid} not ready after ${timeoutMs} ms: ${err}`)),
      timeoutMs,
    );
    const rl = createInterface({ input: proc.stdout! });
    rl.on('line', (line) => {
      if (!line.startsWith('ready ')) return;
      clearTimeout(timer);
      const info = JSON.parse(line.slice(6)) as { pid: number };
      if (info.pid !== proc.pid) reject(new Error(`child reported pid ${info.pid}, spawned ${proc.pid}`));
      else resolve(child);
    });
    proc.once('exit', (code, sig) => {
      clearTimeout(timer);
      reject(new Error(`child ${proc.pid} exited (${code ?? sig}) before ready: ${err.trim()}`));
    });
  });
}

/** SIGKILL every child still alive (by its pid: only processes this script started). */
function killChildrenSync(): void {
  for (const c of children) {
    if (c.proc.exitCode !== null || c.proc.signalCode !== null) continue;
    try {
      process.kill(c.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

async function stopChildren(): Promise<void> {
  const alive = children.filter((c) => c.proc.exitCode === null && c.proc.signalCode === null);
  const gone = alive.map((c) => new Promise((r) => c.proc.once('exit', r)));
  for (const c of alive) c.proc.stdin?.end(); // the child exits when its stdin closes
  await Promise.race([Promise.all(gone), sleep(5000)]);
  killChildrenSync();
}

function ksmStat(pid: number): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const line of fs.readFileSync(`/proc/${pid}/ksm_stat`, 'utf8').split('\n')) {
    const m = /^(\S+?):?\s+(\S+)$/.exec(line.trim());
    if (m) out[m[1]] = /^-?\d+$/.test(m[2]) ? Number(m[2]) : m[2];
  }
  return out;
}

async function probe(pids: number[], file: string, opts: { interval?: number; count?: number; labels: string[] }) {
  const args = [...pids.flatMap((p) => ['--pid', String(p)]), '-o', file, '--stats'];
  if (opts.interval !== undefined) args.push('--interval', String(opts.interval));
  if (opts.count !== undefined) args.push('--count', String(opts.count));
  for (const l of opts.labels) args.push('--label', l);
  const t0 = performance.now();
  const r = await execFileP(PROBE_BIN, args, { timeout: 600_000, maxBuffer: 16 * MiB });
  const stats = r.stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    seconds: (performance.now() - t0) / 1000,
    stats,
    args: args.map((a) => (a === file ? path.basename(file) : a)),
  };
}

// ------------------------------------------------------------------------------------------ evidence from the dumps

const REGIONS = [
  'file data (Buffer + Uint8Array)',
  'other anonymous (V8 heap, code, stacks, arenas)',
  '[heap] (brk)',
  '[stack]',
  'file-backed (node, libraries)',
] as const;
type Region = (typeof REGIONS)[number];

function regionOf(v: VmaInfo, fileBytes: number): Region {
  if (v.kind === 'file') return 'file-backed (node, libraries)';
  if (v.path === '[heap]') return '[heap] (brk)';
  if (v.path === '[stack]') return '[stack]';
  // a copy of the file: glibc's own mmap for the 64 MiB malloc, one page more than the data (chunk header);
  // not V8's PROT_NONE reservations, which can be larger
  const size = v.end - v.start;
  if (!v.shared && v.perms.startsWith('rw') && size >= fileBytes && size <= fileBytes + 2 * MiB)
    return 'file data (Buffer + Uint8Array)';
  return 'other anonymous (V8 heap, code, stacks, arenas)';
}

interface RegionRow {
  resident: number;
  thp: number;
  zeroFilled: number;
  /** present in every snapshot with a different hash in the last than in the first */
  changed: number;
  /** present in the last snapshot only / in the first only */
  appeared: number;
  disappeared: number;
  /** KSM-eligible pages (anonymous, mergeable VMA) whose content has another eligible copy anywhere */
  duplicateCandidates: number;
  /** after the real ksmd run: pages with the KSM flag, and pages whose hash differs from the pre-run dump */
  ksmMerged?: number;
  changedDuringRun?: number;
  /** the changedDuringRun pages that were duplicate candidates before the run */
  candidatesChangedDuringRun?: number;
}

const emptyRow = (): RegionRow => ({
  resident: 0,
  thp: 0,
  zeroFilled: 0,
  changed: 0,
  appeared: 0,
  disappeared: 0,
  duplicateCandidates: 0,
});

type PageKey = string;
const hkey = (p: ProcessPages, i: number): PageKey => `${p.hashHi[i].toString(16)}:${p.hashLo[i].toString(16)}`;
const addrOf = (p: ProcessPages, i: number, pageSize: number) =>
  p.info.vmas[p.vmaOf[i]].start + p.pageIndex[i] * pageSize;

/** What ksmd visits: present anonymous pages (not page cache, not the zero page) of mergeable, compatible VMAs. */
function eligibleForKsm(p: ProcessPages, i: number): boolean {
  const f = p.flags[i];
  if (!(f & PageFlag.Present) || f & (PageFlag.File | PageFlag.ZeroPage)) return false;
  const c = vmaClassOf(p.info.vmas[p.vmaOf[i]]);
  if (c & (VmaClass.Shared | VmaClass.Special)) return false;
  return p.info.ksm?.ksm_merge_any === 'yes' || !!(c & VmaClass.Mergeable);
}

interface Evidence {
  regions: Record<Region, RegionRow>;
  /**
   * Pages of KSM-compatible VMAs that lack smaps `mg` (VM_MERGEABLE) in processes with ksm_merge_any: the
   * models count them as mergeable (merge_any), ksmd only visits VM_MERGEABLE VMAs. Per VMA name.
   */
  notMg: Record<string, { vmas: number; resident: number; duplicateCandidates: number }>;
  /** last pre-run snapshot: address → hash per pid (for the post-run comparison) */
  lastHash: Map<number, Map<number, PageKey>>;
  candidateAddrs: Map<number, Set<number>>;
  thpPages: number;
  snapshotTimesMs: number[];
}

function dumpEvidence(dump: Dump, fileBytes: number): Evidence {
  const ps = dump.header.pageSize;
  const zero = dump.header.hash.zeroPageHash;
  const zeroKey = `${parseInt(zero.slice(0, 8), 16).toString(16)}:${parseInt(zero.slice(8), 16).toString(16)}`;
  const first = dump.snapshots[0];
  const last = dump.snapshots[dump.snapshots.length - 1];
  const regions = Object.fromEntries(REGIONS.map((r) => [r, emptyRow()])) as Record<Region, RegionRow>;
  // content copies among eligible pages of the last snapshot
  const copies = new Map<PageKey, number>();
  for (const p of last.processes)
    for (let i = 0; i < p.count; i++)
      if (eligibleForKsm(p, i) && (p.hashLo[i] || p.hashHi[i]))
        copies.set(hkey(p, i), (copies.get(hkey(p, i)) ?? 0) + 1);
  const firstByPid = new Map(first.processes.map((p) => [p.info.pid, p]));
  const lastHash = new Map<number, Map<number, PageKey>>();
  const candidateAddrs = new Map<number, Set<number>>();
  let thpPages = 0;
  const notMg: Evidence['notMg'] = {};
  for (const p of last.processes) {
    if (p.info.ksm?.ksm_merge_any === 'yes')
      for (const v of p.info.vmas) {
        const c = vmaClassOf(v);
        if (!(c & (VmaClass.Shared | VmaClass.Special)) && !(c & VmaClass.Mergeable)) {
          const name = v.path || '(anonymous)';
          (notMg[name] ??= { vmas: 0, resident: 0, duplicateCandidates: 0 }).vmas++;
        }
      }
  }
  for (const p of last.processes) {
    const h = new Map<number, PageKey>();
    const cand = new Set<number>();
    lastHash.set(p.info.pid, h);
    candidateAddrs.set(p.info.pid, cand);
    const before = new Map<number, PageKey>();
    const f = firstByPid.get(p.info.pid);
    if (f)
      for (let i = 0; i < f.count; i++) if (f.flags[i] & PageFlag.Present) before.set(addrOf(f, i, ps), hkey(f, i));
    const seen = new Set<number>();
    for (let i = 0; i < p.count; i++) {
      if (!(p.flags[i] & PageFlag.Present)) continue;
      const r = regions[regionOf(p.info.vmas[p.vmaOf[i]], fileBytes)];
      const a = addrOf(p, i, ps);
      const k = hkey(p, i);
      h.set(a, k);
      r.resident++;
      if (p.flags[i] & PageFlag.Thp) {
        r.thp++;
        thpPages++;
      }
      if (k === zeroKey) r.zeroFilled++;
      const dup = eligibleForKsm(p, i) && (copies.get(k) ?? 0) > 1;
      if (dup) {
        r.duplicateCandidates++;
        cand.add(a);
      }
      const v = p.info.vmas[p.vmaOf[i]];
      if (eligibleForKsm(p, i) && !v.flags.includes('mg')) {
        const n = notMg[v.path || '(anonymous)'];
        if (n) {
          n.resident++;
          if (dup) n.duplicateCandidates++;
        }
      }
      if (f && dump.snapshots.length > 1) {
        seen.add(a);
        const b = before.get(a);
        if (b === undefined) r.appeared++;
        else if (b !== k) r.changed++;
      }
    }
    if (f && dump.snapshots.length > 1)
      for (let i = 0; i < f.count; i++) {
        const a = addrOf(f, i, ps);
        if (f.flags[i] & PageFlag.Present && !seen.has(a))
          regions[regionOf(f.info.vmas[f.vmaOf[i]], fileBytes)].disappeared++;
      }
  }
  return {
    regions,
    notMg,
    lastHash,
    candidateAddrs,
    thpPages,
    snapshotTimesMs: dump.snapshots.map((s) => s.info.elapsedMs),
  };
}

/** Adds the post-run dump's KSM flags and the pages changed since the pre-run dump, per region. */
function postRunEvidence(ev: Evidence, post: Dump, fileBytes: number): { ksmPages: number; ksmFrames: number } {
  const ps = post.header.pageSize;
  for (const r of REGIONS)
    Object.assign(ev.regions[r], { ksmMerged: 0, changedDuringRun: 0, candidatesChangedDuringRun: 0 });
  const frames = new Set<number>();
  let ksmPages = 0;
  const snap = post.snapshots[post.snapshots.length - 1];
  for (const p of snap.processes) {
    const before = ev.lastHash.get(p.info.pid);
    const cand = ev.candidateAddrs.get(p.info.pid);
    for (let i = 0; i < p.count; i++) {
      if (!(p.flags[i] & PageFlag.Present)) continue;
      const r = ev.regions[regionOf(p.info.vmas[p.vmaOf[i]], fileBytes)];
      if (p.flags[i] & PageFlag.Ksm) {
        r.ksmMerged!++;
        ksmPages++;
        if (p.pfn) frames.add(p.pfn[i]);
      }
      const a = addrOf(p, i, ps);
      const b = before?.get(a);
      if (b !== undefined && b !== hkey(p, i)) {
        r.changedDuringRun!++;
        if (cand?.has(a)) r.candidatesChangedDuringRun!++;
      }
    }
  }
  return { ksmPages, ksmFrames: frames.size };
}

// ------------------------------------------------------------------------------------------ main

interface KsmdSched {
  wallSec: number;
  cpuSec: number;
  runQueueWaitSec: number;
}

interface Report {
  date: string;
  command: string;
  machine: {
    kernel: string;
    nproc: number;
    cpu: string;
    memGiB: number;
    node: string;
    python: string;
    thp: string;
    hz: string;
  };
  options: Options;
  file: { bytes: number; pages: number; sha256: string; seed: number };
  children: { pids: number[]; ksmMergeAny: boolean[] };
  probe: {
    snapshots: number;
    intervalMs: number;
    seconds: number;
    dumpBytes: number;
    stats: Record<string, unknown>[];
    args: string[];
  };
  ksmSettings: Record<string, string>;
  ksmSettingsFound: Record<string, string>;
  sharing: { upm: SharingReport['total']; ksm: SharingReport['total']; perProcessRssMiB: number[] };
  models: {
    /** simulated ksmd CPU seconds until the model's own 50% / 100% of its final pages_sharing */
    ksmCpuSecUntil: {
      half: number | null;
      full: number | null;
      firstMergeSec: number | null;
      firstMerge: number | null;
    };
    /** diagnostic: converged counters of the KSM model when only smaps `mg` VMAs count (ksm_merge_any hidden) */
    ksmMgOnly: KsmResult['converged'];
    none: Record<string, unknown>;
    upm: Record<string, unknown>;
    ksmCli: Record<string, unknown>;
    ksmAfterDump: Record<string, unknown> & {
      timelineSampled: { t: number; pagesSharing: number; pagesShared: number; fullScans: number }[];
    };
    cliCommands: string[];
  };
  kernel: {
    startedAfterFirstSnapshotMs: number;
    attempts: number;
    converged: boolean;
    stoppedAfterSec: number;
    lastChangeSec: number;
    final: KsmCounters;
    fullScansInRun: number;
    pagesScannedInRun: number;
    sharingHalfSec: number | null;
    sharingFullSec: number | null;
    savedMiB: number;
    /** the whole machine's CPU use during the run (2 CPUs shared with other work) and ksmd's own CPU time */
    cpu: {
      ticksPerSec: number;
      machineBusyPercent: number;
      ksmdCpuSec: number;
      ksmdRunQueueWaitSec: number;
      /** ksmd's CPU and run-queue wait seconds from run=1 until pages_sharing reached 50% / 100% of its final value */
      ksmdAtHalf: KsmdSched | null;
      ksmdAtFull: KsmdSched | null;
      /** ... until the first merge (pages_sharing > 0): the first full scan only stores checksums, merging starts in the second */
      ksmdAtFirstMerge: KsmdSched | null;
      loadavgBefore: string;
      loadavgAfter: string;
    };
    foreign: string[];
    timelineSampled: { t: number; pagesShared: number; pagesSharing: number; fullScans: number }[];
    perProcess: { pid: number; ksmStat: Record<string, number | string> }[];
    postDump: { ksmPages: number; ksmFrames: number } | null;
  };
  evidence: {
    regions: Record<Region, RegionRow>;
    notMg: Evidence['notMg'];
    thpPages: number;
    snapshotElapsedMs: number[];
  };
  restoreProblems: string[];
}

/** Busy and total jiffies of all CPUs (/proc/stat), ksmd's own CPU seconds, the load average. */
function cpuSample(ksmd: number | null): {
  busy: number;
  total: number;
  ksmd: { run: number; wait: number };
  load: string;
} {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  const busy = total - f[3] - f[4]; // minus idle and iowait
  return { busy, total, ksmd: schedOf(ksmd), load: fs.readFileSync('/proc/loadavg', 'utf8').trim() };
}

function ksmdPid(): number | null {
  for (const d of fs.readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(d)) continue;
    try {
      if (fs.readFileSync(`/proc/${d}/comm`, 'utf8').trim() === 'ksmd') return Number(d);
    } catch {
      /* gone */
    }
  }
  return null;
}

/**
 * A process's time on a CPU and time runnable but waiting for one (run-queue wait), in seconds, from
 * /proc/PID/schedstat (ns; CONFIG_SCHED_INFO); without it the CPU time from /proc/PID/stat and wait 0.
 */
function schedOf(pid: number | null): { run: number; wait: number } {
  if (!pid) return { run: 0, wait: 0 };
  try {
    const [run, wait] = fs.readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(/\s+/).map(Number);
    return { run: run / 1e9, wait: wait / 1e9 };
  } catch {
    try {
      const st = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const rest = st.slice(st.lastIndexOf(')') + 2).split(' ');
      return { run: (Number(rest[11]) + Number(rest[12])) / CLK_TCK, wait: 0 };
    } catch {
      return { run: 0, wait: 0 };
    }
  }
}

function sh(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8' }).trim();
  } catch {
    return '?';
  }
}

function machine(): Report['machine'] {
  const cpu = /model name\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '?';
  let hz = '?';
  try {
    hz =
      /CONFIG_HZ=(\d+)/.exec(
        execFileSync('sh', ['-c', 'zcat /proc/config.gz 2>/dev/null | grep ^CONFIG_HZ='], { encoding: 'utf8' }),
      )?.[1] ?? '?';
  } catch {
    /* no config.gz */
  }
  return {
    kernel: sh('uname', ['-r']),
    nproc: Number(sh('nproc', [])),
    cpu,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    python: sh('python3', ['--version']),
    thp: fs.readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8').trim(),
    hz,
  };
}

/** pages_sharing (and shared, full scans) at chosen times, from a step timeline. */
function sampleAt<T extends { t: number }>(points: T[], times: number[]): (T | null)[] {
  return times.map((t) => {
    let best: T | null = null;
    for (const p of points) if (p.t <= t + 1e-9) best = p;
    return best;
  });
}

async function main(): Promise<number> {
  const o = parseArgs(process.argv.slice(2));
  if (o.renderJson) {
    if (!o.doc) throw new Error('--render-json needs a doc to write (not --no-doc)');
    writeDoc(o.doc, JSON.parse(fs.readFileSync(o.renderJson, 'utf8')) as Report);
    log(`wrote ${path.relative(process.cwd(), o.doc)} from ${o.renderJson}`);
    return 0;
  }
  const why = ksmUnavailableReason();
  if (why) throw new Error(`cannot run: ${why}`);
  if (!fs.existsSync(PROBE_BIN)) throw new Error(`${path.relative(ROOT, PROBE_BIN)} is not built: make -C kernel`);
  const command =
    `TS_NODE_TRANSPILE_ONLY=1 npx ts-node -r tsconfig-paths/register scripts/validation/node-heap.ts ${process.argv.slice(2).join(' ')}`.trim();
  const fileBytes = o.fileMib * MiB;

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'upm-validate-node-heap-'));
  const session = new KsmSession({ leaveRunStopped: true });
  let cleaned = false;
  const cleanupSync = () => {
    if (cleaned) return [];
    cleaned = true;
    killChildrenSync();
    const problems = session.restoreSync();
    fs.rmSync(tmp, { recursive: true, force: true });
    return problems;
  };
  process.on('exit', cleanupSync);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.on(sig, () => {
      log(`${sig}: killing children, restoring KSM`);
      for (const p of cleanupSync()) log(`restore problem: ${p}`);
      process.exit(128 + (os.constants.signals[sig] ?? 0));
    });

  let restoreProblems: string[] = [];
  let report: Report;
  try {
    // 1. the file
    const dataFile = path.join(tmp, 'data.bin');
    const childJs = path.join(tmp, 'child.js');
    log(`writing ${o.fileMib} MiB of seeded pseudo-random bytes (seed ${o.seed})`);
    const sha256 = writeSeededFile(dataFile, fileBytes, o.seed);
    fs.writeFileSync(childJs, CHILD_JS);

    // KSM under the lock from here: ksmd stopped and everything unmerged before the children start, so the
    // dump sees unmerged pages and the run starts from zero
    await session.open(900_000, log);
    const ksmBefore = { run: session.savedRun, ...Object.fromEntries(session.saved) };
    log(`KSM settings found (restored at the end, run left at 0): ${JSON.stringify(ksmBefore)}`);
    const settings = {
      pages_to_scan: o.pagesToScan,
      sleep_millisecs: o.sleepMs,
      use_zero_pages: 0,
      max_page_sharing: 256,
      smart_scan: 1,
      advisor_mode: 'none',
    };
    await session.configure(settings);
    const ksmSettings: Record<string, string> = {};
    for (const k of [...session.saved.keys()]) ksmSettings[k] = readKsm(k);

    // 2. the processes (started one after the other: 2 cores)
    log(`starting ${o.processes} node processes (prctl PR_SET_MEMORY_MERGE, then exec node)`);
    for (let i = 0; i < o.processes; i++) await startChild(childJs, dataFile, 120_000);
    const pids = children.map((c) => c.pid);
    const mergeAny = pids.map((p) => ksmStat(p).ksm_merge_any === 'yes');
    if (!mergeAny.every(Boolean))
      throw new Error(`PR_SET_MEMORY_MERGE did not survive exec: ksm_merge_any ${JSON.stringify(mergeAny)}`);
    log(`ready: pids ${pids.join(' ')}; settling ${o.settleMs} ms`);
    await sleep(o.settleMs);

    // 3. the dump (ksmd stopped)
    const dumpFile = path.join(tmp, 'node-heap.dump');
    log(`probing: ${o.snapshots} snapshots ${o.intervalMs} ms apart`);
    const pr = await probe(pids, dumpFile, {
      interval: o.intervalMs,
      count: o.snapshots,
      labels: ['function=node-heap', 'source=scripts/validation/node-heap.ts'],
    });
    const dump = await loadDump(dumpFile);
    const firstSnapWall = dump.snapshots[0].info.timeMs;
    const ev = dumpEvidence(dump, fileBytes);

    // 4. predictions, made before ksmd runs (the CLI's own code path, plus the KSM model started after the dump)
    log('sharing analysis and models');
    const cli = async (opts: CliAnalyzeOptions) => JSON.parse(await upmAnalyze(dumpFile, opts));
    const sharingUpm = (await cli({ sharing: true })) as SharingReport;
    const sharingKsm = (await cli({ sharing: true, model: 'ksm' })) as SharingReport;
    const none = await cli({ model: 'none' });
    const upm = await cli({ model: 'upm' });
    const ksmCli = await cli({
      model: 'ksm',
      timeline: true,
      pagesToScan: String(o.pagesToScan),
      sleepMs: String(o.sleepMs),
    });
    const lastElapsed = dump.snapshots[dump.snapshots.length - 1].info.elapsedMs;
    const ksmOpts = {
      runStartMs: lastElapsed,
      timelineResolutionMs: 0,
      params: {
        pagesToScan: o.pagesToScan,
        sleepMs: o.sleepMs,
        useZeroPages: false,
        maxPageSharing: 256,
        smartScan: true,
      },
    };
    const ksmAfter: KsmResult = runKsmModel([dump], ksmOpts);
    // the model's simulated ksmd CPU time until its own 50% / 100% points: the same simulation, stopped there
    const modelCpuUntil = (t: number | null) =>
      t === null ? null : runKsmModel([dump], { ...ksmOpts, maxSimMs: t * 1000 + 1e-6 }).cpuSec;
    // diagnostic, not the prediction: the same model on the same dump with ksm_merge_any hidden, so that only
    // the VMAs smaps shows as `mg` (VM_MERGEABLE) count as mergeable
    const mgOnly: Dump = {
      ...dump,
      snapshots: dump.snapshots.map((sn) => ({
        ...sn,
        processes: sn.processes.map((p) => ({
          ...p,
          info: { ...p.info, ksm: p.info.ksm ? { ...p.info.ksm, ksm_merge_any: 'no' } : null },
        })),
      })),
    };
    const ksmMgOnly = runKsmModel([mgOnly], ksmOpts).converged;
    const firstMergeSec = ksmAfter.timeline.find((p) => p.pagesSharing > 0)?.t ?? null;
    const modelCpuAt = {
      half: modelCpuUntil(ksmAfter.sharingHalfSec),
      full: modelCpuUntil(ksmAfter.sharingFullSec),
      firstMergeSec,
      firstMerge: modelCpuUntil(firstMergeSec),
    };
    const cliCommands = [
      'upm analyze --sharing DUMP --json',
      'upm analyze --sharing --model ksm DUMP --json',
      'upm analyze DUMP --model none --json',
      'upm analyze DUMP --model upm --json',
      `upm analyze DUMP --model ksm --json --timeline --pages-to-scan ${o.pagesToScan} --sleep-ms ${o.sleepMs}`,
    ];

    // 5. the real ksmd on the same processes
    let kernel: KsmRun | null = null;
    let attempts = 0;
    let startedAfterFirst = 0;
    let before: KsmCounters = counters();
    const ksmd = ksmdPid();
    let cpu0 = cpuSample(ksmd);
    let ksmdSched: { run: number; wait: number }[] = [];
    let cpu1 = cpu0;
    for (attempts = 1; ; attempts++) {
      await session.reset();
      await waitNoForeign(pids, 600_000, log);
      before = counters();
      cpu0 = cpuSample(ksmd);
      ksmdSched = [];
      startedAfterFirst = Date.now() - firstSnapWall;
      log(
        `ksmd run ${attempts}: pages_to_scan ${o.pagesToScan}, sleep ${o.sleepMs} ms (${(startedAfterFirst / 1000).toFixed(1)} s after the first snapshot)`,
      );
      let lastLog = 0;
      kernel = await runUntilStable({
        ours: pids,
        timeoutMs: o.timeoutS * 1000,
        onSample: (c, t) => {
          const now = schedOf(ksmd);
          ksmdSched.push({ run: now.run - cpu0.ksmd.run, wait: now.wait - cpu0.ksmd.wait });
          if (t - lastLog < 5000) return;
          lastLog = t;
          log(
            `  t=${(t / 1000).toFixed(1)} s shared ${c.pages_shared} sharing ${c.pages_sharing} full_scans +${c.full_scans - before.full_scans}`,
          );
        },
      });
      cpu1 = cpuSample(ksmd);
      if (kernel.foreign.length === 0 || attempts === 3) break;
      log(`other processes used KSM during the run (${kernel.foreign.join('; ')}): again`);
    }
    if (!kernel) throw new Error('no ksmd run');
    const perProcess = pids.map((pid) => ({ pid, ksmStat: ksmStat(pid) }));
    log('post-run dump (KSM flags of the merged pages)');
    const postFile = path.join(tmp, 'node-heap-after-ksm.dump');
    await probe(pids, postFile, { count: 1, labels: ['function=node-heap', 'phase=after-ksm'] });
    const post = postRunEvidence(ev, await loadDump(postFile), fileBytes);
    if (o.keep) {
      fs.mkdirSync(o.keep, { recursive: true });
      for (const f of [dumpFile, postFile]) fs.copyFileSync(f, path.join(o.keep, path.basename(f)));
    }

    // 6. the report
    const final = kernel.final;
    const schedAtSample = (i: number) =>
      i < 0
        ? null
        : { wallSec: kernel!.samples[i][0] / 1000, cpuSec: ksmdSched[i].run, runQueueWaitSec: ksmdSched[i].wait };
    const firstMergeIdx = kernel.samples.findIndex(([, , sharing]) => sharing > 0);
    const schedAt = (fraction: number) => {
      const i = kernel!.samples.findIndex(
        ([, , sharing]) => final.pages_sharing > 0 && sharing >= final.pages_sharing * fraction,
      );
      return i < 0
        ? null
        : { wallSec: kernel!.samples[i][0] / 1000, cpuSec: ksmdSched[i].run, runQueueWaitSec: ksmdSched[i].wait };
    };
    const kTimeline = kernel.samples.map(([t, shared, sharing, scans]) => ({
      t: t / 1000,
      pagesShared: shared,
      pagesSharing: sharing,
      fullScans: scans - before.full_scans,
    }));
    const tEnd =
      Math.max(ksmAfter.sharingFullSec ?? 0, timeToFraction(kernel.samples, final.pages_sharing, 1) ?? 0) * 1.25 || 10;
    const times = Array.from({ length: 12 }, (_, i) => Number(((tEnd * (i + 1)) / 12).toFixed(2)));
    const mTimeline = ksmAfter.timeline.map((p) => ({
      t: p.t,
      pagesShared: p.pagesShared,
      pagesSharing: p.pagesSharing,
      fullScans: p.fullScans,
    }));
    const pick = <T extends { t: number; pagesShared: number; pagesSharing: number; fullScans: number }>(pts: T[]) =>
      sampleAt(pts, times).map((p, i) => ({
        t: times[i],
        pagesShared: p?.pagesShared ?? 0,
        pagesSharing: p?.pagesSharing ?? 0,
        fullScans: p?.fullScans ?? 0,
      }));
    const { timeline: _omit, ...ksmAfterRest } = ksmAfter;
    report = {
      date: new Date().toISOString().slice(0, 10),
      command,
      machine: machine(),
      options: o,
      file: { bytes: fileBytes, pages: fileBytes / PAGE, sha256, seed: o.seed },
      children: { pids, ksmMergeAny: mergeAny },
      probe: {
        snapshots: o.snapshots,
        intervalMs: o.intervalMs,
        seconds: pr.seconds,
        dumpBytes: fs.statSync(dumpFile).size,
        stats: pr.stats,
        args: pr.args,
      },
      ksmSettings,
      ksmSettingsFound: ksmBefore,
      sharing: {
        upm: sharingUpm.total,
        ksm: sharingKsm.total,
        perProcessRssMiB: sharingUpm.processes.map((p) => p.residentMiB),
      },
      models: {
        ksmCpuSecUntil: modelCpuAt,
        ksmMgOnly,
        none,
        upm: { ...upm, calls: undefined, callCount: (upm.calls as unknown[]).length },
        ksmCli: { ...ksmCli, timeline: undefined, timelinePoints: (ksmCli.timeline as unknown[]).length },
        ksmAfterDump: { ...ksmAfterRest, timelineSampled: pick(mTimeline) },
        cliCommands,
      },
      kernel: {
        startedAfterFirstSnapshotMs: startedAfterFirst,
        attempts,
        converged: kernel.converged,
        stoppedAfterSec: kernel.stoppedMs / 1000,
        lastChangeSec: kernel.lastChangeMs / 1000,
        final,
        fullScansInRun: final.full_scans - before.full_scans,
        pagesScannedInRun: final.pages_scanned - before.pages_scanned,
        sharingHalfSec: timeToFraction(kernel.samples, final.pages_sharing, 0.5),
        sharingFullSec: timeToFraction(kernel.samples, final.pages_sharing, 1),
        savedMiB: (final.pages_sharing * PAGE) / MiB,
        cpu: {
          ticksPerSec: CLK_TCK,
          machineBusyPercent: (100 * (cpu1.busy - cpu0.busy)) / Math.max(1, cpu1.total - cpu0.total),
          ksmdCpuSec: cpu1.ksmd.run - cpu0.ksmd.run,
          ksmdRunQueueWaitSec: cpu1.ksmd.wait - cpu0.ksmd.wait,
          ksmdAtFirstMerge: schedAtSample(firstMergeIdx),
          ksmdAtHalf: schedAt(0.5),
          ksmdAtFull: schedAt(1),
          loadavgBefore: cpu0.load,
          loadavgAfter: cpu1.load,
        },
        foreign: kernel.foreign,
        timelineSampled: pick(kTimeline),
        perProcess,
        postDump: post,
      },
      evidence: { regions: ev.regions, notMg: ev.notMg, thpPages: ev.thpPages, snapshotElapsedMs: ev.snapshotTimesMs },
      restoreProblems: [],
    };
  } finally {
    log('stopping children, unmerging, restoring KSM settings');
    await stopChildren();
    restoreProblems = cleanupSync();
    for (const p of restoreProblems) log(`restore problem: ${p}`);
    if (foreignKsmProcesses([]).some((f) => children.some((c) => f.startsWith(`${c.pid} `))))
      log('warning: a child still takes part in KSM');
  }
  report.restoreProblems = restoreProblems;
  const json = JSON.stringify(report, null, 2) + '\n';
  process.stdout.write(json);
  if (o.jsonOut) fs.writeFileSync(o.jsonOut, json);
  if (o.doc) {
    writeDoc(o.doc, report);
    log(`wrote ${path.relative(process.cwd(), o.doc)}`);
  }
  return restoreProblems.length ? 1 : 0;
}

// ------------------------------------------------------------------------------------------ docs/validation.md

const BEGIN = '<!-- BEGIN GENERATED: scripts/validation/node-heap.ts -->';
const END = '<!-- END GENERATED: scripts/validation/node-heap.ts -->';

const f1 = (n: number) => n.toFixed(1);
const sec = (s: number | null | undefined) => (s === null || s === undefined ? '–' : `${s.toFixed(2)} s`);
const pct = (a: number, b: number) => (b ? `${a >= b ? '+' : ''}${(((a - b) / b) * 100).toFixed(1)}%` : '–');
const diff = (a: number, b: number) =>
  `${a >= b ? '+' : ''}${a - b}${b ? ` (${a >= b ? '+' : ''}${(((a - b) / b) * 100).toFixed(3)}%)` : ''}`;
const mibOf = (pages: number) => f1((pages * PAGE) / MiB);
const share = (cpu: number | null, wall: number | null) =>
  cpu === null || !wall ? '–' : `${((100 * cpu) / wall).toFixed(0)}%`;

/** "--pid 1 --pid 2 ..." → "--pid PID (×N)" */
function shortPids(args: string[]): string {
  const n = args.filter((a) => a === '--pid').length;
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--pid') i++;
    else rest.push(args[i]);
  }
  return `--pid PID (×${n}) ${rest.join(' ')}`;
}

function grid(rows: (string | number)[][]): string {
  const [head, ...body] = rows;
  const line = (r: (string | number)[]) => `| ${r.join(' | ')} |`;
  return [line(head), line(head.map((_, i) => (i === 0 ? '---' : '---:'))), ...body.map(line)].join('\n');
}

export function renderGenerated(r: Report): string {
  const m = r.machine;
  const k = r.kernel;
  const ka = r.models.ksmAfterDump as unknown as KsmResult;
  const kc = r.models.ksmCli as unknown as KsmResult;
  const upm = r.models.upm as unknown as {
    pagesShared: number;
    pagesSharing: number;
    savedBytes: number;
    totalMerges: number;
    totalMisses: number;
    totalCostUs: number;
  };
  const none = r.models.none as unknown as { residentPages: number; physicalPagesBefore: number };
  const su = r.sharing.upm;
  const skm = r.sharing.ksm;
  const rss = r.sharing.perProcessRssMiB;
  const out: string[] = [];
  out.push(
    `Generated by \`${r.command}\` on ${r.date}.`,
    '',
    '### What was run',
    '',
    `- machine: Linux ${m.kernel}, ${m.nproc} CPUs (${m.cpu}), ${m.memGiB} GiB, CONFIG_HZ=${m.hz}, THP \`${m.thp}\`; node ${m.node}, ${m.python}`,
    `- file: ${r.file.bytes / MiB} MiB (${r.file.pages} pages) of seeded pseudo-random bytes (xorshift128, seed ${r.file.seed}), sha256 \`${r.file.sha256.slice(0, 16)}…\``,
    `- ${r.children.pids.length} processes \`python3 -c '<prctl(PR_SET_MEMORY_MERGE, 1); execv>' node child.js data.bin\`: each reads the file into a Buffer, copies it into a Uint8Array, prints \`ready\` and idles; \`ksm_merge_any: yes\` in every /proc/PID/ksm_stat`,
    `- KSM settings for the dump and the run: ${Object.entries(r.ksmSettings)
      .map(([a, b]) => `${a}=${b}`)
      .join(', ')}`,
    `- dump: \`upm-probe ${shortPids(r.probe.args)}\` while ksmd was stopped: ${r.probe.snapshots} snapshots at ${r.evidence.snapshotElapsedMs.map((t) => `${(t / 1000).toFixed(2)} s`).join(', ')}, ${f1(r.probe.dumpBytes / MiB)} MiB, ${r.probe.seconds.toFixed(1)} s`,
    `- models: ${r.models.cliCommands.map((c) => `\`${c}\``).join('; ')}; and \`runKsmModel\` with \`runStartMs\` = the last snapshot (ksmd starts after the dump, as it did here)`,
    `- kernel: ksmd (run=1) started ${(k.startedAfterFirstSnapshotMs / 1000).toFixed(1)} s after the first snapshot, on the same live processes, counters polled every 20 ms until pages_shared/pages_sharing had not moved for 12 full scans${k.converged ? '' : ' (**not reached before the timeout**)'}; attempts ${k.attempts}${k.foreign.length ? `; **other KSM users seen: ${k.foreign.join('; ')}**` : '; no other process took part in KSM'}`,
    '',
    '### Sharing breakdown (last snapshot, all processes)',
    '',
    `RSS per process ${f1(Math.min(...rss))}–${f1(Math.max(...rss))} MiB; total ${su.residentPages} pages (${f1(su.residentMiB)} MiB).`,
    '',
  );
  const rows: (string | number)[][] = [
    ['category', 'UPM rules: pages', 'MiB', '% of RSS', 'KSM rules: pages', 'MiB', '% of RSS'],
  ];
  for (const c of SHARING_CATEGORIES) {
    const a = su.categories[c];
    const b = skm.categories[c];
    rows.push([c, a.pages, f1(a.mib), f1(a.percentOfRss), b.pages, f1(b.mib), f1(b.percentOfRss)]);
  }
  rows.push([
    '**resident (RSS)**',
    su.residentPages,
    f1(su.residentMiB),
    '100.0',
    skm.residentPages,
    f1(skm.residentMiB),
    '100.0',
  ]);
  out.push(grid(rows), '');
  out.push(
    `Ideal merging (every content group of categories 4–9 one frame): physical ${su.physicalPagesBefore} → ${su.physicalPagesAfter} pages under UPM rules (saves ${mibOf(su.physicalPagesBefore - su.physicalPagesAfter)} MiB), ${skm.physicalPagesBefore} → ${skm.physicalPagesAfter} under KSM rules (saves ${mibOf(skm.physicalPagesBefore - skm.physicalPagesAfter)} MiB). PSS total ${f1(su.pssBeforeMiB)} → ${f1(su.pssAfterMiB)} MiB (UPM rules).`,
    '',
    '### Predicted vs measured',
    '',
  );
  const kt = [
    [
      '',
      'KSM model, ksmd after the dump',
      'KSM model via CLI (ksmd from the first snapshot)',
      'kernel (measured)',
      'model − kernel',
    ],
    [
      'pages_shared',
      ka.converged.pagesShared,
      kc.pagesShared,
      k.final.pages_shared,
      diff(ka.converged.pagesShared, k.final.pages_shared),
    ],
    [
      'pages_sharing',
      ka.converged.pagesSharing,
      kc.pagesSharing,
      k.final.pages_sharing,
      diff(ka.converged.pagesSharing, k.final.pages_sharing),
    ],
    [
      'saved MiB (pages_sharing × 4 KiB)',
      mibOf(ka.converged.pagesSharing),
      mibOf(kc.pagesSharing),
      f1(k.savedMiB),
      `${f1(((ka.converged.pagesSharing - k.final.pages_sharing) * PAGE) / MiB)} MiB`,
    ],
    [
      'pages_unshared + pages_volatile',
      ka.converged.pagesUnshared + ka.converged.pagesVolatile,
      kc.converged.pagesUnshared + kc.converged.pagesVolatile,
      k.final.pages_unshared + k.final.pages_volatile,
      diff(ka.converged.pagesUnshared + ka.converged.pagesVolatile, k.final.pages_unshared + k.final.pages_volatile),
    ],
    [
      'ksm_zero_pages / stable_node_chains / stable_node_dups',
      `${ka.converged.ksmZeroPages} / ${ka.converged.stableNodeChains} / ${ka.converged.stableNodeDups}`,
      `${kc.converged.ksmZeroPages} / ${kc.converged.stableNodeChains} / ${kc.converged.stableNodeDups}`,
      `${k.final.ksm_zero_pages} / ${k.final.stable_node_chains} / ${k.final.stable_node_dups}`,
      '',
    ],
    [
      'time to 50% of final pages_sharing',
      sec(ka.sharingHalfSec),
      sec(kc.sharingHalfSec),
      sec(k.sharingHalfSec),
      k.sharingHalfSec && ka.sharingHalfSec ? pct(ka.sharingHalfSec, k.sharingHalfSec) : '–',
    ],
    [
      'time to 100% of final pages_sharing',
      sec(ka.sharingFullSec),
      sec(kc.sharingFullSec),
      sec(k.sharingFullSec),
      k.sharingFullSec && ka.sharingFullSec ? pct(ka.sharingFullSec, k.sharingFullSec) : '–',
    ],
    [
      'ksmd CPU time, whole run (model: simulated work; kernel: /proc/PID/schedstat)',
      sec(ka.cpuSec),
      sec(kc.cpuSec),
      sec(k.cpu.ksmdCpuSec),
      '',
    ],
    ['full scans until 12 quiet ones', ka.converged.fullScans, kc.converged.fullScans, k.fullScansInRun, ''],
    [
      'pages scanned',
      ka.converged.pagesScanned,
      kc.converged.pagesScanned,
      k.pagesScannedInRun,
      diff(ka.converged.pagesScanned, k.pagesScannedInRun),
    ],
  ];
  out.push(grid(kt), '');
  out.push(
    `During the run the machine's ${m.nproc} CPUs were ${f1(k.cpu.machineBusyPercent)}% busy (all processes; load average ${k.cpu.loadavgBefore.split(' ').slice(0, 3).join(' ')} before, ${k.cpu.loadavgAfter.split(' ').slice(0, 3).join(' ')} after); ksmd (nice 5) itself ran ${k.cpu.ksmdCpuSec.toFixed(2)} s on a CPU and waited ${k.cpu.ksmdRunQueueWaitSec.toFixed(2)} s runnable for one (/proc/PID/schedstat) in ${k.stoppedAfterSec.toFixed(1)} s.`,
    '',
    grid([
      [
        'from run=1 until',
        'model: wall',
        'model: ksmd CPU',
        'kernel: wall',
        'kernel: ksmd on a CPU',
        'kernel: ksmd runnable, waiting for a CPU',
        'kernel: ksmd asleep',
      ],
      ...(
        [
          [
            'the first merge (after the checksum-only first full scan)',
            r.models.ksmCpuSecUntil.firstMergeSec,
            r.models.ksmCpuSecUntil.firstMerge,
            k.cpu.ksmdAtFirstMerge,
          ],
          ['50% of final pages_sharing', ka.sharingHalfSec, r.models.ksmCpuSecUntil.half, k.cpu.ksmdAtHalf],
          ['100% of final pages_sharing', ka.sharingFullSec, r.models.ksmCpuSecUntil.full, k.cpu.ksmdAtFull],
        ] as const
      ).map(([label, mw, mc, x]) => [
        label,
        sec(mw),
        sec(mc),
        ...(x
          ? [
              sec(x.wallSec),
              `${sec(x.cpuSec)} (${share(x.cpuSec, x.wallSec)})`,
              `${sec(x.runQueueWaitSec)} (${share(x.runQueueWaitSec, x.wallSec)})`,
              sec(x.wallSec - x.cpuSec - x.runQueueWaitSec),
            ]
          : ['–', '–', '–', '–']),
      ]),
    ]),
    '',
    `The kernel's general_profit at the end: ${f1(k.final.general_profit / MiB)} MiB (pages_sharing × 4 KiB minus the rmap_items' own memory). After the run a single-snapshot dump of the same processes found ${k.postDump?.ksmPages ?? '–'} pages with the KSM flag on ${k.postDump?.ksmFrames ?? '–'} distinct frames (= pages_shared + pages_sharing and pages_shared when nothing else uses KSM).`,
    '',
    `Diagnostic: the same KSM model with \`ksm_merge_any\` hidden from it (since the model trusts smaps \`mg\` where a dump has VmFlags, this must equal the prediction) ends with pages_shared ${r.models.ksmMgOnly.pagesShared} (kernel ${k.final.pages_shared}), pages_sharing ${r.models.ksmMgOnly.pagesSharing} (kernel ${k.final.pages_sharing}), pages_unshared + pages_volatile ${r.models.ksmMgOnly.pagesUnshared + r.models.ksmMgOnly.pagesVolatile} (kernel ${k.final.pages_unshared + k.final.pages_volatile}), pages scanned ${r.models.ksmMgOnly.pagesScanned} (kernel ${k.pagesScannedInRun}).`,
    '',
    'Other models on the same dump:',
    '',
    grid([
      ['model', 'pages_shared', 'pages_sharing', 'saved MiB', 'note'],
      ['none', 0, 0, '0.0', `${none.residentPages} resident pages on ${none.physicalPagesBefore} frames`],
      [
        'UPM (one madvise per process over all private VMAs, at first sight)',
        upm.pagesShared,
        upm.pagesSharing,
        f1(upm.savedBytes / MiB),
        `${upm.totalMerges} merges, ${upm.totalMisses} new entries, estimated ${(upm.totalCostUs / 1000).toFixed(0)} ms of madvise time`,
      ],
      [
        'KSM (after the dump)',
        ka.converged.pagesShared,
        ka.converged.pagesSharing,
        f1(ka.savedBytes / MiB),
        `${ka.converged.fullScans} full scans, converged after ${sec(ka.convergedAtSec)}`,
      ],
    ]),
    '',
    'pages_sharing over time (t from run=1; the model from its simulated start):',
    '',
    grid([
      ['t (s)', 'model pages_sharing', 'kernel pages_sharing', 'model full scans', 'kernel full scans'],
      ...r.models.ksmAfterDump.timelineSampled.map((p, i) => {
        const q = k.timelineSampled[i];
        return [p.t.toFixed(2), p.pagesSharing, q.pagesSharing, p.fullScans, q.fullScans];
      }),
    ]),
    '',
    '### Evidence from the dumps, per memory region (all processes)',
    '',
    `"changed" = resident in the first and the last snapshot at the same address with another hash; "duplicate candidates" = KSM-eligible pages (anonymous, mergeable VMA) whose content has another eligible copy in the last snapshot; "KSM-merged" = pages with the KSM flag in the dump taken after the run; "changed during run" = hash differs between the last snapshot of the first dump and the post-run dump. THP pages in the dump: ${r.evidence.thpPages}.`,
    '',
    grid([
      [
        'region',
        'resident',
        'zero-filled',
        'changed',
        'appeared / gone',
        'duplicate candidates',
        'KSM-merged',
        'changed during run (of them candidates)',
      ],
      ...REGIONS.map((name) => {
        const g = r.evidence.regions[name];
        return [
          name,
          g.resident,
          g.zeroFilled,
          g.changed,
          `${g.appeared} / ${g.disappeared}`,
          g.duplicateCandidates,
          g.ksmMerged ?? '–',
          `${g.changedDuringRun ?? '–'} (${g.candidatesChangedDuringRun ?? '–'})`,
        ];
      }),
    ]),
    '',
    'KSM-compatible VMAs without `mg` (VM_MERGEABLE) in smaps, in processes with `ksm_merge_any: yes` (last snapshot, all processes): ksmd visits only VM_MERGEABLE VMAs, and so does the KSM model, which trusts the VmFlags of the dump; the default madvise of the UPM model covers every private VMA, these too.',
    '',
    Object.keys(r.evidence.notMg).length
      ? grid([
          ['VMA', 'VMAs', 'resident pages', 'duplicate candidates'],
          ...Object.entries(r.evidence.notMg).map(([name, n]) => [name, n.vmas, n.resident, n.duplicateCandidates]),
        ])
      : '(none)',
    '',
    'Per process (/proc/PID/ksm_stat after the run):',
    '',
    grid([
      ['pid', 'RSS MiB (dump)', 'ksm_merging_pages', 'ksm_rmap_items', 'ksm_zero_pages', 'ksm_process_profit MiB'],
      ...k.perProcess.map((p, i) => [
        p.pid,
        f1(rss[i] ?? 0),
        p.ksmStat.ksm_merging_pages,
        p.ksmStat.ksm_rmap_items,
        p.ksmStat.ksm_zero_pages,
        f1(Number(p.ksmStat.ksm_process_profit) / MiB),
      ]),
    ]),
  );
  if (r.restoreProblems.length) out.push('', `**KSM restore problems:** ${r.restoreProblems.join('; ')}`);
  return out.join('\n');
}

const DOC_HEAD = `# Validation: a real program measured both ways

The planner's predictions come from page-hash dumps; this page checks them on a real program rather than on
\`upm-scenario\`'s synthetic memory: 16 \`node\` processes that each load the same 64 MiB file into memory,
probed with \`upm-probe\`, analysed with the sharing analysis and the none/UPM/KSM models, and then merged by
this machine's real ksmd on the very same processes.

\`\`\`
TS_NODE_TRANSPILE_ONLY=1 npx ts-node -r tsconfig-paths/register scripts/validation/node-heap.ts [--processes 16] [--file-mib 64]
\`\`\`

Needs root, KSM, python3 and \`make -C kernel\`. The script takes /tmp/upm-ksm.lock, saves every KSM setting,
unmerges (run=2) and stops ksmd before it starts the processes, and restores everything at the end, also on
failure or a signal; it kills its children and removes its temp directory. It prints the whole report as JSON
and rewrites the generated section below (\`--no-doc\` to leave this file alone).

## Results
`;

function writeDoc(file: string, r: Report): void {
  const gen = `${BEGIN}\n${renderGenerated(r)}\n${END}`;
  let text: string;
  if (fs.existsSync(file)) {
    const old = fs.readFileSync(file, 'utf8');
    const a = old.indexOf(BEGIN);
    const b = old.indexOf(END);
    text = a >= 0 && b > a ? old.slice(0, a) + gen + old.slice(b + END.length) : `${old.trimEnd()}\n\n${gen}\n`;
  } else text = `${DOC_HEAD}\n${gen}\n\n## Discussion\n\n(to be written from the numbers above)\n`;
  fs.writeFileSync(file, text);
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (e) => {
      log(`failed: ${(e as Error).stack ?? e}`);
      process.exit(1);
    },
  );
}
