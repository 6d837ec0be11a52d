import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { DumpDecoder, DumpEvent, DumpSummarizer, SharingReport, validateAnalysisRequest } from '@upm/model';
import { BlobStore, DumpEntity, env, UploadTooLargeError } from '@upm/platform';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { Repository } from 'typeorm';
import { NotFoundError } from '../common/errors';
import { ComputePool } from '../compute/compute-pool';
import { dumpRef } from '../compute/input-refs';
import { DumpDto, DumpListDto, SharingQueryDto } from './dto/dump.dto';
import { toDumpDto, toDumpSummaryDto } from './dump.mapper';

@Injectable()
export class DumpsService {
  constructor(
    @InjectRepository(DumpEntity) private readonly dumps: Repository<DumpEntity>,
    private readonly blobs: BlobStore,
    private readonly config: ConfigService,
    private readonly compute: ComputePool,
  ) {}

  /**
   * Streams an upload into the blob store while decoding it: a dump that fails validation, or grows past
   * the limit, is rejected and leaves nothing behind. An identical dump is stored once.
   */
  async upload(body: Readable, opts: { name?: string; contentLength?: number }): Promise<DumpDto> {
    const limit = env(this.config, 'UPLOAD_MAX_BYTES');
    if (opts.contentLength !== undefined && opts.contentLength > limit) throw new UploadTooLargeError(limit);
    const decoder = new DumpDecoder({ name: opts.name ?? 'upload' });
    const summarizer = new DumpSummarizer();
    const events: DumpEvent[] = [];
    async function* validated(): AsyncGenerator<Uint8Array> {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        decoder.push(chunk, events);
        for (const e of events) summarizer.add(e);
        events.length = 0;
        yield chunk;
      }
      decoder.end();
    }
    const blob = await this.blobs.stage(validated(), limit);
    const summary = summarizer.result();
    // The row is written with the blob's commit, under its lock: a delete of identical content cannot interleave.
    return this.blobs.commitReferenced([blob], async () => {
      const existing = await this.dumps.findOneBy({ sha256: blob.sha256 });
      if (existing) return toDumpDto(existing, true);
      const entity = this.dumps.create({
        id: randomUUID(),
        sha256: blob.sha256,
        name: opts.name ?? summary.labels.function ?? 'dump',
        sizeBytes: blob.bytes,
        labels: summary.labels,
        summary: { ...toDumpSummaryDto(summary) },
        createdAtMs: Date.now(),
      });
      await this.dumps.insert(entity);
      return toDumpDto(entity, false);
    });
  }

  async list(limit = 50, offset = 0): Promise<DumpListDto> {
    const [rows, total] = await this.dumps.findAndCount({ order: { createdAtMs: 'DESC', id: 'ASC' }, take: limit, skip: offset });
    return { items: rows.map((r) => toDumpDto(r)), total };
  }

  async get(id: string): Promise<DumpDto> {
    return toDumpDto(await this.entity(id));
  }

  /** The sharing breakdown of one dump (at a snapshot, under a model's mergeability), on a compute thread. */
  async sharing(id: string, query: SharingQueryDto = {}): Promise<SharingReport> {
    const snapshot = query.snapshot === undefined || query.snapshot === 'first' || query.snapshot === 'last' ? query.snapshot : Number(query.snapshot);
    const request = validateAnalysisRequest({ model: 'sharing', mergeability: query.mergeability, snapshot });
    const entity = await this.entity(id);
    return this.compute.run({ kind: 'sharing', request, dump: { ...dumpRef(entity), name: entity.name } });
  }

  private async entity(id: string): Promise<DumpEntity> {
    const entity = /^[0-9a-f-]{36}$/i.test(id) ? await this.dumps.findOneBy({ id }) : null;
    if (!entity) throw new NotFoundError(`No dump ${id}`);
    return entity;
  }
}
