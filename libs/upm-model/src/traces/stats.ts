/** Summary statistics of a normalized trace (what GET /v1/traces/:id shows). */
import { Arrivals, JoinReport, NormalizedTrace, TraceFunction, TraceStats, emptyTriggerCounts } from './types';

/** Dense per-minute totals up to this many minutes (~2 years); beyond it a Map (sparse, slower). */
const DENSE_SPAN_LIMIT = 1 << 20;

/** Invocations per function (exact; doubles are exact to 2^53). */
export function invocationsPerFunction(nFunctions: number, arrivals: Arrivals): Float64Array {
  const out = new Float64Array(nFunctions);
  if (arrivals.kind === 'minute-counts') {
    const { rowPtr, count } = arrivals;
    for (let f = 0; f < nFunctions; f++) {
      let s = 0;
      for (let e = rowPtr[f]; e < rowPtr[f + 1]; e++) s += count[e];
      out[f] = s;
    }
  } else {
    const fn = arrivals.fn;
    for (let i = 0; i < fn.length; i++) out[fn[i]]++;
  }
  return out;
}

/** Peak of the per-minute totals and the first minute reaching it. Minutes index seconds as minute*60. */
function peakOf(
  minutes: ArrayLike<number>,
  weights: ArrayLike<number> | null,
): { peak: number; minute: number | null } {
  const n = minutes.length;
  if (n === 0) return { peak: 0, minute: null };
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const m = minutes[i];
    if (m < lo) lo = m;
    if (m > hi) hi = m;
  }
  let peak = 0;
  let at: number | null = null;
  if (hi - lo < DENSE_SPAN_LIMIT) {
    const tot = new Float64Array(hi - lo + 1);
    for (let i = 0; i < n; i++) tot[minutes[i] - lo] += weights ? weights[i] : 1;
    for (let k = 0; k < tot.length; k++) {
      if (tot[k] > peak) {
        peak = tot[k];
        at = lo + k;
      }
    }
  } else {
    const tot = new Map<number, number>();
    for (let i = 0; i < n; i++) tot.set(minutes[i], (tot.get(minutes[i]) ?? 0) + (weights ? weights[i] : 1));
    for (const [m, v] of tot) {
      if (v > peak || (v === peak && at !== null && m < at)) {
        peak = v;
        at = m;
      }
    }
  }
  return { peak, minute: at };
}

export function computeTraceStats(
  functions: readonly TraceFunction[],
  arrivals: Arrivals,
  unjoined: number,
): TraceStats {
  const perFn = invocationsPerFunction(functions.length, arrivals);
  const functionsByTrigger = emptyTriggerCounts();
  const invocationsByTrigger = emptyTriggerCounts();
  const apps = new Set<string>();
  const owners = new Set<string>();
  let invocations = 0;
  functions.forEach((f, i) => {
    functionsByTrigger[f.trigger]++;
    invocationsByTrigger[f.trigger] += perFn[i];
    invocations += perFn[i];
    apps.add(`${f.owner}\u0000${f.app}`);
    if (f.owner !== '') owners.add(f.owner);
  });
  let peak: { peak: number; minute: number | null };
  if (arrivals.kind === 'minute-counts') {
    peak = peakOf(arrivals.slot, arrivals.count);
  } else {
    const minutes = new Float64Array(arrivals.startS.length);
    for (let i = 0; i < minutes.length; i++) minutes[i] = Math.floor(arrivals.startS[i] / 60);
    peak = peakOf(minutes, null);
  }
  return {
    functions: functions.length,
    apps: apps.size,
    owners: owners.size > 0 ? owners.size : null,
    invocations,
    functionsByTrigger,
    invocationsByTrigger,
    peakInvocationsPerMinute: peak.peak,
    peakMinuteStartS: peak.minute === null ? null : peak.minute * 60,
    unjoined,
  };
}

/** One function of a trace as listed for users: its plan key and what profiles can match on. */
export interface TraceFunctionRow {
  /** "<app>/<id>": the key of profiles.functions (or "<id>" alone). */
  key: string;
  app: string;
  id: string;
  trigger: TraceFunction['trigger'];
  invocations: number;
  /** Average and median committed memory (MB) of the function or its app (`scope`), when the trace has them. */
  memory: { scope: 'app' | 'function'; averageMb: number | null; p50Mb: number | null } | null;
  /** Average duration (ms), when the trace has it. */
  averageDurationMs: number | null;
}

/** The functions of a trace, most invoked first (ties by key): what a plan's profiles name. */
export function traceFunctionRows(trace: {
  functions: readonly TraceFunction[];
  arrivals: Arrivals;
}): TraceFunctionRow[] {
  const inv = invocationsPerFunction(trace.functions.length, trace.arrivals);
  const rows = trace.functions.map((f, i) => ({
    key: `${f.app}/${f.id}`,
    app: f.app,
    id: f.id,
    trigger: f.trigger,
    invocations: inv[i],
    memory: f.memory
      ? { scope: f.memory.scope, averageMb: f.memory.averageMb, p50Mb: f.memory.percentilesMb[3] ?? null }
      : null,
    averageDurationMs: f.durations?.averageMs ?? null,
  }));
  rows.sort((a, b) => b.invocations - a.invocations || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return rows;
}

/**
 * What a partial Azure 2019 upload leaves to defaults, in words: functions without a durations row (their
 * invocations last the median average duration of the others, 1000 ms when none has one) and without a
 * memory row (plans size them at profiles.fallback.defaultMemoryMiB, unless a dump profiles them).
 */
export function joinReportWarnings(report: JoinReport | null | undefined): string[] {
  if (!report) return [];
  const n = report.functions;
  const noDurations = report.files.durations === null ? n : (report.counts['invocations-without-durations'] ?? 0);
  const noMemory = report.files.memory === null ? n : (report.counts['invocations-without-memory'] ?? 0);
  const out: string[] = [];
  if (noDurations > 0)
    out.push(
      `${noDurations} of ${n} functions have no durations row (${report.files.durations === null ? 'no durations file was given' : 'the durations file is of another day or lacks them'}): their invocations get a default duration (the median of the other functions' averages, 1000 ms when none has one)`,
    );
  if (noMemory > 0)
    out.push(
      `${noMemory} of ${n} functions have no memory row (${report.files.memory === null ? 'no memory file was given' : 'the memory file is of another day or lacks them'}): plans size them at profiles.fallback.defaultMemoryMiB (170 MiB by default) unless a dump profiles them`,
    );
  return out;
}

/** A reader's result: its parts, with the schema version and the statistics computed from them. */
export function normalizedTrace(
  parts: Omit<NormalizedTrace, 'schemaVersion' | 'stats'>,
  unjoined: number,
): NormalizedTrace {
  // fields in the order every reader has always produced (the serialized and JSON forms follow it)
  return {
    schemaVersion: 1,
    format: parts.format,
    window: parts.window,
    functions: parts.functions,
    arrivals: parts.arrivals,
    files: parts.files,
    joinReport: parts.joinReport,
    stats: computeTraceStats(parts.functions, parts.arrivals, unjoined),
  };
}
