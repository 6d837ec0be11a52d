import { Injectable, Logger } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { blobLock, LeaseLocks } from '../database/lease-locks';

/** Chunk size of stored blobs: large enough for few rows, small enough to stream with bounded memory. */
export const BLOB_CHUNK_BYTES = 4 << 20;
/** Chunks of an upload that never completed are removed after this long. */
const ORPHAN_AGE_MS = 3600_000;

export class UploadTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`upload exceeds the limit of ${limitBytes} bytes (UPLOAD_MAX_BYTES)`);
    this.name = 'UploadTooLargeError';
  }
}

/** No blob holds this content (never stored, or collected). */
export class BlobNotFoundError extends Error {
  constructor(readonly sha256: string) {
    super(`no blob ${sha256}`);
    this.name = 'BlobNotFoundError';
  }
}

/** The columns that refer to blobs: a blob is collected when none of them holds its hash. */
const BLOB_REFERENCES: ReadonlyArray<readonly [string, string]> = [
  ['dumps', 'sha256'],
  ['traces', 'sha256'],
  ['plans', 'result_sha256'],
  ['plans', 'timeseries_sha256'],
  ['plan_points', 'result_sha256'],
  ['plan_points', 'timeseries_sha256'],
];

/** An upload's chunks, hashed, not yet a blob (see BlobStore.stage). */
export interface StagedBlob {
  sha256: string;
  bytes: number;
  uploadId: string;
  chunks: number;
}

export interface StoredBlob {
  sha256: string;
  bytes: number;
  /** False when identical content was already stored: the upload was deduplicated. */
  created: boolean;
}

/**
 * Content-addressed blobs (dumps, traces, results) in the database, in chunks, so every worker on every machine
 * reads what the API stored, and a write streams with bounded memory. An upload's chunks become a
 * blob only when its `blobs` row is inserted at the end: a failed or oversized upload leaves nothing
 * visible, and its chunks are deleted at once (or by the orphan sweep if the process died).
 *
 * Identical content is stored once and shared, so a blob is deleted only when nothing refers to it; the
 * commit of a blob with its referring rows and the collection of an unreferenced blob hold the blob's lease
 * lock, so a delete racing an identical upload can never leave a row whose blob is gone.
 */
@Injectable()
export class BlobStore {
  private readonly logger = new Logger(BlobStore.name);

  private readonly locks: LeaseLocks;

  constructor(private readonly dataSource: DataSource) {
    this.locks = new LeaseLocks(dataSource);
  }

  private get pg(): boolean {
    return this.dataSource.options.type === 'postgres';
  }

  /** `?, ?, ?` or `$1, $2, $3`. */
  private sql(strings: TemplateStringsArray, ...names: string[]): string {
    return strings.reduce((acc, s, i) => acc + s + (i < names.length ? (this.pg ? `$${i + 1}` : '?') : ''), '');
  }

  /**
   * Streams `source` into chunks of an upload of its own, hashing it; throws UploadTooLargeError past `maxBytes`,
   * leaving nothing behind. The content is not a blob yet: `commit` makes it one, `discard` drops it.
   */
  async stage(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, maxBytes: number): Promise<StagedBlob> {
    const uploadId = randomUUID();
    const hash = createHash('sha256');
    let bytes = 0;
    let seq = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const flush = async () => {
      if (pendingBytes === 0) return;
      const data = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      await this.dataSource.query(
        this.sql`INSERT INTO blob_chunks (upload_id, seq, data, created_at_ms) VALUES (${'u'}, ${'s'}, ${'d'}, ${'t'})`,
        [uploadId, seq++, data, Date.now()],
      );
    };
    try {
      for await (const chunk of source) {
        bytes += chunk.byteLength;
        if (bytes > maxBytes) throw new UploadTooLargeError(maxBytes);
        hash.update(chunk);
        // A large chunk (a whole serialized trace) is cut into views, never copied whole.
        const whole = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        for (let at = 0; at < whole.length; ) {
          const take = Math.min(whole.length - at, BLOB_CHUNK_BYTES - pendingBytes);
          pending.push(whole.subarray(at, at + take));
          pendingBytes += take;
          at += take;
          if (pendingBytes >= BLOB_CHUNK_BYTES) await flush();
        }
      }
      await flush();
      return { sha256: hash.digest('hex'), bytes, uploadId, chunks: seq };
    } catch (e) {
      await this.discard({ uploadId }).catch((err) => this.logger.warn(`could not delete chunks of ${uploadId}: ${err}`));
      throw e;
    }
  }

  /**
   * Makes staged uploads blobs and runs `refer`, which writes the rows that refer to them, as one step under
   * the blobs' locks: a concurrent `collect` either ran before (and the blob is stored anew from these chunks)
   * or runs after and sees the rows. Content already stored is kept and the staged copy dropped. When `refer`
   * throws, blobs this call created are collected again unless something else refers to them.
   */
  async commitReferenced<T>(staged: readonly StagedBlob[], refer: () => Promise<T>): Promise<T> {
    try {
      return await this.locks.withLocks(
        staged.map((b) => blobLock(b.sha256)),
        async () => {
          const created: string[] = [];
          for (const b of staged) if (await this.commit(b)) created.push(b.sha256);
          try {
            return await refer();
          } catch (e) {
            for (const sha of created) await this.collectLocked(sha);
            throw e;
          }
        },
      );
    } finally {
      // chunks of a commit that deduplicated, or of one that failed; a committed upload's chunks are kept
      for (const b of staged) await this.discardUnlessCommitted(b);
    }
  }

