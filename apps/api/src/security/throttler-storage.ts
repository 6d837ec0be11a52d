import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import Redis from 'ioredis';
import { env } from '@upm/platform';

/**
 * Rate-limit counters in Redis (so every API process shares them), under `<QUEUE_PREFIX>:throttle:`. Commands
 * fail fast while Redis is down (no offline queue); the guard then lets the request through.
 */
@Injectable()
export class RedisThrottlerStorage extends ThrottlerStorageRedisService implements OnModuleDestroy {
  private readonly log = new Logger('RateLimit');

  constructor(config: ConfigService) {
    const client = new Redis(env(config, 'REDIS_URL'), {
      keyPrefix: `${env(config, 'QUEUE_PREFIX')}:throttle:`,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      lazyConnect: false,
    });
    super(client);
    client.on('error', (e: Error) => this.log.debug(`rate-limit Redis: ${e.message}`));
  }

  override onModuleDestroy(): void {
    this.redis.disconnect(false);
  }
}
