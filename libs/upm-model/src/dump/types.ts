/**
 * In-memory shapes of a page-hash dump (docs/dump-format.md). The codec produces them; the sharing
 * analysis and the merge models consume them. Page data stays columnar in typed arrays: a dump of
 * millions of pages must not become millions of objects.
 */

export const DUMP_MAGIC = 'UPMDUMP\0';
export const DUMP_MAJOR_VERSION = 1;
export const DUMP_MINOR_VERSION = 0;

/** Bits of the per-page flags byte. */
export const PageFlag = {
  Present: 1 << 0,
  Swapped: 1 << 1,
  File: 1 << 2,
  Exclusive: 1 << 3,
  ZeroPage: 1 << 4,
  Ksm: 1 << 5,
  Thp: 1 << 6,
  SoftDirty: 1 << 7,
} as const;

export const PAGE_FLAG_NAMES = [
  'present',
  'swapped',
  'file',
  'exclusive',
  'zeroPage',
  'ksm',
  'thp',
  'softDirty',
] as const;

export interface DumpHashInfo {
  algorithm: string;
  /** 16 lowercase hex digits; identifies the key without revealing it. */
  keyId: string;
  defaultKey: boolean;
  /** Hash of a zero-filled page under this key, 16 lowercase hex digits. */
  zeroPageHash: string;
}

export interface DumpHeader {
  formatVersion: number;
  pageSize: number;
  hash: DumpHashInfo;
  host: { hostname: string; kernelRelease: string; pfnReadable: boolean; pageFlagsReadable: boolean };
  captureTimeMs: number;
  ksm: Record<string, string>;
  thp: Record<string, string>;
  labels: Record<string, string>;
  tool: { name: string; version: string };
}

export interface SnapshotInfo {
  index: number;
  timeMs: number;
  elapsedMs: number;
}

export interface VmaInfo {
  start: number;
  end: number;
  perms: string;
  shared: boolean;
  kind: 'anon' | 'file';
  pgoff: number;
  flags: string[];
  path: string;
}

export type ProcessStatus = 'ok' | 'exited' | 'denied';

export interface ProcessInfo {
  pid: number;
  startTime: number;
  comm: string;
  cmdline: string[];
  cgroup: string;
  labels: Record<string, string>;
  snapshotTimeMs: number;
  status: ProcessStatus;
  error?: string;
  ksm: Record<string, number | string> | null;
  rollup: Record<string, number>;
  vmas: VmaInfo[];
}

/** One PAGE section: resident pages of one VMA, columnar. */
export interface PageBlock {
  vmaIndex: number;
  baseIndex: number;
  count: number;
  /** (offset, length) pairs relative to baseIndex. */
  runs: Uint32Array;
  /** 2 × count words: low then high 32 bits of each 64-bit hash. 0/0 = not hashed. */
  hashes: Uint32Array;
  /** Frame numbers, 0 = unknown; null when the section has no PFN column. */
  pfns: Float64Array | Uint32Array | null;
  flags: Uint8Array;
}

export interface DumpTail {
  snapshots: number;
  processes: number;
  pageSections: number;
  pages: number;
}

/** Streaming reader events, in file order. */
export type DumpEvent =
  | { kind: 'header'; header: DumpHeader; offset: number }
  | { kind: 'snapshot'; snapshot: SnapshotInfo; offset: number }
  | { kind: 'process'; process: ProcessInfo; offset: number }
  | { kind: 'pages'; block: PageBlock; offset: number }
  | {
      kind: 'end';
      tail: DumpTail;
      offset: number;
      /** Length of the whole dump in bytes, through the TAIL section (set by the reader). */
      bytes?: number;
    };

/**
 * A process of one snapshot, with its pages concatenated into flat columns (the models' input).
 * `vmaOf[i]` indexes `info.vmas`; `pageIndex[i]` is the page index within that VMA.
 */
export interface ProcessPages {
  info: ProcessInfo;
  count: number;
  vmaOf: Uint32Array;
  pageIndex: Float64Array;
  hashLo: Uint32Array;
  hashHi: Uint32Array;
  pfn: Float64Array | null;
  flags: Uint8Array;
}

export interface Snapshot {
  info: SnapshotInfo;
  processes: ProcessPages[];
}

/** A whole dump loaded for analysis. */
export interface Dump {
  header: DumpHeader;
  snapshots: Snapshot[];
  /** Total bytes read. */
  bytes: number;
}
