import { joinReportWarnings, type JoinReport } from '@upm/model';
import { TraceEntity } from '@upm/platform';
import { TraceDto, TraceFileDto, TraceStatsDto } from './dto/trace.dto';

export function toTraceDto(e: TraceEntity): TraceDto {
  return {
    id: e.id,
    name: e.name,
    format: e.format,
    sourceBytes: e.sourceBytes,
    window: e.window,
    stats: e.stats as unknown as TraceStatsDto,
    joinReport: e.joinReport,
    warnings: joinReportWarnings(e.joinReport as unknown as JoinReport | null),
    files: e.files as unknown as TraceFileDto[],
    createdAt: new Date(e.createdAtMs).toISOString(),
  };
}
