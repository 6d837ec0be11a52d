import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { DEFAULT_SEED, DEFAULT_TIMESERIES_STEP_S, MAX_TIMESERIES_POINTS, parseSeed, PLAN_LIMITS, type PlanSpec } from '@upm/model';
import type { PlanResultWithoutSeries, PlanSummary } from '@upm/platform';
import { Allow, IsArray, IsIn, IsInt, IsNumber, IsObject, IsOptional, Min } from 'class-validator';
import {
  ColdStartSchema,
  HostSchema,
  ModelParamsSchema,
  POLICY_PROPERTY,
  ProfilesSchema,
  SizingSchema,
  SweepSchema,
  WindowSchema,
} from './plan-spec.schema';

/**
 * POST /v1/plans. Documented here for OpenAPI; validated once, by the domain's validatePlanSpec (every field,
 * unknown ones included), so a bad spec is always a 422 with `errors: [{path, detail}]`.
 */
export class CreatePlanDto {
  @ApiPropertyOptional({ enum: [1], description: 'Plan spec version' })
  @Allow()
  version?: number;

  @ApiProperty({ format: 'uuid', description: 'Id of an uploaded trace' })
  @Allow()
  trace: string;

  @ApiProperty({ type: ProfilesSchema, description: 'Which dumps stand for which functions: functions, then rules, then default, then the fallback' })
  @Allow()
  profiles: Record<string, unknown>;

  @ApiProperty({ type: HostSchema, description: 'The hosts' })
  @Allow()
  host: Record<string, unknown>;

  @ApiProperty(POLICY_PROPERTY)
  @Allow()
  policy: Record<string, unknown>;

  @ApiProperty({ type: [String], enum: ['none', 'ksm', 'upm'], isArray: true })
  @Allow()
  models: string[];

  @ApiPropertyOptional({ type: ModelParamsSchema, nullable: true, description: 'Parameters of the ksm and upm models (defaults: the kernel\'s and measured ones)' })
  @Allow()
  modelParams?: Record<string, unknown>;

  @ApiPropertyOptional({ type: ColdStartSchema, nullable: true, description: 'Cold-start times' })
  @Allow()
  coldStartMs?: Record<string, unknown>;

  @ApiPropertyOptional({
    oneOf: [{ type: 'integer', minimum: 0 }, { type: 'string' }],
    default: DEFAULT_SEED,
    description: 'Seed of the replay: an integer or any string (digits are read as the integer, as `upm plan run --seed`)',
  })
  @Transform(({ value }) => (typeof value === 'string' ? parseSeed(value) : value))
  @Allow()
  seed?: number | string;

  @ApiPropertyOptional({ type: WindowSchema, nullable: true, description: 'Replay only this part of the trace (default: all of it)' })
  @Allow()
  window?: Record<string, unknown>;

  @ApiPropertyOptional({
    description:
      'Minutes at the start of the window replayed (containers start and stay warm) but left out of every count and rate, sizing and its floor included (default 0)',
    minimum: 0,
    default: 0,
    example: 30,
  })
  @Allow()
  warmupMinutes?: number;

  @ApiPropertyOptional({ exclusiveMinimum: true, minimum: 0, default: DEFAULT_TIMESERIES_STEP_S, description: `Seconds between samples of the time series (at most ${MAX_TIMESERIES_POINTS} samples over the window)` })
  @Allow()
  timeseriesStepS?: number;

  @ApiPropertyOptional({ type: SizingSchema, nullable: true, description: 'Find the fewest hosts that meet a cold-start target' })
  @Allow()
  sizing?: Record<string, unknown>;

  @ApiPropertyOptional({ type: SweepSchema, nullable: true, description: `One point per combination (host memory outer, TTL inner), at most ${PLAN_LIMITS.maxSweepPoints}` })
  @Allow()
  sweep?: Record<string, unknown>;
}

export class PlanStatusDto {
  @ApiProperty({
    description:
      'Hash of the validated plan: the same plan has the same id. Poll GET /v1/plans/:id (a unique prefix of 8+ digits also works): a plan runs as several jobs, none of which has the plan\'s status',
  })
  id: string;
  @ApiProperty({ enum: ['queued', 'running', 'completed', 'failed'] }) state: string;
  @ApiProperty({ minimum: 0, maximum: 100 }) progress: number;
  @ApiProperty({ description: 'Points of the sweep' }) points: number;
  @ApiProperty() pointsDone: number;
  @ApiProperty({ format: 'uuid' }) trace: string;
  @ApiPropertyOptional({ nullable: true, type: String }) error: string | null;
  @ApiPropertyOptional({ nullable: true, type: Object, description: 'Headline numbers per model' }) summary: PlanSummary | null;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: string;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'date-time' }) completedAt: string | null;
  @ApiPropertyOptional({ description: 'False when the same plan was already stored: it is not run again' }) created?: boolean;
}

export class PlanDto extends PlanStatusDto {
  @ApiProperty({ type: Object, description: 'The validated plan spec with defaults applied' }) spec: PlanSpec;
  @ApiPropertyOptional({ nullable: true, type: Object, description: 'The PlanResult (timeseries at /timeseries)' }) result: PlanResultWithoutSeries | null;
}

export class PlanListDto {
  @ApiProperty({ type: [PlanStatusDto] }) items: PlanStatusDto[];
  @ApiProperty() total: number;
}

export class TimeseriesQueryDto {
  @ApiPropertyOptional({ enum: ['json', 'csv'], default: 'json' })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';

  @ApiPropertyOptional({ minimum: 0, description: "A sweep's point (result.sweep.points[i].index); required for a sweep" })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  point?: number;
}

export class DensityRequestDto {
  @ApiProperty({ description: 'Function name → dump ids of its containers', type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } })
  @IsObject()
  dumps: Record<string, string[]>;

  @ApiProperty({ description: 'Host memory in GiB' })
  @IsNumber()
  hostMemoryGiB: number;

  @ApiPropertyOptional({ type: [String], enum: ['none', 'ksm', 'upm'], default: ['none', 'ksm', 'upm'] })
  @IsOptional()
  @IsArray()
  @IsIn(['none', 'ksm', 'upm'], { each: true })
  models?: string[];
}

