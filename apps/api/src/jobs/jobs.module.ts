import { Module } from '@nestjs/common';
import { HealthModule } from '../health/health.module';
import { JobStatusService } from './job-status.service';
import { JobsController } from './jobs.controller';
import { PingProducer } from './ping.producer';
import { QueueRegistry } from './queue-registry';

@Module({
  imports: [HealthModule],
  controllers: [JobsController],
  providers: [PingProducer, JobStatusService, QueueRegistry],
  exports: [JobStatusService, QueueRegistry],
})
export class JobsModule {}
