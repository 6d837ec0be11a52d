import { Injectable } from '@nestjs/common';
import { queueOfJobId } from '@upm/jobs';
import { DependencyUnavailableError, NotFoundError } from '../common/errors';
import { RedisProbe } from '../health/redis-probe';
import { JobStatusDto } from './dto/job-status.dto';
import { toJobStatusDto } from './job-status.mapper';
import { QueueRegistry } from './queue-registry';

@Injectable()
export class JobStatusService {
  constructor(
    private readonly queues: QueueRegistry,
    private readonly redis: RedisProbe,
  ) {}

  async get(id: string): Promise<JobStatusDto> {
    const queueName = queueOfJobId(id);
    if (!queueName) throw new NotFoundError(`No job ${id}: job ids start with a queue name`);
    await this.requireRedis();
    const queue = this.queues.get(queueName);
    const job = await queue.getJob(id);
    if (!job) throw new NotFoundError(`No job ${id} (finished jobs are kept for a day)`);
    return toJobStatusDto(job, queueName, await job.getState());
  }

  async requireRedis(): Promise<void> {
    const r = await this.redis.check();
    if (!r.up) throw new DependencyUnavailableError(`Redis is unavailable (${r.error}); retry later`, { down: ['redis'] });
  }
}
