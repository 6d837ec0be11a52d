/**
 * The synthetic workload: a plan of owners, apps and functions (small, made up front from the seed), and the
 * per-function streams that turn it into per-minute counts, fire times and durations. Every function draws
 * from its own PRNG stream derived from (seed, function index), so a function's output does not depend on how
 * many other functions are generated or in which order they are written.
 */
import { Rng, Seed, deriveSeed, seedToUint32 } from '../prng';
import {
  APP_DAILY_RATE_LOGNORMAL,
  APP_MEMORY_BURR,
  EXEC_TIME_LOGNORMAL_S,
  FUNCTIONS_PER_APP_PARETO_ALPHA,
  GEN_TRIGGERS,
  GenTrigger,
  MAX_APP_DAILY_INVOCATIONS,
  MAX_AVERAGE_EXEC_S,
  MAX_FUNCTIONS_PER_APP,
  SINGLE_FUNCTION_APP_SHARE,
  TRIGGER_SHARES,
  burrQuantile,
} from './calibration';

/** How a function's invocations arrive. */
export type ArrivalPattern =
  | { kind: 'timer'; periodS: number; phaseS: number }
  | {
      kind: 'poisson';
      /** Diurnal modulation: rate × (1 + amplitude · sin(2π (minute − peakMinute) / 1440 + π/2)). */
      amplitude: number;
      peakMinute: number;
      /** Two-state burst process: per-minute P(off→on), P(on→off), and the on-state rate multiplier. */
      burstOn: number;
      burstOff: number;
      burstMult: number;
    }
  | { kind: 'silent' };

export interface GenFunction {
  index: number;
  appIndex: number;
  owner: string;
  app: string;
  id: string;
  trigger: GenTrigger;
  /** Expected invocations per day. */
  dailyRate: number;
  pattern: ArrivalPattern;
  /** Average execution time (ms) and the log-spread of its 30-s window averages. */
  avgDurationMs: number;
  durationSigma: number;
}

export interface GenApp {
  index: number;
  owner: string;
  id: string;
  functions: number[];
  /** Average committed memory (MB) and its relative spread over the day. */
  memoryAvgMb: number;
  memorySpread: number;
  sampleCount: number;
}

export interface GenPlan {
  seed: number;
  functions: GenFunction[];
  apps: GenApp[];
}

