import { BullModule, getQueueToken } from '@nestjs/bull';
import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ALL_QUEUES, DEFAULT_JOB_OPTIONS, QUEUES } from '@upm/jobs';
import type { Queue } from 'bull';
import { env } from '../config/app-config';
import { PlanQueue } from './plan-queue';

/**
 * Bull on Redis, shared by every process. Registering a queue here gives producers; only the worker
 * declares processors. Lock settings decide how fast a job whose worker died is picked up again. PlanQueue is
 * the plans and plan-points queues behind the calls API and worker make on them.
 */
@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService) => {
        const lockDuration = env(config, 'QUEUE_LOCK_MS');
        return {
          url: env(config, 'REDIS_URL'),
          prefix: env(config, 'QUEUE_PREFIX'),
          defaultJobOptions: DEFAULT_JOB_OPTIONS,
          settings: {
            lockDuration,
            lockRenewTime: Math.floor(lockDuration / 2),
            stalledInterval: Math.max(1000, Math.floor(lockDuration / 2)),
            // A job is re-queued each time its worker dies; it fails only after repeated deaths.
            maxStalledCount: 3,
          },
        };
      },
    }),
    BullModule.registerQueue(...ALL_QUEUES.map((name) => ({ name }))),
  ],
  providers: [
    {
      provide: PlanQueue,
      useFactory: (plans: Queue, points: Queue) => new PlanQueue(plans, points),
      inject: [getQueueToken(QUEUES.plans), getQueueToken(QUEUES.planPoints)],
    },
  ],
  exports: [BullModule, PlanQueue],
})
export class QueueModule {}
