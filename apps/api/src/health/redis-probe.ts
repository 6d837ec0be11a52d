import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import { QUEUES } from '@upm/jobs';
import type { Queue } from 'bull';

const PING_TIMEOUT_MS = 1000;

/**
 * Is Redis answering right now? Asked before enqueueing so a client gets a quick 503 instead of a
 * request that hangs in ioredis's offline queue until Redis returns.
 */
@Injectable()
export class RedisProbe {
  constructor(@InjectQueue(QUEUES.system) private readonly queue: Queue) {}

  async check(): Promise<{ up: boolean; error?: string }> {
    const client = this.queue.client;
    if (client.status !== 'ready') return { up: false, error: `connection ${client.status}` };
    try {
      await withTimeout(client.ping(), PING_TIMEOUT_MS, 'PING timed out');
      return { up: true };
    } catch (e) {
      return { up: false, error: (e as Error).message };
    }
  }
}

export function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
