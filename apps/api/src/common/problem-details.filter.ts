import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import type { Request, Response } from 'express';
import { AnalysisRequestError, DumpFormatError, PlanSpecError, TraceError } from '@upm/model';
import { InputContentMissingError, InputNotFoundError, LockTimeoutError, REQUEST_ID_HEADER, requestIdOf, UploadTooLargeError } from '@upm/platform';
import { ApiError, DependencyUnavailableError, InvalidInputError, PayloadTooLargeError } from './errors';
import { invalidFields } from './field-errors';

/** A domain message without the path it starts with (the path goes in the field error's own `path`). */
function withoutPath(message: string, path: string | undefined): string {
  return path && message.startsWith(`${path} `) ? message.slice(path.length + 1) : message;
}

/** Errors of the domain and platform libraries, as the API's own errors. */
function fromLibraryError(e: unknown): ApiError | undefined {
  if (e instanceof UploadTooLargeError) return new PayloadTooLargeError(e.message, { limitBytes: e.limitBytes });
  if (e instanceof DumpFormatError) return new InvalidInputError(`invalid dump: ${e.message}`);
  if (e instanceof AnalysisRequestError) return invalidFields('invalid analysis', [{ path: e.path ?? '', detail: withoutPath(e.message, e.path) }]);
  if (e instanceof PlanSpecError) return invalidFields('invalid plan', [{ path: e.path, detail: withoutPath(e.message, e.path) }]);
  // Ids named in a request body: the request is unprocessable, not the URL unknown.
  if (e instanceof InputNotFoundError) return new InvalidInputError(e.message, { kind: e.kind, id: e.id });
  if (e instanceof InputContentMissingError) return new InvalidInputError(e.message, { kind: e.kind, id: e.id });
  if (e instanceof LockTimeoutError) return new DependencyUnavailableError(e.message);
  if (e instanceof TraceError) return new InvalidInputError(`invalid trace: ${e.message}`, { code: e.code });
  return undefined;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** RFC 9457 problem details. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  requestId?: string;
  [extension: string]: unknown;
}

/**
 * Every error leaves the API as application/problem+json. Known errors keep their message; anything
 * unknown is logged with its stack and becomes a generic 500 that leaks nothing.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemDetailsFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request & { id?: string }>();
    const res = http.getResponse<Response>();
    const problem = this.toProblem(fromLibraryError(exception) ?? exception, req);
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
  }

  private toProblem(exception: unknown, req: Request & { id?: string }): ProblemDetails {
    // a body-parser error comes before the logger gave the request its id: give it one here
    let requestId = req.id ? String(req.id) : undefined;
    if (requestId === undefined) {
      requestId = requestIdOf(req);
      const res = (req as Request & { res?: Response }).res;
      if (res && !res.headersSent) res.setHeader(REQUEST_ID_HEADER, requestId);
    }
    const base = { instance: req.originalUrl, requestId };
    if (exception instanceof ApiError) {
      return {
        type: `about:blank`,
        title: exception.title,
        status: exception.status,
        detail: exception.message,
        ...base,
        ...exception.extensions,
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const messages = typeof body === 'object' && body !== null ? (body as { message?: unknown }).message : body;
      const list = Array.isArray(messages) ? messages.map(String) : undefined;
      const detail = list ? list.join('; ') : String(messages ?? exception.message);
      // the same shape as a 422's field errors, with no path to give
      const errors = list?.map((m) => ({ path: '', detail: m }));
      return { type: 'about:blank', title: STATUS_CODES[status] ?? 'Error', status, detail, ...base, ...(errors && { errors }) };
    }
    // Errors raised by Express middleware (body parser: bad JSON, too large) carry a 4xx status.
    const status = httpStatusOf(exception);
    if (status !== undefined && status >= 400 && status < 500) {
      return {
        type: 'about:blank',
        title: STATUS_CODES[status] ?? 'Error',
        status,
        detail: (exception as Error).message,
        ...base,
      };
    }
    this.logger.error(
      { err: exception, reqId: base.requestId },
      `Unhandled error on ${req.method} ${req.originalUrl}: ${(exception as Error)?.message ?? exception}`,
    );
    return {
      type: 'about:blank',
      title: 'Internal Server Error',
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      detail: 'An unexpected error occurred. It has been logged with the request id.',
      ...base,
    };
  }
}

function httpStatusOf(e: unknown): number | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const s = (e as { status?: unknown; statusCode?: unknown }).status ?? (e as { statusCode?: unknown }).statusCode;
  return typeof s === 'number' ? s : undefined;
}
