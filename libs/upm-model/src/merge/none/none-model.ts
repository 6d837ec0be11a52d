/**
 * The `none` model: no merging. Plain accounting where frames that are already shared (same PFN:
 * fork, page cache, the kernel zero page) count once.
 */
import type { Dump } from '../../dump/types';
import { buildWorld, World } from '../../sharing/world';
import { aliveAtEnd, countFrames } from '../common/accounting';
import type { MergeResultBase, ModelRunOptions } from '../common/types';

export interface NoneResult extends MergeResultBase {
  model: 'none';
  /** Mappings beyond the first of an already-shared frame (residentPages - physicalPagesBefore). */
  alreadySharedMappings: number;
}

export function runNoneModel(input: Dump[] | World, options: ModelRunOptions = {}): NoneResult {
  const world = Array.isArray(input) ? buildWorld(input, { signal: options.signal }) : input;
  const alive = aliveAtEnd(world);
  const { residentPages, physicalPages } = countFrames(world, alive);
  options.onProgress?.({ phase: 'count', done: residentPages, total: residentPages });
  return {
    model: 'none',
    pageSize: world.pageSize,
    atTimeMs: world.endTimeMs,
    processes: alive.length,
    residentPages,
    physicalPagesBefore: physicalPages,
    physicalPagesAfter: physicalPages,
    savedBytes: 0,
    pagesShared: 0,
    pagesSharing: 0,
    alreadySharedMappings: residentPages - physicalPages,
    warnings: world.warnings,
  };
}
