/**
 * The API's CPU-heavy work, as plain tasks over content-addressed inputs: run on a worker thread
 * (compute.worker.ts) so the event loop keeps answering, or inline when the pool has no threads. Imports the
 * domain core only: nothing of Nest, TypeORM or Bull is loaded on a compute thread.
 */
import {
  AnalysisRequestError,
  analysisJson,
  checkFunctionKeys,
  decodeTrace,
  densityPerHost,
  DumpFormatError,
  loadDumpBytes,
  PlanSpecError,
  runAnalysis,
  TraceError,
  traceFunctionRows,
  traceProfile,
  validateAnalysisRequest,
  type DensityResult,
  type Dump,
  type NormalizedTrace,
  type PlanSpec,
  type SharingReport,
  type TraceFunctionRow,
  type TraceProfile,
} from '@upm/model';

/** A stored input by its content: the cache key on the compute threads. */
export interface InputRef {
  kind: 'dump' | 'trace';
  /** The input's id, for errors about it. */
  id: string;
  sha256: string;
  /** What error messages call it (e.g. `dump <id>`). */
  name: string;
}

export type ComputeTask =
  | { kind: 'analysis'; request: unknown; dumps: InputRef[] }
  | { kind: 'sharing'; request: unknown; dump: InputRef }
  | { kind: 'density'; profiles: Array<[string, InputRef[]]>; hostMemoryGiB: number; models: Array<'none' | 'ksm' | 'upm'> }
  | { kind: 'traceFunctions'; trace: InputRef }
  | { kind: 'traceProfile'; trace: InputRef; top: number }
  | { kind: 'functionKeys'; spec: Pick<PlanSpec, 'profiles' | 'coldStartMs'>; trace: InputRef };

/** What each task answers (all structured-cloneable). */
export interface ComputeResults {
  analysis: unknown;
  sharing: SharingReport;
  density: DensityResult;
  traceFunctions: TraceFunctionRow[];
  traceProfile: TraceProfile;
  functionKeys: null;
}

export type ResultOf<T extends ComputeTask> = ComputeResults[T['kind']];

/** The inputs a task reads. */
export function inputsOf(task: ComputeTask): InputRef[] {
  switch (task.kind) {
    case 'analysis':
      return task.dumps;
    case 'sharing':
      return [task.dump];
    case 'density':
      return task.profiles.flatMap(([, refs]) => refs);
    default:
      return [task.trace];
  }
}

/** Decoded inputs by sha256, as the task reads them. */
export interface DecodedInputs {
  dump(ref: InputRef): Dump;
  trace(ref: InputRef): NormalizedTrace;
}

export function decodeInput(ref: InputRef, bytes: Uint8Array): Dump | NormalizedTrace {
  return ref.kind === 'dump' ? loadDumpBytes(bytes, { name: ref.name }) : decodeTrace(bytes);
}

/** Runs a task on decoded inputs. The inputs are only read: they may be cached and shared by later tasks. */
export function runComputeTask(task: ComputeTask, inputs: DecodedInputs): unknown {
  switch (task.kind) {
    case 'analysis': {
      const request = validateAnalysisRequest(task.request);
      return analysisJson(request, runAnalysis(request, task.dumps.map((r) => inputs.dump(r))));
    }
    case 'sharing': {
      const request = validateAnalysisRequest(task.request);
      const out = runAnalysis(request, [inputs.dump(task.dump)]);
      return (out as { kind: 'sharing'; report: SharingReport }).report;
    }
    case 'density':
      return densityPerHost({
        profiles: new Map(task.profiles.map(([fn, refs]) => [fn, refs.map((r) => inputs.dump(r))])),
        hostMemoryGiB: task.hostMemoryGiB,
        models: task.models,
      });
    case 'traceFunctions':
      return traceFunctionRows(inputs.trace(task.trace));
    case 'traceProfile':
      return traceProfile(inputs.trace(task.trace), task.top);
    case 'functionKeys':
      checkFunctionKeys(task.spec, inputs.trace(task.trace));
      return null;
  }
}

/**
 * The domain errors a task may throw, by name: they cross the thread boundary as data and are rebuilt as
 * instances of their class, so the API maps them to the same responses as when they were thrown inline.
 */
const DOMAIN_ERRORS = { AnalysisRequestError, DumpFormatError, PlanSpecError, TraceError } as const;

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  props: Record<string, unknown>;
}

export function serializeError(e: unknown): SerializedError {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e), props: {} };
  const props: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) if (k !== 'name' && k !== 'message' && k !== 'stack') props[k] = v;
  return { name: e.name, message: e.message, stack: e.stack, props };
}

export function rebuildError(s: SerializedError): Error {
  const cls = (DOMAIN_ERRORS as Record<string, { prototype: Error }>)[s.name];
  const e: Error = cls ? Object.create(cls.prototype) : new Error(s.message);
  Object.assign(e, s.props, { message: s.message, name: s.name });
  if (s.stack) e.stack = s.stack;
  return e;
}
