import * as fs from 'node:fs';
import { Presets, SingleBar } from 'cli-progress';
import { Command, Option } from 'commander';
import { loadDump } from '@upm/model/dump';
import type { Dump } from '@upm/model/dump/types';
import {
  checkFunctionKeys,
  DEFAULT_COLD_START_MS,
  DEFAULT_MAX_HOSTS,
  DEFAULT_SEED,
  DEFAULT_TIMESERIES_STEP_S,
  DEFAULT_TTL_MINUTES,
  parseSeed,
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
  const run = plan.command('run').description('run a plan locally, without a server, and print its result');
  for (const f of PLAN_FLAGS) {
    const o = new Option(f.flag, f.description);
    run.addOption(f.choices ? o.choices([...f.choices]) : o);
  }
  run
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

/** A flag of `upm plan run` / `upm plan submit` and the spec field it sets. */
export interface PlanFlag {
  /** As commander takes it: "--host-mem-gib <n>". */
  flag: string;
  description: string;
  /** The PlanRunOptions key commander gives the flag's value under. */
  option: keyof PlanRunOptions;
  /** Spec path the value goes to ("host.memoryGiB"); errors of validatePlanSpec under it name the flag. */
  path: string;
  /**
   * Flag text to JSON: only its syntax; ranges and types are validatePlanSpec's (one set of rules). The value
   * is a string, or an array of them for a variadic flag ("<file...>").
   */
  parse: (value: string & string[]) => unknown;
  /** Merge an object value into the spec file's (--dumps adds to profiles.functions). */
  merge?: boolean;
  /** What the flag needs of the rest of the spec: a message when it is missing. */
  needs?: (spec: Record<string, unknown>) => string | null;
  choices?: readonly string[];
}

class FlagSyntaxError extends Error {}

function number(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n)) throw new FlagSyntaxError('expected a number');
  return n;
}

/**
 * A rate as people write it: "1%" or the fraction 0.01 (what the spec holds). A bare number of 1 or more is
 * refused rather than read as 100 % or more: the web form takes percentages, so "1" most likely means 1 %.
 */
function rate(text: string): number {
  const pct = /^\s*([^%]*?)\s*%\s*$/.exec(text);
  if (pct) return number(pct[1]) / 100;
  const n = number(text);
  if (n >= 1) throw new FlagSyntaxError(`is a fraction (0.01 = 1 %); for ${text} percent write ${text}%`);
  return n;
}

function list(text: string): string[] {
  return text
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
}

function nonEmpty(values: string[]): string[] {
  if (values.length === 0) throw new FlagSyntaxError('expected at least one file');
  return values;
}

/**
 * Every flag that sets a field of the plan spec: flag, spec path, parser. buildSpec applies them over the spec
 * file and gives the result to the domain's validatePlanSpec, so `plan run` and `plan submit` build the same
 * spec and refuse the same input with the same message (flag, value, what the field expects).
 */
export const PLAN_FLAGS: readonly PlanFlag[] = [
  {
    flag: '--trace <file...>',
    description: 'trace files: an Azure 2021 file, the three files of an Azure 2019 day, or Huawei 2023 files',
    option: 'trace',
    path: 'trace',
    parse: (files) => nonEmpty(files).join(','),
  },
  {
    flag: '--policy <policy>',
    description: 'keep-alive policy (default ttl)',
    option: 'policy',
    path: 'policy',
    parse: (kind) => ({ kind }),
    choices: PLAN_POLICY_KINDS,
  },
  {
    flag: '--ttl-min <minutes>',
    description: `ttl: keep-alive after an invocation, minutes (default ${DEFAULT_TTL_MINUTES})`,
    option: 'ttlMin',
    path: 'policy.ttlMinutes',
    parse: number,
    needs: (spec) => {
      const kind = (spec.policy as { kind?: unknown } | undefined)?.kind;
      return kind === 'ttl' ? null : `needs --policy ttl, got ${String(kind)}`;
    },
  },
  {
    flag: '--models <list>',
    description: `comma-separated subset of ${PLAN_MODELS.join(',')} (default all three)`,
    option: 'models',
    path: 'models',
    parse: list,
  },
  {
    flag: '--host-mem-gib <n>',
    description: 'memory per host, GiB (default: unlimited)',
    option: 'hostMemGib',
    path: 'host.memoryGiB',
    parse: number,
  },
  { flag: '--hosts <n>', description: 'number of hosts (default 1)', option: 'hosts', path: 'host.count', parse: number },
  {
    flag: '--cores <n>',
    description: 'concurrent invocations per host (default: unlimited)',
    option: 'cores',
    path: 'host.cores',
    parse: number,
  },
  {
    flag: '--dumps <FUNCTION=DUMP,DUMP...>',
    description: 'page-hash dumps of a function ("<app>/<id>" or "<id>"); several allowed',
    option: 'dumps',
    path: 'profiles.functions',
    merge: true,
    parse: (items) => {
      const functions: Record<string, string[]> = {};
      for (const item of items) {
        const eq = item.indexOf('=');
        const files = list(item.slice(eq + 1));
        if (eq <= 0 || item.slice(0, eq).trim() === '' || files.length === 0)
          throw new FlagSyntaxError(`expected FUNCTION=DUMP[,DUMP...]${items.length > 1 ? ` (in '${item}')` : ''}`);
        functions[item.slice(0, eq).trim()] = files;
      }
      return functions;
    },
  },
  {
    flag: '--default-dumps <dump...>',
    description: 'dumps for every function not given with --dumps (others: from app memory percentiles)',
    option: 'defaultDumps',
    path: 'profiles.default',
    parse: (files) => {
      if (files.length === 0) throw new FlagSyntaxError('needs at least one dump file');
      return files;
    },
  },
  {
    flag: '--seed <seed>',
    description: `seed for spreading per-minute counts (an integer or any string; default ${DEFAULT_SEED})`,
    option: 'seed',
    path: 'seed',
    parse: (text) => {
      if (text === '') throw new FlagSyntaxError('must not be empty');
      return parseSeed(text);
    },
  },
  {
    flag: '--cold-start-ms <ms>',
    description: `cold-start latency (default ${DEFAULT_COLD_START_MS})`,
    option: 'coldStartMs',
    path: 'coldStartMs.default',
    parse: number,
  },
  {
    flag: '--window <FROM:TO>',
    description: 'replay only invocations starting in [FROM, TO) seconds',
    option: 'window',
    path: 'window',
    parse: (text) => {
      const m = /^\s*(-?[\d.]+)\s*:\s*(-?[\d.]+)\s*$/.exec(text);
      if (!m) throw new FlagSyntaxError('expected FROM:TO in seconds');
      return { fromS: Number(m[1]), toS: Number(m[2]) };
    },
  },
  {
    flag: '--warmup <MIN>',
    description: 'replay the first MIN minutes of the window but leave them out of every count and rate (steady state)',
    option: 'warmup',
    path: 'warmupMinutes',
    parse: number,
  },
  {
    flag: '--step <s>',
    description: `time-series step, seconds (default ${DEFAULT_TIMESERIES_STEP_S})`,
    option: 'step',
    path: 'timeseriesStepS',
    parse: number,
  },
  {
    flag: '--target-cold-rate <rate>',
    description: 'sizing: find the fewest hosts of --host-mem-gib keeping (cold + rejected) / invocations at most this: a percentage (1%) or a fraction (0.01)',
    option: 'targetColdRate',
    path: 'sizing.targetColdStartRate',
    parse: rate,
  },
  {
    flag: '--max-hosts <n>',
    description: `sizing: largest host count tried (default ${DEFAULT_MAX_HOSTS})`,
    option: 'maxHosts',
    path: 'sizing.maxHosts',
    parse: number,
  },
];

