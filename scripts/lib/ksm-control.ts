/**
 * Safe use of the machine's real KSM, for the conformance suite (test/conformance/ksm-harness.ts) and the
 * validation scripts alike. It lives under scripts/ so that scripts never import test code:
 *
 * - /tmp/upm-ksm.lock is held (created with O_EXCL, holder pid inside; a dead holder's lock is removed)
 *   for the whole time KSM is used, so the conformance suite and this script never overlap;
 * - every setting that may be changed is saved first and restored at the end, and ksmd left stopped
 *   (run=0), also on an exception, on exit and on SIGINT/SIGTERM/SIGHUP (restoreSync is synchronous for
 *   that reason);
 * - between runs everything is unmerged (run=2, wait until the counters are 0) and ksmd stopped (run=0);
 * - KSM counters are system-wide: processes other than ours that take part in KSM are waited for before
 *   a run and reported when seen during one.
 */
import * as fs from 'fs';
import * as path from 'path';

export const KSM_DIR = '/sys/kernel/mm/ksm';
export const LOCK_FILE = '/tmp/upm-ksm.lock';

/** Settings a run may change; all are saved first and restored at the end. */
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
export type KsmSetting = (typeof KSM_SETTINGS)[number];

export const COUNTERS = [
  'pages_shared',
  'pages_sharing',
  'pages_unshared',
  'pages_volatile',
  'full_scans',
  'pages_scanned',
  'pages_skipped',
  'ksm_zero_pages',
  'stable_node_chains',
  'stable_node_dups',
  'general_profit',
] as const;
export type KsmCounters = Record<(typeof COUNTERS)[number], number>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Why real KSM cannot be used here, or null when it can. */
export function ksmUnavailableReason(): string | null {
  if (!fs.existsSync(path.join(KSM_DIR, 'run'))) return `KSM is absent (${KSM_DIR}/run does not exist)`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'not root: cannot write KSM settings';
  try {
    fs.accessSync(path.join(KSM_DIR, 'run'), fs.constants.W_OK);
  } catch {
    return `KSM is read-only here (${KSM_DIR}/run is not writable)`;
  }
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

export function counters(): KsmCounters {
  const out = {} as KsmCounters;
  for (const c of COUNTERS) {
    try {
      out[c] = Number(readKsm(c));
    } catch {
      out[c] = 0;
    }
  }
  return out;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface KsmSessionOptions {
  /**
   * At the end, leave ksmd stopped (run=0) whatever `run` was when the session opened (validation scripts:
   * a ksmd left running by someone without the lock is not theirs to restart). Default: restore it.
   */
  leaveRunStopped?: boolean;
}

export class KsmSession {
  readonly saved = new Map<KsmSetting, string>();
  savedRun = '0';
  private locked = false;
  private readonly exitHook = () => this.restoreSync();

  constructor(private readonly options: KsmSessionOptions = {}) {}

  /** Takes the lock (waits up to `waitMs` while another live process holds it) and saves every setting. */
  async open(waitMs = 900_000, log: (l: string) => void = () => undefined): Promise<void> {
    const deadline = Date.now() + waitMs;
    let told = false;
    for (;;) {
      try {
        fs.writeFileSync(LOCK_FILE, `${process.pid}\n`, { flag: 'wx' });
        this.locked = true;
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        let holder = 0;
        try {
          holder = Number(fs.readFileSync(LOCK_FILE, 'utf8').trim());
        } catch {
          continue; // removed meanwhile
        }
        if (!holder || !pidAlive(holder)) {
          fs.rmSync(LOCK_FILE, { force: true }); // stale lock of a dead process
          continue;
        }
        if (Date.now() > deadline) throw new Error(`${LOCK_FILE} held by pid ${holder} for more than ${waitMs} ms`);
        if (!told) log(`waiting for ${LOCK_FILE} (held by pid ${holder})`);
        told = true;
        await sleep(500);
      }
    }
    this.savedRun = readKsm('run');
    for (const s of KSM_SETTINGS) if (fs.existsSync(path.join(KSM_DIR, s))) this.saved.set(s, readKsm(s));
    // Whatever ends the process, KSM is left as it was found.
    process.on('exit', this.exitHook);
  }

  get isOpen(): boolean {
    return this.locked;
  }

  /** Unmerges everything (run=2), waits until the counters are 0, then stops ksmd (run=0). */
  async reset(timeoutMs = 120_000): Promise<void> {
    writeKsm('run', 2);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const c = counters();
      if (c.pages_shared === 0 && c.pages_sharing === 0 && c.ksm_zero_pages === 0) break;
      if (Date.now() > deadline) throw new Error(`KSM did not unmerge in ${timeoutMs} ms: ${JSON.stringify(c)}`);
      await sleep(50);
    }
    writeKsm('run', 0);
  }

  /** Resets, then sets the given settings (some, like merge_across_nodes, need no KSM pages). */
  async configure(settings: Partial<Record<KsmSetting, string | number>>): Promise<void> {
    if (!this.locked) throw new Error('KsmSession.configure before open');
    await this.reset();
    for (const [k, v] of Object.entries(settings)) {
      if (!this.saved.has(k as KsmSetting)) throw new Error(`setting ${k} does not exist here or was not saved`);
      if (readKsm(k) !== String(v)) writeKsm(k, v as string | number);
    }
  }

  /** Unmerges, then restores everything (see restoreSync). */
  async close(): Promise<void> {
    try {
      await this.reset();
    } finally {
      this.restoreSync();
    }
  }

  /**
   * Unmerges, restores every saved setting and `run` (or leaves run=0, see KsmSessionOptions), removes the lock. Synchronous (usable from exit and
   * signal handlers); safe to call more than once. Returns the problems met (empty when all went well).
   */
  restoreSync(): string[] {
    if (!this.locked) return [];
    const problems: string[] = [];
    try {
      try {
        writeKsm('run', 2);
        const deadline = Date.now() + 60_000;
        for (;;) {
          const c = counters();
          if (c.pages_shared === 0 && c.pages_sharing === 0 && c.ksm_zero_pages === 0) break;
          if (Date.now() > deadline) {
            problems.push(`KSM did not unmerge within 60 s: ${JSON.stringify(c)}`);
            break;
          }
          sleepSync(50);
        }
        writeKsm('run', 0);
      } catch (e) {
        problems.push(`unmerge: ${(e as Error).message}`);
      }
      for (const [k, v] of this.saved) {
        try {
          if (readKsm(k) !== v) writeKsm(k, v);
        } catch (e) {
          problems.push(`restore ${k}=${v}: ${(e as Error).message}`);
        }
      }
      const run = this.options.leaveRunStopped ? '0' : this.savedRun;
      try {
        if (readKsm('run') !== run) writeKsm('run', run);
      } catch (e) {
        problems.push(`run=${run}: ${(e as Error).message}`);
      }
      for (const [k, v] of this.saved) {
        try {
          const now = readKsm(k);
          if (now !== v) problems.push(`${k} is ${now}, was ${v}`);
        } catch {
          /* reported above */
        }
      }
    } finally {
      process.off('exit', this.exitHook);
      fs.rmSync(LOCK_FILE, { force: true });
      this.locked = false;
    }
    return problems;
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
export async function waitNoForeign(
  ours: number[],
  timeoutMs = 300_000,
  log: (l: string) => void = () => undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let told = false;
  for (;;) {
    const f = foreignKsmProcesses(ours);
    if (f.length === 0) return;
    if (Date.now() > deadline)
      throw new Error(`other processes use KSM, the counters would not be ours: ${f.join('; ')}`);
    if (!told) log(`waiting for other KSM users to go: ${f.join('; ')}`);
    told = true;
    await sleep(500);
  }
}

export interface KsmRun {
  final: KsmCounters;
  /** [ms since run=1, pages_shared, pages_sharing, full_scans] samples. */
  samples: [number, number, number, number][];
  /** ms since run=1 of the last change of pages_shared or pages_sharing. */
  lastChangeMs: number;
  /** ms since run=1 when the run was stopped. */
  stoppedMs: number;
  converged: boolean;
  /** Other processes seen taking part in KSM during the run (their pages count too). */
  foreign: string[];
}

/**
 * Starts ksmd (run=1) and polls the counters until pages_shared and pages_sharing have not moved for
 * `quietScans` full scans and at least `quietMs` (and the run lasted `minMs`), or `timeoutMs`; then run=0
 * (merged pages stay merged).
 */
export async function runUntilStable(opts: {
  ours: number[];
  pollMs?: number;
  quietScans?: number;
  quietMs?: number;
  minMs?: number;
  timeoutMs?: number;
  onSample?: (c: KsmCounters, tMs: number) => void;
}): Promise<KsmRun> {
  const poll = opts.pollMs ?? 20;
  const quietScans = opts.quietScans ?? 12;
  const quietMs = opts.quietMs ?? 500;
  const timeout = opts.timeoutMs ?? 600_000;
  const foreign = new Set<string>();
  const samples: KsmRun['samples'] = [];
  const t0 = performance.now();
  writeKsm('run', 1);
  let last = counters();
  let lastChangeScan = last.full_scans;
  let lastChangeMs = 0;
  let polls = 0;
  let converged = false;
  let t = 0;
  try {
    for (;;) {
      await sleep(poll);
      const c = counters();
      t = performance.now() - t0;
      if (polls++ % 10 === 0) for (const f of foreignKsmProcesses(opts.ours)) foreign.add(f);
      samples.push([t, c.pages_shared, c.pages_sharing, c.full_scans]);
      opts.onSample?.(c, t);
      if (c.pages_shared !== last.pages_shared || c.pages_sharing !== last.pages_sharing) {
        lastChangeScan = c.full_scans;
        lastChangeMs = t;
      }
      last = c;
      if (c.full_scans - lastChangeScan >= quietScans && t - lastChangeMs >= quietMs && t >= (opts.minMs ?? 0)) {
        converged = true;
        break;
      }
      if (t > timeout) break;
    }
  } finally {
    writeKsm('run', 0);
  }
  const final = counters();
  for (const f of foreignKsmProcesses(opts.ours)) foreign.add(f);
  return { final, samples, lastChangeMs, stoppedMs: t, converged, foreign: [...foreign] };
}

/** Seconds at which pages_sharing first reached `fraction` of `final` in the samples (null when final is 0). */
export function timeToFraction(samples: KsmRun['samples'], final: number, fraction: number): number | null {
  if (final <= 0) return null;
  for (const [t, , sharing] of samples) if (sharing >= final * fraction) return t / 1000;
  return null;
}
