import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BlobStore, TraceEntity } from '@upm/platform';
import { TracesController } from './traces.controller';
import { TracesService } from './traces.service';

@Module({
  imports: [TypeOrmModule.forFeature([TraceEntity])],
  controllers: [TracesController],
  providers: [TracesService, BlobStore],
})
export class TracesModule {}
