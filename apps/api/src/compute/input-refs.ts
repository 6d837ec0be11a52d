import type { DumpEntity, TraceEntity } from '@upm/platform';
import type { InputRef } from './compute.tasks';

/** A stored dump or trace as a compute task names it: by content, with its id for errors. */
export function dumpRef(e: Pick<DumpEntity, 'id' | 'sha256'>): InputRef {
  return { kind: 'dump', id: e.id, sha256: e.sha256, name: `dump ${e.id}` };
}

export function traceRef(e: Pick<TraceEntity, 'id' | 'sha256'>): InputRef {
  return { kind: 'trace', id: e.id, sha256: e.sha256, name: `trace ${e.id}` };
}
