import { Process, Processor } from '@nestjs/bull';
import { Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { JOB_NAMES, PingPayload, PingResult, QUEUES } from '@upm/jobs';
import { PingRecordEntity } from '@upm/platform';
import type { Job } from 'bull';
import { setTimeout as sleep } from 'node:timers/promises';
import { Repository } from 'typeorm';
import { WORKER_ID } from '../worker-identity';

@Processor(QUEUES.system)
export class PingProcessor {
  private readonly logger = new Logger(PingProcessor.name);

  constructor(@InjectRepository(PingRecordEntity) private readonly records: Repository<PingRecordEntity>) {}

  @Process(JOB_NAMES.ping)
  async handle(job: Job<PingPayload>): Promise<PingResult> {
    const { message, holdMs } = job.data;
    this.logger.log({ jobId: String(job.id) }, `ping ${job.id}: holding ${holdMs} ms (attempt ${job.attemptsMade + 1})`);
    // Hold in slices so progress moves and the lock keeps being renewed between them.
    const slices = Math.max(1, Math.ceil(holdMs / 250));
    for (let i = 1; i <= slices; i++) {
      await sleep(holdMs / slices);
      await job.progress(Math.round((i / slices) * 100));
    }
    // Keyed by job id: a job re-run after a worker died updates the same row, never adds a second.
    const now = Date.now();
    const existing = await this.records.findOneBy({ jobId: String(job.id) });
    const runs = (existing?.runs ?? 0) + 1;
    await this.records.save({ jobId: String(job.id), message, workerId: WORKER_ID, runs, processedAtMs: now });
    return { version: 1, message, workerId: WORKER_ID, runs, recordedAtMs: now };
  }
}
