import { Module } from '@nestjs/common';
import { ComputeModule } from '../compute/compute.module';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BlobStore, TraceEntity } from '@upm/platform';
import { TracesController } from './traces.controller';
import { TracesService } from './traces.service';

@Module({
  imports: [TypeOrmModule.forFeature([TraceEntity]), ComputeModule],
  controllers: [TracesController],
  providers: [TracesService, BlobStore],
})
export class TracesModule {}
