import { Command, Option } from 'commander';
import * as fs from 'fs';
import { loadDump } from '@upm/model/dump';
import type { Dump } from '@upm/model/dump/types';
import {
  AnalysisRequest,
  AnalysisRequestError,
  analysisJson,
  runAnalysis,
  validateAnalysisRequest,
} from '@upm/model/merge';
import { CliError, renderModel, renderSharing } from '@upm/client';

interface AnalyzeOptions {
  model?: string;
  sharing?: boolean;
  json?: boolean;
  timeline?: boolean;
  pagesToScan?: string;
  sleepMs?: string;
  useZeroPages?: string;
  maxPageSharing?: string;
  smartScan?: string;
  hz?: string;
  assumeMergeable?: boolean;
  calls?: string;
  snapshot?: string;
}

const MODELS = ['none', 'ksm', 'upm'] as const;

/**
 * `upm analyze DUMP... --model none|ksm|upm [--json]`: predicted memory with no merging, KSM or UPM.
 * `upm analyze --sharing DUMP... [--json]`: where the resident pages go (sharing categories).
 */
export function registerAnalyzeCommands(program: Command): void {
  program
    .command('analyze')
    .description('predict memory savings of KSM or UPM from page-hash dumps, or break down their sharing')
    .argument('<dump...>', 'dump files (upm-probe output)')
    .addOption(new Option('--model <model>', 'merge model').choices([...MODELS]))
    .option('--sharing', 'print the sharing breakdown instead of a model prediction')
    .option('--json', 'print JSON')
    .option('--timeline', 'ksm: add the counters over time (t in seconds from registration)')
    .option('--pages-to-scan <n>', 'ksm: pages_to_scan (default: the dump header, else 100)')
    .option('--sleep-ms <n>', 'ksm: sleep_millisecs (default: the dump header, else 20)')
    .option('--use-zero-pages <0|1>', 'ksm: use_zero_pages')
    .option('--max-page-sharing <n>', 'ksm: max_page_sharing')
    .option('--smart-scan <0|1>', 'ksm: smart_scan')
    .option('--hz <n>', 'ksm: kernel tick rate CONFIG_HZ (default 250)')
    .option('--assume-mergeable', 'ksm: as if every process had opted in with PR_SET_MEMORY_MERGE')
    .option('--calls <file>', 'upm: JSON array of madvise calls [{pid, timeMs, ranges?}] (default: each process when first seen)')
    .option('--snapshot <first|last|N>', 'sharing: the snapshot of each dump to analyse (default last)')
    .action(async (files: string[], opts: AnalyzeOptions) => {
      const out = await analyze(files, opts);
      process.stdout.write(out);
    });
}

/** A flag of `upm analyze` and the field of the analysis request (POST /v1/analyses) it sets. */
interface AnalyzeFlag {
  flag: string;
  option: keyof AnalyzeOptions;
  /** Path in the request: validateAnalysisRequest's errors under it name the flag. */
  path: string;
  /** Flag text to JSON: only its syntax; ranges are validateAnalysisRequest's. */
  parse: (value: string) => unknown;
}

class FlagSyntaxError extends Error {}

function number(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n)) throw new FlagSyntaxError('expected a number');
  return n;
}

function zeroOrOne(text: string): boolean {
  if (text !== '0' && text !== '1') throw new FlagSyntaxError('expected 0 or 1');
  return text === '1';
}

const ANALYZE_FLAGS: readonly AnalyzeFlag[] = [
  { flag: '--pages-to-scan', option: 'pagesToScan', path: 'ksm.pagesToScan', parse: number },
  { flag: '--sleep-ms', option: 'sleepMs', path: 'ksm.sleepMs', parse: number },
  { flag: '--max-page-sharing', option: 'maxPageSharing', path: 'ksm.maxPageSharing', parse: number },
  { flag: '--use-zero-pages', option: 'useZeroPages', path: 'ksm.useZeroPages', parse: zeroOrOne },
  { flag: '--smart-scan', option: 'smartScan', path: 'ksm.smartScan', parse: zeroOrOne },
  { flag: '--hz', option: 'hz', path: 'ksm.hz', parse: number },
  { flag: '--snapshot', option: 'snapshot', path: 'snapshot', parse: (v) => (v === 'first' || v === 'last' ? v : number(v)) },
];