const TIMER_PERIODS_S = [10, 15, 20, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

/** 64 lowercase hex digits, like the trace's salted hashes. */
export function hex64(rng: Rng): string {
  let s = '';
  for (let i = 0; i < 8; i++) s += rng.nextUint32().toString(16).padStart(8, '0');
  return s;
}

function pick<T extends string>(rng: Rng, weights: Record<T, number>): T {
  const keys = Object.keys(weights) as T[];
  const total = keys.reduce((s, k) => s + weights[k], 0);
  let u = rng.next() * total;
  for (const k of keys) {
    u -= weights[k];
    if (u < 0) return k;
  }
  return keys[keys.length - 1];
}

const uniform = (rng: Rng, a: number, b: number): number => a + (b - a) * rng.next();

export interface PlanOptions {
  /** Cap on an app's expected daily invocations. Default MAX_APP_DAILY_INVOCATIONS (1e8). */
  maxAppDailyInvocations?: number;
}

export function planTrace(nFunctions: number, seed: Seed, options: PlanOptions = {}): GenPlan {
  const cap = options.maxAppDailyInvocations ?? MAX_APP_DAILY_INVOCATIONS;
  if (!(cap > 0)) throw new RangeError(`maxAppDailyInvocations must be positive, got ${cap}`);
  if (!Number.isInteger(nFunctions) || nFunctions < 1)
    throw new RangeError(`functions must be a positive integer, got ${nFunctions}`);
  const base = seedToUint32(seed);
  const rng = new Rng(deriveSeed(base, 0x504c414e)); // "PLAN"
  const fnShares = Object.fromEntries(GEN_TRIGGERS.map((t) => [t, TRIGGER_SHARES[t].functions])) as Record<
    GenTrigger,
    number
  >;
  const functions: GenFunction[] = [];
  const apps: GenApp[] = [];
  const owners: string[] = [];
  const ownerSet = new Set<string>();
  while (functions.length < nFunctions) {
    let k = 1;
    if (rng.next() >= SINGLE_FUNCTION_APP_SHARE) {
      k = Math.floor(2 * Math.pow(1 - rng.next(), -1 / FUNCTIONS_PER_APP_PARETO_ALPHA));
      k = Math.min(Math.max(k, 2), MAX_FUNCTIONS_PER_APP);
    }
    k = Math.min(k, nFunctions - functions.length);
    // Most owners have one app (the 500-function sample: 476 apps, 428 owners).
    const owner = owners.length > 0 && rng.next() < 0.1 ? owners[rng.int(owners.length)] : hex64(rng);
    if (!ownerSet.has(owner)) {
      ownerSet.add(owner);
      owners.push(owner);
    }
    const appId = hex64(rng);
    const appIndex = apps.length;
    const appDaily = Math.min(
      cap,
      Math.exp(APP_DAILY_RATE_LOGNORMAL.mu + APP_DAILY_RATE_LOGNORMAL.sigma * rng.normal()),
    );
    // Split the app's invocations: Zipf over its functions × the trigger's invocation/function share ratio.
    const triggers = Array.from({ length: k }, () => pick(rng, fnShares));
    const weights = triggers.map(
      (t, i) => (1 / (i + 1)) * (TRIGGER_SHARES[t].invocations / TRIGGER_SHARES[t].functions),
    );
    const wsum = weights.reduce((s, w) => s + w, 0);
    const memU = rng.next();
    const app: GenApp = {
      index: appIndex,
      owner,
      id: appId,
      functions: [],
      memoryAvgMb: Math.max(1, burrQuantile(Math.min(memU, 0.999999), APP_MEMORY_BURR)),
      memorySpread: uniform(rng, 0.02, 0.2),
      sampleCount: 0,
    };
    apps.push(app);
    for (let i = 0; i < k; i++) {
      const index = functions.length;
      const trigger = triggers[i];
      const dailyRate = (appDaily * weights[i]) / wsum;
      const fr = new Rng(deriveSeed(base, index, 0x46554e43)); // "FUNC"
      const avgS = Math.min(
        MAX_AVERAGE_EXEC_S,
        Math.exp(EXEC_TIME_LOGNORMAL_S.mu + EXEC_TIME_LOGNORMAL_S.sigma * fr.normal()),
      );
      functions.push({
        index,
        appIndex,
        owner,
        app: appId,
        id: hex64(fr),
        trigger,
        dailyRate,
        pattern: patternFor(trigger, dailyRate, fr),
        avgDurationMs: avgS * 1000,
        durationSigma: uniform(fr, 0.2, 1.2),
      });
      app.functions.push(index);
    }
    // 5-second samples while the app had instances: busier apps are sampled over more of the day.
    const busy = Math.min(1, 0.05 + Math.log10(1 + appDaily) / 6);
    app.sampleCount = Math.max(1, Math.round(17280 * busy * uniform(rng, 0.5, 1.5)));
  }
  return { seed: base, functions, apps };
}

function patternFor(trigger: GenTrigger, dailyRate: number, rng: Rng): ArrivalPattern {
  if (trigger === 'timer') {
    if (dailyRate < 1) {
      // Rarer than daily: within one day it fires once (with that probability) or not at all.
      return rng.next() < dailyRate
        ? { kind: 'timer', periodS: 86400, phaseS: rng.next() * 86400 }
        : { kind: 'silent' };
    }
    const want = 86400 / dailyRate;
    let periodS = TIMER_PERIODS_S[0];
    for (const p of TIMER_PERIODS_S) if (Math.abs(Math.log(p / want)) < Math.abs(Math.log(periodS / want))) periodS = p;
    return { kind: 'timer', periodS, phaseS: Math.floor(rng.next() * periodS) };
  }
  // Shapes per trigger (not calibrated to a published figure: see calibration.ts).
  const shape: Record<
    Exclude<GenTrigger, 'timer'>,
    [amp: [number, number], on: [number, number], len: [number, number], mult: [number, number]]
  > = {
    http: [
      [0.3, 0.9],
      [0.002, 0.02],
      [3, 20],
      [3, 12],
    ],
    queue: [
      [0.1, 0.5],
      [0.001, 0.01],
      [2, 10],
      [2, 6],
    ],
    storage: [
      [0.1, 0.5],
      [0.001, 0.01],
      [2, 10],
      [2, 6],
    ],
    others: [
      [0.1, 0.5],
      [0.001, 0.01],
      [2, 10],
      [2, 6],
    ],
    event: [
      [0.1, 0.4],
      [0.001, 0.003],
      [3, 8],
      [2, 4],
    ],
    orchestration: [
      [0.2, 0.6],
      [0.005, 0.03],
      [1, 5],
      [5, 30],
    ],
  };
  const [amp, on, len, mult] = shape[trigger];
  return {
    kind: 'poisson',
    amplitude: uniform(rng, amp[0], amp[1]),
    peakMinute: Math.round(840 + 120 * rng.normal()) % 1440,
    burstOn: uniform(rng, on[0], on[1]),
    burstOff: 1 / uniform(rng, len[0], len[1]),
    burstMult: uniform(rng, mult[0], mult[1]),
  };
}

const SIN = Float64Array.from({ length: 1440 }, (_, m) => Math.cos((2 * Math.PI * m) / 1440));

/**
 * Per-minute invocation counts of one function, minute by minute from `startMinute` (minutes since the trace
 * origin; minute-of-day = minute mod 1440). Timers also report their fire offsets within the minute.
 */
export class CountStream {
  private minute: number;
  private burst = false;
  private readonly perMinute: number;
  /** Fire offsets (seconds within the minute) of the last timer minute. */
  readonly fireOffsets: number[] = [];

  constructor(
    private readonly fn: GenFunction,
    private readonly rng: Rng,
    startMinute: number,
  ) {
    this.minute = startMinute;
    const p = fn.pattern;
    if (p.kind === 'poisson') {
      const pi = p.burstOn / (p.burstOn + p.burstOff);
      this.burst = rng.next() < pi;
      // Keep the daily mean at dailyRate despite the burst multiplier.
      this.perMinute = fn.dailyRate / 1440 / (1 + pi * (p.burstMult - 1));
    } else {
      this.perMinute = 0;
    }
  }

  next(): number {
    const m = this.minute++;
    const p = this.fn.pattern;
    if (p.kind === 'silent') return 0;
    if (p.kind === 'timer') {
      // Fires at phase + j·period (seconds since the origin) that fall in [60 m, 60 m + 60).
      this.fireOffsets.length = 0;
      const t0 = m * 60;
      let j = Math.ceil((t0 - p.phaseS) / p.periodS);
      for (let t = p.phaseS + j * p.periodS; t < t0 + 60; t = p.phaseS + ++j * p.periodS) {
        if (t >= t0) this.fireOffsets.push(t - t0);
      }
      return this.fireOffsets.length;
    }
    if (this.burst) {
      if (this.rng.next() < p.burstOff) this.burst = false;
    } else if (this.rng.next() < p.burstOn) this.burst = true;
    const mod = 1 + p.amplitude * SIN[(((m - p.peakMinute) % 1440) + 1440) % 1440];
    return this.rng.poisson(this.perMinute * mod * (this.burst ? p.burstMult : 1));
  }
}

/** The function's percentile row (ms): lognormal window averages with the function's mean and spread. */
export function durationPercentiles(fn: GenFunction): { averageMs: number; p: number[] } {
  // z-scores of p0, p1, p25, p50, p75, p99, p100 (p0/p100 as the extremes of ~1000 30-s windows).
  const Z = [-3.0, -2.326, -0.674, 0, 0.674, 2.326, 3.5];
  const s = fn.durationSigma;
  const median = fn.avgDurationMs * Math.exp((-s * s) / 2);
  return { averageMs: fn.avgDurationMs, p: Z.map((z) => median * Math.exp(s * z)) };
}

/** The app's memory percentile row (MB): p1, p5, p25, p50, p75, p95, p99, p100. */
export function memoryPercentiles(app: GenApp): number[] {
  const Z = [-2.326, -1.645, -0.674, 0, 0.674, 1.645, 2.326, 3.5];
  return Z.map((z) => Math.max(1, app.memoryAvgMb * (1 + app.memorySpread * z)));
}
