/**
 * Execution-time distribution of a function from its percentile figures.
 *
 * Interpolation (docs/traces.md, "Execution time"): the CDF is piecewise linear through the points
 * (p0, 0), (p1, 0.01), (p25, 0.25), (p50, 0.50), (p75, 0.75), (p99, 0.99), (p100, 1.00); a draw u ~ U[0,1)
 * maps to the duration by linear interpolation of the inverse CDF between the two neighbouring knots.
 * - Empty percentile cells are left out (interpolation runs between the known knots; beyond the first/last
 *   known knot the value is held flat).
 * - Percentiles are made non-decreasing (running maximum) in case a derived file has them out of order.
 * - Azure 2019 writes whole milliseconds, so sub-millisecond functions have Average 0 (with Count > 0) and
 *   knots of 0: their curve is kept as given — mostly or entirely 0 ms, like the 2021 trace's 0-duration rows.
 * - Only an average known (or a single knot): a point mass at it. Nothing known: the caller's fallback.
 */
import type { DurationFigures } from './types';

export const DURATION_KNOT_Q: readonly number[] = [0, 0.01, 0.25, 0.5, 0.75, 0.99, 1];

export type DurationCurveSource = 'percentiles' | 'average' | 'zero' | 'fallback';

export interface DurationCurve {
  /** Cumulative probabilities of the knots, ascending, first 0... (or a single knot for a point mass). */
  q: Float64Array;
  /** Duration (ms) at each knot, non-decreasing. */
  v: Float64Array;
  source: DurationCurveSource;
}

export function durationCurve(fig: DurationFigures | null, fallbackMs: number): DurationCurve {
  const point = (ms: number, source: DurationCurveSource): DurationCurve => ({
    q: Float64Array.of(0),
    v: Float64Array.of(ms),
    source,
  });
  if (fig) {
    const q: number[] = [];
    const v: number[] = [];
    let run = 0;
    fig.percentilesMs.forEach((x, i) => {
      if (x === null || i >= DURATION_KNOT_Q.length) return;
      run = Math.max(run, x);
      q.push(DURATION_KNOT_Q[i]);
      v.push(run);
    });
    if (q.length >= 2 && run > 0) return { q: Float64Array.from(q), v: Float64Array.from(v), source: 'percentiles' };
    if (fig.averageMs !== null && fig.averageMs > 0) return point(fig.averageMs, 'average');
    if (q.length === 1 && v[0] > 0) return point(v[0], 'percentiles');
    if (fig.averageMs === 0 || (q.length > 0 && run === 0)) return point(0, 'zero');
  }
  return point(fallbackMs, 'fallback');
}

/** Inverse CDF at u in [0, 1]. */
export function durationQuantile(c: DurationCurve, u: number): number {
  const q = c.q;
  const v = c.v;
  const n = q.length;
  if (n === 1 || u <= q[0]) return v[0];
  for (let i = 1; i < n; i++) {
    if (u <= q[i]) {
      const w = (u - q[i - 1]) / (q[i] - q[i - 1]);
      return v[i - 1] + w * (v[i] - v[i - 1]);
    }
  }
  return v[n - 1];
}

/** Mean of the interpolated distribution (trapezoids; the flat ends count at their held value). */
export function durationCurveMean(c: DurationCurve): number {
  const { q, v } = c;
  const n = q.length;
  if (n === 1) return v[0];
  let m = q[0] * v[0];
  for (let i = 1; i < n; i++) m += ((q[i] - q[i - 1]) * (v[i] + v[i - 1])) / 2;
  m += (1 - q[n - 1]) * v[n - 1];
  return m;
}
