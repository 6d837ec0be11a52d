/**
 * Azure Functions 2019 (Shahrad et al., ATC 2020): the three files of a day joined on
 * (HashOwner, HashApp, HashFunction). Files may be added in any order (an upload's parts arrive in any order);
 * durations and memory are held in maps (a few MB) and joined when the trace is finished.
 */
import { CellError, TraceError } from './errors';
import { ReadOptions, RowLog, TraceInput, indexHeader, toSource, validateReadOptions } from './input';
import { readNarrowCsv } from './narrow-csv';
import { parseCount, parseNonNegative } from './numbers';
import { CountsBuilder } from './sparse-counts';
import { normalizedTrace } from './stats';
import {
  DURATION_PERCENTILES,
  DurationFigures,
  FileReadSummary,
  JOIN_ISSUE_KINDS,
  JoinIssue,
  JoinIssueKind,
  JoinReport,
  MEMORY_PERCENTILES,
  MemoryFigures,
  NormalizedTrace,
  Trigger,
} from './types';
import { InvocationRow, WideInvocationsParser, readWideInvocations } from './wide-csv';

export const DURATION_COLUMNS = {
  keys: ['HashOwner', 'HashApp', 'HashFunction'],
  values: ['Average', 'Count', 'Minimum', 'Maximum'],
  percentiles: DURATION_PERCENTILES.map((p) => `percentile_Average_${p}`),
} as const;

export const MEMORY_COLUMNS = {
  keys: ['HashOwner', 'HashApp'],
  optionalKeys: ['HashFunction'],
  values: ['SampleCount', 'AverageAllocatedMb'],
  percentiles: MEMORY_PERCENTILES.map((p) => `AverageAllocatedMb_pct${p}`),
} as const;

export interface Azure2019Options extends ReadOptions {
  /** Day of the trace (1-based). Default: from a `.dNN.` in the invocations file name, else 1. */
  day?: number;
  /** Join issues kept as examples (counts continue). Default 50. */
  maxJoinExamples?: number;
}

interface KeyedRow<T> {
  line: number;
  owner: string;
  app: string;
  func: string | null;
  value: T;
  used: boolean;
}

const SEP = '\u0000';
const fnKey = (o: string, a: string, f: string): string => `${o}${SEP}${a}${SEP}${f}`;
const appKey = (o: string, a: string): string => `${o}${SEP}${a}`;

/** `...d05.csv` → 5 (the day number of the Azure file names). */
export function dayFromFileName(name: string): number | null {
  const m = /[._-]d(\d{1,3})(?:\.[A-Za-z]+)*$/.exec(name);
  if (!m) return null;
  const d = Number(m[1]);
  return d >= 1 ? d : null;
}

export class Azure2019Reader {
  private readonly opts: Required<ReadOptions>;
  private readonly maxJoinExamples: number;
  private readonly files: FileReadSummary[] = [];
  private readonly fileNames: JoinReport['files'] = { invocations: null, durations: null, memory: null };

  // Invocations
  private readonly fnIndex = new Map<string, number>();
  private readonly owners: string[] = [];
  private readonly apps: string[] = [];
  private readonly ids: string[] = [];
  private readonly triggers: Trigger[] = [];
  private readonly lines: number[] = [];
  private readonly counts = new CountsBuilder();
  private window: { startS: number; endS: number } | null = null;
  private invocationRows = 0;

  // Durations and memory, keyed
  private readonly durations = new Map<string, KeyedRow<DurationFigures>>();
  private readonly memory = new Map<string, KeyedRow<MemoryFigures>>();
  private memoryScope: 'app' | 'function' | null = null;
  private durationRows = 0;
  private memoryRows = 0;

  private readonly issueCounts = Object.fromEntries(JOIN_ISSUE_KINDS.map((k) => [k, 0])) as Record<
    JoinIssueKind,
    number
  >;
  private readonly duplicateIssues: JoinIssue[] = [];
  private finished = false;

