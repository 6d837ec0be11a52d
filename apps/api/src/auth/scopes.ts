import { SetMetadata } from '@nestjs/common';
import type { ApiKeyInfo, ApiKeyScope } from '@upm/platform';

export const AUTH_REQUIREMENT = 'upm:auth';

/** What a route needs: a key of a scope, nothing (`public`), or a read key or METRICS_TOKEN (`metrics`). */
export type AuthRequirement = { kind: 'scope'; scope: ApiKeyScope } | { kind: 'public' } | { kind: 'metrics' };

/** The route needs an API key with this scope (write implies read). */
export const RequireScope = (scope: ApiKeyScope) => SetMetadata(AUTH_REQUIREMENT, { kind: 'scope', scope } satisfies AuthRequirement);

/** The route is open to anyone (GET /health). */
export const Public = () => SetMetadata(AUTH_REQUIREMENT, { kind: 'public' } satisfies AuthRequirement);

/** The route accepts a read key or the METRICS_TOKEN. */
export const MetricsAccess = () => SetMetadata(AUTH_REQUIREMENT, { kind: 'metrics' } satisfies AuthRequirement);

/** What the auth guard attaches to a request it let through with a key. */
export interface AuthenticatedRequest {
  apiKey?: ApiKeyInfo;
}

/** The bearer token of a request, or undefined. */
export function bearerToken(headers: Record<string, string | string[] | undefined>): string | undefined {
  const h = headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1] : undefined;
}