  /** Stores `source` as a blob that nothing refers to yet (tests, and callers that refer to it by other means). */
  async put(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, maxBytes: number): Promise<StoredBlob> {
    const staged = await this.stage(source, maxBytes);
    let created = false;
    try {
      await this.locks.withLocks([blobLock(staged.sha256)], async () => void (created = await this.commit(staged)));
    } finally {
      await this.discardUnlessCommitted(staged);
    }
    return { sha256: staged.sha256, bytes: staged.bytes, created };
  }

  /** Drops a staged upload's chunks. */
  async discard(staged: Pick<StagedBlob, 'uploadId'>): Promise<void> {
    await this.deleteChunks(staged.uploadId);
  }

  private async discardUnlessCommitted(staged: StagedBlob): Promise<void> {
    const rows = await this.dataSource.query(this.sql`SELECT 1 FROM blobs WHERE upload_id = ${'a'}`, [staged.uploadId]);
    if (rows.length === 0) await this.discard(staged).catch((err) => this.logger.warn(`could not delete chunks of ${staged.uploadId}: ${err}`));
  }

  /** Inserts the blob row unless the content exists; returns whether it inserted. Called under the blob's lock. */
  private async commit(staged: StagedBlob): Promise<boolean> {
    const { sha256, uploadId, bytes, chunks } = staged;
    await this.dataSource.query(
      this.sql`INSERT INTO blobs (sha256, upload_id, size_bytes, chunk_count, created_at_ms) VALUES (${'a'}, ${'b'}, ${'c'}, ${'d'}, ${'e'}) ON CONFLICT (sha256) DO NOTHING`,
      [sha256, uploadId, bytes, chunks, Date.now()],
    );
    const [{ n }] = await this.dataSource.query(this.sql`SELECT COUNT(*) AS n FROM blobs WHERE sha256 = ${'a'} AND upload_id = ${'b'}`, [sha256, uploadId]);
    return Number(n) === 1;
  }

  async exists(sha256: string): Promise<boolean> {
    const rows = await this.dataSource.query(this.sql`SELECT 1 FROM blobs WHERE sha256 = ${'a'}`, [sha256]);
    return rows.length > 0;
  }

  /** The blob's bytes as a stream, one chunk in memory at a time. */
  async open(sha256: string): Promise<Readable> {
    const rows = await this.dataSource.query(this.sql`SELECT upload_id, chunk_count FROM blobs WHERE sha256 = ${'a'}`, [sha256]);
    if (rows.length === 0) throw new BlobNotFoundError(sha256);
    const { upload_id: uploadId, chunk_count: count } = rows[0];
    const ds = this.dataSource;
    const select = this.sql`SELECT data FROM blob_chunks WHERE upload_id = ${'a'} AND seq = ${'b'}`;
    async function* chunks(): AsyncGenerator<Buffer> {
      for (let seq = 0; seq < Number(count); seq++) {
        const r = await ds.query(select, [uploadId, seq]);
        if (r.length !== 1) throw new Error(`blob ${sha256} is missing chunk ${seq}`);
        yield Buffer.from(r[0].data);
      }
    }
    return Readable.from(chunks(), { objectMode: false });
  }

  async read(sha256: string): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const c of await this.open(sha256)) parts.push(c as Buffer);
    return Buffer.concat(parts);
  }

  /**
   * Removes chunks of uploads that never completed (a process died mid-upload) and are older than `olderThanMs`
   * (younger ones may belong to an upload another API process is still writing).
   */
  async sweepOrphans(now = Date.now(), olderThanMs = ORPHAN_AGE_MS): Promise<number> {
    const rows = await this.dataSource.query(
      this.sql`SELECT DISTINCT c.upload_id FROM blob_chunks c LEFT JOIN blobs b ON b.upload_id = c.upload_id WHERE b.upload_id IS NULL AND c.created_at_ms < ${'a'}`,
      [now - olderThanMs],
    );
    for (const r of rows) await this.deleteChunks(r.upload_id);
    return rows.length;
  }

  /**
   * Deletes the blob (its row, then its chunks) when no dump, trace, plan or plan point refers to it, under the
   * blob's lock so that no commit of the same content with its referring row interleaves. Returns whether it
   * deleted; a missing blob is a no-op.
   */
  async collect(sha256: string): Promise<boolean> {
    return this.locks.withLocks([blobLock(sha256)], () => this.collectLocked(sha256));
  }

  private async collectLocked(sha256: string): Promise<boolean> {
    for (const [table, column] of BLOB_REFERENCES) {
      const rows = await this.dataSource.query(`SELECT 1 FROM ${table} WHERE ${column} = ${this.pg ? '$1' : '?'} LIMIT 1`, [sha256]);
      if (rows.length > 0) return false;
    }
    const rows: Array<{ upload_id: string }> = await this.dataSource.query(this.sql`SELECT upload_id FROM blobs WHERE sha256 = ${'a'}`, [sha256]);
    if (rows.length === 0) return false;
    await this.dataSource.query(this.sql`DELETE FROM blobs WHERE sha256 = ${'a'}`, [sha256]);
    for (const r of rows) await this.deleteChunks(r.upload_id);
    return true;
  }

  private async deleteChunks(uploadId: string): Promise<void> {
    await this.dataSource.query(this.sql`DELETE FROM blob_chunks WHERE upload_id = ${'a'}`, [uploadId]);
  }
}