  constructor(private readonly options: Azure2019Options = {}) {
    this.opts = validateReadOptions(options);
    this.maxJoinExamples = options.maxJoinExamples ?? 50;
    if (options.day !== undefined && !(Number.isInteger(options.day) && options.day >= 1 && options.day <= 100000)) {
      throw new TraceError('BAD_ARGUMENT', `day must be an integer in 1..100000, got ${options.day}`);
    }
  }

  private claim(kind: keyof JoinReport['files'], name: string): void {
    if (this.finished) throw new TraceError('BAD_ARGUMENT', 'the trace was already finished');
    const prev = this.fileNames[kind];
    if (prev !== null) {
      throw new TraceError('INCONSISTENT_INPUT', `two Azure 2019 ${kind} files for one trace: ${prev} and ${name}`, {
        file: name,
      });
    }
    this.fileNames[kind] = name;
  }

  private duplicate(
    kind: JoinIssueKind,
    file: string,
    line: number,
    owner: string,
    app: string,
    func: string | null,
    firstLine: number,
  ): void {
    this.issueCounts[kind]++;
    if (this.duplicateIssues.length < this.maxJoinExamples) {
      const what = func === null ? `app ${app} (owner ${owner})` : `function ${func} (app ${app}, owner ${owner})`;
      this.duplicateIssues.push({
        kind,
        file,
        line,
        owner,
        app,
        function: func,
        message: `${file}:${line}: ${what} already appeared on line ${firstLine}; ${kind === 'duplicate-invocations' ? 'counts added' : 'first row kept'}`,
      });
    }
  }

  async addInvocations(input: TraceInput): Promise<FileReadSummary> {
    const src = toSource(input);
    this.claim('invocations', src.name);
    const day = this.options.day ?? dayFromFileName(src.name) ?? 1;
    const baseSlot = (day - 1) * 1440;
    const log = new RowLog(src.name, 'azure2019-invocations', this.opts);
    const onRow = (r: InvocationRow): void => {
      this.invocationRows++;
      const key = fnKey(r.owner, r.app, r.func);
      let f = this.fnIndex.get(key);
      if (f === undefined) {
        f = this.ids.length;
        this.fnIndex.set(key, f);
        this.owners.push(r.owner);
        this.apps.push(r.app);
        this.ids.push(r.func);
        this.triggers.push(r.trigger);
        this.lines.push(r.line);
      } else {
        this.duplicate('duplicate-invocations', src.name, r.line, r.owner, r.app, r.func, this.lines[f]);
      }
      for (let i = 0; i < r.n; i++) this.counts.add(f, r.slots[i], r.counts[i]);
    };
    const parser = new WideInvocationsParser(
      src.name,
      log,
      baseSlot,
      this.opts.maxLineBytes,
      (h) => {
        const first = h.minutes[0];
        const last = h.minutes[h.minutes.length - 1];
        this.window = { startS: (baseSlot + first - 1) * 60, endS: (baseSlot + last) * 60 };
      },
      onRow,
    );
    await readWideInvocations(src, parser);
    const summary = log.finish();
    this.files.push(summary);
    return summary;
  }

  async addDurations(input: TraceInput): Promise<FileReadSummary> {
    const src = toSource(input);
    this.claim('durations', src.name);
    const log = new RowLog(src.name, 'azure2019-durations', this.opts);
    let ix: number[] = [];
    await readNarrowCsv(src, log, this.opts.maxLineBytes, {
      header: (names) => {
        const all = [...DURATION_COLUMNS.keys, ...DURATION_COLUMNS.values, ...DURATION_COLUMNS.percentiles];
        const m = indexHeader(src.name, names, all);
        ix = all.map((n) => m.get(n) as number);
      },
      row: (cells, line) => {
        const [owner, app, func] = [0, 1, 2].map((k) => requireId(cells, ix[k], DURATION_COLUMNS.keys[k]));
        const num = (k: number): number | null => numberCell(cells, ix[k], parseNonNegative);
        const fig: DurationFigures = {
          averageMs: num(3),
          count: numberCell(cells, ix[4], (t) => parseCount(t)),
          minimumMs: num(5),
          maximumMs: num(6),
          percentilesMs: DURATION_COLUMNS.percentiles.map((_, k) => num(7 + k)),
        };
        this.durationRows++;
        const key = fnKey(owner, app, func);
        const prev = this.durations.get(key);
        if (prev) this.duplicate('duplicate-durations', src.name, line, owner, app, func, prev.line);
        else this.durations.set(key, { line, owner, app, func, value: fig, used: false });
      },
    });
    const summary = log.finish();
    this.files.push(summary);
    return summary;
  }

