/**
 * Drives the real KSM of this machine for the conformance tests: a lock file, save/restore of every
 * sysfs setting it changes, reset between cases (run=2 unmerges everything, then run=0), upm-scenario
 * processes and upm-probe dumps.
 */
import { ChildProcess, execFile, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';

const execFileP = promisify(execFile);

export const KSM_DIR = '/sys/kernel/mm/ksm';
export const LOCK_FILE = '/tmp/upm-ksm.lock';
export const ROOT = path.resolve(__dirname, '../..');
export const SCENARIO_BIN = path.join(ROOT, 'kernel/build/upm-scenario');
export const PROBE_BIN = path.join(ROOT, 'kernel/build/upm-probe');

/** Settings a case may change; all are saved first and restored at the end. */
export const KSM_SETTINGS = [
  'pages_to_scan',
  'sleep_millisecs',
  'use_zero_pages',
  'max_page_sharing',
  'smart_scan',
  'merge_across_nodes',
  'stable_node_chains_prune_millisecs',
  'advisor_mode',
] as const;

export const COUNTERS = [
  'pages_shared',
  'pages_sharing',
  'pages_unshared',
  'pages_volatile',
  'full_scans',
  'pages_scanned',
  'ksm_zero_pages',
  'stable_node_chains',
  'stable_node_dups',
] as const;
export type KsmSnapshot = Record<(typeof COUNTERS)[number], number>;

/** Why the suite cannot run here, or null when it can. */
export function ksmUnavailableReason(): string | null {
  if (!fs.existsSync(path.join(KSM_DIR, 'run'))) return `KSM is absent (${KSM_DIR}/run does not exist)`;
  try {
    fs.accessSync(path.join(KSM_DIR, 'run'), fs.constants.W_OK);
  } catch {
    return `KSM is read-only here (${KSM_DIR}/run is not writable; run as root)`;
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'not root: cannot write KSM settings';
  for (const b of [SCENARIO_BIN, PROBE_BIN])
    if (!fs.existsSync(b)) return `${path.relative(ROOT, b)} is not built (make -C kernel)`;
  return null;
}

export function readKsm(name: string): string {
  const raw = fs.readFileSync(path.join(KSM_DIR, name), 'utf8').trim();
  const m = /\[([^\]]+)\]/.exec(raw); // advisor_mode: "[none] scan-time"
  return m ? m[1] : raw;
}

export function writeKsm(name: string, value: string | number): void {
  fs.writeFileSync(path.join(KSM_DIR, name), String(value));
}

export function counters(): KsmSnapshot {
  const out = {} as KsmSnapshot;
  for (const c of COUNTERS) {
    try {
      out[c] = Number(readKsm(c));
    } catch {
      out[c] = 0;
    }
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class KsmSession {
  private saved = new Map<string, string>();
  private savedRun = '0';
  private locked = false;
  private exitHook = () => this.restoreSync();

  /** Takes the lock (waits up to `waitMs` for another holder) and saves every setting. */
  async open(waitMs = 600_000): Promise<void> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      try {
        fs.writeFileSync(LOCK_FILE, `${process.pid}\n`, { flag: 'wx' });
        this.locked = true;
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const holder = Number(fs.readFileSync(LOCK_FILE, 'utf8').trim());
        if (!holder || !pidAlive(holder)) {
          fs.rmSync(LOCK_FILE, { force: true }); // stale lock of a dead process
          continue;
        }
        if (Date.now() > deadline) throw new Error(`${LOCK_FILE} held by pid ${holder}`);
        await sleep(500);
      }
    }
    this.savedRun = readKsm('run');
    for (const s of KSM_SETTINGS) {
      if (fs.existsSync(path.join(KSM_DIR, s))) this.saved.set(s, readKsm(s));
    }
    process.on('exit', this.exitHook);
  }

  /** Unmerges everything (run=2), waits until the counters are 0, then stops ksmd (run=0). */
  async reset(timeoutMs = 60_000): Promise<void> {
    writeKsm('run', 2);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const c = counters();
      if (c.pages_shared === 0 && c.pages_sharing === 0 && c.ksm_zero_pages === 0) break;
      if (Date.now() > deadline) throw new Error(`KSM did not unmerge: ${JSON.stringify(c)}`);
      await sleep(50);
    }
    writeKsm('run', 0);
  }

  /** Sets KSM settings (those that need no KSM pages are set after a reset). */
  async configure(settings: Partial<Record<(typeof KSM_SETTINGS)[number], string | number>>): Promise<void> {
    await this.reset();
    for (const [k, v] of Object.entries(settings)) {
      if (!this.saved.has(k)) throw new Error(`setting ${k} was not saved`);
      writeKsm(k, v as string | number);
    }
  }

  async close(): Promise<void> {
    try {
      await this.reset();
    } finally {
      this.restoreSync();
    }
  }

  /** Restores every saved setting and `run`; safe to call more than once. */
  restoreSync(): void {
    if (!this.locked) return;
    try {
      try {
        writeKsm('run', 2);
        const deadline = Date.now() + 20_000;
        while (Date.now() < deadline) {
          const c = counters();
          if (c.pages_shared === 0 && c.pages_sharing === 0 && c.ksm_zero_pages === 0) break;
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
        }
        writeKsm('run', 0);
      } catch {
        /* restore the rest anyway */
      }
      for (const [k, v] of this.saved) {
        try {
          if (readKsm(k) !== v) writeKsm(k, v);
        } catch {
          /* a setting that refuses (EBUSY) is reported by the caller's checks */
        }
      }
      writeKsm('run', this.savedRun);
    } finally {
      process.off('exit', this.exitHook);
      fs.rmSync(LOCK_FILE, { force: true });
      this.locked = false;
    }
  }
}

