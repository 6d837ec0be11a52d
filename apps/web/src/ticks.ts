/** Axis tick labels (no DOM, no chart library: unit-tested under Node). */

/** A tick value in few digits: 3 significant ones below 1,000 (2.484565311475989 → "2.48"), grouped above. */
export function fmtTick(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  if (v === 0) return '0';
  return String(Number(v.toPrecision(3)));
}

/** The smallest "nice" number (1, 2, 2.5 or 5 times a power of ten) at or above x > 0: an axis maximum. */
export function niceCeil(x: number): number {
  if (!(x > 0)) return x;
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= x * (1 - 1e-12)) return m * p;
  return 10 * p;
}

/** Tick steps of a time axis, in seconds: whole seconds, minutes and hours a reader counts in. */
const CLOCK_STEPS_S = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800];

/** The step (s) giving at most `maxTicks` ticks over a span of `spanS` seconds. */
export function clockStepS(spanS: number, maxTicks = 8): number {
  for (const s of CLOCK_STEPS_S) if (spanS / s <= maxTicks) return s;
  return Math.ceil(spanS / maxTicks / 604800) * 604800;
}

/** Hours on the trace clock as h:mm, or h:mm:ss when the step is under a minute (8.5 → "8:30"). */
export function fmtClock(hours: number, stepS = 60): string {
  const total = Math.round(hours * 3600);
  const sign = total < 0 ? '-' : '';
  const a = Math.abs(total);
  const hh = Math.floor(a / 3600);
  const mm = String(Math.floor((a % 3600) / 60)).padStart(2, '0');
  const ss = String(a % 60).padStart(2, '0');
  return stepS < 60 ? `${sign}${hh}:${mm}:${ss}` : `${sign}${hh}:${mm}`;
}
