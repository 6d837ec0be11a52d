import { ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail, ThrottlerRequest } from '@nestjs/throttler';
import type { Response } from 'express';
import { ApiError } from '../common/errors';

export class TooManyRequestsError extends ApiError {
  readonly status = 429;
  readonly title = 'Too Many Requests';
}

/**
 * @nestjs/throttler with problem+json 429s and a plain Retry-After header, and open while the counters' Redis is
 * down (the request is served; the failure is logged), as /health must still answer then.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  private readonly log = new Logger('RateLimit');

  protected override async handleRequest(props: ThrottlerRequest): Promise<boolean> {
    try {
      return await super.handleRequest(props);
    } catch (e) {
      if (e instanceof TooManyRequestsError) throw e;
      this.log.warn(`rate limit not applied (counter store unavailable): ${(e as Error).message}`);
      return true;
    }
  }

  protected override async throwThrottlingException(context: ExecutionContext, d: ThrottlerLimitDetail): Promise<void> {
    const res = context.switchToHttp().getResponse<Response>();
    const retryAfterS = Math.max(1, Math.ceil(d.timeToBlockExpire));
    res.setHeader('Retry-After', String(retryAfterS));
    const per = d.key.startsWith('key:') ? 'API key' : 'client address';
    throw new TooManyRequestsError(`rate limit of ${d.limit} requests per ${d.ttl / 1000} s per ${per} exceeded; retry after ${retryAfterS} s`, {
      limit: d.limit,
      windowMs: d.ttl,
      retryAfterSeconds: retryAfterS,
    });
  }
}
