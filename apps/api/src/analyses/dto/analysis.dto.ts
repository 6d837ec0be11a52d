import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsObject, IsOptional, IsUUID } from 'class-validator';
import type { AnalysisJson } from '@upm/model';

/** POST /v1/analyses. Model parameters are validated by the domain's validateAnalysisRequest (path-named errors). */
export class CreateAnalysisDto {
  @ApiProperty({ type: [String], description: 'Dump ids' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1024)
  @IsUUID(undefined, { each: true })
  dumps: string[];

  @ApiProperty({ enum: ['none', 'ksm', 'upm', 'sharing'] })
  @IsIn(['none', 'ksm', 'upm', 'sharing'])
  model: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'ksm: pagesToScan, sleepMs, maxPageSharing, useZeroPages, smartScan, hz, assumeMergeable' })
  @IsOptional()
  @IsObject()
  ksm?: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'ksm: include the counters over time' })
  @IsOptional()
  @IsBoolean()
  timeline?: boolean;

  @ApiPropertyOptional({ type: [Object], description: 'upm: madvise calls [{pid, timeMs, startTime?, ranges?}]' })
  @IsOptional()
  @IsArray()
  upmCalls?: unknown[];

  @ApiPropertyOptional({ enum: ['ksm', 'upm'] })
  @IsOptional()
  @IsIn(['ksm', 'upm'])
  mergeability?: 'ksm' | 'upm';

  @ApiPropertyOptional({ description: "sharing: 'first', 'last' or a snapshot index" })
  @IsOptional()
  snapshot?: 'first' | 'last' | number;
}

export class AnalysisResponseDto {
  @ApiProperty({ enum: ['completed', 'queued'], description: 'completed: answered at once; queued: a worker job (GET /v1/jobs/:jobId)' })
  state: 'completed' | 'queued';

  @ApiPropertyOptional({ description: 'The job running a large analysis' })
  jobId?: string;

  @ApiProperty({ description: 'Resident pages of the dumps: above the threshold an analysis becomes a job' })
  residentPages: number;

  @ApiPropertyOptional({ type: Object, nullable: true, description: 'The result when answered at once (same JSON as `upm analyze --json`)' })
  result?: AnalysisJson;
}
