import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { encodeTraceChunks, TraceIngest, type TraceProfile } from '@upm/model';
import { BlobStore, env, TraceEntity, UploadTooLargeError } from '@upm/platform';
import type { Request } from 'express';
import { createHash, randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { InvalidInputError, NotFoundError } from '../common/errors';
import { ComputePool } from '../compute/compute-pool';
import { traceRef } from '../compute/input-refs';
import { multipartFiles } from '../common/multipart';
import { TraceDto, TraceFunctionListDto, TraceListDto, UploadTraceQueryDto } from './dto/trace.dto';
import { toTraceDto } from './trace.mapper';

@Injectable()
export class TracesService {
  constructor(
    @InjectRepository(TraceEntity) private readonly traces: Repository<TraceEntity>,
    private readonly blobs: BlobStore,
    private readonly config: ConfigService,
    private readonly compute: ComputePool,
  ) {}

  /**
   * Ingests the uploaded files as they stream in (the three Azure 2019 files of a day, one Azure 2021
   * file, or Huawei request files), then stores the normalized trace. Any bad file rejects the whole
   * upload before anything is written.
   */
  async upload(req: Request, query: UploadTraceQueryDto): Promise<TraceDto> {
    const limit = env(this.config, 'UPLOAD_MAX_BYTES');
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit + 64 * 1024) {
      throw new UploadTooLargeError(limit);
    }
    const ingest = new TraceIngest({ format: query.format ?? 'auto' });
    const names: string[] = [];
    const partHashes: string[] = [];
    let sourceBytes = 0;
    for await (const part of multipartFiles(req, limit)) {
      names.push(part.filename);
      const hash = createHash('sha256');
      part.stream.on('data', (c: Buffer) => {
        sourceBytes += c.length;
        hash.update(c);
      });
      await ingest.addFile({ name: part.filename, stream: part.stream });
      partHashes.push(hash.digest('hex'));
    }
    if (names.length === 0) throw new InvalidInputError('the upload holds no files: send the trace files as multipart/form-data file parts');
    const trace = ingest.finish();
    // The same files (in any order) with the same format option are the same trace: store it once.
    const sourceSha256 = createHash('sha256')
      .update(JSON.stringify({ format: query.format ?? 'auto', files: partHashes.sort() }))
      .digest('hex');
    const existing = await this.traces.findOneBy({ sourceSha256 });
    if (existing) return { ...toTraceDto(existing), deduplicated: true };
    const { format, window, stats, joinReport, files } = trace;
    // Stored straight from the trace's arrays (views, no serialized copy): the ingest's memory is the peak.
    const blob = await this.blobs.stage(encodeTraceChunks(trace), Number.MAX_SAFE_INTEGER);
    // The row is written with the blob's commit, under its lock: a delete of identical content cannot interleave.
    return this.blobs.commitReferenced([blob], async () => {
      // The same upload ingested concurrently: the other request stored it first.
      const winner = await this.traces.findOneBy({ sourceSha256 });
      if (winner) return { ...toTraceDto(winner), deduplicated: true };
      const entity = this.traces.create({
        id: randomUUID(),
        name: query.name ?? names.join(', ').slice(0, 255),
        format,
        sha256: blob.sha256,
        sourceSha256,
        sourceBytes,
        window,
        stats: { ...stats },
        joinReport: joinReport ? { ...joinReport } : null,
        files: files.map((f) => ({ ...f })),
        createdAtMs: Date.now(),
      });
      await this.traces.insert(entity);
      return { ...toTraceDto(entity), deduplicated: false };
    });
  }

  async list(limit = 50, offset = 0): Promise<TraceListDto> {
    const [rows, total] = await this.traces.findAndCount({ order: { createdAtMs: 'DESC', id: 'ASC' }, take: limit, skip: offset });
    return { items: rows.map(toTraceDto), total };
  }

  async get(id: string): Promise<TraceDto> {
    return toTraceDto(await this.entity(id));
  }

  /** The trace's functions, most invoked first: the keys a plan's profiles name. */
  async functions(id: string, limit = 50, offset = 0): Promise<TraceFunctionListDto> {
    const entity = await this.entity(id);
    const rows = await this.compute.run({ kind: 'traceFunctions', trace: traceRef(entity) });
    return { items: rows.slice(offset, offset + limit), total: rows.length };
  }

  private async entity(id: string): Promise<TraceEntity> {
    const entity = /^[0-9a-f-]{36}$/i.test(id) ? await this.traces.findOneBy({ id }) : null;
    if (!entity) throw new NotFoundError(`No trace ${id}`);
    return entity;
  }

  /** Invocations per minute over the window and the busiest functions (decodes the stored trace). */
  async profile(id: string, top = 20): Promise<TraceProfile> {
    return this.compute.run({ kind: 'traceProfile', trace: traceRef(await this.entity(id)), top });
  }
}
