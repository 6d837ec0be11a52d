import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { ThrottlerStorage } from '@nestjs/throttler';
import Redis from 'ioredis';
import { env } from '@upm/platform';

/** One counter to count a request against (a throttler's key for this request). */
export interface CounterHit {
  key: string;
  throttlerName: string;
  ttl: number;
  limit: number;
  blockDuration: number;
}

/** A counter's state after the hit, as @nestjs/throttler's storage records it (times in seconds). */
export interface CounterRecord {
  totalHits: number;
  timeToExpire: number;
  isBlocked: boolean;
  timeToBlockExpire: number;
}

/**
 * The counters in order, in one script: @nest-lab/throttler-storage-redis's fixed window (INCR with a PEXPIRE on
 * the first hit, a block key once past the limit) applied to each counter; it stops after the first blocked one,
 * as the guard stops at the first throttler that refuses, so a later counter is not counted for a refused
 * request. Returns 4 numbers per counter evaluated.
 */
const HIT_COUNTERS_LUA = `
local out = {}
for i = 1, #KEYS / 2 do
  local hitKey = KEYS[2 * i - 1]
  local blockKey = KEYS[2 * i]
  local ttl = tonumber(ARGV[3 * i - 2])
  local limit = tonumber(ARGV[3 * i - 1])
  local blockDuration = tonumber(ARGV[3 * i])
  local totalHits = redis.call('INCR', hitKey)
  local timeToExpire = redis.call('PTTL', hitKey)
  if timeToExpire <= 0 then
    redis.call('PEXPIRE', hitKey, ttl)
    timeToExpire = ttl
  end
  local isBlocked = redis.call('GET', blockKey)
  local timeToBlockExpire = 0
  if isBlocked then
    timeToBlockExpire = redis.call('PTTL', blockKey)
  elseif totalHits > limit then
    redis.call('SET', blockKey, 1, 'PX', blockDuration)
    isBlocked = '1'
    timeToBlockExpire = blockDuration
  end
  if isBlocked and timeToBlockExpire <= 0 then
    redis.call('DEL', blockKey)
    redis.call('SET', hitKey, 1, 'PX', ttl)
    totalHits = 1
    timeToExpire = ttl
    isBlocked = false
  end
  table.insert(out, totalHits)
  table.insert(out, timeToExpire)
  table.insert(out, isBlocked and 1 or 0)
  table.insert(out, timeToBlockExpire)
  if isBlocked then break end
end
return out
`;

type RedisWithCounters = Redis & { upmHitCounters(numKeys: number, ...args: Array<string | number>): Promise<unknown> };

/**
 * Rate-limit counters in Redis (so every API process shares them), under `<QUEUE_PREFIX>:throttle:`, with the
 * key layout of @nest-lab/throttler-storage-redis (`{<key>:<throttler>}:hits` / `:blocked`). `hitAll` counts a
 * request against all its counters in one round trip (a cached script, EVALSHA). Commands fail fast while Redis
 * is down (no offline queue); the guard then lets the request through.
 */
@Injectable()
export class RedisThrottlerStorage implements ThrottlerStorage, OnModuleDestroy {
  private readonly log = new Logger('RateLimit');
  readonly redis: RedisWithCounters;

  constructor(config: ConfigService) {
    this.redis = new Redis(env(config, 'REDIS_URL'), {
      keyPrefix: `${env(config, 'QUEUE_PREFIX')}:throttle:`,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      lazyConnect: false,
    }) as RedisWithCounters;
    // numberOfKeys unset: each call passes it (one or two counters); ioredis still prefixes the keys.
    this.redis.defineCommand('upmHitCounters', { lua: HIT_COUNTERS_LUA });
    this.redis.on('error', (e: Error) => this.log.debug(`rate-limit Redis: ${e.message}`));
  }

  /**
   * Counts one hit on each counter, in order, stopping after the first that is blocked: the records of the
   * counters evaluated (a blocked one is the last).
   */
  async hitAll(hits: readonly CounterHit[]): Promise<CounterRecord[]> {
    if (hits.length === 0) return [];
    const keys = hits.flatMap((h) => [`{${h.key}:${h.throttlerName}}:hits`, `{${h.key}:${h.throttlerName}}:blocked`]);
    const args = hits.flatMap((h) => [h.ttl, h.limit, h.blockDuration]);
    const raw = await this.redis.upmHitCounters(keys.length, ...keys, ...args);
    if (!Array.isArray(raw) || raw.length === 0 || raw.length % 4 !== 0 || raw.some((x) => typeof x !== 'number')) {
      throw new TypeError(`unexpected rate-limit counter reply ${JSON.stringify(raw)}`);
    }
    const out: CounterRecord[] = [];
    for (let i = 0; i < raw.length; i += 4) {
      const [totalHits, timeToExpireMs, isBlocked, timeToBlockExpireMs] = raw.slice(i, i + 4) as number[];
      out.push({ totalHits, timeToExpire: Math.ceil(timeToExpireMs / 1000), isBlocked: isBlocked === 1, timeToBlockExpire: Math.ceil(timeToBlockExpireMs / 1000) });
    }
    return out;
  }

  /** The throttler's storage interface: one counter. */
  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<CounterRecord> {
    const [record] = await this.hitAll([{ key, ttl, limit, blockDuration, throttlerName }]);
    return record;
  }

  onModuleDestroy(): void {
    this.redis.disconnect(false);
  }
}
