import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';

/**
 * A Bull prefix of the demo's own: two demos on one Redis (two clones, or a demo beside a deployment) would
 * otherwise take each other's jobs, and one fail the other's plan while the other waits silently.
 */
export function demoQueuePrefix(): string {
  return `upm-demo-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** Deletes the demo's Redis keys (`PREFIX:*`) at exit, so a shared Redis keeps nothing of it. Returns how many. */
export async function dropQueueKeys(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    let dropped = 0;
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) dropped += await redis.unlink(...keys);
    } while (cursor !== '0');
    return dropped;
  } finally {
    redis.disconnect();
  }
}
