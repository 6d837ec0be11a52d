import { ConfigService } from '@nestjs/config';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { RedisThrottlerStorage } from './throttler-storage';

const REDIS_URL = process.env.REDIS_URL_TEST ?? 'redis://127.0.0.1:6379';

/** Just these variables (a ConfigService built on an object would still prefer process.env's). */
const configOf = (vars: Record<string, string>) => ({ getOrThrow: (k: string) => vars[k] }) as unknown as ConfigService;

/** Against the real Redis, under a private prefix. */
describe('RedisThrottlerStorage', () => {
  const prefix = `upm-test-throttle-${randomBytes(4).toString('hex')}`;
  let storage: RedisThrottlerStorage;
  let plain: Redis;

  beforeAll(async () => {
    const config = configOf({ REDIS_URL, QUEUE_PREFIX: prefix });
    storage = new RedisThrottlerStorage(config);
    plain = new Redis(REDIS_URL);
    // No offline queue: wait until it is connected.
    if (storage.redis.status !== 'ready') await new Promise((r) => storage.redis.once('ready', r));
  });

  afterAll(async () => {
    const keys = await plain.keys(`${prefix}:*`);
    if (keys.length) await plain.del(...keys);
    storage.onModuleDestroy();
    plain.disconnect();
  });

  const hit = (key: string, limit: number, throttlerName = 'address') => ({ key, throttlerName, ttl: 60_000, limit, blockDuration: 60_000 });

  it('counts both counters in one round trip, under the key layout of @nest-lab/throttler-storage-redis', async () => {
    const sent = jest.spyOn(storage.redis, 'sendCommand');
    const [a, k] = await storage.hitAll([hit('address:1.2.3.4', 10), hit('key:abc', 3, 'key')]);
    expect(sent).toHaveBeenCalledTimes(1);
    sent.mockRestore();
    expect(a).toMatchObject({ totalHits: 1, isBlocked: false, timeToExpire: 60, timeToBlockExpire: 0 });
    expect(k).toMatchObject({ totalHits: 1, isBlocked: false });
    expect(await plain.get(`${prefix}:throttle:{address:1.2.3.4:address}:hits`)).toBe('1');
    expect(await plain.get(`${prefix}:throttle:{key:abc:key}:hits`)).toBe('1');
  });

  it('answers as the library storage does, hit for hit, through the block and past the window', async () => {
    const lib = new ThrottlerStorageRedisService(new Redis(REDIS_URL, { keyPrefix: `${prefix}:lib:` }));
    const ours: unknown[] = [];
    const theirs: unknown[] = [];
    for (let i = 0; i < 5; i++) {
      ours.push(await storage.increment('address:5.6.7.8', 1000, 2, 300, 'address'));
      theirs.push(await lib.increment('address:5.6.7.8', 1000, 2, 300, 'address'));
    }
    // Past the block and the window: both start afresh.
    await new Promise((r) => setTimeout(r, 1100));
    ours.push(await storage.increment('address:5.6.7.8', 1000, 2, 300, 'address'));
    theirs.push(await lib.increment('address:5.6.7.8', 1000, 2, 300, 'address'));
    expect(ours).toEqual(theirs);
    expect((ours as Array<{ isBlocked: boolean }>).map((r) => r.isBlocked)).toEqual([false, false, true, true, true, false]);
    lib.redis.disconnect();
  });

  it('stops at the first blocked counter: a refused request is not counted against the next one', async () => {
    await storage.hitAll([hit('address:9.9.9.9', 1)]);
    const records = await storage.hitAll([hit('address:9.9.9.9', 1), hit('key:def', 100, 'key')]);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ totalHits: 2, isBlocked: true });
    expect(await plain.get(`${prefix}:throttle:{key:def:key}:hits`)).toBeNull();
  });

  it('fails fast while Redis cannot be reached (the guard then serves the request)', async () => {
    const down = new RedisThrottlerStorage(configOf({ REDIS_URL: 'redis://127.0.0.1:1', QUEUE_PREFIX: prefix }));
    await expect(down.hitAll([hit('address:1.1.1.1', 5)])).rejects.toThrow();
    down.onModuleDestroy();
  });
});
