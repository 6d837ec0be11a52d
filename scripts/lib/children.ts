/**
 * The child processes a validation script starts, so that it can end them, and only them, by pid: on
 * success (stdin closed, a grace period, then SIGKILL) and synchronously from an exit or signal handler.
 */
import { ChildProcess } from 'child_process';

export interface Started {
  proc: ChildProcess;
  pid: number;
}

const alive = (c: Started) => c.proc.exitCode === null && c.proc.signalCode === null;

export class Children<C extends Started = Started> {
  readonly list: C[] = [];

  add(child: C): C {
    this.list.push(child);
    return child;
  }

  get pids(): number[] {
    return this.list.map((c) => c.pid);
  }

  /** SIGKILL every child still alive (synchronous: safe in an 'exit' handler). */
  killSync(): void {
    for (const c of this.list) {
      if (!alive(c)) continue;
      try {
        process.kill(c.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }

  /** Closes every live child's stdin (they exit when it closes), waits up to graceMs, then kills the rest. */
  async stop(graceMs = 5000): Promise<void> {
    const live = this.list.filter(alive);
    const gone = live.map((c) => new Promise((r) => c.proc.once('exit', r)));
    for (const c of live) c.proc.stdin?.end();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(gone), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    this.killSync();
  }

  /** Forgets the (stopped) children, for the next round. */
  clear(): void {
    this.list.length = 0;
  }
}
