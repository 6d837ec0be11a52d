import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';

/** RFC 9457 problem details, as every error of the API is sent (application/problem+json). */
export class ProblemDetailsDto {
  @ApiProperty({ example: 'about:blank' }) type: string;
  @ApiProperty({ example: 'Unprocessable Content' }) title: string;
  @ApiProperty({ example: 422 }) status: number;
  @ApiProperty({ example: 'invalid plan: host.memoryGiB must be a positive number or null, got -1' }) detail: string;
  @ApiPropertyOptional({ example: '/v1/plans' }) instance?: string;
  @ApiPropertyOptional({ description: 'The request id, also in the x-request-id header and the logs' }) requestId?: string;
}

const MEANING: Record<number, string> = {
  400: 'Malformed request: bad JSON, an unknown field, or a query parameter of the wrong type',
  401: 'No API key, or an unknown one (once keys exist): the detail names the scope needed',
  403: 'The key lacks the scope needed (requiredScope)',
  404: 'No such resource',
  409: 'Conflicts with the stored state (e.g. an id prefix matching several plans)',
  413: 'Larger than UPLOAD_MAX_BYTES',
  415: 'Wrong content type',
  422: 'Well-formed but invalid input: the detail names the field and why',
  503: 'A dependency (Redis, the database) is down: retry later',
};

/** Documents the error responses an operation can give, each as problem+json. */
export function ApiProblems(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemDetailsDto),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: MEANING[status] ?? 'Error',
        content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDetailsDto) } } },
      }),
    ),
  );
}
