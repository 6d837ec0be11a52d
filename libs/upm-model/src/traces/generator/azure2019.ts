/**
 * Writes one synthetic Azure Functions 2019 day in the public trace's three-file format:
 *   invocations_per_function_md.anon.dNN.csv   HashOwner,HashApp,HashFunction,Trigger,<minute columns>
 *   function_durations_percentiles.anon.dNN.csv
 *   app_memory_percentiles.anon.dNN.csv        per app (original schema) or per function (derived schema)
 * Rows are streamed: memory stays flat whatever the number of functions.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { Rng, deriveSeed } from '../prng';
import { CountStream, GenPlan, durationPercentiles, memoryPercentiles, planTrace } from './model';
import { AsciiWriter } from './writer';
import type { Seed } from '../prng';

export interface Azure2019GenOptions {
  functions: number;
  seed: Seed;
  outDir: string;
  /** Day number for the file names and the minute origin (1-based). Default 1. */
  day?: number;
  /** Minute columns written, inclusive (1-based minute of the day). Default [1, 1440]. */
  minutes?: [number, number];
  /** 'app' (original schema, default) or 'function' (derived schema with HashFunction, memory split evenly). */
  memoryScope?: 'app' | 'function';
  /** Called after each function row with (done, total). */
  onProgress?: (done: number, total: number) => void;
}

export interface GeneratedFiles {
  files: string[];
  functions: number;
  apps: number;
  /** Exact number of invocations written (sum of the minute cells). */
  invocations: number;
  bytes: number;
}

const DURATION_HEADER =
  'HashOwner,HashApp,HashFunction,Average,Count,Minimum,Maximum,percentile_Average_0,percentile_Average_1,' +
  'percentile_Average_25,percentile_Average_50,percentile_Average_75,percentile_Average_99,percentile_Average_100';
const MEMORY_PCTS = ['1', '5', '25', '50', '75', '95', '99', '100'].map((p) => `AverageAllocatedMb_pct${p}`).join(',');

export function azure2019FileNames(day: number): { invocations: string; durations: string; memory: string } {
  const dd = String(day).padStart(2, '0');
  return {
    invocations: `invocations_per_function_md.anon.d${dd}.csv`,
    durations: `function_durations_percentiles.anon.d${dd}.csv`,
    memory: `app_memory_percentiles.anon.d${dd}.csv`,
  };
}

export function validateMinutes(minutes: [number, number]): void {
  const [a, b] = minutes;
  if (!Number.isInteger(a) || !Number.isInteger(b) || a < 1 || b > 1440 || a > b) {
    throw new RangeError(`minutes must be integers with 1 <= first <= last <= 1440, got ${a}..${b}`);
  }
}

export async function generateAzure2019(opts: Azure2019GenOptions): Promise<GeneratedFiles> {
  const day = opts.day ?? 1;
  if (!Number.isInteger(day) || day < 1 || day > 99)
    throw new RangeError(`day must be an integer in 1..99, got ${day}`);
  const minutes = opts.minutes ?? [1, 1440];
  validateMinutes(minutes);
  const plan = planTrace(opts.functions, opts.seed);
  await fsp.mkdir(opts.outDir, { recursive: true });
  const names = azure2019FileNames(day);
  const paths = {
    invocations: path.join(opts.outDir, names.invocations),
    durations: path.join(opts.outDir, names.durations),
    memory: path.join(opts.outDir, names.memory),
  };
  const inv = await writeInvocations(plan, paths.invocations, day, minutes, opts.onProgress);
  const durBytes = await writeDurations(plan, paths.durations, inv.dailyCounts);
  const memBytes = await writeMemory(plan, paths.memory, opts.memoryScope ?? 'app');
  return {
    files: [paths.invocations, paths.durations, paths.memory],
    functions: plan.functions.length,
    apps: plan.apps.length,
    invocations: inv.total,
    bytes: inv.bytes + durBytes + memBytes,
  };
}

