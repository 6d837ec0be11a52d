import { redisAnswers } from '../lib/net';
import { PrivateRedis } from '../lib/redis-server';

const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * Redis for the demo: REDIS_URL if set (it must answer); else the local default if it answers; else a
 * private redis-server from PATH on a free port, stopped at exit; else an error saying how to install it.
 */
export async function ensureRedis(log: (line: string) => void): Promise<{ url: string; stop(): Promise<void> }> {
  const given = process.env.REDIS_URL;
  if (given) {
    if (!(await redisAnswers(given, 2000))) throw new Error(`REDIS_URL=${given} does not answer PING`);
    log(`redis: using REDIS_URL ${given}`);
    return { url: given, stop: async () => undefined };
  }
  if (await redisAnswers(DEFAULT_REDIS_URL, 1000)) {
    log(`redis: using ${DEFAULT_REDIS_URL}`);
    return { url: DEFAULT_REDIS_URL, stop: async () => undefined };
  }
  const redis = await PrivateRedis.start();
  log(`redis: nothing on ${DEFAULT_REDIS_URL}; started a private redis-server on ${redis.url}`);
  return { url: redis.url, stop: () => redis.stop() };
}
