import { decodeTrace, loadDumpBytes, type Dump, type NormalizedTrace } from '@upm/model';
import { DataSource } from 'typeorm';
import { DumpEntity } from '../database/entities/dump.entity';
import { TraceEntity } from '../database/entities/trace.entity';
import { BlobNotFoundError, BlobStore } from '../storage/blob-store';
import { InputCache, retainedBytes } from './input-cache';

/** A trace or dump id that the database does not know. */
export class InputNotFoundError extends Error {
  constructor(
    readonly kind: 'trace' | 'dump',
    readonly id: string,
  ) {
    super(`No ${kind} ${id}`);
    this.name = 'InputNotFoundError';
  }
}

/** A stored input whose content is not in the blob store (a dump or trace row left by an older version's race). */
export class InputContentMissingError extends Error {
  constructor(
    readonly kind: 'trace' | 'dump',
    readonly id: string,
  ) {
    super(`${kind} ${id} has no stored content (its blob is missing): delete it and upload it again`);
    this.name = 'InputContentMissingError';
  }
}

/** Reads an input's content; its blob missing is the input's error, which says which input. */
async function contentOf<T>(kind: 'trace' | 'dump', row: { id: string }, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (e) {
    if (e instanceof BlobNotFoundError) throw new InputContentMissingError(kind, row.id);
    throw e;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Loads stored traces and dumps by id, for the API and the workers (plans, analyses). With `cacheBytes`, what
 * it decoded is kept by content hash (up to that much memory in their typed arrays, least recently used dropped
 * first): the
 * point jobs of a sweep, run one after another in one sandbox process, then read and decode each input once.
 * Callers only read what they get (runPlan and runAnalysis do not modify their inputs).
 */
export class StoredInputs {
  private readonly blobs: BlobStore;
  private readonly cache: InputCache<Dump | NormalizedTrace> | null;

  constructor(
    private readonly dataSource: DataSource,
    opts: { cacheBytes?: number } = {},
  ) {
    this.blobs = new BlobStore(dataSource);
    this.cache = opts.cacheBytes ? new InputCache(opts.cacheBytes) : null;
  }

  async traceEntity(id: string): Promise<TraceEntity> {
    const row = UUID.test(id) ? await this.dataSource.getRepository(TraceEntity).findOneBy({ id }) : null;
    if (!row) throw new InputNotFoundError('trace', id);
    return row;
  }

  async dumpEntities(ids: readonly string[]): Promise<DumpEntity[]> {
    const repo = this.dataSource.getRepository(DumpEntity);
    const rows: DumpEntity[] = [];
    for (const id of new Set(ids)) {
      const row = UUID.test(id) ? await repo.findOneBy({ id }) : null;
      if (!row) throw new InputNotFoundError('dump', id);
      rows.push(row);
    }
    return rows;
  }

  /**
   * Checks that the trace and every dump exist with their content, as a plan's point job will read them:
   * what would fail there on every attempt fails here, at submission.
   */
  async requireReadable(traceId: string, dumpIds: readonly string[]): Promise<void> {
    const trace = await this.traceEntity(traceId);
    if (!(await this.blobs.exists(trace.sha256))) throw new InputContentMissingError('trace', trace.id);
    for (const dump of await this.dumpEntities(dumpIds))
      if (!(await this.blobs.exists(dump.sha256))) throw new InputContentMissingError('dump', dump.id);
  }

  async loadTrace(id: string): Promise<NormalizedTrace> {
    const row = await this.traceEntity(id);
    const hit = this.cache?.get(row.sha256);
    if (hit) return hit as NormalizedTrace;
    const bytes = await contentOf('trace', row, () => this.blobs.read(row.sha256));
    const trace = decodeTrace(bytes);
    if (this.cache) this.cache.set(row.sha256, trace, retainedBytes(trace));
    return trace;
  }

  /** Dumps by id, each loaded once however often it is referenced. */
  async loadDumps(ids: readonly string[]): Promise<Map<string, Dump>> {
    const out = new Map<string, Dump>();
    for (const row of await this.dumpEntities(ids)) {
      const hit = this.cache?.get(row.sha256);
      if (hit) {
        out.set(row.id, hit as Dump);
        continue;
      }
      const bytes = await contentOf('dump', row, () => this.blobs.read(row.sha256));
      const dump = loadDumpBytes(bytes, { name: `dump ${row.id}` });
      if (this.cache) this.cache.set(row.sha256, dump, retainedBytes(dump));
      out.set(row.id, dump);
    }
    return out;
  }
}