async function writeInvocations(
  plan: GenPlan,
  file: string,
  day: number,
  [first, last]: [number, number],
  onProgress?: (done: number, total: number) => void,
): Promise<{ total: number; bytes: number; dailyCounts: Float64Array }> {
  const w = new AsciiWriter(file);
  let header = 'HashOwner,HashApp,HashFunction,Trigger';
  for (let m = first; m <= last; m++) header += `,${m}`;
  await w.reserve(header.length + 1);
  w.ascii(header);
  w.byte(10);
  const width = last - first + 1;
  const dailyCounts = new Float64Array(plan.functions.length);
  let total = 0;
  for (const fn of plan.functions) {
    await w.reserve(4 * 66 + 16 + width * 11);
    w.ascii(`${fn.owner},${fn.app},${fn.id},${fn.trigger}`);
    const stream = new CountStream(
      fn,
      new Rng(deriveSeed(plan.seed, fn.index, 0x434e5453)),
      (day - 1) * 1440 + first - 1,
    ); // "CNTS"
    let sum = 0;
    for (let k = 0; k < width; k++) {
      const c = stream.next();
      sum += c;
      w.byte(44);
      w.uint(c);
    }
    w.byte(10);
    total += sum;
    // The durations file's Count covers the whole day (and comes from another log): scale a window up.
    dailyCounts[fn.index] = (sum * 1440) / width;
    onProgress?.(fn.index + 1, plan.functions.length);
  }
  await w.close();
  return { total, bytes: w.bytes, dailyCounts };
}

async function writeDurations(plan: GenPlan, file: string, dailyCounts: Float64Array): Promise<number> {
  const w = new AsciiWriter(file);
  await w.reserve(DURATION_HEADER.length + 1);
  w.ascii(DURATION_HEADER + '\n');
  for (const fn of plan.functions) {
    const rng = new Rng(deriveSeed(plan.seed, fn.index, 0x44555253)); // "DURS"
    const { averageMs, p } = durationPercentiles(fn);
    // Integer milliseconds, as in the trace; a sub-millisecond function gets Average 0 with Count > 0.
    const q = p.map((x) => Math.floor(x));
    const count = Math.max(0, Math.round(dailyCounts[fn.index] * (1 + 0.02 * rng.normal())));
    const min = Math.floor(q[0] * (0.5 + 0.5 * rng.next()));
    const max = Math.ceil(q[6] * (1 + rng.next()));
    await w.reserve(512);
    w.ascii(`${fn.owner},${fn.app},${fn.id},${Math.floor(averageMs)},${count},${min}.0,${max}.0,${q.join(',')}\n`);
  }
  await w.close();
  return w.bytes;
}

async function writeMemory(plan: GenPlan, file: string, scope: 'app' | 'function'): Promise<number> {
  const w = new AsciiWriter(file);
  const keys = scope === 'app' ? 'HashOwner,HashApp' : 'HashOwner,HashApp,HashFunction';
  const header = `${keys},SampleCount,AverageAllocatedMb,${MEMORY_PCTS}`;
  await w.reserve(header.length + 1);
  w.ascii(header + '\n');
  for (const app of plan.apps) {
    const pct = memoryPercentiles(app);
    if (scope === 'app') {
      await w.reserve(512);
      w.ascii(
        `${app.owner},${app.id},${app.sampleCount},${Math.round(app.memoryAvgMb)},${pct.map((x) => Math.round(x)).join(',')}\n`,
      );
      continue;
    }
    // Derived schema (as in the invitro samples): the app's memory split evenly over its functions, floats.
    const k = app.functions.length;
    for (const f of app.functions) {
      const fn = plan.functions[f];
      await w.reserve(512);
      w.ascii(
        `${app.owner},${app.id},${fn.id},${app.sampleCount},${app.memoryAvgMb / k},${pct.map((x) => x / k).join(',')}\n`,
      );
    }
  }
  await w.close();
  return w.bytes;
}
