import { Module, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { env } from '../config/app-config';
import { buildDataSourceOptions } from './data-source-options';
import { runMigrationsExclusively } from './migrate';

/** The database connection of every process; applies pending migrations before the process serves. */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService) => buildDataSourceOptions(env(config, 'DATABASE_URL')),
    }),
  ],
})
export class DatabaseModule implements OnApplicationBootstrap {
  constructor(private readonly dataSource: DataSource) {}

  async onApplicationBootstrap(): Promise<void> {
    await runMigrationsExclusively(this.dataSource);
  }
}