/** The options as the analysis request the API and the worker take, checked by the same validateAnalysisRequest. */
export function analysisRequest(opts: AnalyzeOptions): AnalysisRequest {
  if (!opts.sharing && !opts.model) throw new CliError('choose --model none|ksm|upm or --sharing', 2);
  if (opts.model && !(MODELS as readonly string[]).includes(opts.model))
    throw new CliError(`--model must be one of ${MODELS.join(', ')}, got '${opts.model}'`, 2);
  if ((opts.timeline || opts.assumeMergeable) && opts.model !== 'ksm') throw new CliError(`${opts.timeline ? '--timeline' : '--assume-mergeable'} needs --model ksm`, 2);
  if (opts.sharing && opts.model === 'none') throw new CliError('--sharing takes --model ksm or upm (merge rules), not none', 2);
  const req: Record<string, unknown> = { model: opts.sharing ? 'sharing' : opts.model };
  if (opts.sharing && opts.model) req.mergeability = opts.model;
  const ksm: Record<string, unknown> = {};
  const given = ANALYZE_FLAGS.filter((f) => opts[f.option] !== undefined);
  for (const f of given) {
    const text = opts[f.option] as string;
    let value: unknown;
    try {
      value = f.parse(text);
    } catch (e) {
      if (e instanceof FlagSyntaxError) throw new CliError(`${f.flag} '${text}': ${e.message}`, 2);
      throw e;
    }
    if (f.path.startsWith('ksm.')) ksm[f.path.slice(4)] = value;
    else req[f.path] = value;
  }
  if (opts.assumeMergeable) ksm.assumeMergeable = true;
  if (Object.keys(ksm).length > 0) req.ksm = ksm;
  if (opts.timeline) req.timeline = true;
  if (opts.calls !== undefined) req.upmCalls = readCalls(opts.calls);
  try {
    return validateAnalysisRequest(req);
  } catch (e) {
    if (!(e instanceof AnalysisRequestError)) throw e;
    const path = e.path ?? '';
    const flag = given.find((f) => path === f.path);
    if (flag) throw new CliError(`${flag.flag} '${String(opts[flag.option])}': ${e.message}`, 2);
    // the calls are a file's contents: bad input, not bad usage
    if (opts.calls !== undefined && path.startsWith('upmCalls')) throw new CliError(`--calls ${opts.calls}: ${e.message}`, 1);
    throw new CliError(e.message, 2);
  }
}

/** Runs the command and returns what it prints (exported for tests). */
export async function analyze(files: string[], opts: AnalyzeOptions): Promise<string> {
  if (!files.length) throw new CliError('give at least one dump file', 2);
  const req = analysisRequest(opts);
  const dumps = await loadAll(files);
  try {
    const out = runAnalysis(req, dumps);
    if (!opts.json) return out.kind === 'sharing' ? renderSharing(out.report) : renderModel(out.result, !!req.timeline);
    return `${JSON.stringify(analysisJson(req, out))}\n`;
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError((e as Error).message, 1);
  }
}

async function loadAll(files: string[]): Promise<Dump[]> {
  const dumps: Dump[] = [];
  for (const f of files) {
    if (!fs.existsSync(f)) throw new CliError(`${f}: no such file`, 1);
    try {
      dumps.push(await loadDump(f));
    } catch (e) {
      const m = (e as Error).message;
      // the reader's messages already start with the file name
      throw new CliError(m.startsWith(`${f}:`) ? m : `${f}: ${m}`, 1);
    }
  }
  return dumps;
}

/** The --calls file's JSON array; its calls are checked with the rest of the request. */
function readCalls(file: string): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(`--calls ${file}: no such file`, 1);
    if (code === 'EISDIR') throw new CliError(`--calls ${file}: is a directory, not a JSON file`, 1);
    if (e instanceof SyntaxError) throw new CliError(`--calls ${file}: not valid JSON (${e.message})`, 1);
    throw new CliError(`--calls ${file}: cannot read it (${code ?? (e as Error).message})`, 1);
  }
  if (!Array.isArray(parsed)) throw new CliError(`--calls ${file}: expected a JSON array of calls`, 1);
  return parsed;
}