  async addMemory(input: TraceInput): Promise<FileReadSummary> {
    const src = toSource(input);
    this.claim('memory', src.name);
    const log = new RowLog(src.name, 'azure2019-memory', this.opts);
    let ix: number[] = [];
    let fnCol = -1;
    let scope: 'app' | 'function' = 'app';
    await readNarrowCsv(src, log, this.opts.maxLineBytes, {
      header: (names) => {
        const all = [...MEMORY_COLUMNS.keys, ...MEMORY_COLUMNS.values, ...MEMORY_COLUMNS.percentiles];
        const m = indexHeader(src.name, names, all, MEMORY_COLUMNS.optionalKeys);
        ix = all.map((n) => m.get(n) as number);
        fnCol = m.get('HashFunction') ?? -1;
        scope = fnCol >= 0 ? 'function' : 'app';
        this.memoryScope = scope;
      },
      row: (cells, line) => {
        const owner = requireId(cells, ix[0], 'HashOwner');
        const app = requireId(cells, ix[1], 'HashApp');
        const func = fnCol >= 0 ? requireId(cells, fnCol, 'HashFunction') : null;
        const num = (k: number): number | null => numberCell(cells, ix[k], parseNonNegative);
        const fig: MemoryFigures = {
          scope,
          sampleCount: numberCell(cells, ix[2], (t) => parseCount(t)),
          averageMb: num(3),
          percentilesMb: MEMORY_COLUMNS.percentiles.map((_, k) => num(4 + k)),
        };
        this.memoryRows++;
        const key = func === null ? appKey(owner, app) : fnKey(owner, app, func);
        const prev = this.memory.get(key);
        if (prev) this.duplicate('duplicate-memory', src.name, line, owner, app, func, prev.line);
        else this.memory.set(key, { line, owner, app, func, value: fig, used: false });
      },
    });
    const summary = log.finish();
    this.files.push(summary);
    return summary;
  }

  /** Join and build. The reader cannot be used afterwards. */
  finish(): NormalizedTrace {
    if (this.finished) throw new TraceError('BAD_ARGUMENT', 'the trace was already finished');
    if (this.fileNames.invocations === null || this.window === null) {
      throw new TraceError(
        'INCONSISTENT_INPUT',
        'an Azure 2019 trace needs its invocations file (invocations_per_function_md.anon.dNN.csv)',
      );
    }
    this.finished = true;
    const n = this.ids.length;
    const examples: JoinIssue[] = [...this.duplicateIssues];
    const note = (issue: JoinIssue): void => {
      this.issueCounts[issue.kind]++;
      if (examples.length < this.maxJoinExamples) examples.push(issue);
    };
    const { functions, joined } = this.joinFunctions(this.fileNames.invocations, note);
    this.noteRowsWithoutInvocations(note);
    const { memory: memFile } = this.fileNames;
    const c = this.issueCounts;
    const unjoined =
      c['invocations-without-durations'] +
      c['invocations-without-memory'] +
      c['durations-without-invocations'] +
      c['memory-without-invocations'];
    const joinReport: JoinReport = {
      files: { ...this.fileNames },
      memoryScope: memFile !== null ? this.memoryScope : null,
      rows: { invocations: this.invocationRows, durations: this.durationRows, memory: this.memoryRows },
      functions: n,
      joined,
      counts: { ...c },
      unjoined,
      examples,
      examplesTruncated: examples.length < JOIN_ISSUE_KINDS.reduce((s, k) => s + c[k], 0),
    };
    const csr = this.counts.build(n);
    const arrivals = { kind: 'minute-counts' as const, ...csr };
    this.durations.clear();
    this.memory.clear();
    this.fnIndex.clear();
    return normalizedTrace(
      { format: 'azure2019', window: this.window, functions, arrivals, files: this.files, joinReport },
      unjoined,
    );
  }

