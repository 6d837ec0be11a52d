import { Process, Processor } from '@nestjs/bull';
import { Logger } from '@nestjs/common';
import { JOB_NAMES, PlanJobPayload, PlanJobResult, PlanPointJobPayload, QUEUES } from '@upm/jobs';
import { PlanLifecycle, PlanQueue } from '@upm/platform';
import type { Job } from 'bull';

/**
 * The coordinator of a plan: starts it, which fans its sweep out into one point job per point, so several
 * workers on several machines share it. Light work: it runs in the worker's own process.
 */
@Processor(QUEUES.plans)
export class PlanProcessor {
  private readonly logger = new Logger(PlanProcessor.name);

  constructor(
    private readonly lifecycle: PlanLifecycle,
    private readonly queue: PlanQueue,
  ) {}

  @Process({ name: JOB_NAMES.plan, concurrency: 1 })
  async handle(job: Job<PlanJobPayload>): Promise<PlanJobResult> {
    const plan = await this.lifecycle.start(job.data.planId);
    if (!plan) {
      await job.discard();
      throw new Error(`plan ${job.data.planId} is not in the database`);
    }
    await job.progress(100);
    this.logger.log({ planId: plan.id, jobId: String(job.id) }, `plan ${plan.id}: ${plan.points} point job(s) enqueued`);
    return { version: 1, planId: plan.id, points: plan.points };
  }

  /**
   * A point job that a version before the plan-points queue left on this queue: moved to the plan-points queue
   * (same plan, same index) rather than run here, beside the coordinator. Light work, like the coordinator.
   */
  @Process({ name: JOB_NAMES.planPoint, concurrency: 1 })
  async forwardLegacyPoint(job: Job<PlanPointJobPayload>): Promise<void> {
    await this.queue.enqueuePoint(job.data.planId, job.data.index);
    this.logger.log({ planId: job.data.planId, jobId: String(job.id) }, `point ${job.data.index} moved to the plan-points queue`);
  }
}
