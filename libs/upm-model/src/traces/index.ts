/**
 * Invocation traces: readers (Azure 2019 / 2021, Huawei 2023), the normalized trace, its statistics, seeded
 * expansion to per-invocation events, and the binary container. See docs/traces.md.
 */
export * from './types';
export { TraceError } from './errors';
export type { TraceErrorCode, RowError } from './errors';
export { toSource, sourceFromBytes } from './input';
export type { TraceInput, TraceSource, ReadOptions } from './input';
export { MAX_CELL_COUNT } from './numbers';
export { Azure2019Reader, readAzure2019, dayFromFileName, DURATION_COLUMNS, MEMORY_COLUMNS } from './azure2019';
export type { Azure2019Options } from './azure2019';
export { Azure2021Reader, readAzure2021, AZURE2021_COLUMNS } from './azure2021';
export { Huawei2023Reader, readHuawei2023 } from './huawei2023';
export { TraceIngest, ingestTrace, sniffTraceFile, detectTraceFileKind, formatOfKind } from './ingest';
export type { IngestOptions } from './ingest';
export { traceProfile } from './profile';
export type { TraceProfile } from './profile';
export { computeTraceStats, invocationsPerFunction, joinReportWarnings, traceFunctionRows, type TraceFunctionRow } from './stats';
export { DURATION_KNOT_Q, durationCurve, durationQuantile, durationCurveMean } from './duration-dist';
export type { DurationCurve, DurationCurveSource } from './duration-dist';
export { expandInvocations, fallbackDurationMs, durationCurves } from './expand';
export type { ExpandOptions, InvocationBatch } from './expand';
export {
  encodeTrace,
  encodeTraceChunks,
  decodeTrace,
  writeTraceFile,
  readTraceFile,
  crc32,
  TRACE_MAGIC,
  TRACE_CONTAINER_VERSION,
} from './serialize';
export { Rng, seedToUint32, deriveSeed } from './prng';
export type { Seed } from './prng';
