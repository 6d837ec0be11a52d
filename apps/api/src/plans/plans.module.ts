import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { PlansController } from './plans.controller';
import { PlansService } from './plans.service';

@Module({
  imports: [JobsModule],
  controllers: [PlansController],
  providers: [PlansService],
})
export class PlansModule {}
