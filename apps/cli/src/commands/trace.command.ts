import * as fs from 'node:fs';
import * as path from 'node:path';
import { Presets, SingleBar } from 'cli-progress';
import { Command } from 'commander';
import {
  joinReportWarnings,
  NormalizedTrace,
  TRACE_FORMATS,
  TRIGGERS,
  TraceError,
  TraceFormat,
  traceFunctionRows,
  TraceFunctionRow,
  TraceIngest,
} from '@upm/model/traces';
import { generateAzure2019, generateAzure2021, GeneratedFiles } from '@upm/model/traces/generator';
import { CliError } from '@upm/client';

/**
 * `upm trace ...`: inspect invocation traces (Azure 2019/2021, Huawei 2023) and generate synthetic ones. Returns
 * the `trace` command, so the commands on a server's traces (trace-remote.command.ts) can be added to it.
 */
export function registerTraceCommands(program: Command): Command {
  const trace = program.command('trace').description('invocation traces: inspect files, generate synthetic ones, and the traces on a server');

  trace
    .command('inspect')
    .description('read trace files (format detected by header) and print functions, apps, invocations, join report')
    .argument('<files...>', 'trace files, or directories holding them (the three files of an Azure 2019 day together)')
    .option('--json', 'print one JSON object')
    .option('--format <format>', `auto | ${TRACE_FORMATS.join(' | ')}`, 'auto')
    .option('--day <n>', 'Azure 2019 day number (default: from the dNN in the file name, else 1)')
    .option('--strict', 'reject a file at its first malformed row (default: tolerate up to 10% bad rows)')
    .action(async (files: string[], opts: InspectOptions) => {
      const report = await inspectTrace(files, opts);
      process.stdout.write(opts.json ? `${JSON.stringify(report)}\n` : renderInspect(report));
    });

  trace
    .command('functions')
    .description("list a trace's functions, most invoked first: the keys a plan's --dumps and profiles name")
    .argument('<files...>', 'trace files, or directories holding them')
    .option('--limit <n>', 'print at most this many (default 50)')
    .option('--offset <n>', 'skip this many first (default 0)')
    .option('--format <format>', `auto | ${TRACE_FORMATS.join(' | ')}`, 'auto')
    .option('--json', 'print { items, total } JSON')
    .action(async (files: string[], opts: FunctionsOptions) => {
      process.stdout.write(await traceFunctions(files, opts));
    });

  trace
    .command('generate')
    .description('write a seeded synthetic trace in Azure 2019 (three files of a day) or Azure 2021 format')
    .requiredOption('--format <format>', 'azure2019 | azure2021')
    .requiredOption('--functions <n>', 'number of functions')
    .requiredOption('--seed <seed>', 'seed (an integer, or any string)')
    .requiredOption('--out <dir>', 'output directory (created if missing)')
    .option('--day <n>', 'azure2019: day number for the file names and the minute origin', '1')
    .option(
      '--minutes <range>',
      'azure2019: minute columns FIRST..LAST (default 1..1440); azure2021: trace length in minutes (default 1440)',
    )
    .option(
      '--memory-scope <scope>',
      'azure2019: memory file per app (original schema) or per function (derived schema)',
      'app',
    )
    .option('--json', 'print the result as JSON')
    .action(async (opts: GenerateOptions) => {
      const result = await generateTrace(opts);
      process.stdout.write(
        opts.json
          ? `${JSON.stringify(result)}\n`
          : `wrote ${result.files.join(', ')}: ${result.functions} functions, ${result.apps} apps, ${result.invocations} invocations, ${result.bytes} bytes\n`,
      );
    });
  return trace;
}

export interface InspectOptions {
  json?: boolean;
  format?: string;
  day?: string;
  strict?: boolean;
}

/** What `upm trace inspect --json` prints. */
export interface InspectReport {
  format: TraceFormat;
  files: { file: string; kind: string; rows: number; badRows: number; firstErrors: string[] }[];
  functions: number;
  apps: number;
  owners: number | null;
  invocations: number;
  unjoined: number;
  functionsByTrigger: Record<string, number>;
  invocationsByTrigger: Record<string, number>;
  peakInvocationsPerMinute: number;
  peakMinuteStartS: number | null;
  window: { startS: number; endS: number };
  joinReport: { counts: Record<string, number>; joined: number; memoryScope: string | null; examples: string[] } | null;
  /** What a plan on this trace will assume for lack of data (the API's trace `warnings`, the plan's too). */
  warnings: string[];
}

/** `upm trace inspect`; exported for tests. */
export interface FunctionsOptions {
  limit?: string;
  offset?: string;
  format?: string;
  json?: boolean;
}

