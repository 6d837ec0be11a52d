import { Module, ValidationPipe } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { DatabaseModule, LoggingModule, PlatformConfigModule, QueueModule } from '@upm/platform';
import { AuthGuard } from './auth/auth.guard';
import { AuthModule } from './auth/auth.module';
import { ProblemDetailsFilter } from './common/problem-details.filter';
import { DeletionsModule } from './deletions/deletions.module';
import { MetricsModule } from './metrics/metrics.module';
import { RateLimitGuard } from './security/rate-limit.guard';
import { SecurityModule } from './security/security.module';
import { HealthModule } from './health/health.module';
import { AnalysesModule } from './analyses/analyses.module';
import { DumpsModule } from './dumps/dumps.module';
import { JobsModule } from './jobs/jobs.module';
import { PlansModule } from './plans/plans.module';
import { TracesModule } from './traces/traces.module';
import { fieldErrorsOf, invalidFields } from './common/field-errors';

/** The REST service: produces jobs, registers no processors. */
@Module({
  imports: [PlatformConfigModule, LoggingModule, DatabaseModule, QueueModule, AuthModule, SecurityModule, MetricsModule, HealthModule, JobsModule, DumpsModule, TracesModule, PlansModule, AnalysesModule, DeletionsModule],
  providers: [
    // As providers (not main.ts globals) so e2e tests get exactly the production pipeline.
    {
      provide: APP_PIPE,
      useValue: new ValidationPipe({
        whitelist: true,
        forbidNonWhitelisted: true,
        transform: true,
        // a bad field is a 422 listing {path, detail}, as the domain's validators answer
        exceptionFactory: (errors) => invalidFields('', fieldErrorsOf(errors)),
      }),
    },
    { provide: APP_FILTER, useClass: ProblemDetailsFilter },
    // In this order: rate limits (per address, per key sent) before the key is looked up.
    { provide: APP_GUARD, useClass: RateLimitGuard },
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
})
export class AppModule {}
