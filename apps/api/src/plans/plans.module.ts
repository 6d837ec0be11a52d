import { Module } from '@nestjs/common';
import { ComputeModule } from '../compute/compute.module';
import { PlanLifecycle, PlanQueue } from '@upm/platform';
import { DataSource } from 'typeorm';
import { JobsModule } from '../jobs/jobs.module';
import { PlansController } from './plans.controller';
import { PlansService } from './plans.service';

@Module({
  imports: [JobsModule, ComputeModule],
  controllers: [PlansController],
  providers: [
    PlansService,
    { provide: PlanLifecycle, useFactory: (ds: DataSource, queue: PlanQueue) => new PlanLifecycle(ds, queue), inject: [DataSource, PlanQueue] },
  ],
  exports: [PlanLifecycle],
})
export class PlansModule {}