/** `upm trace functions`: returns what it prints (exported for tests). */
export async function traceFunctions(args: string[], opts: FunctionsOptions): Promise<string> {
  const limit = opts.limit === undefined ? 50 : positiveInt('--limit', opts.limit);
  const offset = opts.offset === undefined ? 0 : /^\d+$/.test(opts.offset) ? Number(opts.offset) : NaN;
  if (!Number.isFinite(offset)) throw new CliError(`--offset must be a whole number >= 0, got '${opts.offset}'`, 2);
  const t = await readTrace(args, { format: opts.format });
  const rows = traceFunctionRows(t);
  const items = rows.slice(offset, offset + limit);
  if (opts.json) return `${JSON.stringify({ items, total: rows.length })}\n`;
  const mem = (r: TraceFunctionRow) =>
    r.memory?.averageMb == null ? '-' : `${Math.round(r.memory.averageMb)} MB${r.memory.scope === 'app' ? ' (app)' : ''}`;
  const table = [['key', 'trigger', 'invocations', 'memory'], ...items.map((r) => [r.key, r.trigger, String(r.invocations), mem(r)])];
  const w = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)) + 2);
  const lines = table.map((row) => row.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('').trimEnd());
  lines.push('', `${items.length} of ${rows.length} functions${offset + items.length < rows.length ? ` (next: --offset ${offset + items.length})` : ''}`);
  return lines.join('\n') + '\n';
}

/** Reads trace files or directories as `upm trace inspect` does (exported for `upm plan run --trace`). */
export async function readTrace(args: string[], opts: Pick<InspectOptions, 'format' | 'day' | 'strict'>): Promise<NormalizedTrace> {
  const format = opts.format ?? 'auto';
  if (format !== 'auto' && !(TRACE_FORMATS as readonly string[]).includes(format)) {
    throw new CliError(`--format must be auto, ${TRACE_FORMATS.join(', ')}; got '${format}'`, 2);
  }
  const day = opts.day === undefined ? undefined : positiveInt('--day', opts.day);
  const files = traceFiles(args);
  const ingest = new TraceIngest({
    format: format as TraceFormat | 'auto',
    day,
    maxBadRowFraction: opts.strict ? 0 : undefined,
  });
  try {
    // Azure 2019: invocations first, so a broken day fails on its main file before the smaller ones.
    const order = files.slice().sort((a, b) => rank(a) - rank(b));
    for (const f of order) await ingest.addFile(f);
    return ingest.finish();
  } catch (e) {
    if (e instanceof TraceError) throw new CliError(e.message, e.code === 'BAD_ARGUMENT' ? 2 : 1);
    throw e;
  }
}

export async function inspectTrace(args: string[], opts: InspectOptions): Promise<InspectReport> {
  const t = await readTrace(args, opts);
  const s = t.stats;
  return {
    format: t.format,
    files: t.files.map((f) => ({
      file: f.file,
      kind: f.kind,
      rows: f.rows,
      badRows: f.badRows,
      firstErrors: f.errors.slice(0, 5).map((e) => e.message),
    })),
    functions: s.functions,
    apps: s.apps,
    owners: s.owners,
    invocations: s.invocations,
    unjoined: s.unjoined,
    functionsByTrigger: s.functionsByTrigger,
    invocationsByTrigger: s.invocationsByTrigger,
    peakInvocationsPerMinute: s.peakInvocationsPerMinute,
    peakMinuteStartS: s.peakMinuteStartS,
    window: t.window,
    joinReport: t.joinReport
      ? {
          counts: t.joinReport.counts,
          joined: t.joinReport.joined,
          memoryScope: t.joinReport.memoryScope,
          examples: t.joinReport.examples.slice(0, 10).map((e) => e.message),
        }
      : null,
    warnings: joinReportWarnings(t.joinReport),
  };
}

function rank(file: string): number {
  return /invocations_per_function|invocations\.csv$/.test(path.basename(file)) ? 0 : 1;
}

/** Trace arguments as files: directories expand to the .csv/.txt files directly inside them. */
export function traceFiles(args: string[]): string[] {
  const out: string[] = [];
  for (const a of args) {
    let st: fs.Stats;
    try {
      st = fs.statSync(a);
    } catch {
      throw new CliError(`cannot read ${a}: no such file or directory`, 1);
    }
    if (!st.isDirectory()) {
      out.push(a);
      continue;
    }
    const inDir = fs
      .readdirSync(a)
      .filter((n) => /\.(csv|txt)$/i.test(n))
      .sort()
      .map((n) => path.join(a, n));
    if (inDir.length === 0) throw new CliError(`${a}: no .csv or .txt files in this directory`, 1);
    out.push(...inDir);
  }
  return out;
}

