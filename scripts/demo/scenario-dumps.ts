import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO_ROOT } from '../lib/services';

/** Two demo "functions": containers of one function share their runtime, libraries and data pages. */
export const DEMO_FUNCTIONS = [
  // An image-recognition-like function: a large shared model and runtime, some zeroed buffers.
  { name: 'image-recognition', processes: 4, pages: 8192, identical: 0.6, zero: 0.1, dupWithin: 0.05, seed: 11 },
  // A small HTTP handler: less in common.
  { name: 'http-handler', processes: 4, pages: 4096, identical: 0.4, zero: 0.05, dupWithin: 0.02, seed: 12 },
] as const;

export const SAMPLE_DUMPS_DIR = join(REPO_ROOT, 'samples', 'dumps');

/** The committed sample dumps, one per demo function (captured by captureScenarioDumps). */
export function sampleDumps(): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of DEMO_FUNCTIONS) {
    const p = join(SAMPLE_DUMPS_DIR, `${f.name}.dump`);
    if (existsSync(p)) out.set(f.name, p);
  }
  return out;
}

/**
 * Why live probing cannot run here, or null when it can: probing needs root (pagemap frame numbers, kpageflags)
 * and the native tools, which are built now (make -C kernel) if they are missing and a C compiler is present.
 */
export function whyNoLiveProbe(): string | null {
  if (process.getuid?.() !== 0) return 'not running as root (upm-probe needs root to read frame numbers and page flags)';
  const build = join(REPO_ROOT, 'kernel', 'build');
  const tools = [join(build, 'upm-scenario'), join(build, 'upm-probe')];
  if (tools.every((t) => existsSync(t))) return null;
  const cc = spawnSync('sh', ['-c', 'command -v "${CC:-cc}" && command -v make'], { encoding: 'utf8' });
  if (cc.status !== 0) return 'no C compiler or make on PATH to build the native tools (apt-get install gcc make)';
  const make = spawnSync('make', ['-C', join(REPO_ROOT, 'kernel')], { encoding: 'utf8' });
  if (make.status !== 0) {
    const last = `${make.stderr ?? ''}`.trim().split('\n').slice(-3).join(' | ');
    return `make -C kernel failed: ${last || `exit ${make.status}`}`;
  }
  return tools.every((t) => existsSync(t)) ? null : 'make -C kernel did not produce upm-scenario and upm-probe';
}

/**
 * Starts upm-scenario processes for each demo function and probes them with upm-probe: real dumps of
 * live processes whose content is known. Returns function name → dump path.
 */
export async function captureScenarioDumps(outDir: string, log: (l: string) => void): Promise<Map<string, string>> {
  mkdirSync(outDir, { recursive: true });
  const build = join(REPO_ROOT, 'kernel', 'build');
  const out = new Map<string, string>();
  for (const f of DEMO_FUNCTIONS) {
    const scenario = spawn(
      join(build, 'upm-scenario'),
      [
        '--processes', String(f.processes), '--pages', String(f.pages), '--identical', String(f.identical),
        '--zero', String(f.zero), '--dup-within', String(f.dupWithin), '--seed', String(f.seed), '--mergeable',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      const ready = await new Promise<{ pids: number[] }>((resolve, reject) => {
        const rl = createInterface({ input: scenario.stdout! });
        rl.once('line', (line) => resolve(JSON.parse(line)));
        scenario.once('exit', (code) => reject(new Error(`upm-scenario exited (${code}) before it was ready`)));
      });
      const file = join(outDir, `${f.name}.dump`);
      const probe = spawnSync(
        join(build, 'upm-probe'),
        [...ready.pids.flatMap((p) => ['--pid', String(p)]), '--label', `function=${f.name}`, '--label', 'source=upm-scenario', '-o', file],
        { encoding: 'utf8' },
      );
      if (probe.status !== 0) throw new Error(`upm-probe failed: ${probe.stderr.trim()}`);
      log(`probed ${f.processes} upm-scenario processes of ${f.name} (${f.pages} pages each) into ${file}`);
      out.set(f.name, file);
    } finally {
      scenario.kill('SIGTERM');
      await new Promise((r) => (scenario.exitCode !== null ? r(null) : scenario.once('exit', r)));
    }
  }
  return out;
}

/** For `node dist/scripts/demo/scenario-dumps.js --refresh-samples`: re-capture the committed samples. */
if (require.main === module && process.argv.includes('--refresh-samples')) {
  captureScenarioDumps(SAMPLE_DUMPS_DIR, console.log).then(
    () => console.log(readdirSync(SAMPLE_DUMPS_DIR).join('\n')),
    (e) => {
      console.error(e.message);
      process.exit(1);
    },
  );
}
