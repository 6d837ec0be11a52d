import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseModule, LoggingModule, PingRecordEntity, PlatformConfigModule, QueueModule } from '@upm/platform';
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
  providers: [PingProcessor],
})
export class WorkerModule {}