/** The text of `upm trace inspect` (and of `upm trace show`, from the stored trace). */
export function renderInspect(r: InspectReport): string {
  const lines = [
    `format:      ${r.format}`,
    `files:       ${r.files.map((f) => `${f.file} (${f.kind}, ${f.rows} rows${f.badRows ? `, ${f.badRows} bad` : ''})`).join('\n             ')}`,
    `functions:   ${r.functions}`,
    `apps:        ${r.apps}${r.owners !== null ? ` (${r.owners} owners)` : ''}`,
    `invocations: ${r.invocations}`,
    `peak:        ${r.peakInvocationsPerMinute} invocations/minute${r.peakMinuteStartS !== null ? ` at t=${r.peakMinuteStartS} s` : ''}`,
    `window:      [${r.window.startS}, ${r.window.endS}) s`,
    `by trigger:  ${TRIGGERS.filter((t) => r.functionsByTrigger[t] > 0)
      .map((t) => `${t} ${r.functionsByTrigger[t]} fn / ${r.invocationsByTrigger[t]} inv`)
      .join(', ')}`,
  ];
  if (r.joinReport) {
    const c = Object.entries(r.joinReport.counts).filter(([, v]) => v > 0);
    lines.push(
      `joined:      ${r.joinReport.joined} of ${r.functions} functions; unjoined rows: ${r.unjoined}${c.length ? ` (${c.map(([k, v]) => `${k} ${v}`).join(', ')})` : ''}`,
    );
    for (const e of r.joinReport.examples.slice(0, 5)) lines.push(`  ${e}`);
  }
  for (const f of r.files) for (const e of f.firstErrors) lines.push(`  skipped: ${e}`);
  for (const w of r.warnings) lines.push(`warning:     ${w}`);
  return lines.join('\n') + '\n';
}

export interface GenerateOptions {
  format: string;
  functions: string;
  seed: string;
  out: string;
  day?: string;
  minutes?: string;
  memoryScope?: string;
  json?: boolean;
}

/** `upm trace generate`; exported for tests. Shows a progress bar on a TTY for large outputs. */
export async function generateTrace(
  opts: GenerateOptions,
  progress = process.stderr.isTTY === true,
): Promise<GeneratedFiles> {
  const functions = positiveInt('--functions', opts.functions);
  const seed: number | string = /^\d+$/.test(opts.seed) ? Number(opts.seed) : opts.seed;
  if (opts.seed === '') throw new CliError('--seed must not be empty', 2);
  const bar = new SingleBar(
    { format: 'generating {bar} {percentage}% | {value}/{total} {unit}', stream: process.stderr },
    Presets.shades_classic,
  );
  let started = false;
  const onProgress = (unit: string, large: boolean) =>
    progress && large
      ? (done: number, total: number) => {
          if (!started) {
            bar.start(total, 0, { unit });
            started = true;
          }
          if (done === total || done % 256 === 0) bar.update(done);
        }
      : undefined;
  try {
    if (opts.format === 'azure2019') {
      const day = positiveInt('--day', opts.day ?? '1');
      if (day > 99) throw new CliError(`--day must be in 1..99, got ${day}`, 2);
      const minutes = opts.minutes === undefined ? undefined : minuteRange(opts.minutes);
      const scope = opts.memoryScope ?? 'app';
      if (scope !== 'app' && scope !== 'function')
        throw new CliError(`--memory-scope must be app or function, got '${scope}'`, 2);
      return await generateAzure2019({
        functions,
        seed,
        outDir: opts.out,
        day,
        minutes,
        memoryScope: scope,
        onProgress: onProgress('functions', functions >= 2000),
      });
    }
    if (opts.format === 'azure2021') {
      const minutes = opts.minutes === undefined ? 1440 : positiveInt('--minutes', opts.minutes);
      return await generateAzure2021({
        functions,
        seed,
        outDir: opts.out,
        minutes,
        onProgress: onProgress('minutes', functions * minutes >= 1_000_000),
      });
    }
    throw new CliError(`--format must be azure2019 or azure2021, got '${opts.format}'`, 2);
  } catch (e) {
    if (e instanceof CliError) throw e;
    if (e instanceof RangeError) throw new CliError(e.message, 2);
    const err = e as NodeJS.ErrnoException;
    if (typeof err?.code === 'string' && /^E[A-Z]+$/.test(err.code))
      throw new CliError(`cannot write to ${opts.out}: ${err.message}`, 1);
    throw e;
  } finally {
    if (started) bar.stop();
  }
}

function positiveInt(name: string, v: string): number {
  if (!/^\d+$/.test(v.trim()) || Number(v) < 1 || !Number.isSafeInteger(Number(v)))
    throw new CliError(`${name} must be a positive integer, got '${v}'`, 2);
  return Number(v);
}

/** "480..959" or "480-959" (inclusive, 1-based minutes of the day). */
function minuteRange(v: string): [number, number] {
  const m = /^\s*(\d+)\s*(?:\.\.|-)\s*(\d+)\s*$/.exec(v);
  if (!m) throw new CliError(`--minutes must be FIRST..LAST for azure2019 (e.g. 480..959), got '${v}'`, 2);
  const a = Number(m[1]);
  const b = Number(m[2]);
  if (a < 1 || b > 1440 || a > b)
    throw new CliError(`--minutes must satisfy 1 <= FIRST <= LAST <= 1440, got '${v}'`, 2);
  return [a, b];
}
