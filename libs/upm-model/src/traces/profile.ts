import { invocationsPerFunction } from './stats';
import type { NormalizedTrace, Trigger } from './types';

/** What a trace looks like over time: invocations per minute over its window and its busiest functions. */
export interface TraceProfile {
  /** Seconds since the trace origin of the first minute of perMinute (a multiple of 60). */
  firstMinuteS: number;
  /** Invocations started in each minute of the window, consecutive minutes from firstMinuteS. */
  perMinute: number[];
  /** The busiest functions, most invocations first (ties: function order of the trace). */
  top: { id: string; app: string; trigger: Trigger; invocations: number }[];
}

/** The profile of a trace; top is how many busiest functions to list. */
export function traceProfile(trace: NormalizedTrace, top = 20): TraceProfile {
  const first = Math.floor(trace.window.startS / 60);
  const last = Math.max(first, Math.ceil(trace.window.endS / 60) - 1);
  const per = new Float64Array(last - first + 1);
  const a = trace.arrivals;
  if (a.kind === 'minute-counts') {
    for (let e = 0; e < a.slot.length; e++) per[a.slot[e] - first] += a.count[e];
  } else {
    // Exact timestamps: an invocation that began just before the window counts in its first minute.
    for (let i = 0; i < a.startS.length; i++) per[Math.min(last, Math.max(first, Math.floor(a.startS[i] / 60))) - first]++;
  }
  const counts = invocationsPerFunction(trace.functions.length, a);
  const order = [...counts.keys()].sort((x, y) => counts[y] - counts[x] || x - y).slice(0, Math.max(0, top));
  return {
    firstMinuteS: first * 60,
    perMinute: Array.from(per),
    top: order.map((f) => ({ id: trace.functions[f].id, app: trace.functions[f].app, trigger: trace.functions[f].trigger, invocations: counts[f] })),
  };
}
