import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { JOB_NAMES, PlanJobPayload, PlanPointJobPayload, QUEUES } from '@upm/jobs';
import { jobFailedForGood, PlanLifecycle } from '@upm/platform';
import type { Job, Queue } from 'bull';
import { extname, join } from 'node:path';

/** Plan points run one at a time per worker process: each takes a core. Scale with more workers. */
const POINT_CONCURRENCY = 1;

/**
 * Registers the sandboxed plan-point processor (a file, run in a child process by Bull) on the plan-points
 * queue, and marks a plan failed once one of its jobs (coordinator or point) has failed for good.
 */
@Injectable()
export class PlanPointRegistrar implements OnModuleInit {
  private readonly logger = new Logger(PlanPointRegistrar.name);

  constructor(
    @InjectQueue(QUEUES.plans) private readonly plans: Queue<PlanJobPayload>,
    @InjectQueue(QUEUES.planPoints) private readonly points: Queue<PlanPointJobPayload>,
    private readonly lifecycle: PlanLifecycle,
  ) {}

  onModuleInit(): void {
    const sandbox = join(__dirname, `plan-point.sandbox${extname(__filename)}`);
    void this.points.process(JOB_NAMES.planPoint, POINT_CONCURRENCY, sandbox);
    for (const queue of [this.plans, this.points])
      queue.on('failed', (job: Job<PlanJobPayload | PlanPointJobPayload>, err: Error) => void this.onFailed(job, err));
  }

  private async onFailed(job: Job<PlanJobPayload | PlanPointJobPayload>, err: Error): Promise<void> {
    if (!jobFailedForGood(job)) return;
    const fields = { planId: job.data.planId, jobId: String(job.id) };
    this.logger.error(fields, `plan job ${job.id} failed for good: ${err.message}`);
    await this.lifecycle.fail(job.data.planId, `${job.name} ${job.id}: ${err.message}`).catch((e) =>
      this.logger.error(fields, `could not mark plan ${job.data.planId} failed: ${e}`),
    );
  }
}