  /**
   * Every invocations row's function with its durations and memory rows (by function, or by app when the
   * memory file has no HashFunction column); each missing row is noted. `joined`: the functions that lack none.
   */
  private joinFunctions(
    invFile: string,
    note: (issue: JoinIssue) => void,
  ): { functions: NormalizedTrace['functions']; joined: number } {
    const n = this.ids.length;
    const { durations: durFile, memory: memFile } = this.fileNames;
    const functions = new Array<NormalizedTrace['functions'][number]>(n);
    let joined = 0;
    for (let f = 0; f < n; f++) {
      const owner = this.owners[f];
      const app = this.apps[f];
      const id = this.ids[f];
      const key = fnKey(owner, app, id);
      const d = durFile !== null ? this.durations.get(key) : undefined;
      if (d) d.used = true;
      else if (durFile !== null) {
        note({
          kind: 'invocations-without-durations',
          file: invFile,
          line: this.lines[f],
          owner,
          app,
          function: id,
          message: `${invFile}:${this.lines[f]}: function ${id} (app ${app}, owner ${owner}) has no row in ${durFile}`,
        });
      }
      const m =
        memFile !== null ? this.memory.get(this.memoryScope === 'function' ? key : appKey(owner, app)) : undefined;
      if (m) m.used = true;
      else if (memFile !== null) {
        const what = this.memoryScope === 'function' ? 'has no row' : 'belongs to an app with no row';
        note({
          kind: 'invocations-without-memory',
          file: invFile,
          line: this.lines[f],
          owner,
          app,
          function: id,
          message: `${invFile}:${this.lines[f]}: function ${id} (app ${app}, owner ${owner}) ${what} in ${memFile}`,
        });
      }
      if ((durFile === null || d) && (memFile === null || m)) joined++;
      functions[f] = {
        id,
        app,
        owner,
        trigger: this.triggers[f],
        durations: d ? d.value : null,
        memory: m ? m.value : null,
      };
    }
    return { functions, joined };
  }

  /** Notes the durations and memory rows that no invocations row used. */
  private noteRowsWithoutInvocations(note: (issue: JoinIssue) => void): void {
    const { durations: durFile, memory: memFile } = this.fileNames;
    for (const r of this.durations.values()) {
      if (r.used) continue;
      note({
        kind: 'durations-without-invocations',
        file: durFile as string,
        line: r.line,
        owner: r.owner,
        app: r.app,
        function: r.func,
        message: `${durFile}:${r.line}: durations row for function ${r.func} (app ${r.app}, owner ${r.owner}) has no invocations row`,
      });
    }
    for (const r of this.memory.values()) {
      if (r.used) continue;
      const what =
        r.func === null ? `app ${r.app} (owner ${r.owner})` : `function ${r.func} (app ${r.app}, owner ${r.owner})`;
      note({
        kind: 'memory-without-invocations',
        file: memFile as string,
        line: r.line,
        owner: r.owner,
        app: r.app,
        function: r.func,
        message: `${memFile}:${r.line}: memory row for ${what} has no invocations row`,
      });
    }
  }
}

/** Reads one day: the invocations file, and optionally its durations and memory files. */
export async function readAzure2019(
  files: { invocations: TraceInput; durations?: TraceInput | null; memory?: TraceInput | null },
  options: Azure2019Options = {},
): Promise<NormalizedTrace> {
  const r = new Azure2019Reader(options);
  await r.addInvocations(files.invocations);
  if (files.durations) await r.addDurations(files.durations);
  if (files.memory) await r.addMemory(files.memory);
  return r.finish();
}

function requireId(cells: readonly string[], i: number, name: string): string {
  const s = cells[i].trim();
  if (s === '') throw new CellError(i, `empty ${name}`);
  return s;
}

function numberCell(cells: readonly string[], i: number, parse: (t: string) => number | null | string): number | null {
  const r = parse(cells[i]);
  if (typeof r === 'string') throw new CellError(i, r);
  return r;
}
