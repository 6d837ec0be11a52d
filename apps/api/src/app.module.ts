import { Module, ValidationPipe } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { DatabaseModule, LoggingModule, PlatformConfigModule, QueueModule } from '@upm/platform';
import { ProblemDetailsFilter } from './common/problem-details.filter';
import { HealthModule } from './health/health.module';
import { AnalysesModule } from './analyses/analyses.module';
import { DumpsModule } from './dumps/dumps.module';
import { JobsModule } from './jobs/jobs.module';
import { PlansModule } from './plans/plans.module';
import { TracesModule } from './traces/traces.module';

/** The REST service: produces jobs, registers no processors. */
@Module({
  imports: [PlatformConfigModule, LoggingModule, DatabaseModule, QueueModule, HealthModule, JobsModule, DumpsModule, TracesModule, PlansModule, AnalysesModule],
  providers: [
    // As providers (not main.ts globals) so e2e tests get exactly the production pipeline.
    {
      provide: APP_PIPE,
      useValue: new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
    },
    { provide: APP_FILTER, useClass: ProblemDetailsFilter },
  ],
})
export class AppModule {}
