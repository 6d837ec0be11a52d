import { joinReportWarnings } from '@upm/model';
import { TraceEntity } from '@upm/platform';
import { TraceDto } from './dto/trace.dto';

export function toTraceDto(e: TraceEntity): TraceDto {
  return {
    id: e.id,
    name: e.name,
    format: e.format,
    sourceBytes: e.sourceBytes,
    window: e.window,
    stats: e.stats,
    joinReport: e.joinReport,
    warnings: joinReportWarnings(e.joinReport),
    files: e.files,
    createdAt: new Date(e.createdAtMs).toISOString(),
  };
}
