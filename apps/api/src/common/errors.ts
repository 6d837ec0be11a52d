/**
 * Errors services throw; the problem-details filter maps them to HTTP. Services never build HTTP
 * responses themselves, and controllers never catch.
 */
export abstract class ApiError extends Error {
  abstract readonly status: number;
  abstract readonly title: string;
  constructor(
    message: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends ApiError {
  readonly status = 404;
  readonly title = 'Not Found';
}

export class ConflictError extends ApiError {
  readonly status = 409;
  readonly title = 'Conflict';
}

export class InvalidInputError extends ApiError {
  readonly status = 422;
  readonly title = 'Unprocessable Content';
}

export class PayloadTooLargeError extends ApiError {
  readonly status = 413;
  readonly title = 'Payload Too Large';
}

/** A dependency (Redis, the database) is down; the client may retry later. */
export class DependencyUnavailableError extends ApiError {
  readonly status = 503;
  readonly title = 'Service Unavailable';
}
