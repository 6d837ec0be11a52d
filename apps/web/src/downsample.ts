/** Downsampling of long series before they are drawn (no DOM, no chart library: unit-tested under Node). */

export type Model = 'none' | 'ksm' | 'upm';

/** Points kept per drawn line: longer series are reduced with LTTB before they reach the chart. */
export const MAX_POINTS = 2000;

/**
 * Largest-Triangle-Three-Buckets downsampling (Steinarsson 2013) of (x, y) to at most `n` points, keeping the
 * first and last point and the visual extremes. Series of up to `n` points are returned unchanged.
 */
export function lttb(points: [number, number][], n = MAX_POINTS): [number, number][] {
  const len = points.length;
  if (n >= len || n < 3) return points;
  const out: [number, number][] = [points[0]];
  const every = (len - 2) / (n - 2);
  let a = 0;
  for (let i = 0; i < n - 2; i++) {
    const start = Math.floor((i + 1) * every) + 1;
    const end = Math.min(Math.floor((i + 2) * every) + 1, len);
    let ax = 0;
    let ay = 0;
    for (let j = start; j < end; j++) {
      ax += points[j][0];
      ay += points[j][1];
    }
    ax /= end - start || 1;
    ay /= end - start || 1;
    const from = Math.floor(i * every) + 1;
    const to = Math.floor((i + 1) * every) + 1;
    let best = from;
    let bestArea = -1;
    for (let j = from; j < to; j++) {
      const area = Math.abs((points[a][0] - ax) * (points[j][1] - points[a][1]) - (points[a][0] - points[j][0]) * (ay - points[a][1]));
      if (area > bestArea) {
        bestArea = area;
        best = j;
      }
    }
    out.push(points[best]);
    a = best;
  }
  out.push(points[len - 1]);
  return out;
}
