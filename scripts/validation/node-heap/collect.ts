/**
 * Collecting, for the node-heap validation: the seeded data file, the child processes (child.js, opted in to
 * KSM by prctl-exec.py), the probe, the CLI's analyses, and what /proc and /sys say about the machine and ksmd.
 */
import { execFile, execFileSync, spawn } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createInterface } from 'readline';
import { promisify } from 'util';
import { Children, Started } from '../../lib/children';
import { CLK_TCK, MiB, PROBE_BIN, ROOT } from './common';
import { Report } from './report';

const execFileP = promisify(execFile);

export interface CliAnalyzeOptions {
  sharing?: boolean;
  model?: string;
  timeline?: boolean;
  pagesToScan?: string;
  sleepMs?: string;
}

/** `upm analyze DUMP --json ...` run as the user runs it (the CLI from source), its stdout. */
export async function upmAnalyze(dumpFile: string, o: CliAnalyzeOptions): Promise<string> {
  const args = [path.join(ROOT, 'apps/cli/src/main.ts'), 'analyze', dumpFile, '--json'];
  if (o.sharing) args.push('--sharing');
  if (o.model) args.push('--model', o.model);
  if (o.timeline) args.push('--timeline');
  if (o.pagesToScan) args.push('--pages-to-scan', o.pagesToScan);
  if (o.sleepMs) args.push('--sleep-ms', o.sleepMs);
  const r = await execFileP(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', ...args],
    {
      cwd: ROOT,
      maxBuffer: 256 * MiB,
    },
  );
  return r.stdout;
}

/** Deterministic pseudo-random bytes (xorshift128, seeded through splitmix32). */
export function writeSeededFile(file: string, bytes: number, seed: number): string {
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

/** The children this run started, ended by pid at the end (also from the exit and signal handlers). */
export const children = new Children();

const CHILD_JS = path.join(__dirname, 'child.js');
/** Given to `python3 -c` rather than run as a file: the children's command line stays the one docs/validation.md shows. */
const PRCTL_EXEC_PY = fs.readFileSync(path.join(__dirname, 'prctl-exec.py'), 'utf8');

/** Starts child.js on the data file with KSM opted in (prctl-exec.py), resolves when it prints `ready`. */
export function startChild(dataFile: string, timeoutMs: number): Promise<Started> {
  return new Promise((resolve, reject) => {
    const proc = spawn('python3', ['-c', PRCTL_EXEC_PY, process.execPath, CHILD_JS, dataFile], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const child = children.add({ proc, pid: proc.pid! });
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

export function ksmStat(pid: number): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const line of fs.readFileSync(`/proc/${pid}/ksm_stat`, 'utf8').split('\n')) {
    const m = /^(\S+?):?\s+(\S+)$/.exec(line.trim());
    if (m) out[m[1]] = /^-?\d+$/.test(m[2]) ? Number(m[2]) : m[2];
  }
  return out;
}

export async function probe(
  pids: number[],
  file: string,
  opts: { interval?: number; count?: number; labels: string[] },
) {
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

/** Busy and total jiffies of all CPUs (/proc/stat), ksmd's own CPU seconds, the load average. */
export function cpuSample(ksmd: number | null): {
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

export function ksmdPid(): number | null {
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
export function schedOf(pid: number | null): { run: number; wait: number } {
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

export function machine(): Report['machine'] {
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
