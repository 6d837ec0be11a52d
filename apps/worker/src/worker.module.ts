import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseModule, LoggingModule, PingRecordEntity, PlanLifecycle, PlanQueue, PlatformConfigModule, QueueModule } from '@upm/platform';
import { DataSource } from 'typeorm';
import { AnalysisRegistrar } from './analyses/analysis.registrar';
import { JobMetrics } from './metrics/job-metrics';
import { PlanPointRegistrar } from './plans/plan-point.registrar';
import { PlanProcessor } from './plans/plan.processor';
import { PingProcessor } from './processors/ping.processor';

/** The worker process: no HTTP listener; owns every Bull processor. */
@Module({
  imports: [
    PlatformConfigModule,
    LoggingModule,
    DatabaseModule,
    QueueModule,
    TypeOrmModule.forFeature([PingRecordEntity]),
  ],
  providers: [
    PingProcessor,
    PlanProcessor,
    PlanPointRegistrar,
    AnalysisRegistrar,
    JobMetrics,
    { provide: PlanLifecycle, useFactory: (ds: DataSource, queue: PlanQueue) => new PlanLifecycle(ds, queue), inject: [DataSource, PlanQueue] },
  ],
})
export class WorkerModule {}
