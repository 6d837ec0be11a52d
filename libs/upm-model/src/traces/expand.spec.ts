import { invitroTrace } from '../../../../test/support/shared-dir';
import { readAzure2019 } from './azure2019';
import { readAzure2021 } from './azure2021';
import { InvocationBatch, expandInvocations, fallbackDurationMs } from './expand';
import { NormalizedTrace } from './types';

function collect(it: Iterable<InvocationBatch>): { startS: number[]; durationMs: number[]; fn: number[] } {
  const out = { startS: [] as number[], durationMs: [] as number[], fn: [] as number[] };
  for (const b of it) {
    out.startS.push(...b.startS);
    out.durationMs.push(...b.durationMs);
    out.fn.push(...b.fn);
  }
  return out;
}

describe('seeded expansion to per-invocation events', () => {
  let t: NormalizedTrace;
  beforeAll(async () => {
    t = await readAzure2019({
      invocations: invitroTrace('100', 'invocations.csv'),
      durations: invitroTrace('100', 'durations.csv'),
      memory: invitroTrace('100', 'memory.csv'),
    });
  });

  it('emits exactly the counts, each in its minute, in start order', () => {
    if (t.arrivals.kind !== 'minute-counts') throw new Error('kind');
    const ev = collect(expandInvocations(t, { seed: 42 }));
    expect(ev.startS.length).toBe(t.stats.invocations);
    let sorted = true;
    for (let i = 1; i < ev.startS.length; i++) sorted &&= ev.startS[i] >= ev.startS[i - 1];
    expect(sorted).toBe(true);
    // Per (function, minute) counts match the CSR exactly.
    const got = new Map<string, number>();
    ev.startS.forEach((s, i) => {
      const k = `${ev.fn[i]}:${Math.floor(s / 60)}`;
      got.set(k, (got.get(k) ?? 0) + 1);
    });
    const { rowPtr, slot, count } = t.arrivals;
    let mismatches = 0;
    for (let f = 0; f < t.functions.length; f++) {
      for (let e = rowPtr[f]; e < rowPtr[f + 1]; e++) if (got.get(`${f}:${slot[e]}`) !== count[e]) mismatches++;
    }
    expect(mismatches).toBe(0);
    expect(got.size).toBe(slot.length);
    expect(ev.durationMs.every((d) => Number.isFinite(d) && d >= 0)).toBe(true);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const a = collect(expandInvocations(t, { seed: 'alpha', fromS: 30000, toS: 31020 }));
    const b = collect(expandInvocations(t, { seed: 'alpha', fromS: 30000, toS: 31020 }));
    const c = collect(expandInvocations(t, { seed: 'beta', fromS: 30000, toS: 31020 }));
    expect(a).toEqual(b);
    expect(a.startS.length).toBe(c.startS.length);
    expect(a.startS).not.toEqual(c.startS);
  });

  it('gives the same events for a minute whatever window is expanded', () => {
    const whole = collect(expandInvocations(t, { seed: 7 }));
    const part = collect(expandInvocations(t, { seed: 7, fromS: 40000, toS: 40600 }));
    const idx = whole.startS.map((s, i) => i).filter((i) => whole.startS[i] >= 40000 && whole.startS[i] < 40600);
    expect(part.startS).toEqual(idx.map((i) => whole.startS[i]));
    expect(part.durationMs).toEqual(idx.map((i) => whole.durationMs[i]));
    expect(part.fn).toEqual(idx.map((i) => whole.fn[i]));
  });

  it('spreads uniformly over the minute (random) or evenly (even)', () => {
    const ev = collect(expandInvocations(t, { seed: 3 }));
    const offsets = ev.startS.map((s) => s - Math.floor(s / 60) * 60);
    const mean = offsets.reduce((a, b) => a + b, 0) / offsets.length;
    expect(mean).toBeGreaterThan(29.5);
    expect(mean).toBeLessThan(30.5);
    const even = collect(expandInvocations(t, { seed: 3, spread: 'even', fromS: 28740, toS: 28800 }));
    if (t.arrivals.kind !== 'minute-counts') throw new Error('kind');
    // A function with c invocations in the minute gets offsets (k + 1/2) * 60 / c.
    const byFn = new Map<number, number[]>();
    even.fn.forEach((f, i) => {
      const list = byFn.get(f) ?? [];
      list.push(even.startS[i] - 28740);
      byFn.set(f, list);
    });
    let worst = 0;
    for (const [, offs] of byFn) {
      const c = offs.length;
      offs.sort((x, y) => x - y).forEach((o, k) => (worst = Math.max(worst, Math.abs(o - ((k + 0.5) * 60) / c))));
    }
    expect(byFn.size).toBeGreaterThan(5);
    expect(worst).toBeLessThan(1e-9);
  });

  it("draws durations from each function's curve (median near p50 for a busy function)", () => {
    const per = new Map<number, number[]>();
    const ev = collect(expandInvocations(t, { seed: 11 }));
    ev.fn.forEach((f, i) => {
      const list = per.get(f) ?? [];
      list.push(ev.durationMs[i]);
      per.set(f, list);
    });
    const [busy, ds] = [...per.entries()].sort((a, b) => b[1].length - a[1].length)[0];
    const p = t.functions[busy].durations!.percentilesMs;
    const sorted = ds.sort((a, b) => a - b);
    const median = sorted[sorted.length >> 1];
    expect(median).toBeGreaterThanOrEqual(p[2]!);
    expect(median).toBeLessThanOrEqual(p[4]!);
    expect(sorted[0]).toBeGreaterThanOrEqual(p[0]!);
    expect(sorted[sorted.length - 1]).toBeLessThanOrEqual(p[6]!);
  });

  it('uses the median average as the fallback duration', () => {
    expect(fallbackDurationMs([])).toBe(1000);
    const avgs = t.functions
      .map((f) => f.durations!.averageMs!)
      .filter((a) => a > 0)
      .sort((a, b) => a - b);
    expect(fallbackDurationMs(t.functions)).toBe(
      avgs.length % 2 ? avgs[avgs.length >> 1] : (avgs[avgs.length / 2 - 1] + avgs[avgs.length / 2]) / 2,
    );
  });

  it('passes exact 2021 timestamps through in batches', async () => {
    const t21 = await readAzure2021(invitroTrace('example', 'Azure2021', 'Azure2021_200.csv'));
    if (t21.arrivals.kind !== 'timestamps') throw new Error('kind');
    const batches = [...expandInvocations(t21, { seed: 1, batchSize: 50 })];
    expect(batches.map((b) => b.startS.length)).toEqual([50, 50, 50, 49]);
    const ev = collect(batches);
    expect(ev.startS).toEqual(Array.from(t21.arrivals.startS));
    expect(
      collect(expandInvocations(t21, { seed: 1, fromS: 60, toS: 120 })).startS.every((s) => s >= 60 && s < 120),
    ).toBe(true);
  });
});
