import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingestTrace, invocationsPerFunction, NormalizedTrace, readAzure2021 } from '..';
import { APP_MEMORY_BURR, TRIGGER_SHARES, burrQuantile, lognormalCdf } from './calibration';
import { generateAzure2019 } from './azure2019';
import { generateAzure2021 } from './azure2021';
import { planTrace } from './model';

const sha = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');
const quantile = (xs: number[], q: number): number => {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

describe('synthetic trace generator', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'upm-gen-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is deterministic for a seed (byte-identical files) and differs across seeds', async () => {
    const a = await generateAzure2019({ functions: 120, seed: 7, outDir: join(dir, 'a') });
    const b = await generateAzure2019({ functions: 120, seed: 7, outDir: join(dir, 'b') });
    const c = await generateAzure2019({ functions: 120, seed: 8, outDir: join(dir, 'c') });
    expect(a.files.map(sha)).toEqual(b.files.map(sha));
    expect(sha(a.files[0])).not.toBe(sha(c.files[0]));
    const x = await generateAzure2021({ functions: 20, seed: 'x', outDir: join(dir, 'x'), minutes: 30 });
    const y = await generateAzure2021({ functions: 20, seed: 'x', outDir: join(dir, 'y'), minutes: 30 });
    expect(sha(x.files[0])).toBe(sha(y.files[0]));
  });

  it("a function's rows do not depend on how many functions are generated", async () => {
    const small = planTrace(30, 99);
    const big = planTrace(300, 99);
    expect(big.functions.slice(0, 25).map((f) => [f.id, f.trigger, f.dailyRate])).toEqual(
      small.functions.slice(0, 25).map((f) => [f.id, f.trigger, f.dailyRate]),
    );
  });

  it('Azure 2019 files parse back with the readers, joined, with the exact total', async () => {
    const g = await generateAzure2019({ functions: 300, seed: 1, outDir: join(dir, 'rt') });
    const t = await ingestTrace(g.files, { maxBadRowFraction: 0 });
    expect(t.format).toBe('azure2019');
    expect(t.stats.functions).toBe(300);
    expect(t.stats.apps).toBe(g.apps);
    expect(t.stats.invocations).toBe(g.invocations);
    expect(t.joinReport!.unjoined).toBe(0);
    expect(t.joinReport!.memoryScope).toBe('app');
    expect(t.window).toEqual({ startS: 0, endS: 86400 });
  });

  it('windowed minutes, another day and per-function memory parse back too', async () => {
    const g = await generateAzure2019({
      functions: 80,
      seed: 2,
      outDir: join(dir, 'win'),
      day: 3,
      minutes: [480, 959],
      memoryScope: 'function',
    });
    expect(g.files[0]).toMatch(/invocations_per_function_md\.anon\.d03\.csv$/);
    const header = readFileSync(g.files[0], 'utf8').split('\n')[0].split(',');
    expect(header.slice(4, 6)).toEqual(['480', '481']);
    expect(header[header.length - 1]).toBe('959');
    const t = await ingestTrace(g.files, { maxBadRowFraction: 0 });
    expect(t.window).toEqual({ startS: 2 * 86400 + 479 * 60, endS: 2 * 86400 + 959 * 60 });
    expect(t.joinReport!.memoryScope).toBe('function');
    expect(t.joinReport!.unjoined).toBe(0);
    expect(t.stats.invocations).toBe(g.invocations);
  });

  it('Azure 2021 output parses back: sorted by start, not by end, ~8.65% zero durations', async () => {
    const g = await generateAzure2021({ functions: 60, seed: 5, outDir: join(dir, 'a21'), minutes: 120 });
    const t = await readAzure2021(g.files[0], { maxBadRowFraction: 0 });
    expect(t.stats.invocations).toBe(g.invocations);
    expect(g.invocations).toBeGreaterThan(300);
    if (t.arrivals.kind !== 'timestamps') throw new Error('kind');
    const rows = readFileSync(g.files[0], 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    const starts = rows.map((c) => Number(c[2]) - Number(c[3]));
    const ends = rows.map((c) => Number(c[2]));
    let startSortedViolations = 0;
    for (let i = 1; i < starts.length; i++) if (starts[i] < starts[i - 1] - 1e-9) startSortedViolations++;
    expect(startSortedViolations).toBe(0);
    expect(ends.some((e, i) => i > 0 && e < ends[i - 1])).toBe(true);
    const zeros = rows.filter((c) => Number(c[3]) === 0).length / rows.length;
    expect(zeros).toBeGreaterThan(0.0865 - 0.02);
    expect(zeros).toBeLessThan(0.0865 + 0.02);
  });

  describe('calibration to Shahrad et al. (ATC 2020), loosely', () => {
    let t: NormalizedTrace;
    let perFn: Float64Array;
    beforeAll(async () => {
      const g = await generateAzure2019({ functions: 6000, seed: 'calibration', outDir: join(dir, 'cal') });
      t = await ingestTrace(g.files);
      perFn = invocationsPerFunction(t.functions.length, t.arrivals);
    });

    const appTotals = (): number[] => {
      const m = new Map<string, number>();
      t.functions.forEach((f, i) => m.set(f.app, (m.get(f.app) ?? 0) + perFn[i]));
      return [...m.values()];
    };

    it('45% of apps invoked at most once per hour, 81% at most once per minute (±5 points)', () => {
      const apps = appTotals();
      const share = (limit: number): number => apps.filter((x) => x <= limit).length / apps.length;
      expect(Math.abs(share(24) - 0.45)).toBeLessThan(0.05);
      expect(Math.abs(share(1440) - 0.81)).toBeLessThan(0.05);
    });

    it('popularity is heavy-tailed: the top 18.6% of apps make > 95% of invocations', () => {
      const apps = appTotals().sort((a, b) => b - a);
      const top = apps.slice(0, Math.ceil(apps.length * 0.186)).reduce((s, x) => s + x, 0);
      expect(top / apps.reduce((s, x) => s + x, 0)).toBeGreaterThan(0.95);
    });

    it('functions per app: ~54% single-function apps, ~95% with at most 10', () => {
      const per = new Map<string, number>();
      for (const f of t.functions) per.set(f.app, (per.get(f.app) ?? 0) + 1);
      const sizes = [...per.values()];
      expect(Math.abs(sizes.filter((k) => k === 1).length / sizes.length - 0.54)).toBeLessThan(0.05);
      expect(Math.abs(sizes.filter((k) => k <= 10).length / sizes.length - 0.95)).toBeLessThan(0.03);
    });

    it('functions by trigger within 3 points of the published shares', () => {
      for (const [trig, share] of Object.entries(TRIGGER_SHARES)) {
        const got =
          (100 * t.stats.functionsByTrigger[trig as keyof typeof t.stats.functionsByTrigger]) / t.stats.functions;
        expect(Math.abs(got - share.functions)).toBeLessThan(3);
      }
    });

    it('~50% of functions run under 1 s on average (log-normal μ=-0.38, σ=2.36)', () => {
      const avgs = t.functions.map((f) => f.durations!.averageMs!);
      const under1s = avgs.filter((a) => a < 1000).length / avgs.length;
      expect(Math.abs(under1s - lognormalCdf(1, -0.38, 2.36))).toBeLessThan(0.04);
      expect(under1s).toBeGreaterThan(0.45);
      expect(under1s).toBeLessThan(0.65);
      // Some sub-millisecond functions: Average 0 with Count > 0, like the real trace.
      expect(t.functions.some((f) => f.durations!.averageMs === 0 && f.durations!.count! > 0)).toBe(true);
    });

    it('app memory: median ~140-150 MB, 90% of apps at most ~400 MB (Burr XII fit)', () => {
      const seen = new Set<string>();
      const avg: number[] = [];
      const max: number[] = [];
      for (const f of t.functions) {
        if (seen.has(f.app)) continue;
        seen.add(f.app);
        avg.push(f.memory!.averageMb!);
        max.push(f.memory!.percentilesMb[7]!);
      }
      expect(Math.abs(quantile(avg, 0.5) - burrQuantile(0.5, APP_MEMORY_BURR))).toBeLessThan(12);
      expect(quantile(avg, 0.5)).toBeGreaterThan(120);
      expect(quantile(avg, 0.5)).toBeLessThan(170);
      expect(quantile(max, 0.9)).toBeLessThan(420);
    });

    it('timers are periodic: constant gaps between firing minutes', () => {
      if (t.arrivals.kind !== 'minute-counts') throw new Error('kind');
      const { rowPtr, slot } = t.arrivals;
      let checked = 0;
      let irregular = 0;
      t.functions.forEach((f, i) => {
        if (f.trigger !== 'timer') return;
        const s = Array.from(slot.subarray(rowPtr[i], rowPtr[i + 1]));
        if (s.length < 4 || s.length > 1000) return;
        const gaps = s.slice(1).map((x, k) => x - s[k]);
        checked++;
        // Periods of whole minutes give identical gaps; sub-hour phases may shift one gap by a minute at most.
        if (Math.max(...gaps) - Math.min(...gaps) > 1) irregular++;
      });
      expect(checked).toBeGreaterThan(50);
      expect(irregular).toBe(0);
    });

    it('http is bursty: busy functions are over-dispersed (variance/mean well above Poisson)', () => {
      if (t.arrivals.kind !== 'minute-counts') throw new Error('kind');
      const { rowPtr, count } = t.arrivals;
      const ratios: number[] = [];
      t.functions.forEach((f, i) => {
        if (f.trigger !== 'http' || perFn[i] < 1440 * 20) return;
        const mean = perFn[i] / 1440;
        let sq = 0;
        for (let e = rowPtr[i]; e < rowPtr[i + 1]; e++) sq += count[e] * count[e];
        ratios.push((sq / 1440 - mean * mean) / mean);
      });
      expect(ratios.length).toBeGreaterThan(10);
      expect(quantile(ratios, 0.5)).toBeGreaterThan(2);
    });
  });
});
