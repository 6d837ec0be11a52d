/** Shapes shared by the three merge models (none, upm, ksm). */

export type MergeModelName = 'none' | 'ksm' | 'upm';

export interface ModelProgress {
  phase: string;
  done: number;
  total: number;
}

/** Run options every model accepts. Models are deterministic; `clock` only timestamps progress. */
export interface ModelRunOptions {
  onProgress?: (p: ModelProgress) => void;
  signal?: AbortSignal;
  clock?: () => number;
}

/**
 * The result fields shared by all models. Accounting is done at the end of the observation (the last
 * snapshot), over the processes alive then.
 * - residentPages: present pages of those processes (the sum of their RSS, in pages).
 * - physicalPagesBefore: distinct frames among them without any merging (same PFN counts once).
 * - physicalPagesAfter: distinct frames after the model's merging.
 * - pagesShared: frames that merged mappings point to (the kernel's pages_shared).
 * - pagesSharing: the extra mappings of those frames = pages saved by merging (pages_sharing).
 */
export interface MergeResultBase {
  model: MergeModelName;
  pageSize: number;
  atTimeMs: number;
  processes: number;
  residentPages: number;
  physicalPagesBefore: number;
  physicalPagesAfter: number;
  savedBytes: number;
  pagesShared: number;
  pagesSharing: number;
  warnings: string[];
}
