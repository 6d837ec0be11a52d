import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';

/** A lock is taken over by another process after this long: a holder that died must not block for ever. */
const LEASE_MS = 30_000;
/** Waiting longer than this for a lock is an error (the critical sections take milliseconds). */
const WAIT_MS = 15_000;

export class LockTimeoutError extends Error {
  constructor(readonly keys: readonly string[]) {
    super(`timed out after ${WAIT_MS / 1000} s waiting for lock(s) ${keys.join(', ')}: try again`);
    this.name = 'LockTimeoutError';
  }
}

/**
 * Named mutual exclusion across every process that shares the database: API processes (several on one sqlite
 * file, or many machines with PostgreSQL) and workers. A lock is a row of `lease_locks`; it is taken by inserting
 * the row (the primary key refuses a second holder), released by deleting it, and expires after LEASE_MS so a
 * crashed holder does not block the others. The same SQL on both databases, so one test proves both.
 *
 * It guards the check-then-act steps that must not interleave: storing a blob and the row that refers to it
 * against deleting an unreferenced blob; submitting a plan against deleting its inputs.
 */
export class LeaseLocks {
  constructor(private readonly dataSource: DataSource) {}

  private sql(text: string): string {
    if (this.dataSource.options.type !== 'postgres') return text;
    let i = 0;
    return text.replace(/\?/g, () => `$${++i}`);
  }

  /** Runs `fn` holding every lock in `keys` (taken in sorted order, so two callers never deadlock). */
  async withLocks<T>(keys: readonly string[], fn: () => Promise<T>): Promise<T> {
    const sorted = [...new Set(keys)].sort();
    const owner = randomUUID();
    const held: string[] = [];
    try {
      for (const key of sorted) {
        await this.acquire(key, owner);
        held.push(key);
      }
      return await fn();
    } finally {
      for (const key of held) await this.release(key, owner);
    }
  }

  private async acquire(key: string, owner: string): Promise<void> {
    const deadline = Date.now() + WAIT_MS;
    for (let wait = 2; ; wait = Math.min(wait * 2, 50)) {
      const now = Date.now();
      await this.dataSource.query(this.sql('DELETE FROM lease_locks WHERE lock_key = ? AND expires_at_ms < ?'), [key, now]);
      await this.dataSource.query(
        this.sql('INSERT INTO lease_locks (lock_key, owner, expires_at_ms) VALUES (?, ?, ?) ON CONFLICT (lock_key) DO NOTHING'),
        [key, owner, now + LEASE_MS],
      );
      const rows: Array<{ owner: string }> = await this.dataSource.query(this.sql('SELECT owner FROM lease_locks WHERE lock_key = ?'), [key]);
      if (rows[0]?.owner === owner) return;
      if (Date.now() > deadline) throw new LockTimeoutError([key]);
      // jitter, so waiters do not retry in lockstep
      await sleep(wait * (0.5 + Math.random()));
    }
  }

  private async release(key: string, owner: string): Promise<void> {
    await this.dataSource.query(this.sql('DELETE FROM lease_locks WHERE lock_key = ? AND owner = ?'), [key, owner]);
  }
}

/** The lock of one content-addressed blob: its commit with the rows that refer to it, against its collection. */
export const blobLock = (sha256: string): string => `blob:${sha256}`;
/** The lock of one stored input (dump or trace): plan submission against its deletion. */
export const inputLock = (id: string): string => `input:${id}`;
/** The lock of one plan (by its full id): its submission against its deletion. */
export const planLock = (id: string): string => `plan:${id}`;
