import { Command, Option } from 'commander';
import * as fs from 'fs';
import { loadDump } from '@upm/model/dump';
import type { Dump } from '@upm/model/dump/types';
import {
  runKsmModel,
  runNoneModel,
  runUpmModel,
  shapeMergeResult,
  KsmParams,
  MergeResultBase,
  UpmCall,
} from '@upm/model/merge';
import { analyzeSharing } from '@upm/model/sharing';
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

/** Runs the command and returns what it prints (exported for tests). */
export async function analyze(files: string[], opts: AnalyzeOptions): Promise<string> {
  if (!files.length) throw new CliError('give at least one dump file', 2);
  if (!opts.sharing && !opts.model) throw new CliError('choose --model none|ksm|upm or --sharing', 2);
  if (opts.model && !(MODELS as readonly string[]).includes(opts.model))
    throw new CliError(`--model must be one of ${MODELS.join(', ')}, got '${opts.model}'`, 2);
  if ((opts.timeline || opts.assumeMergeable) && opts.model !== 'ksm') throw new CliError(`${opts.timeline ? '--timeline' : '--assume-mergeable'} needs --model ksm`, 2);
  if (opts.sharing && opts.model === 'none') throw new CliError('--sharing takes --model ksm or upm (merge rules), not none', 2);
  const dumps = await loadAll(files);
  try {
    if (opts.sharing) {
      const report = analyzeSharing(dumps, {
        mergeability: (opts.model as 'ksm' | 'upm' | undefined) ?? 'upm',
        snapshot: parseSnapshot(opts.snapshot),
      });
      return opts.json ? JSON.stringify(report) + '\n' : renderSharing(report);
    }
    let result: MergeResultBase;
    if (opts.model === 'none') result = runNoneModel(dumps);
    else if (opts.model === 'upm') result = runUpmModel(dumps, { calls: opts.calls ? readCalls(opts.calls) : undefined });
    else {
      const params: Partial<KsmParams> = {};
      const pts = intOpt('--pages-to-scan', opts.pagesToScan, 1);
      if (pts !== undefined) params.pagesToScan = pts;
      const sl = intOpt('--sleep-ms', opts.sleepMs, 0);
      if (sl !== undefined) params.sleepMs = sl;
      const mps = intOpt('--max-page-sharing', opts.maxPageSharing, 2);
      if (mps !== undefined) params.maxPageSharing = mps;
      const uz = intOpt('--use-zero-pages', opts.useZeroPages, 0, 1);
      if (uz !== undefined) params.useZeroPages = uz === 1;
      const ss = intOpt('--smart-scan', opts.smartScan, 0, 1);
      if (ss !== undefined) params.smartScan = ss === 1;
      const hz = intOpt('--hz', opts.hz, 1, 10000);
      result = runKsmModel(dumps, { params, timing: hz ? { hz } : undefined, assumeMergeable: !!opts.assumeMergeable });
    }
    const shaped = shapeMergeResult(result, !!opts.timeline);
    return opts.json ? JSON.stringify(shaped) + '\n' : renderModel(result, !!opts.timeline);
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

function intOpt(name: string, v: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new CliError(`${name} must be a whole number from ${min} to ${max}, got '${v}'`, 2);
  return n;
}

function parseSnapshot(v: string | undefined): 'first' | 'last' | number | undefined {
  if (v === undefined || v === 'first' || v === 'last') return v as 'first' | 'last' | undefined;
  return intOpt('--snapshot', v, 0);
}

function readCalls(file: string): UpmCall[] {
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
  return parsed.map((c, i) => {
    const call = c as UpmCall;
    if (!call || !Number.isInteger(call.pid) || typeof call.timeMs !== 'number')
      throw new CliError(`--calls ${file}: call ${i} needs an integer pid and a numeric timeMs`, 1);
    if (call.ranges !== undefined && !(Array.isArray(call.ranges) && call.ranges.every((r) => Array.isArray(r) && r.length === 2 && r[0] < r[1])))
      throw new CliError(`--calls ${file}: call ${i}: ranges must be [start, end) pairs`, 1);
    return call;
  });
}
