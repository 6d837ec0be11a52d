import { ApiPropertyOptional } from '@nestjs/swagger';
import { PING_MAX_HOLD_MS } from '@upm/jobs';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export class EnqueuePingDto {
  @ApiPropertyOptional({ maxLength: 200, default: 'ping' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  message?: string;

  @ApiPropertyOptional({ minimum: 0, maximum: PING_MAX_HOLD_MS, default: 0, description: 'Milliseconds the worker holds the job' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(PING_MAX_HOLD_MS)
  holdMs?: number;
}
