/**
 * OpenAPI schemas of domain results the API returns as they are (SharingReport, PlanTimeseries,
 * DensityResult): documentation classes mirroring libs/upm-model's types, never instantiated.
 */
import { ApiProperty } from '@nestjs/swagger';
import { SHARING_CATEGORIES } from '@upm/model/sharing';

const MODELS = ['none', 'ksm', 'upm'];
const perModel = (type: 'number' | 'boolean', description: string) => ({
  type: 'object',
  description,
  properties: Object.fromEntries(MODELS.map((m) => [m, { type }])),
});

export class CategoryAmountDto {
  @ApiProperty() pages: number;
  @ApiProperty() mib: number;
  @ApiProperty({ description: "Percent of the row's resident pages" }) percentOfRss: number;
}

/** The sharing categories in the domain's order (a page goes to the first that fits). */
const CATEGORIES = [...SHARING_CATEGORIES];

export class SharingRowDto {
  @ApiProperty() residentPages: number;
  @ApiProperty() residentMiB: number;
  @ApiProperty({
    type: 'object',
    description: 'Resident pages by category (they add up to residentPages)',
    properties: Object.fromEntries(CATEGORIES.map((c) => [c, { $ref: '#/components/schemas/CategoryAmountDto' }])),
  })
  categories: Record<string, CategoryAmountDto>;
  @ApiProperty() pssBeforePages: number;
  @ApiProperty() pssAfterPages: number;
  @ApiProperty() pssBeforeMiB: number;
  @ApiProperty() pssAfterMiB: number;
}

export class ProcessSharingRowDto extends SharingRowDto {
  @ApiProperty() pid: number;
  @ApiProperty() startTime: number;
  @ApiProperty() comm: string;
  @ApiProperty() function: string;
}

export class FunctionSharingRowDto extends SharingRowDto {
  @ApiProperty() function: string;
  @ApiProperty() processes: number;
}

export class SharingTotalDto extends SharingRowDto {
  @ApiProperty() physicalPagesBefore: number;
  @ApiProperty() physicalPagesAfter: number;
  @ApiProperty() savedBytes: number;
}

export class SharingReportDto {
  @ApiProperty({ example: 4096 }) pageSize: number;
  @ApiProperty({ enum: ['ksm', 'upm'] }) mergeability: string;
  @ApiProperty({ oneOf: [{ type: 'string', enum: ['first', 'last'] }, { type: 'integer', minimum: 0 }] }) snapshot: string | number;
  @ApiProperty({ type: [String], enum: CATEGORIES, description: 'Order in which a page is put in the first category that fits' })
  precedence: readonly string[];
  @ApiProperty({ type: [ProcessSharingRowDto] }) processes: ProcessSharingRowDto[];
  @ApiProperty({ type: [FunctionSharingRowDto] }) functions: FunctionSharingRowDto[];
  @ApiProperty({ type: SharingTotalDto }) total: SharingTotalDto;
  @ApiProperty({ type: [String] }) warnings: string[];
}

export class PlanSeriesDto {
  @ApiProperty({ enum: MODELS }) model: string;
  @ApiProperty({ oneOf: [{ type: 'string', enum: ['all'] }, { type: 'integer', minimum: 0 }], description: "'all' or a host index" })
  host: string | number;
  @ApiProperty({ type: [Number] }) memoryUsedBytes: number[];
  @ApiProperty({ type: [Number], description: 'Highest memory since the previous sample' }) memoryPeakBytes: number[];
  @ApiProperty({ type: [Number] }) memorySavedBytes: number[];
  @ApiProperty({ type: [Number] }) containers: number[];
}

export class PlanTimeseriesDto {
  @ApiProperty({ example: 60 }) stepS: number;
  @ApiProperty({ type: [Number], description: 'Sample times, seconds since the trace origin' }) t: number[];
  @ApiProperty({ type: [PlanSeriesDto] }) series: PlanSeriesDto[];
}

export class DensityRowDto {
  @ApiProperty({ example: 'http-handler' }) function: string;
  @ApiProperty() processes: number;
  @ApiProperty(perModel('number', 'Containers that fit on the host, per model')) containers: Record<string, number>;
  @ApiProperty(perModel('boolean', 'True when maxContainers stopped the count')) capped: Record<string, boolean>;
  @ApiProperty(perModel('number', 'Host memory used by those containers, divided by their number')) bytesPerContainer: Record<string, number>;
  @ApiProperty(perModel('number', 'Containers under the model / containers under none')) densityVsNone: Record<string, number>;
}

export class DensityResultDto {
  @ApiProperty({ example: 4294967296 }) hostMemoryBytes: number;
  @ApiProperty({ example: 4096 }) pageSize: number;
  @ApiProperty({ type: [DensityRowDto] }) functions: DensityRowDto[];
}
