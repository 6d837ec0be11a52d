import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { scopeAllows, type ApiKeyScope } from '@upm/platform';
import { ForbiddenError, UnauthorizedError } from './auth.errors';
import { AuthPolicy } from './auth-policy.service';
import { AUTH_REQUIREMENT, AuthenticatedRequest, AuthRequirement, bearerToken } from './scopes';

/**
 * The global guard: every route needs what its decorator says (@RequireScope, @Public, @MetricsAccess); a route
 * without one needs read for GET/HEAD and write for anything else, so a new route is never open by mistake.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly policy: AuthPolicy,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<Request & AuthenticatedRequest>();
    const res = context.switchToHttp().getResponse<Response>();
    const declared = this.reflector.getAllAndOverride<AuthRequirement | undefined>(AUTH_REQUIREMENT, [context.getHandler(), context.getClass()]);
    const need: AuthRequirement = declared ?? { kind: 'scope', scope: req.method === 'GET' || req.method === 'HEAD' ? 'read' : 'write' };
    if (need.kind === 'public') return true;
    if (!(await this.policy.enforced())) return true;
    const scope: ApiKeyScope = need.kind === 'scope' ? need.scope : 'read';
    const token = bearerToken(req.headers);
    if (need.kind === 'metrics' && token && this.policy.isMetricsToken(token)) return true;
    const what = need.kind === 'metrics' ? `an API key with the read scope (or METRICS_TOKEN)` : `an API key with the ${scope} scope`;
    if (!token) {
      res.setHeader('WWW-Authenticate', `Bearer realm="upm-planner", scope="${scope}"`);
      throw new UnauthorizedError(`${req.method} ${req.path} needs ${what}: send 'Authorization: Bearer <key>'`, { requiredScope: scope });
    }
    const key = await this.policy.lookup(token);
    if (!key) {
      res.setHeader('WWW-Authenticate', `Bearer realm="upm-planner", error="invalid_token", scope="${scope}"`);
      throw new UnauthorizedError(`the API key sent is unknown or revoked; ${req.method} ${req.path} needs ${what}`, { requiredScope: scope });
    }
    if (!scopeAllows(key.scope, scope)) {
      res.setHeader('WWW-Authenticate', `Bearer realm="upm-planner", error="insufficient_scope", scope="${scope}"`);
      throw new ForbiddenError(`${req.method} ${req.path} needs the ${scope} scope; the key '${key.name}' (${key.id}) has ${key.scope}`, {
        requiredScope: scope,
        keyScope: key.scope,
        keyId: key.id,
      });
    }
    req.apiKey = key;
    return true;
  }
}
