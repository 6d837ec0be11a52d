import * as fs from 'node:fs';
import { Presets, SingleBar } from 'cli-progress';
import { Command, Option } from 'commander';
import { loadDump } from '@upm/model/dump';
import type { Dump } from '@upm/model/dump/types';
import {
  checkFunctionKeys,
  PLAN_MODELS,
  PLAN_POLICY_KINDS,
  PlanResult,
  PlanSpec,
  PlanSpecError,
  resolveProfiles,
  runPlan,
  validatePlanSpec,
} from '@upm/model/plan';
import type { NormalizedTrace } from '@upm/model/traces';
import { CliError, renderPlan } from '@upm/client';
import { readTrace } from './trace.command';

export interface PlanRunOptions {
  trace?: string[];
  policy?: string;
  ttlMin?: string;
  models?: string;
  hostMemGib?: string;
  hosts?: string;
  cores?: string;
  dumps?: string[];
  defaultDumps?: string[];
  seed?: string;
  coldStartMs?: string;
  window?: string;
  warmup?: string;
  step?: string;
  targetColdRate?: string;
  maxHosts?: string;
  spec?: string;
  json?: boolean;
}

/**
 * `upm plan ...`: capacity plans. `upm plan run` replays a trace locally (no server) and prints the PlanResult
 * the API would give (--json) or a table of none / ksm / upm. Returns the `plan` command so other subcommands
 * (submit, watch) can be added to it.
 */
export function registerPlanCommands(program: Command): Command {
  const plan = program.command('plan').description('capacity plans: replay a trace under no merging, KSM and UPM');
  plan
    .command('run')
    .description('run a plan locally, without a server, and print its result')
    .option(
      '--trace <file...>',
      'trace files: an Azure 2021 file, the three files of an Azure 2019 day, or Huawei 2023 files',
    )
    .addOption(new Option('--policy <policy>', 'keep-alive policy').choices([...PLAN_POLICY_KINDS]))
    .option('--ttl-min <minutes>', 'ttl: keep-alive after an invocation, minutes (default 10)')
    .option('--models <list>', `comma-separated subset of ${PLAN_MODELS.join(',')} (default all three)`)
    .option('--host-mem-gib <n>', 'memory per host, GiB (default: unlimited)')
    .option('--hosts <n>', 'number of hosts (default 1)')
    .option('--cores <n>', 'concurrent invocations per host (default: unlimited)')
    .option(
      '--dumps <FUNCTION=DUMP,DUMP...>',
      'page-hash dumps of a function ("<app>/<id>" or "<id>"); several allowed',
    )
    .option(
      '--default-dumps <dump...>',
      'dumps for every function not given with --dumps (others: from app memory percentiles)',
    )
    .option('--seed <seed>', 'seed for spreading per-minute counts (an integer or any string; default 0)')
    .option('--cold-start-ms <ms>', 'cold-start latency (default 500)')
    .option('--window <FROM:TO>', 'replay only invocations starting in [FROM, TO) seconds')
    .option(
      '--warmup <MIN>',
      'replay the first MIN minutes of the window but leave them out of every count and rate (steady state)',
    )
    .option('--step <s>', 'time-series step, seconds (default 60)')
    .option(
      '--target-cold-rate <rate>',
      'sizing: find the fewest hosts of --host-mem-gib keeping (cold + rejected) / invocations at most this',
    )
    .option('--max-hosts <n>', 'sizing: largest host count tried (default 1024)')
    .option('--spec <file>', 'a plan spec (JSON, version 1); the options above override its fields')
    .option('--json', 'print the PlanResult JSON')
    .action(async (opts: PlanRunOptions) => {
      process.stdout.write(await runPlanCommand(opts));
    });
  return plan;
}

/** `upm plan run`; returns what it prints (exported for tests). */
export async function runPlanCommand(opts: PlanRunOptions, progress = process.stderr.isTTY === true): Promise<string> {
  const spec = buildSpec(opts);
  const tracePaths = opts.trace ?? spec.trace.split(',');
  const trace = await loadTrace(tracePaths);
  try {
    checkFunctionKeys(spec, trace);
  } catch (e) {
    if (e instanceof PlanSpecError) throw new CliError(`invalid plan: ${e.message}`, 1);
    throw e;
  }
  const dumps = await loadDumps(resolveProfiles(spec, trace).refs);
  const bar = new SingleBar(
    { format: 'replaying {bar} {percentage}%', stream: process.stderr, fps: 5 },
    Presets.shades_classic,
  );
  let started = false;
  let result: PlanResult;
  try {
    result = runPlan(
      spec,
      { trace, dumps },
      {
        onProgress: progress
          ? (f) => {
              if (!started) {
                bar.start(100, 0);
                started = true;
              }
              bar.update(Math.round(f * 100));
            }
          : undefined,
      },
    );
  } catch (e) {
    if (e instanceof PlanSpecError) throw new CliError(e.message, 1);
    throw e;
  } finally {
    if (started) bar.stop();
  }
  return opts.json ? `${JSON.stringify(result)}\n` : renderPlan(result);
}

