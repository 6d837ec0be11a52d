import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DependencyStatusDto, HealthDto } from './health.dto';
import { RedisProbe, withTimeout } from './redis-probe';

const DB_TIMEOUT_MS = 2000;

@Injectable()
export class HealthService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly redis: RedisProbe,
  ) {}

  async check(): Promise<HealthDto> {
    const [database, redis] = await Promise.all([this.database(), this.redisStatus()]);
    const down = [database.status === 'down' && 'database', redis.status === 'down' && 'redis'].filter(
      (x): x is string => typeof x === 'string',
    );
    return { status: down.length ? 'degraded' : 'ok', database, redis, down };
  }

  private async database(): Promise<DependencyStatusDto> {
    try {
      await withTimeout(this.dataSource.query('SELECT 1'), DB_TIMEOUT_MS, 'query timed out');
      return { status: 'up' };
    } catch (e) {
      return { status: 'down', error: (e as Error).message };
    }
  }

  private async redisStatus(): Promise<DependencyStatusDto> {
    const r = await this.redis.check();
    return r.up ? { status: 'up' } : { status: 'down', error: r.error };
  }
}
