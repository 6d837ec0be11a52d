import { lttb, MAX_POINTS } from './downsample';

describe('lttb', () => {
  const series = (n: number): [number, number][] => Array.from({ length: n }, (_, i) => [i * 60, Math.sin(i / 50) * 100 + (i === 7777 ? 500 : 0)]);

  it('returns a series of up to MAX_POINTS unchanged', () => {
    const s = series(MAX_POINTS);
    expect(lttb(s)).toBe(s);
  });

  it('reduces a long series to MAX_POINTS, keeping the ends, the order and a lone spike', () => {
    const s = series(43_200); // 30 days at a 60 s step
    const d = lttb(s);
    expect(d).toHaveLength(MAX_POINTS);
    expect(d[0]).toBe(s[0]);
    expect(d.at(-1)).toBe(s.at(-1));
    for (let i = 1; i < d.length; i++) expect(d[i][0]).toBeGreaterThan(d[i - 1][0]);
    expect(d.some((p) => p === s[7777])).toBe(true);
    expect(Math.max(...d.map((p) => p[1]))).toBe(Math.max(...s.map((p) => p[1])));
  });
});