export function buildSpec(opts: PlanRunOptions): PlanSpec {
  let json: Record<string, unknown> = { version: 1 };
  if (opts.spec !== undefined) {
    let text: string;
    try {
      text = fs.readFileSync(opts.spec, 'utf8');
    } catch (e) {
      throw new CliError(
        `--spec ${opts.spec}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
        1,
      );
    }
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
      json = parsed as Record<string, unknown>;
    } catch (e) {
      throw new CliError(`--spec ${opts.spec}: ${(e as Error).message}`, 1);
    }
  }
  const obj = (k: string): Record<string, unknown> => {
    const v = json[k];
    const o = typeof v === 'object' && v !== null && !Array.isArray(v) ? { ...(v as Record<string, unknown>) } : {};
    json[k] = o;
    return o;
  };
  if (opts.trace !== undefined) {
    if (opts.trace.length === 0) throw new CliError('--trace needs at least one file', 2);
    json.trace = opts.trace.join(',');
  } else if (typeof json.trace !== 'string')
    throw new CliError('give the trace with --trace FILE... (or "trace" in --spec)', 2);
  if (opts.policy !== undefined) {
    json.policy = { kind: opts.policy };
  } else if (json.policy === undefined)
    throw new CliError(`choose --policy ${PLAN_POLICY_KINDS.join('|')} (or "policy" in --spec)`, 2);
  if (opts.ttlMin !== undefined) {
    const p = obj('policy');
    if (p.kind !== 'ttl') throw new CliError(`--ttl-min needs --policy ttl, got ${String(p.kind)}`, 2);
    p.ttlMinutes = num('--ttl-min', opts.ttlMin, 0);
  }
  if (opts.models !== undefined)
    json.models = opts.models
      .split(',')
      .map((m) => m.trim())
      .filter(Boolean);
  else if (json.models === undefined) json.models = [...PLAN_MODELS];
  if (opts.hostMemGib !== undefined) obj('host').memoryGiB = num('--host-mem-gib', opts.hostMemGib, 0, true);
  if (opts.hosts !== undefined) obj('host').count = int('--hosts', opts.hosts, 1);
  if (opts.cores !== undefined) obj('host').cores = int('--cores', opts.cores, 1);
  if (opts.dumps !== undefined && opts.dumps.length > 0) {
    const functions = { ...((obj('profiles').functions as Record<string, unknown>) ?? {}) };
    for (const item of opts.dumps) {
      const eq = item.indexOf('=');
      const fn = item.slice(0, eq).trim();
      const files = item
        .slice(eq + 1)
        .split(',')
        .map((f) => f.trim())
        .filter(Boolean);
      if (eq <= 0 || fn === '' || files.length === 0)
        throw new CliError(`--dumps takes FUNCTION=DUMP[,DUMP...], got '${item}'`, 2);
      functions[fn] = files;
    }
    obj('profiles').functions = functions;
  }
  if (opts.defaultDumps !== undefined) {
    if (opts.defaultDumps.length === 0) throw new CliError('--default-dumps needs at least one dump file', 2);
    obj('profiles').default = opts.defaultDumps;
  }
  if (opts.seed !== undefined) {
    if (opts.seed === '') throw new CliError('--seed must not be empty', 2);
    json.seed = /^\d{1,15}$/.test(opts.seed) ? Number(opts.seed) : opts.seed;
  }
  if (opts.coldStartMs !== undefined) {
    const c = json.coldStartMs;
    const ms = num('--cold-start-ms', opts.coldStartMs, 0);
    json.coldStartMs = typeof c === 'object' && c !== null ? { ...(c as Record<string, unknown>), default: ms } : ms;
  }
  if (opts.window !== undefined) {
    const m = /^\s*(-?[\d.]+)\s*:\s*(-?[\d.]+)\s*$/.exec(opts.window);
    if (!m) throw new CliError(`--window takes FROM:TO in seconds, got '${opts.window}'`, 2);
    json.window = { fromS: Number(m[1]), toS: Number(m[2]) };
  }
  if (opts.warmup !== undefined) json.warmupMinutes = num('--warmup', opts.warmup, 0);
  if (opts.step !== undefined) json.timeseriesStepS = num('--step', opts.step, 0, true);
  if (opts.targetColdRate !== undefined || opts.maxHosts !== undefined) {
    const s = obj('sizing');
    if (opts.targetColdRate !== undefined) s.targetColdStartRate = num('--target-cold-rate', opts.targetColdRate, 0);
    if (opts.maxHosts !== undefined) s.maxHosts = int('--max-hosts', opts.maxHosts, 1);
  }
  try {
    return validatePlanSpec(json);
  } catch (e) {
    // a bad spec file is bad input; a bad combination of options is bad usage
    if (e instanceof PlanSpecError) throw new CliError(`invalid plan: ${e.message}`, opts.spec !== undefined ? 1 : 2);
    throw e;
  }
}

function num(name: string, v: string, min: number, exclusive = false): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < min || (exclusive && n === min)) {
    throw new CliError(`${name} must be a number ${exclusive ? '>' : '>='} ${min}, got '${v}'`, 2);
  }
  return n;
}

function int(name: string, v: string, min: number): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || n < min) throw new CliError(`${name} must be a whole number >= ${min}, got '${v}'`, 2);
  return n;
}

/** Trace files or directories holding them, read as `upm trace inspect` reads them. */
async function loadTrace(files: string[]): Promise<NormalizedTrace> {
  for (const f of files) if (!fs.existsSync(f)) throw new CliError(`${f}: no such file`, 1);
  return readTrace(files, {});
}

async function loadDumps(refs: string[]): Promise<Map<string, Dump>> {
  const out = new Map<string, Dump>();
  for (const ref of refs) {
    if (!fs.existsSync(ref)) throw new CliError(`${ref}: no such dump file`, 1);
    try {
      out.set(ref, await loadDump(ref));
    } catch (e) {
      throw new CliError(`${ref}: ${(e as Error).message}`, 1);
    }
  }
  return out;
}
