/**
 * The normalized trace: what every reader produces, what the codec stores, what the replay consumes.
 * Per-function metadata is a plain array of small objects (tens of thousands at most); the bulk — arrivals —
 * lives in typed arrays, sparse (CSR) for per-minute counts because a real day is mostly zeros.
 */
import type { RowError } from './errors';

export const TRIGGERS = ['http', 'timer', 'event', 'queue', 'storage', 'orchestration', 'others', 'unknown'] as const;
export type Trigger = (typeof TRIGGERS)[number];

export const TRACE_FORMATS = ['azure2019', 'azure2021', 'huawei2023'] as const;
export type TraceFormat = (typeof TRACE_FORMATS)[number];

/** Percentile points of the Azure 2019 durations file, in column order. */
export const DURATION_PERCENTILES = [0, 1, 25, 50, 75, 99, 100] as const;
/** Percentile points of the Azure 2019 memory file, in column order (there is no pct0). */
export const MEMORY_PERCENTILES = [1, 5, 25, 50, 75, 95, 99, 100] as const;

/** Execution-time figures of one function, milliseconds. null = the cell was empty / unknown. */
export interface DurationFigures {
  averageMs: number | null;
  /** Executions behind the figures; from another log than the minute counts (need not equal their sum). */
  count: number | null;
  minimumMs: number | null;
  maximumMs: number | null;
  /** Values at DURATION_PERCENTILES (p0, p1, p25, p50, p75, p99, p100). */
  percentilesMs: (number | null)[];
}

/** Committed memory, MB. `scope` says whether the source row described the whole app or this function. */
export interface MemoryFigures {
  scope: 'app' | 'function';
  sampleCount: number | null;
  averageMb: number | null;
  /** Values at MEMORY_PERCENTILES (p1, p5, p25, p50, p75, p95, p99, p100). */
  percentilesMb: (number | null)[];
}

export interface TraceFunction {
  /** HashFunction (2019), func (2021), column name (Huawei). Unique only together with app and owner. */
  id: string;
  /** HashApp (2019), app (2021); Huawei has no apps: each function is its own app. */
  app: string;
  /** HashOwner (2019); '' where the format has no owners. */
  owner: string;
  trigger: Trigger;
  durations: DurationFigures | null;
  memory: MemoryFigures | null;
}

/**
 * Per-minute invocation counts, CSR by function. A slot is a minute since the trace origin: slot s covers
 * seconds [60 s, 60 s + 60). Azure 2019 day d minute m (1-based) is slot (d-1)*1440 + (m-1).
 */
export interface MinuteCountArrivals {
  kind: 'minute-counts';
  /** length functions + 1; entries of function f are [rowPtr[f], rowPtr[f+1]). */
  rowPtr: Uint32Array;
  /** Ascending within a function; every slot lies in the trace window. */
  slot: Uint32Array;
  /** > 0 (zero cells are not stored). */
  count: Uint32Array;
}

/** Exact invocations (Azure 2021), sorted by start time (file order breaks ties). */
export interface TimestampArrivals {
  kind: 'timestamps';
  fn: Uint32Array;
  /** Seconds since the trace origin; may be slightly negative (an invocation that began before the trace). */
  startS: Float64Array;
  durationMs: Float64Array;
}

export type Arrivals = MinuteCountArrivals | TimestampArrivals;

/** Per input file: how many data rows were read and which were rejected (bounded list). */
export interface FileReadSummary {
  file: string;
  kind: TraceFileKind;
  rows: number;
  badRows: number;
  errors: RowError[];
  errorsTruncated: boolean;
}

export type TraceFileKind =
  'azure2019-invocations' | 'azure2019-durations' | 'azure2019-memory' | 'azure2021' | 'huawei2023-requests';

export type JoinIssueKind =
  | 'invocations-without-durations'
  | 'invocations-without-memory'
  | 'durations-without-invocations'
  | 'memory-without-invocations'
  | 'duplicate-invocations'
  | 'duplicate-durations'
  | 'duplicate-memory';

export const JOIN_ISSUE_KINDS: readonly JoinIssueKind[] = [
  'invocations-without-durations',
  'invocations-without-memory',
  'durations-without-invocations',
  'memory-without-invocations',
  'duplicate-invocations',
  'duplicate-durations',
  'duplicate-memory',
];

export interface JoinIssue {
  kind: JoinIssueKind;
  file: string;
  line: number;
  owner: string;
  app: string;
  /** null for an app-level memory row. */
  function: string | null;
  message: string;
}

/** How the three Azure 2019 files of a day joined on (HashOwner, HashApp, HashFunction). */
export interface JoinReport {
  files: { invocations: string | null; durations: string | null; memory: string | null };
  /** 'app' for the original memory schema, 'function' when the memory file has a HashFunction column. */
  memoryScope: 'app' | 'function' | null;
  rows: { invocations: number; durations: number; memory: number };
  /** Distinct functions of the invocations file (the trace's functions). */
  functions: number;
  /** Functions that found a durations row and a memory row (among the files supplied). */
  joined: number;
  counts: Record<JoinIssueKind, number>;
  /** Rows and functions that did not join: the sum of the four `*-without-*` counts. */
  unjoined: number;
  /** The first issues, in file order; bounded. */
  examples: JoinIssue[];
  examplesTruncated: boolean;
}

export interface TraceStats {
  functions: number;
  apps: number;
  /** null when the format has no owners. */
  owners: number | null;
  /** Exact total (sum of all minute counts, or number of rows). */
  invocations: number;
  functionsByTrigger: Record<Trigger, number>;
  invocationsByTrigger: Record<Trigger, number>;
  peakInvocationsPerMinute: number;
  /** Start (seconds since the origin) of the first minute reaching the peak; null for an empty trace. */
  peakMinuteStartS: number | null;
  /** Rows/functions that did not join (0 for single-file formats). */
  unjoined: number;
}

export interface NormalizedTrace {
  /** Version of this in-memory/serialized shape. */
  schemaVersion: 1;
  format: TraceFormat;
  /** Time span the trace covers, seconds since its origin: [startS, endS). */
  window: { startS: number; endS: number };
  functions: TraceFunction[];
  arrivals: Arrivals;
  files: FileReadSummary[];
  joinReport: JoinReport | null;
  stats: TraceStats;
}

export function emptyTriggerCounts(): Record<Trigger, number> {
  const r = {} as Record<Trigger, number>;
  for (const t of TRIGGERS) r[t] = 0;
  return r;
}

export function isTrigger(s: string): s is Trigger {
  return (TRIGGERS as readonly string[]).includes(s);
}
