import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export const JOB_STATES = ['waiting', 'delayed', 'active', 'completed', 'failed', 'paused', 'stuck'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** A job's status as the API tells it: never a raw Bull job. */
export class JobStatusDto {
  @ApiProperty({ example: 'system:6f1c2a4e-0d1b-4bb0-8f25-3a1d0c9e7b11' })
  id: string;

  @ApiProperty({ example: 'system' })
  queue: string;

  @ApiProperty({ example: 'ping' })
  name: string;

  @ApiProperty({ enum: JOB_STATES })
  state: JobState;

  @ApiProperty({ minimum: 0, maximum: 100 })
  progress: number;

  @ApiProperty({ description: 'Attempts made so far' })
  attempts: number;

  @ApiProperty({ description: 'Attempts allowed before the job fails' })
  maxAttempts: number;

  @ApiPropertyOptional({ nullable: true, type: String })
  failedReason: string | null;

  @ApiPropertyOptional({ nullable: true, type: Object, description: 'The job result, once completed' })
  result: unknown;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: string;

  @ApiPropertyOptional({ nullable: true, type: String, format: 'date-time' })
  startedAt: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, format: 'date-time' })
  finishedAt: string | null;
}
