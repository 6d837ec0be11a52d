import { Module } from '@nestjs/common';
import { ComputeModule } from '../compute/compute.module';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BlobStore, DumpEntity } from '@upm/platform';
import { DumpsController } from './dumps.controller';
import { DumpsService } from './dumps.service';

@Module({
  imports: [TypeOrmModule.forFeature([DumpEntity]), ComputeModule],
  controllers: [DumpsController],
  providers: [DumpsService, BlobStore],
  exports: [DumpsService],
})
export class DumpsModule {}
