import { DumpEntity } from '@upm/platform';
import type { DumpSummary } from '@upm/model';
import { DumpDto, DumpSummaryDto } from './dto/dump.dto';

export function toDumpSummaryDto(s: DumpSummary): DumpSummaryDto {
  return {
    snapshots: s.snapshots,
    processes: s.processes,
    vmas: s.vmas,
    residentPages: s.residentPages,
    distinctHashes: s.distinctHashes,
    zeroPages: s.zeroPages,
    ksmPages: s.ksmPages,
    anonPages: s.anonPages,
    filePages: s.filePages,
    swappedPages: s.swappedPages,
    thpPages: s.thpPages,
    pageSize: s.pageSize,
    hash: s.hash,
    host: s.host,
    capturedAt: new Date(s.captureTimeMs).toISOString(),
  };
}

export function toDumpDto(e: DumpEntity, deduplicated?: boolean): DumpDto {
  return {
    id: e.id,
    sha256: e.sha256,
    name: e.name,
    bytes: e.sizeBytes,
    labels: e.labels,
    summary: e.summary,
    createdAt: new Date(e.createdAtMs).toISOString(),
    ...(deduplicated !== undefined && { deduplicated }),
  };
}
