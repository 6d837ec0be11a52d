import { Module } from '@nestjs/common';
import { ComputeModule } from '../compute/compute.module';
import { JobsModule } from '../jobs/jobs.module';
import { AnalysesController } from './analyses.controller';
import { AnalysesService } from './analyses.service';

@Module({
  imports: [JobsModule, ComputeModule],
  controllers: [AnalysesController],
  providers: [AnalysesService],
})
export class AnalysesModule {}
