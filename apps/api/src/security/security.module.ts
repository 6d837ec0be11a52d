import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ThrottlerModule } from '@nestjs/throttler';
import type { ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { env, hashApiKey } from '@upm/platform';
import { bearerToken } from '../auth/scopes';
import { RedisThrottlerStorage } from './throttler-storage';

/** The counter store, a module of its own so the throttler's async options can inject it. */
@Module({ providers: [RedisThrottlerStorage], exports: [RedisThrottlerStorage] })
export class SecurityStorageModule {}

/** Routes never rate-limited: health checks and the metrics scraper. */
const UNLIMITED_PATHS = new Set(['/health', '/metrics']);

const skipUnlimited = (ctx: ExecutionContext): boolean => UNLIMITED_PATHS.has(ctx.switchToHttp().getRequest<Request>().path);

/**
 * Rate limits per client address and per API key, over one window, counted in Redis. The key's counter is keyed
 * by the hash of the bearer token sent (checked or not: the auth guard runs after), a request without one only
 * counts against its address. A limit of 0 turns that limit off.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      imports: [SecurityStorageModule],
      inject: [ConfigService, RedisThrottlerStorage],
      useFactory: (config: ConfigService, storage: RedisThrottlerStorage) => {
        const ttl = env(config, 'RATE_LIMIT_WINDOW_MS');
        const perAddress = env(config, 'RATE_LIMIT_PER_ADDRESS');
        const perKey = env(config, 'RATE_LIMIT_PER_KEY');
        return {
          storage,
          // One counter per tracker for the whole API (not one per route, the library's default).
          generateKey: (_ctx: ExecutionContext, tracker: string, name: string) => `${name}:${tracker}`,
          throttlers: [
            {
              name: 'address',
              ttl,
              limit: perAddress,
              skipIf: (ctx: ExecutionContext) => perAddress === 0 || skipUnlimited(ctx),
              getTracker: (_req: unknown, ctx: ExecutionContext) => String(ctx.switchToHttp().getRequest<Request>().ip ?? 'unknown'),
            },
            {
              name: 'key',
              ttl,
              limit: perKey,
              skipIf: (ctx: ExecutionContext) =>
                perKey === 0 || skipUnlimited(ctx) || bearerToken(ctx.switchToHttp().getRequest<Request>().headers) === undefined,
              getTracker: (_req: unknown, ctx: ExecutionContext) =>
                hashApiKey(bearerToken(ctx.switchToHttp().getRequest<Request>().headers) ?? '').slice(0, 32),
            },
          ],
        };
      },
    }),
  ],
})
export class SecurityModule {}

