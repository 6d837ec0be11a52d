import { getQueueToken } from '@nestjs/bull';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ModuleRef } from '@nestjs/core';
import { ALL_QUEUES, JOB_NAMES } from '@upm/jobs';
import { addToCounter, env, jobFailedForGood, recordJob, type JobOutcome } from '@upm/platform';
import type { Job, Queue } from 'bull';

/**
 * Counts every job this worker finishes into the deployment's shared metrics hash in Redis (GET /metrics on the
 * API renders it), and logs each end with the job id and, for plan jobs, the plan id.
 */
@Injectable()
export class JobMetrics implements OnModuleInit {
  private readonly logger = new Logger('Jobs');
  private readonly prefix: string;

  constructor(
    private readonly moduleRef: ModuleRef,
    config: ConfigService,
  ) {
    this.prefix = env(config, 'QUEUE_PREFIX');
  }

  onModuleInit(): void {
    for (const name of ALL_QUEUES) {
      const queue = this.moduleRef.get<Queue>(getQueueToken(name), { strict: false });
      queue.on('completed', (job: Job) => void this.observe(queue, name, job, 'completed'));
      queue.on('failed', (job: Job, err: Error) => {
        void this.observe(queue, name, job, jobFailedForGood(job) ? 'failed' : 'retried', err);
      });
    }
  }

  private async observe(queue: Queue, name: string, job: Job, outcome: JobOutcome, err?: Error): Promise<void> {
    const seconds = job.processedOn && job.finishedOn ? (job.finishedOn - job.processedOn) / 1000 : undefined;
    const planId = (job.data as { planId?: unknown } | undefined)?.planId;
    const fields = { queue: name, jobId: String(job.id), jobName: job.name, ...(typeof planId === 'string' && { planId }), outcome, seconds };
    if (outcome === 'completed') this.logger.log(fields, `job ${job.id} completed`);
    else this.logger.warn({ ...fields, err: err?.message }, `job ${job.id} ${outcome}: ${err?.message}`);
    try {
      await recordJob(queue.client, this.prefix, { queue: name, name: job.name, outcome, seconds });
      if (outcome === 'completed' && job.name === JOB_NAMES.planPoint) await addToCounter(queue.client, this.prefix, 'plan_points_done');
    } catch (e) {
      this.logger.warn(fields, `could not record job metrics: ${(e as Error).message}`);
    }
  }
}
