/** A synthetic Azure-2019-like day of per-minute counts, in memory, for the benchmarks of expansion and replay. */
import { computeTraceStats, MinuteCountArrivals, NormalizedTrace, Rng, TraceFunction } from '@upm/model/traces';

export const MINUTES = 1440;

/** Counts per (function, minute) ~ Poisson(rate_f), the rates log-normal and scaled to about n in all. */
export function synthesize(n: number, nFn: number, seed: number): NormalizedTrace {
  const rng = new Rng(seed);
  const w = Array.from({ length: nFn }, () => Math.exp(2.5 * rng.normal()));
  const total = w.reduce((a, b) => a + b, 0);
  const rowPtr = new Uint32Array(nFn + 1);
  const slot: number[] = [];
  const count: number[] = [];
  const functions: TraceFunction[] = [];
  for (let f = 0; f < nFn; f++) {
    const lambda = (w[f] / total) * (n / MINUTES);
    for (let s = 0; s < MINUTES; s++) {
      const c = rng.poisson(lambda);
      if (c > 0) {
        slot.push(s);
        count.push(c);
      }
    }
    rowPtr[f + 1] = slot.length;
    let v = Math.exp(Math.log(50) + rng.normal());
    const p = [0, 1, 25, 50, 75, 99, 100].map((_, i) => (v *= i === 0 ? 1 : 1 + rng.next()));
    functions.push({
      id: `f${f}`,
      app: `a${f}`,
      owner: '',
      trigger: 'http',
      durations: { averageMs: p[3], count: 1, minimumMs: p[0], maximumMs: p[6], percentilesMs: p },
      memory: null,
    });
  }
  const arrivals: MinuteCountArrivals = {
    kind: 'minute-counts',
    rowPtr,
    slot: Uint32Array.from(slot),
    count: Uint32Array.from(count),
  };
  return {
    schemaVersion: 1,
    format: 'azure2019',
    window: { startS: 0, endS: MINUTES * 60 },
    functions,
    arrivals,
    files: [],
    joinReport: null,
    stats: computeTraceStats(functions, arrivals, 0),
  };
}
