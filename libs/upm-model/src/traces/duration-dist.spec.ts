import { durationCurve, durationCurveMean, durationQuantile } from './duration-dist';
import { DurationFigures } from './types';

const fig = (p: (number | null)[], averageMs: number | null = 100, count: number | null = 10): DurationFigures => ({
  averageMs,
  count,
  minimumMs: null,
  maximumMs: null,
  percentilesMs: p,
});

describe('execution-time distribution from percentiles', () => {
  const c = durationCurve(fig([10, 20, 50, 100, 150, 400, 1000]), 999);

  it('passes through the knots (p0, p1, p25, p50, p75, p99, p100) of the CDF', () => {
    expect(c.source).toBe('percentiles');
    const at = (u: number) => durationQuantile(c, u);
    expect([0, 0.01, 0.25, 0.5, 0.75, 0.99, 1].map(at)).toEqual([10, 20, 50, 100, 150, 400, 1000]);
  });

  it('interpolates linearly between knots', () => {
    expect(durationQuantile(c, 0.375)).toBeCloseTo(75, 9); // halfway p25..p50
    expect(durationQuantile(c, 0.995)).toBeCloseTo(700, 9); // halfway p99..p100
    expect(durationQuantile(c, 0.005)).toBeCloseTo(15, 9);
  });

  it('has the trapezoid mean', () => {
    const m = 0.01 * 15 + 0.24 * 35 + 0.25 * 75 + 0.25 * 125 + 0.24 * 275 + 0.01 * 700;
    expect(durationCurveMean(c)).toBeCloseTo(m, 9);
  });

  it('skips empty knots and holds the ends flat', () => {
    const d = durationCurve(fig([null, 20, null, 100, null, null, null]), 999);
    expect(Array.from(d.q)).toEqual([0.01, 0.5]);
    expect(durationQuantile(d, 0)).toBe(20);
    expect(durationQuantile(d, 0.99)).toBe(100);
    expect(durationQuantile(d, 0.255)).toBeCloseTo(60, 9);
  });

  it('repairs non-monotone percentiles with a running maximum', () => {
    const d = durationCurve(fig([10, 5, 50, 40, 150, 400, 1000]), 999);
    expect(Array.from(d.v)).toEqual([10, 10, 50, 50, 150, 400, 1000]);
  });

  it('Average 0 with Count > 0 and all-zero knots: a point mass at 0 ms', () => {
    const d = durationCurve(fig([0, 0, 0, 0, 0, 0, 0], 0, 288), 999);
    expect(d.source).toBe('zero');
    expect(durationQuantile(d, 0.7)).toBe(0);
  });

  it('Average 0 with a tail (p100 > 0): the curve as given, mostly 0', () => {
    const d = durationCurve(fig([0, 0, 0, 0, 0, 0, 66], 0, 1440), 999);
    expect(d.source).toBe('percentiles');
    expect(durationQuantile(d, 0.5)).toBe(0);
    expect(durationQuantile(d, 0.995)).toBeCloseTo(33, 9);
  });

  it('only an average: a point mass there; nothing: the fallback', () => {
    expect(durationCurve(fig([null, null, null, null, null, null, null], 250), 999)).toMatchObject({
      source: 'average',
    });
    expect(durationQuantile(durationCurve(fig([null, null, null, null, null, null, null], 250), 999), 0.3)).toBe(250);
    const none = durationCurve(null, 999);
    expect(none.source).toBe('fallback');
    expect(durationQuantile(none, 0.1)).toBe(999);
  });
});
