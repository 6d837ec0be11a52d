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
  KsmResult,
  MergeResultBase,
  UpmCall,
  UpmResult,
} from '@upm/model/merge';
import { analyzeSharing, SHARING_CATEGORIES, SharingReport, SharingRow } from '@upm/model/sharing';
import { CliError } from '../cli-error';

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

const mib = (bytes: number) => (bytes / 1048576).toFixed(1);

function renderModel(r: MergeResultBase, timeline: boolean): string {
  const ps = r.pageSize;
  const lines = [
    `model                 ${r.model}`,
    `processes             ${r.processes}`,
    `resident pages        ${r.residentPages} (${mib(r.residentPages * ps)} MiB)`,
    `physical before       ${r.physicalPagesBefore} (${mib(r.physicalPagesBefore * ps)} MiB)`,
    `physical after        ${r.physicalPagesAfter} (${mib(r.physicalPagesAfter * ps)} MiB)`,
    `saved                 ${mib(r.savedBytes)} MiB (${r.physicalPagesBefore ? ((100 * r.savedBytes) / ps / r.physicalPagesBefore).toFixed(1) : '0.0'}%)`,
    `pages_shared          ${r.pagesShared}`,
    `pages_sharing         ${r.pagesSharing}`,
  ];
  if (r.model === 'ksm') {
    const k = r as KsmResult;
    lines.push(
      `pages_unshared        ${k.converged.pagesUnshared}`,
      `pages_volatile        ${k.converged.pagesVolatile}`,
      `ksm_zero_pages        ${k.converged.ksmZeroPages}`,
      `full_scans            ${k.converged.fullScans}`,
      `converged after       ${k.convergedAtSec.toFixed(2)} s${k.didConverge ? '' : ' (not converged)'}`,
      `50% / 100% sharing    ${fmtS(k.sharingHalfSec)} / ${fmtS(k.sharingFullSec)}`,
      `scan rate             ${Math.round(k.pagesPerSec)} pages/s (pages_to_scan ${k.params.pagesToScan}, sleep ${k.params.sleepMs} ms, HZ ${k.timing.hz})`,
    );
    if (timeline) {
      lines.push('', 't(s)      pages_shared  pages_sharing  full_scans');
      for (const p of k.timeline)
        lines.push(`${p.t.toFixed(3).padStart(8)}  ${String(p.pagesShared).padStart(12)}  ${String(p.pagesSharing).padStart(13)}  ${String(p.fullScans).padStart(10)}`);
    }
  }
  if (r.model === 'upm') {
    const u = r as UpmResult;
    lines.push(`madvise calls         ${u.calls.length} (${u.totalMerges} merges, ${u.totalMisses} misses, ${(u.totalCostUs / 1000).toFixed(2)} ms total)`);
    for (const c of u.calls)
      lines.push(
        `  pid ${c.pid} at ${c.timeMs} ms: ${c.pagesHashed} hashed, ${c.merges} merged, ${c.misses} new, ${(c.costUs / 1000).toFixed(2)} ms${c.skipped ? ` (${c.skipped})` : ''}`,
      );
  }
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n') + '\n';
}

const fmtS = (s: number | null) => (s === null ? '-' : `${s.toFixed(2)} s`);

function renderSharing(r: SharingReport): string {
  const lines: string[] = [];
  const t = r.total;
  lines.push(`sharing of ${r.processes.length} processes (${r.mergeability} merge rules, ${r.snapshot} snapshot)`, '');
  lines.push(table(t));
  lines.push(
    '',
    `physical pages   before ${t.physicalPagesBefore} (${mib(t.physicalPagesBefore * r.pageSize)} MiB)   after ideal merging ${t.physicalPagesAfter} (${mib(t.physicalPagesAfter * r.pageSize)} MiB)`,
    `PSS total        before ${t.pssBeforeMiB.toFixed(1)} MiB   after ${t.pssAfterMiB.toFixed(1)} MiB`,
    '',
  );
  const head = ['pid', 'function', 'RSS MiB', 'PSS before', 'PSS after', 'within%', 'same fn%', 'cross fn%', 'zero%', 'unique%'];
  const rows = r.processes.map((p) => [
    String(p.pid),
    p.function,
    p.residentMiB.toFixed(1),
    p.pssBeforeMiB.toFixed(1),
    p.pssAfterMiB.toFixed(1),
    p.categories.duplicateWithinProcess.percentOfRss.toFixed(1),
    p.categories.duplicateSameFunction.percentOfRss.toFixed(1),
    p.categories.duplicateCrossFunction.percentOfRss.toFixed(1),
    p.categories.zeroFilled.percentOfRss.toFixed(1),
    p.categories.unique.percentOfRss.toFixed(1),
  ]);
  lines.push(grid([head, ...rows]));
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n') + '\n';
}

function table(row: SharingRow): string {
  const rows = [['category', 'pages', 'MiB', '% of RSS']];
  for (const c of SHARING_CATEGORIES) {
    const a = row.categories[c];
    rows.push([c, String(a.pages), a.mib.toFixed(1), a.percentOfRss.toFixed(1)]);
  }
  rows.push(['resident (RSS)', String(row.residentPages), row.residentMiB.toFixed(1), '100.0']);
  return grid(rows);
}

function grid(rows: string[][]): string {
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => (i === 0 || i === 1 ? cell.padEnd(w[i]) : cell.padStart(w[i]))).join('  ')).join('\n');
}
