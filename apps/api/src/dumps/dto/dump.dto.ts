import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

export class DumpSummaryDto {
  @ApiProperty() snapshots: number;
  @ApiProperty({ description: 'PROC sections (a process in two snapshots counts twice)' }) processes: number;
  @ApiProperty() vmas: number;
  @ApiProperty() residentPages: number;
  @ApiProperty() distinctHashes: number;
  @ApiProperty({ description: 'Resident zero-filled pages' }) zeroPages: number;
  @ApiProperty() ksmPages: number;
  @ApiProperty() anonPages: number;
  @ApiProperty() filePages: number;
  @ApiProperty() swappedPages: number;
  @ApiProperty() thpPages: number;
  @ApiProperty() pageSize: number;
  @ApiProperty({ description: 'Hash algorithm and key id (never the key)' }) hash: { algorithm: string; keyId: string; defaultKey: boolean };
  @ApiProperty() host: { hostname: string; kernelRelease: string; pfnReadable: boolean; pageFlagsReadable: boolean };
  @ApiProperty({ type: String, format: 'date-time' }) capturedAt: string;
}

export class DumpDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ description: 'SHA-256 of the dump file; identical uploads are stored once' }) sha256: string;
  @ApiProperty() name: string;
  @ApiProperty() bytes: number;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) labels: Record<string, string>;
  @ApiProperty({ type: DumpSummaryDto }) summary: DumpSummaryDto;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: string;
  @ApiPropertyOptional({ description: 'True when this upload matched a dump already stored' }) deduplicated?: boolean;
}

export class DumpListDto {
  @ApiProperty({ type: [DumpDto] }) items: DumpDto[];
  @ApiProperty() total: number;
}

export class UploadDumpQueryDto {
  @ApiPropertyOptional({ description: 'A name for the dump (default: its function label, or "dump")', maxLength: 255 })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  // eslint-disable-next-line no-control-regex -- rejecting control characters is the point
  @Matches(/^[^\u0000-\u001f]*$/, { message: 'name must not contain control characters' })
  name?: string;
}

export class ListQueryDto {
  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ default: 0, minimum: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset?: number;
}

export class SharingQueryDto {
  @ApiPropertyOptional({ description: "Which snapshot: 'first', 'last' (default) or its index from 0", example: 'last' })
  @IsOptional()
  @Matches(/^(first|last|\d{1,9})$/, { message: "snapshot must be 'first', 'last' or a snapshot index (0, 1, ...)" })
  snapshot?: string;

  @ApiPropertyOptional({ enum: ['ksm', 'upm'], default: 'upm', description: 'Whose rules decide what can merge' })
  @IsOptional()
  @IsIn(['ksm', 'upm'])
  mergeability?: 'ksm' | 'upm';
}