/** Sets `value` at a dotted path, copying the objects on the way (a number or array there is replaced). */
function setPath(json: Record<string, unknown>, path: string, value: unknown, merge: boolean): void {
  const keys = path.split('.');
  let o = json;
  for (const k of keys.slice(0, -1)) {
    const v = o[k];
    o[k] = typeof v === 'object' && v !== null && !Array.isArray(v) ? { ...(v as Record<string, unknown>) } : {};
    o = o[k] as Record<string, unknown>;
  }
  const last = keys[keys.length - 1];
  const old = o[last];
  o[last] =
    merge && typeof old === 'object' && old !== null && !Array.isArray(old)
      ? { ...(old as Record<string, unknown>), ...(value as Record<string, unknown>) }
      : value;
}

function flagName(f: PlanFlag): string {
  return f.flag.split(' ')[0];
}

function shown(value: string | string[]): string {
  return `'${Array.isArray(value) ? value.join(' ') : value}'`;
}

/** The flags' values over the spec file (if any), validated by validatePlanSpec. */
export function buildSpec(opts: PlanRunOptions): PlanSpec {
  const json = opts.spec !== undefined ? readSpecFile(opts.spec) : { version: 1 };
  const given = PLAN_FLAGS.filter((f) => opts[f.option] !== undefined);
  for (const f of given) {
    const name = flagName(f);
    const value = opts[f.option] as string & string[];
    let parsed: unknown;
    try {
      parsed = f.parse(value);
    } catch (e) {
      if (e instanceof FlagSyntaxError) throw new CliError(`${name} ${shown(value)}: ${e.message}`, 2);
      throw e;
    }
    setPath(json, f.path, parsed, f.merge === true);
  }
  if (typeof json.trace !== 'string') throw new CliError('give the trace with --trace FILE... (or "trace" in --spec)', 2);
  // ttl when no policy is named, as in the web form: the policy every platform offers (a fixed idle time)
  const policy = json.policy as object | undefined;
  if (policy === undefined || (typeof policy === 'object' && policy !== null && !('kind' in policy))) json.policy = { kind: 'ttl', ...policy };
  for (const f of given) {
    const problem = f.needs?.(json);
    if (problem) throw new CliError(`${flagName(f)} ${problem}`, 2);
  }
  if (json.models === undefined) json.models = [...PLAN_MODELS];
  try {
    return validatePlanSpec(json);
  } catch (e) {
    if (!(e instanceof PlanSpecError)) throw e;
    // a bad flag value names the flag and the value it was given; a bad spec file is bad input (exit 1)
    const flag = given.find((f) => e.path === f.path || e.path.startsWith(`${f.path}.`) || e.path.startsWith(`${f.path}[`));
    if (flag) throw new CliError(`${flagName(flag)} ${shown(opts[flag.option] as string)}: ${e.message}`, 2);
    throw new CliError(`invalid plan: ${e.message}`, opts.spec !== undefined ? 1 : 2);
  }
}

function readSpecFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(
      `--spec ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
      1,
    );
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as Record<string, unknown>;
  } catch (e) {
    throw new CliError(`--spec ${file}: ${(e as Error).message}`, 1);
  }
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
