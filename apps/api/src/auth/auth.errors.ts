import { ApiError } from '../common/errors';

/** No usable key: none sent, unknown, or revoked. */
export class UnauthorizedError extends ApiError {
  readonly status = 401;
  readonly title = 'Unauthorized';
}

/** A valid key without the scope the route needs. */
export class ForbiddenError extends ApiError {
  readonly status = 403;
  readonly title = 'Forbidden';
}
