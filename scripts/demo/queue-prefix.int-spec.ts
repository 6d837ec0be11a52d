import Redis from 'ioredis';
import { demoQueuePrefix, dropQueueKeys } from './queue-prefix';

const REDIS_URL = process.env.REDIS_URL_TEST ?? 'redis://127.0.0.1:6379';

describe('the demo on a shared Redis (real Redis)', () => {
  const redis = new Redis(REDIS_URL);
  afterAll(() => redis.quit());

  it('gives each demo run its own queue prefix', () => {
    const a = demoQueuePrefix();
    const b = demoQueuePrefix();
    expect(a).toMatch(/^upm-demo-\d+-[0-9a-f]{6}$/);
    expect(a).not.toBe(b);
  });

  it("drops its own keys at exit and leaves another run's", async () => {
    const mine = demoQueuePrefix();
    const other = demoQueuePrefix();
    for (const p of [mine, other]) {
      await redis.set(`${p}:plans:id`, '3');
      await redis.hset(`${p}:plans:1`, 'data', '{}');
      await redis.lpush(`${p}:plan-points:wait`, '1', '2');
    }
    expect(await dropQueueKeys(REDIS_URL, mine)).toBe(3);
    expect(await redis.keys(`${mine}:*`)).toEqual([]);
    expect((await redis.keys(`${other}:*`)).sort()).toEqual([`${other}:plan-points:wait`, `${other}:plans:1`, `${other}:plans:id`]);
    await dropQueueKeys(REDIS_URL, other);
  });
});
