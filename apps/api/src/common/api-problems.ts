import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath, type OpenAPIObject } from '@nestjs/swagger';

/** One bad field of a request. */
export class FieldErrorDto {
  @ApiProperty({ example: 'host.memoryGiB', description: "JSON path of the field ('' for the whole body)" }) path: string;
  @ApiProperty({ example: 'must be a positive number or null, got -1' }) detail: string;
}

/** RFC 9457 problem details, as every error of the API is sent (application/problem+json). */
export class ProblemDetailsDto {
  @ApiProperty({ example: 'about:blank' }) type: string;
  @ApiProperty({ example: 'Unprocessable Content' }) title: string;
  @ApiProperty({ example: 422 }) status: number;
  @ApiProperty({ example: 'invalid plan: host.memoryGiB must be a positive number or null, got -1' }) detail: string;
  @ApiPropertyOptional({ example: '/v1/plans' }) instance?: string;
  @ApiPropertyOptional({ description: 'The request id, also in the x-request-id header and the logs' }) requestId?: string;
  @ApiPropertyOptional({ type: [FieldErrorDto], description: '422: each bad field of the request' }) errors?: FieldErrorDto[];
}

const MEANING: Record<number, string> = {
  400: 'Malformed request: the body is not JSON',
  401: 'No API key, or an unknown one (once keys exist): the detail names the scope needed',
  403: 'The key lacks the scope needed (requiredScope)',
  404: 'No such resource',
  409: 'Conflicts with the stored state (e.g. an id prefix matching several plans)',
  413: 'Larger than UPLOAD_MAX_BYTES',
  415: 'Wrong content type',
  422: 'Invalid input (a bad or unknown field, a query parameter of the wrong type): errors lists each {path, detail}',
  429: 'Past a rate limit (RATE_LIMIT_PER_ADDRESS, RATE_LIMIT_PER_KEY): retry after Retry-After seconds',
  503: 'A dependency (Redis, the database) is down: retry later',
};

/** Documents the error responses an operation can give, each as problem+json. */
export function ApiProblems(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemDetailsDto),
    ...statuses.map((status) => ApiResponse({ status, ...problemResponse(status) })),
  );
}

function problemResponse(status: number) {
  return {
    description: MEANING[status] ?? 'Error',
    content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDetailsDto) } } },
    ...(status === 429 && { headers: { 'Retry-After': { description: 'Seconds until the limit resets', schema: { type: 'integer' } } } }),
  };
}

/**
 * The responses every /v1 operation can give whatever its controller says, because the auth guard and the rate
 * limiter are global: 401 and 403 (keys), 429 (limits). /metrics takes keys but is never limited; /health neither.
 */
export function documentAccessProblems(doc: OpenAPIObject): OpenAPIObject {
  for (const [path, item] of Object.entries(doc.paths)) {
    const statuses = path.startsWith('/v1/') ? [401, 403, 429] : path === '/metrics' ? [401, 403] : [];
    for (const op of Object.values(item) as Array<{ responses?: Record<string, unknown> }>) {
      if (!op?.responses) continue;
      for (const s of statuses) op.responses[String(s)] ??= problemResponse(s);
    }
  }
  return doc;
}
