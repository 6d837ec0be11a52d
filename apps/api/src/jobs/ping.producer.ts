import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { JOB_NAMES, jobIdFor, PingPayload, QUEUES } from '@upm/jobs';
import type { Queue } from 'bull';
import { EnqueuePingDto } from './dto/enqueue-ping.dto';
import { JobStatusDto } from './dto/job-status.dto';
import { toJobStatusDto } from './job-status.mapper';
import { JobStatusService } from './job-status.service';

@Injectable()
export class PingProducer {
  constructor(
    @InjectQueue(QUEUES.system) private readonly queue: Queue<PingPayload>,
    private readonly status: JobStatusService,
  ) {}

  async enqueue(dto: EnqueuePingDto): Promise<JobStatusDto> {
    await this.status.requireRedis();
    const payload: PingPayload = { version: 1, message: dto.message ?? 'ping', holdMs: dto.holdMs ?? 0 };
    const job = await this.queue.add(JOB_NAMES.ping, payload, { jobId: jobIdFor(QUEUES.system, randomUUID()) });
    return toJobStatusDto(job, QUEUES.system, 'waiting');
  }
}
