import { Process, Processor } from '@nestjs/bull';
import { Logger } from '@nestjs/common';
import { JOB_NAMES, PlanJobPayload, PlanJobResult, QUEUES } from '@upm/jobs';
import { PlanLifecycle } from '@upm/platform';
import type { Job } from 'bull';

/**
 * The coordinator of a plan: starts it, which fans its sweep out into one point job per point, so several
 * workers on several machines share it. Light work: it runs in the worker's own process.
 */
@Processor(QUEUES.plans)
export class PlanProcessor {
  private readonly logger = new Logger(PlanProcessor.name);

  constructor(private readonly lifecycle: PlanLifecycle) {}

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
}