/**
 * Processes other than `ours` that take part in KSM (ksm_stat `ksm_mergeable: yes` or
 * `ksm_merge_any: yes`): KSM's counters are system-wide, so their pages would count too.
 */
export function foreignKsmProcesses(ours: number[]): string[] {
  const mine = new Set(ours);
  const out: string[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(d) || mine.has(Number(d))) continue;
    let st: string;
    try {
      st = fs.readFileSync(`/proc/${d}/ksm_stat`, 'utf8');
    } catch {
      continue;
    }
    if (!/ksm_mergeable:?\s+yes/.test(st) && !/ksm_merge_any:?\s+yes/.test(st)) continue;
    let cmd = '';
    try {
      cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').join(' ').trim();
    } catch {
      /* gone */
    }
    out.push(`${d} ${cmd}`.slice(0, 160));
  }
  return out;
}

/** Waits until no foreign process takes part in KSM. */
export async function waitNoForeign(ours: number[], timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const f = foreignKsmProcesses(ours);
    if (f.length === 0) return;
    if (Date.now() > deadline) throw new Error(`other processes use KSM, counters would not be ours: ${f.join('; ')}`);
    await sleep(500);
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface ScenarioReady {
  child: ChildProcess;
  info: { pids: number[]; [k: string]: unknown };
  stop(): Promise<void>;
}

/** Starts upm-scenario and resolves once it prints its ready line. */
export function startScenario(args: string[], timeoutMs = 60_000): Promise<ScenarioReady> {
  return new Promise((resolve, reject) => {
    const child = spawn(SCENARIO_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`upm-scenario not ready after ${timeoutMs} ms: ${err}`));
    }, timeoutMs);
    child.stderr!.on('data', (d) => (err += d));
    child.stdout!.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      let info: ScenarioReady['info'];
      try {
        info = JSON.parse(out.slice(0, nl));
      } catch (e) {
        child.kill('SIGKILL');
        reject(new Error(`upm-scenario printed no JSON: ${out.slice(0, nl)}`));
        return;
      }
      if (!Array.isArray(info.pids)) {
        const procs = (info as { processes?: { pid: number }[] }).processes;
        if (Array.isArray(procs)) info.pids = procs.map((p) => p.pid);
      }
      resolve({
        child,
        info,
        stop: () =>
          new Promise<void>((res) => {
            if (child.exitCode !== null || child.signalCode !== null) return res();
            child.once('exit', () => res());
            child.kill('SIGTERM');
          }),
      });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (!out.includes('\n')) reject(new Error(`upm-scenario exited (${code}) before ready: ${err}`));
    });
  });
}

/** Captures a dump of the pids with upm-probe; returns the file path. */
export async function probe(pids: number[], opts: { interval?: number; count?: number; labels?: string[] } = {}): Promise<string> {
  const file = path.join(os.tmpdir(), `upm-conf-${process.pid}-${Date.now()}.dump`);
  const args = [...pids.flatMap((p) => ['--pid', String(p)]), '-o', file];
  if (opts.interval !== undefined) args.push('--interval', String(opts.interval));
  if (opts.count !== undefined) args.push('--count', String(opts.count));
  for (const l of opts.labels ?? []) args.push('--label', l);
  await execFileP(PROBE_BIN, args, { timeout: 120_000 });
  return file;
}

export interface ConvergeResult {
  final: KsmSnapshot;
  /** [ms since run=1, pages_shared, pages_sharing, full_scans] samples. */
  samples: [number, number, number, number][];
  convergedAfterMs: number;
  /** Other processes seen taking part in KSM during the run (their pages count too). */
  foreign: string[];
}

/**
 * Starts ksmd (run=1) and polls the counters until pages_shared and pages_sharing have not moved for
 * `quietScans` full scans (and at least `quietMs`).
 */
export async function runUntilStable(
  opts: { pollMs?: number; quietScans?: number; quietMs?: number; timeoutMs?: number; minMs?: number; ours?: number[] } = {},
): Promise<ConvergeResult> {
  const poll = opts.pollMs ?? 20;
  const quietScans = opts.quietScans ?? 12;
  const quietMs = opts.quietMs ?? 500;
  const timeout = opts.timeoutMs ?? 120_000;
  const t0 = performance.now();
  writeKsm('run', 1);
  const samples: ConvergeResult['samples'] = [];
  const foreign = new Set<string>();
  let polls = 0;
  let last = counters();
  let lastChangeScan = last.full_scans;
  let lastChangeMs = 0;
  for (;;) {
    await sleep(poll);
    const c = counters();
    const t = performance.now() - t0;
    if (opts.ours && polls++ % 10 === 0) for (const f of foreignKsmProcesses(opts.ours)) foreign.add(f);
    samples.push([t, c.pages_shared, c.pages_sharing, c.full_scans]);
    if (c.pages_shared !== last.pages_shared || c.pages_sharing !== last.pages_sharing) {
      lastChangeScan = c.full_scans;
      lastChangeMs = t;
    }
    last = c;
    if (c.full_scans - lastChangeScan >= quietScans && t - lastChangeMs >= quietMs && t >= (opts.minMs ?? 0)) break;
    if (t > timeout) throw new Error(`KSM counters still moving after ${timeout} ms: ${JSON.stringify(c)}`);
  }
  writeKsm('run', 0);
  if (opts.ours) for (const f of foreignKsmProcesses(opts.ours)) foreign.add(f);
  return { final: last, samples, convergedAfterMs: lastChangeMs, foreign: [...foreign] };
}

/** Time (s) at which pages_sharing first reached `fraction` of `final` in the samples. */
export function timeToFraction(samples: ConvergeResult['samples'], final: number, fraction: number): number | null {
  for (const [t, , sharing] of samples) if (sharing >= final * fraction) return t / 1000;
  return null;
}
