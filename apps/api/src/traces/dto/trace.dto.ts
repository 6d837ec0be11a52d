import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import type { JoinReport, RowError } from '@upm/model';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

export class TraceStatsDto {
  @ApiProperty() functions: number;
  @ApiProperty() apps: number;
  @ApiPropertyOptional({ nullable: true, type: Number }) owners: number | null;
  @ApiProperty({ description: 'Exact invocation total' }) invocations: number;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' } }) functionsByTrigger: Record<string, number>;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' } }) invocationsByTrigger: Record<string, number>;
  @ApiProperty() peakInvocationsPerMinute: number;
  @ApiPropertyOptional({ nullable: true, type: Number }) peakMinuteStartS: number | null;
  @ApiProperty({ description: 'Rows and functions that did not join (Azure 2019)' }) unjoined: number;
}

export class TraceFileDto {
  @ApiProperty() file: string;
  @ApiProperty() kind: string;
  @ApiProperty() rows: number;
  @ApiProperty({ description: 'Rows rejected (each with line and column in errors)' }) badRows: number;
  @ApiProperty({ type: [Object] }) errors: RowError[];
}

export class TraceDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ['azure2019', 'azure2021', 'huawei2023'] }) format: string;
  @ApiProperty({ description: 'Bytes uploaded' }) sourceBytes: number;
  @ApiProperty({ description: 'Seconds since the trace origin, [startS, endS)' }) window: { startS: number; endS: number };
  @ApiProperty({ type: TraceStatsDto }) stats: TraceStatsDto;
  @ApiPropertyOptional({ nullable: true, type: Object, description: 'Azure 2019: what did not join, and why' })
  joinReport: JoinReport | null;
  @ApiProperty({ type: [String], description: 'What the upload leaves to defaults (e.g. functions without a durations or memory row)' })
  warnings: string[];
  @ApiProperty({ type: [TraceFileDto] }) files: TraceFileDto[];
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: string;
  @ApiPropertyOptional({ description: 'On upload: true when the same files were already ingested (the stored trace is returned)' })
  deduplicated?: boolean;
}

export class TraceListDto {
  @ApiProperty({ type: [TraceDto] }) items: TraceDto[];
  @ApiProperty() total: number;
}

export class UploadTraceQueryDto {
  @ApiPropertyOptional({ maxLength: 255 })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  // eslint-disable-next-line no-control-regex -- rejecting control characters is the point
  @Matches(/^[^\u0000-\u001f]*$/, { message: 'name must not contain control characters' })
  name?: string;

  @ApiPropertyOptional({ enum: ['auto', 'azure2019', 'azure2021', 'huawei2023'], default: 'auto' })
  @IsOptional()
  @IsIn(['auto', 'azure2019', 'azure2021', 'huawei2023'])
  format?: 'auto' | 'azure2019' | 'azure2021' | 'huawei2023';
}

export class TraceProfileQueryDto {
  @ApiPropertyOptional({ default: 20, minimum: 0, maximum: 1000, description: 'How many busiest functions to list' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1000)
  top?: number;
}

export class TraceTopFunctionDto {
  @ApiProperty() id: string;
  @ApiProperty() app: string;
  @ApiProperty() trigger: string;
  @ApiProperty() invocations: number;
}

export class TraceProfileDto {
  @ApiProperty({ description: 'Seconds since the trace origin of the first minute of perMinute' }) firstMinuteS: number;
  @ApiProperty({ type: [Number], description: 'Invocations started in each minute of the window' }) perMinute: number[];
  @ApiProperty({ type: [TraceTopFunctionDto], description: 'Busiest functions, most invocations first' }) top: TraceTopFunctionDto[];
}

export class TraceFunctionMemoryDto {
  @ApiProperty({ enum: ['app', 'function'], description: 'Whose memory the figures are' }) scope: 'app' | 'function';
  @ApiPropertyOptional({ nullable: true, type: Number }) averageMb: number | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) p50Mb: number | null;
}

export class TraceFunctionDto {
  @ApiProperty({ description: 'The key of profiles.functions: "<app>/<id>" (or "<id>" alone)', example: 'app1/func1' })
  key: string;
  @ApiProperty() app: string;
  @ApiProperty() id: string;
  @ApiProperty({ enum: ['http', 'timer', 'event', 'queue', 'storage', 'orchestration', 'others', 'unknown'] }) trigger: string;
  @ApiProperty({ description: 'Invocations in the trace' }) invocations: number;
  @ApiPropertyOptional({ nullable: true, type: TraceFunctionMemoryDto }) memory: TraceFunctionMemoryDto | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) averageDurationMs: number | null;
}

export class TraceFunctionListDto {
  @ApiProperty({ type: [TraceFunctionDto], description: 'Most invoked first' }) items: TraceFunctionDto[];
  @ApiProperty() total: number;
}
