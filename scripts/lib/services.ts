import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, WriteStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const REPO_ROOT = resolve(__dirname, '..', '..').replace(/[\\/]dist$/, '');

export type ServiceName = 'api' | 'worker';

/**
 * Starts the API or the worker as a child process: from dist/ when built (the demo), or from the
 * TypeScript sources through ts-node (tests exercise the tree as it is).
 */
export class ServiceProcess {
  readonly child: ChildProcess;
  private readonly log?: WriteStream;

  constructor(
    readonly name: ServiceName,
    env: Record<string, string>,
    opts: { fromSource?: boolean; logFile?: string } = {},
  ) {
    const built = join(REPO_ROOT, 'dist', 'apps', name, 'src', 'main.js');
    const source = join(REPO_ROOT, 'apps', name, 'src', 'main.ts');
    const useSource = opts.fromSource ?? !existsSync(built);
    const args = useSource ? ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', source] : [built];
    this.child = spawn(process.execPath, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, TS_NODE_PROJECT: join(REPO_ROOT, 'tsconfig.json'), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (opts.logFile) {
      this.log = createWriteStream(opts.logFile, { flags: 'a' });
      this.child.stdout?.pipe(this.log, { end: false });
      this.child.stderr?.pipe(this.log, { end: false });
    } else {
      this.child.stdout?.resume();
      this.child.stderr?.resume();
    }
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Waits for a line on stdout matching `pattern` (e.g. the worker's "ready"). */
  waitForOutput(pattern: RegExp, timeoutMs = 60_000): Promise<void> {
    return new Promise((resolvePromise, reject) => {
      let seen = '';
      const timer = setTimeout(() => reject(new Error(`${this.name} did not print ${pattern} within ${timeoutMs} ms:\n${seen.slice(-2000)}`)), timeoutMs);
      const onData = (d: Buffer) => {
        seen += d.toString();
        if (pattern.test(seen)) {
          clearTimeout(timer);
          this.child.stdout?.off('data', onData);
          resolvePromise();
        }
      };
      this.child.stdout?.on('data', onData);
      this.child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${this.name} exited (${code ?? signal}) before it was ready:\n${seen.slice(-2000)}`));
      });
    });
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000): Promise<void> {
    if (!this.running) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill(signal);
    const ac = new AbortController();
    const timedOut = await Promise.race([
      exited.then(() => false),
      sleep(timeoutMs, true, { signal: ac.signal }).catch(() => false),
    ]);
    ac.abort();
    if (timedOut) {
      this.child.kill('SIGKILL');
      await exited;
    }
    this.log?.end();
  }
}

/** Polls GET url until it answers `status`. */
export async function waitForHttp(url: string, status = 200, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.status === status) return;
      last = `${res.status} ${await res.text()}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await sleep(200);
  }
  throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms (last: ${last})`);
}
