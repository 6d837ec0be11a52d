import { InjectQueue, Process, Processor } from '@nestjs/bull';
import { Logger } from '@nestjs/common';
import { JOB_NAMES, PlanJobPayload, PlanJobResult, planPointJobId, PlanPointJobPayload, QUEUES } from '@upm/jobs';
import { expandSweep, type PlanSpec } from '@upm/model';
import { PlanStore } from '@upm/platform';
import type { Job, Queue } from 'bull';

/**
 * The coordinator of a plan: fans its sweep out into one point job per point, so several workers on
 * several machines share it. Light work: it runs in the worker's own process.
 */
@Processor(QUEUES.plans)
export class PlanProcessor {
  private readonly logger = new Logger(PlanProcessor.name);

  constructor(
    private readonly store: PlanStore,
    @InjectQueue(QUEUES.plans) private readonly queue: Queue,
  ) {}

  @Process({ name: JOB_NAMES.plan, concurrency: 1 })
  async handle(job: Job<PlanJobPayload>): Promise<PlanJobResult> {
    const plan = await this.store.get(job.data.planId);
    if (!plan) {
      await job.discard();
      throw new Error(`plan ${job.data.planId} is not in the database`);
    }
    const points = expandSweep(plan.spec as unknown as PlanSpec).length;
    if (plan.state === 'queued') await this.store.setState(plan.id, 'running');
    // Point job ids are deterministic: re-running this after a crash enqueues nothing twice.
    for (let index = 0; index < points; index++) {
      const payload: PlanPointJobPayload = { version: 1, planId: plan.id, index };
      await this.queue.add(JOB_NAMES.planPoint, payload, { jobId: planPointJobId(plan.id, index) });
    }
    await job.progress(100);
    this.logger.log({ planId: plan.id, jobId: String(job.id) }, `plan ${plan.id}: ${points} point job(s) enqueued`);
    return { version: 1, planId: plan.id, points };
  }
}
