/**
 * Azure Functions invocation trace 2021 (Zhang et al., SOSP 2021): `app,func,end_timestamp,duration`, seconds
 * (floats) relative to the trace start. start = end - duration. The file is ordered by start, not by end; we
 * sort by start anyway (a derived file may be ordered otherwise). A duration of 0 is valid (sub-millisecond).
 * `func` is unique only within its `app`: functions are keyed by the pair.
 */
import { CellError, TraceError } from './errors';
import { ReadOptions, RowLog, TraceInput, indexHeader, readEach, toSource, validateReadOptions } from './input';
import { readNarrowCsv } from './narrow-csv';
import { parseFinite, parseNonNegative } from './numbers';
import { normalizedTrace } from './stats';
import {
  DURATION_PERCENTILES,
  DurationFigures,
  FileReadSummary,
  NormalizedTrace,
  TimestampArrivals,
  TraceFunction,
} from './types';

export const AZURE2021_COLUMNS = ['app', 'func', 'end_timestamp', 'duration'] as const;

/** Growable Float64/Uint32 column (doubling; 2021 traces are ~2 M rows, 8-byte cells). */
class GrowF64 {
  a = new Float64Array(1024);
  n = 0;
  push(v: number): void {
    if (this.n === this.a.length) {
      const b = new Float64Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = v;
  }
  trimmed(): Float64Array {
    return this.a.slice(0, this.n);
  }
}
class GrowU32 {
  a = new Uint32Array(1024);
  n = 0;
  push(v: number): void {
    if (this.n === this.a.length) {
      const b = new Uint32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = v;
  }
  trimmed(): Uint32Array {
    return this.a.slice(0, this.n);
  }
}

export class Azure2021Reader {
  private readonly opts: Required<ReadOptions>;
  private readonly files: FileReadSummary[] = [];
  private readonly fnIndex = new Map<string, number>();
  private readonly functions: TraceFunction[] = [];
  private readonly fn = new GrowU32();
  private readonly start = new GrowF64();
  private readonly dur = new GrowF64();
  private finished = false;

  constructor(options: ReadOptions = {}) {
    this.opts = validateReadOptions(options);
  }

  /** Add a file; several files (e.g. a trace split in parts) are merged. */
  async add(input: TraceInput): Promise<FileReadSummary> {
    if (this.finished) throw new TraceError('BAD_ARGUMENT', 'the trace was already finished');
    const src = toSource(input);
    const log = new RowLog(src.name, 'azure2021', this.opts);
    let ix: number[] = [];
    await readNarrowCsv(src, log, this.opts.maxLineBytes, {
      header: (names) => {
        const m = indexHeader(src.name, names, AZURE2021_COLUMNS);
        ix = AZURE2021_COLUMNS.map((n) => m.get(n) as number);
      },
      row: (cells) => {
        const app = cells[ix[0]].trim();
        if (app === '') throw new CellError(ix[0], 'empty app');
        const func = cells[ix[1]].trim();
        if (func === '') throw new CellError(ix[1], 'empty func');
        const end = parseFinite(cells[ix[2]]);
        if (typeof end === 'string') throw new CellError(ix[2], end);
        if (end === null) throw new CellError(ix[2], 'empty end_timestamp');
        if (end < 0) throw new CellError(ix[2], `negative end_timestamp ${end}`);
        const d = parseNonNegative(cells[ix[3]]);
        if (typeof d === 'string') throw new CellError(ix[3], d);
        if (d === null) throw new CellError(ix[3], 'empty duration');
        const key = `${app}\u0000${func}`;
        let f = this.fnIndex.get(key);
        if (f === undefined) {
          f = this.functions.length;
          this.fnIndex.set(key, f);
          this.functions.push({ id: func, app, owner: '', trigger: 'unknown', durations: null, memory: null });
        }
        this.fn.push(f);
        this.start.push(end - d);
        this.dur.push(d * 1000);
      },
    });
    const summary = log.finish();
    this.files.push(summary);
    return summary;
  }

  finish(): NormalizedTrace {
    if (this.finished) throw new TraceError('BAD_ARGUMENT', 'the trace was already finished');
    if (this.files.length === 0)
      throw new TraceError('INCONSISTENT_INPUT', 'an Azure 2021 trace needs at least one file');
    this.finished = true;
    let fn = this.fn.trimmed();
    let startS = this.start.trimmed();
    let durationMs = this.dur.trimmed();
    const n = fn.length;
    let sorted = true;
    for (let i = 1; i < n; i++) {
      if (startS[i] < startS[i - 1]) {
        sorted = false;
        break;
      }
    }
    if (!sorted) {
      const order = new Uint32Array(n);
      for (let i = 0; i < n; i++) order[i] = i;
      // Stable: ties keep file order.
      const sortedOrder = Array.from(order).sort((a, b) => startS[a] - startS[b] || a - b);
      const f2 = new Uint32Array(n);
      const s2 = new Float64Array(n);
      const d2 = new Float64Array(n);
      sortedOrder.forEach((o, i) => {
        f2[i] = fn[o];
        s2[i] = startS[o];
        d2[i] = durationMs[o];
      });
      fn = f2;
      startS = s2;
      durationMs = d2;
    }
    const arrivals: TimestampArrivals = { kind: 'timestamps', fn, startS, durationMs };
    attachDurationFigures(this.functions, arrivals);
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++) {
      if (startS[i] < lo) lo = startS[i];
      const e = startS[i] + durationMs[i] / 1000;
      if (e > hi) hi = e;
    }
    const window = n === 0 ? { startS: 0, endS: 0 } : { startS: Math.min(0, Math.floor(lo)), endS: Math.ceil(hi) };
    return normalizedTrace(
      { format: 'azure2021', window, functions: this.functions, arrivals, files: this.files, joinReport: null },
      0,
    );
  }
}

export async function readAzure2021(
  inputs: TraceInput | TraceInput[],
  options: ReadOptions = {},
): Promise<NormalizedTrace> {
  return readEach(new Azure2021Reader(options), inputs);
}

/**
 * Per-function figures from the exact durations, in the 2019 shape so one duration model serves both:
 * percentile p is the nearest-rank value (rank ceil(p/100 * n), p0 = minimum).
 */
function attachDurationFigures(functions: TraceFunction[], a: TimestampArrivals): void {
  const per: number[][] = functions.map(() => []);
  for (let i = 0; i < a.fn.length; i++) per[a.fn[i]].push(a.durationMs[i]);
  functions.forEach((f, k) => {
    const v = Float64Array.from(per[k]).sort();
    const n = v.length;
    if (n === 0) return;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += v[i];
    const at = (p: number): number => v[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))];
    const fig: DurationFigures = {
      averageMs: sum / n,
      count: n,
      minimumMs: v[0],
      maximumMs: v[n - 1],
      percentilesMs: DURATION_PERCENTILES.map((p) => (p === 0 ? v[0] : at(p))),
    };
    f.durations = fig;
  });
}
