import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, redisAnswers } from './net';

export class RedisNotFoundError extends Error {}

/** A private, memory-only redis-server started from PATH (for the demo and for tests that stop Redis). */
export class PrivateRedis {
  private child?: ChildProcess;
  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(port?: number): Promise<PrivateRedis> {
    if (spawnSync('redis-server', ['--version']).error) {
      throw new RedisNotFoundError(
        'No Redis: REDIS_URL is unset, nothing answers on 127.0.0.1:6379, and redis-server is not on PATH. ' +
          'Install it (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis) or set REDIS_URL.',
      );
    }
    const redis = new PrivateRedis(port ?? (await freePort()));
    await redis.startProcess();
    return redis;
  }

  /** (Re)starts the server on the same port. */
  async startProcess(): Promise<void> {
    this.child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
      { stdio: 'ignore' },
    );
    const deadline = Date.now() + 10_000;
    while (!(await redisAnswers(this.url, 300))) {
      if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${this.port} within 10 s`);
      await sleep(50);
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    this.child = undefined;
  }
}
