/**
 * Drives the real KSM of this machine for the conformance tests: the lock, save/restore of every sysfs
 * setting, reset between cases and the converge loop come from scripts/lib/ksm-control.ts (shared with the
 * validation scripts); here are what only the tests need: upm-scenario processes and upm-probe dumps.
 */
import { ChildProcess, execFile, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';

const execFileP = promisify(execFile);

import {
  ksmUnavailableReason as ksmUnavailable,
  runUntilStable as runKsmUntilStable,
  type KsmCounters,
  type KsmRun,
} from '../../scripts/lib/ksm-control';

export {
  COUNTERS,
  KSM_DIR,
  KSM_SETTINGS,
  KsmSession,
  LOCK_FILE,
  counters,
  foreignKsmProcesses,
  readKsm,
  timeToFraction,
  waitNoForeign,
  writeKsm,
} from '../../scripts/lib/ksm-control';

export const ROOT = path.resolve(__dirname, '../..');
export const SCENARIO_BIN = path.join(ROOT, 'kernel/build/upm-scenario');
export const PROBE_BIN = path.join(ROOT, 'kernel/build/upm-probe');

export type KsmSnapshot = KsmCounters;
export type ConvergeResult = KsmRun;

/** Why the suite cannot run here, or null when it can (KSM writable, and the native tools built). */
export function ksmUnavailableReason(): string | null {
  const why = ksmUnavailable();
  if (why) return why;
  for (const b of [SCENARIO_BIN, PROBE_BIN])
    if (!fs.existsSync(b)) return `${path.relative(ROOT, b)} is not built (make -C kernel)`;
  return null;
}

/** The shared converge loop, where not converging within `timeoutMs` (default 2 min) fails the case. */
export async function runUntilStable(
  opts: { pollMs?: number; quietScans?: number; quietMs?: number; timeoutMs?: number; minMs?: number; ours: number[] },
): Promise<ConvergeResult> {
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const r = await runKsmUntilStable({ ...opts, timeoutMs });
  if (!r.converged) throw new Error(`KSM counters still moving after ${timeoutMs} ms: ${JSON.stringify(r.final)}`);
  return r;
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
