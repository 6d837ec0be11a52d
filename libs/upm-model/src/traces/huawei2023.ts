/**
 * Huawei public trace 2023 (Joosen et al., SoCC 2023), `requests_minute/day_XX.csv`: `day,time,<functionId>...`,
 * one row per minute, `time` in seconds since the dataset start, an empty cell = no data for that minute (read as
 * 0 invocations). Several day files merge into one trace (functions unioned by column name). The format has no
 * apps, owners or triggers: each function is its own app, the owner is '' and the trigger 'unknown'.
 */
import { CellError, TraceError, headerColumnError } from './errors';
import { ReadOptions, RowLog, TraceInput, indexHeader, readEach, toSource, validateReadOptions } from './input';
import { readNarrowCsv } from './narrow-csv';
import { MAX_CELL_COUNT, parseCount, parseNonNegative } from './numbers';
import { CountsBuilder } from './sparse-counts';
import { normalizedTrace } from './stats';
import { FileReadSummary, NormalizedTrace, TraceFunction } from './types';

const MAX_SLOT = 0xffffffff;

export class Huawei2023Reader {
  private readonly opts: Required<ReadOptions>;
  private readonly files: FileReadSummary[] = [];
  private readonly fnIndex = new Map<string, number>();
  private readonly functions: TraceFunction[] = [];
  private readonly counts = new CountsBuilder();
  private minSlot = Infinity;
  private maxSlot = -Infinity;
  private finished = false;

  constructor(options: ReadOptions = {}) {
    this.opts = validateReadOptions(options);
  }

  async add(input: TraceInput): Promise<FileReadSummary> {
    if (this.finished) throw new TraceError('BAD_ARGUMENT', 'the trace was already finished');
    const src = toSource(input);
    const log = new RowLog(src.name, 'huawei2023-requests', this.opts);
    let timeCol = -1;
    let dayCol = -1;
    let fnCols: number[] = [];
    let fnOf: number[] = [];
    const rowFns: number[] = [];
    const rowCounts: number[] = [];
    await readNarrowCsv(src, log, this.opts.maxLineBytes, {
      header: (names) => {
        const m = indexHeader(src.name, names, ['time'], ['day']);
        timeCol = m.get('time') as number;
        dayCol = m.get('day') ?? -1;
        const seen = new Map<string, number>();
        fnCols = [];
        fnOf = [];
        names.forEach((n, i) => {
          if (i === timeCol || i === dayCol || n === '') return;
          if (seen.has(n)) {
            throw headerColumnError('DUPLICATE_COLUMN', src.name, i + 1, `function column "${n}" appears twice`);
          }
          seen.set(n, i);
          let f = this.fnIndex.get(n);
          if (f === undefined) {
            f = this.functions.length;
            this.fnIndex.set(n, f);
            this.functions.push({ id: n, app: n, owner: '', trigger: 'unknown', durations: null, memory: null });
          }
          fnCols.push(i);
          fnOf.push(f);
        });
        if (fnCols.length === 0) {
          throw new TraceError('BAD_HEADER', `${src.name}:1: no function columns besides day and time`, {
            file: src.name,
            line: 1,
          });
        }
      },
      row: (cells) => {
        if (dayCol >= 0) {
          const d = parseCount(cells[dayCol]);
          if (typeof d === 'string') throw new CellError(dayCol, d);
        }
        const t = parseNonNegative(cells[timeCol]);
        if (typeof t === 'string') throw new CellError(timeCol, t);
        if (t === null) throw new CellError(timeCol, 'empty time');
        const slot = Math.floor(t / 60);
        if (slot > MAX_SLOT) throw new CellError(timeCol, `time ${t} is out of range`);
        rowFns.length = 0;
        rowCounts.length = 0;
        for (let k = 0; k < fnCols.length; k++) {
          const c = parseCount(cells[fnCols[k]], MAX_CELL_COUNT);
          if (typeof c === 'string') throw new CellError(fnCols[k], c);
          if (c) {
            rowFns.push(fnOf[k]);
            rowCounts.push(c);
          }
        }
        for (let k = 0; k < rowFns.length; k++) this.counts.add(rowFns[k], slot, rowCounts[k]);
        if (slot < this.minSlot) this.minSlot = slot;
        if (slot > this.maxSlot) this.maxSlot = slot;
      },
    });
    const summary = log.finish();
    this.files.push(summary);
    return summary;
  }

  finish(): NormalizedTrace {
    if (this.finished) throw new TraceError('BAD_ARGUMENT', 'the trace was already finished');
    if (this.files.length === 0)
      throw new TraceError('INCONSISTENT_INPUT', 'a Huawei 2023 trace needs at least one requests_minute file');
    this.finished = true;
    const csr = this.counts.build(this.functions.length);
    const arrivals = { kind: 'minute-counts' as const, ...csr };
    const window =
      this.minSlot === Infinity ? { startS: 0, endS: 0 } : { startS: this.minSlot * 60, endS: (this.maxSlot + 1) * 60 };
    return normalizedTrace(
      { format: 'huawei2023', window, functions: this.functions, arrivals, files: this.files, joinReport: null },
      0,
    );
  }
}

export async function readHuawei2023(
  inputs: TraceInput | TraceInput[],
  options: ReadOptions = {},
): Promise<NormalizedTrace> {
  return readEach(new Huawei2023Reader(options), inputs);
}
