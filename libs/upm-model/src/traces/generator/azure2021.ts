/**
 * Writes a synthetic Azure Functions 2021 invocation trace: `app,func,end_timestamp,duration`, seconds since the
 * trace start, rows in start order (so not in end order), ~8.65% zero durations. Minute by minute: all
 * functions' invocations of a minute are drawn, sorted by start and written, so memory stays flat.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { Rng, deriveSeed } from '../prng';
import type { Seed } from '../prng';
import { ZERO_DURATION_SHARE_2021 } from './calibration';
import type { GeneratedFiles } from './azure2019';
import { CountStream, planTrace } from './model';
import { AsciiWriter, pyFloat } from './writer';

export const AZURE2021_FILE_NAME = 'AzureFunctionsInvocationTrace2021.synthetic.csv';

export interface Azure2021GenOptions {
  functions: number;
  seed: Seed;
  outDir: string;
  /** Length of the trace in minutes from its start. Default 1440 (one day). */
  minutes?: number;
  /**
   * Cap on an app's expected daily invocations. The 2021 trace is far lighter than 2019's (~1.98 M rows over
   * 14 days for ~119 apps, ≈ 1,200 per app per day) and writes a row per invocation, so the default caps the
   * 2019-calibrated app rates at 1e5 a day (~70 a minute).
   */
  maxAppDailyInvocations?: number;
  onProgress?: (done: number, total: number) => void;
}

export const AZURE2021_DEFAULT_MAX_APP_DAILY = 1e5;

export async function generateAzure2021(opts: Azure2021GenOptions): Promise<GeneratedFiles> {
  const minutes = opts.minutes ?? 1440;
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 14 * 1440 * 10)
    throw new RangeError(`minutes must be an integer in 1..201600, got ${minutes}`);
  const plan = planTrace(opts.functions, opts.seed, {
    maxAppDailyInvocations: opts.maxAppDailyInvocations ?? AZURE2021_DEFAULT_MAX_APP_DAILY,
  });
  await fsp.mkdir(opts.outDir, { recursive: true });
  const file = path.join(opts.outDir, AZURE2021_FILE_NAME);
  const w = new AsciiWriter(file);
  await w.reserve(64);
  w.ascii('app,func,end_timestamp,duration\n');
  const fns = plan.functions;
  const streams = fns.map((fn) => new CountStream(fn, new Rng(deriveSeed(plan.seed, fn.index, 0x434e5453)), 0));
  const drawRngs = fns.map((fn) => new Rng(deriveSeed(plan.seed, fn.index, 0x32303231))); // "2021"
  // Per-invocation durations are wider than the 2019 window averages: log-spread × 1.5.
  const prefix = fns.map((fn) => `${fn.app},${fn.id},`);
  let total = 0;
  const evFn: number[] = [];
  const evStart: number[] = [];
  const evDur: number[] = [];
  for (let m = 0; m < minutes; m++) {
    evFn.length = evStart.length = evDur.length = 0;
    for (let f = 0; f < fns.length; f++) {
      const s = streams[f];
      const c = s.next();
      if (c === 0) continue;
      const fn = fns[f];
      const rng = drawRngs[f];
      const sigma = fn.durationSigma * 1.5;
      const median = (fn.avgDurationMs / 1000) * Math.exp((-sigma * sigma) / 2);
      for (let k = 0; k < c; k++) {
        // Timers fire on their period plus a few ms of scheduling jitter; the rest uniformly in the minute.
        const off = fn.pattern.kind === 'timer' ? s.fireOffsets[k] + 0.005 + 0.03 * rng.next() : rng.next() * 60;
        const zero = rng.next() < ZERO_DURATION_SHARE_2021;
        const d = zero ? 0 : Math.round(median * Math.exp(sigma * rng.normal()) * 1000) / 1000;
        evFn.push(f);
        evStart.push(m * 60 + off);
        evDur.push(d);
      }
    }
    const order = evStart.map((_, i) => i).sort((a, b) => evStart[a] - evStart[b] || a - b);
    for (const i of order) {
      await w.reserve(256);
      w.ascii(prefix[evFn[i]]);
      w.ascii(`${pyFloat(evStart[i] + evDur[i])},${pyFloat(evDur[i])}\n`);
    }
    total += order.length;
    opts.onProgress?.(m + 1, minutes);
  }
  await w.close();
  return { files: [file], functions: fns.length, apps: plan.apps.length, invocations: total, bytes: w.bytes };
}
