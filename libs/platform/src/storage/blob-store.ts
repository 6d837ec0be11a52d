import { Injectable, Logger } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { DataSource } from 'typeorm';

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

export interface StoredBlob {
  sha256: string;
  bytes: number;
  /** False when identical content was already stored: the upload was deduplicated. */
  created: boolean;
}

/**
 * Content-addressed blobs (dumps, traces) in the database, in chunks, so every worker on every machine
 * reads what the API stored, and a write streams with bounded memory. An upload's chunks become a
 * blob only when its `blobs` row is inserted at the end: a failed or oversized upload leaves nothing
 * visible, and its chunks are deleted at once (or by the orphan sweep if the process died).
 */
@Injectable()
export class BlobStore {
  private readonly logger = new Logger(BlobStore.name);

  constructor(private readonly dataSource: DataSource) {}

  private get pg(): boolean {
    return this.dataSource.options.type === 'postgres';
  }

  /** `?, ?, ?` or `$1, $2, $3`. */
  private sql(strings: TemplateStringsArray, ...names: string[]): string {
    return strings.reduce((acc, s, i) => acc + s + (i < names.length ? (this.pg ? `$${i + 1}` : '?') : ''), '');
  }

  /** Streams `source` into the store; throws UploadTooLargeError past `maxBytes`, leaving nothing behind. */
  async put(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, maxBytes: number): Promise<StoredBlob> {
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
      const sha256 = hash.digest('hex');
      const created = await this.commit(sha256, uploadId, bytes, seq);
      if (!created) await this.deleteChunks(uploadId);
      return { sha256, bytes, created };
    } catch (e) {
      await this.deleteChunks(uploadId).catch((err) => this.logger.warn(`could not delete chunks of ${uploadId}: ${err}`));
      throw e;
    }
  }

  /** Inserts the blob row unless the content exists; returns whether it inserted. */
  private async commit(sha256: string, uploadId: string, bytes: number, chunks: number): Promise<boolean> {
    const conflict = this.pg ? 'ON CONFLICT (sha256) DO NOTHING' : 'ON CONFLICT(sha256) DO NOTHING';
    const result = await this.dataSource.query(
      this.sql`INSERT INTO blobs (sha256, upload_id, size_bytes, chunk_count, created_at_ms) VALUES (${'a'}, ${'b'}, ${'c'}, ${'d'}, ${'e'}) ` +
        conflict +
        (this.pg ? ' RETURNING sha256' : ''),
      [sha256, uploadId, bytes, chunks, Date.now()],
    );
    if (this.pg) return Array.isArray(result) && result.length > 0;
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
    if (rows.length === 0) throw new Error(`no blob ${sha256}`);
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

  /** Deletes a blob (its row, then its chunks); a missing blob is a no-op. The caller checks nothing refers to it. */
  async delete(sha256: string): Promise<void> {
    const rows: Array<{ upload_id: string }> = await this.dataSource.query(this.sql`SELECT upload_id FROM blobs WHERE sha256 = ${'a'}`, [sha256]);
    await this.dataSource.query(this.sql`DELETE FROM blobs WHERE sha256 = ${'a'}`, [sha256]);
    for (const r of rows) await this.deleteChunks(r.upload_id);
  }

  private async deleteChunks(uploadId: string): Promise<void> {
    await this.dataSource.query(this.sql`DELETE FROM blob_chunks WHERE upload_id = ${'a'}`, [uploadId]);
  }
}
