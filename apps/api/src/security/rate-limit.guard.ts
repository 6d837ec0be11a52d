import { ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail, type ThrottlerRequest } from '@nestjs/throttler';
import type { Response } from 'express';
import { ApiError } from '../common/errors';
import { RedisThrottlerStorage } from './throttler-storage';

export class TooManyRequestsError extends ApiError {
  readonly status = 429;
  readonly title = 'Too Many Requests';
}

/**
 * @nestjs/throttler with problem+json 429s and a plain Retry-After header, and open while the counters' Redis is
 * down (the request is served; the failure is logged), as /health must still answer then.
 *
 * The library counts a request against its throttlers one after the other, one Redis round trip each; here its
 * canActivate only collects the throttlers that apply (its skip rules and option resolution unchanged), and all
 * their counters are hit in one round trip, in the same order, with the same headers and the same stop at the
 * first throttler that refuses.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  private readonly log = new Logger('RateLimit');
  /** The throttlers canActivate found to apply, per request being checked. */
  private readonly collecting = new WeakMap<ExecutionContext, ThrottlerRequest[]>();

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    // Another store (none is configured so, but the library allows it): the library's way, counter by counter.
    if (!(this.storageService instanceof RedisThrottlerStorage)) return super.canActivate(context);
    const counters = this.storageService;
    const applying: ThrottlerRequest[] = [];
    this.collecting.set(context, applying);
    try {
      await super.canActivate(context);
    } finally {
      this.collecting.delete(context);
    }
    if (applying.length === 0) return true;
    const { req, res } = this.getRequestResponse(context);
    const hits: Array<ThrottlerRequest & { tracker: string; key: string }> = [];
    for (const props of applying) {
      const ignore = props.throttler.ignoreUserAgents ?? this.commonOptions.ignoreUserAgents;
      if (Array.isArray(ignore) && ignore.some((pattern) => pattern.test(String(req.headers['user-agent'])))) continue;
      const tracker = await props.getTracker(req, context);
      hits.push({ ...props, tracker, key: props.generateKey(context, tracker, props.throttler.name!) });
    }
    let records;
    try {
      records = await counters.hitAll(hits.map((h) => ({ key: h.key, throttlerName: h.throttler.name!, ttl: h.ttl, limit: h.limit, blockDuration: h.blockDuration })));
    } catch (e) {
      this.log.warn(`rate limit not applied (counter store unavailable): ${(e as Error).message}`);
      return true;
    }
    for (let i = 0; i < records.length; i++) {
      const { limit, ttl, throttler, key, tracker } = hits[i];
      const { totalHits, timeToExpire, isBlocked, timeToBlockExpire } = records[i];
      const suffix = throttler.name === 'default' ? '' : `-${throttler.name}`;
      const setHeaders = throttler.setHeaders ?? this.commonOptions.setHeaders ?? true;
      if (isBlocked) {
        if (setHeaders) this.setResponseHeader(res, `Retry-After${suffix}`, timeToBlockExpire);
        await this.throwThrottlingException(context, { limit, ttl, key, tracker, totalHits, timeToExpire, isBlocked, timeToBlockExpire });
      }
      if (setHeaders) {
        this.setResponseHeader(res, `${this.headerPrefix}-Limit${suffix}`, limit);
        this.setResponseHeader(res, `${this.headerPrefix}-Remaining${suffix}`, Math.max(0, limit - totalHits));
        this.setResponseHeader(res, `${this.headerPrefix}-Reset${suffix}`, timeToExpire);
      }
    }
    return true;
  }

  /** Within canActivate: notes that the throttler applies (counted afterwards, all at once). */
  protected override async handleRequest(props: ThrottlerRequest): Promise<boolean> {
    const applying = this.collecting.get(props.context);
    if (applying) {
      applying.push(props);
      return true;
    }
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
