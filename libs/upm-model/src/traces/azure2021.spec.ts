import { invitroTrace } from '../../../../test/support/shared-dir';
import { readAzure2021 } from './azure2021';
import { csvLines, readText, src } from './test/helpers';

describe('Azure 2021 reader', () => {
  const file = invitroTrace('example', 'Azure2021', 'Azure2021_200.csv');

  it('reads the real sample: 199 invocations, 31 (app, func) pairs, 13 apps', async () => {
    const t = await readAzure2021(file);
    expect(t.format).toBe('azure2021');
    expect(t.stats.invocations).toBe(199);
    expect(t.stats.functions).toBe(31);
    expect(t.stats.apps).toBe(13);
    expect(t.stats.owners).toBeNull();
    expect(t.stats.functionsByTrigger.unknown).toBe(31);
    expect(t.joinReport).toBeNull();
    expect(t.files[0]).toMatchObject({ rows: 199, badRows: 0 });
  });

  it('start = end - duration, sorted by start; durations in ms; zeros kept', async () => {
    const rows = csvLines(readText(file))
      .slice(1)
      .map((l) => l.split(','));
    const expected = rows
      .map((c) => ({ start: Number(c[2]) - Number(c[3]), ms: Number(c[3]) * 1000 }))
      .sort((a, b) => a.start - b.start);
    const t = await readAzure2021(file);
    if (t.arrivals.kind !== 'timestamps') throw new Error('kind');
    expect(Array.from(t.arrivals.startS)).toEqual(expected.map((e) => e.start));
    expect(Array.from(t.arrivals.durationMs)).toEqual(expected.map((e) => e.ms));
    expect(Array.from(t.arrivals.durationMs).filter((d) => d === 0)).toHaveLength(8);
    // The file is sorted by start but not by end.
    const ends = rows.map((c) => Number(c[2]));
    expect(ends.some((e, i) => i > 0 && e < ends[i - 1])).toBe(true);
    expect(t.stats.peakInvocationsPerMinute).toBeGreaterThan(0);
  });

  it('keys functions by (app, func): the same func name in two apps is two functions', async () => {
    const t = await readAzure2021(src('x.csv', 'app,func,end_timestamp,duration\nA,f,1,0.5\nB,f,2,0.5\nA,f,3,0.5\n'));
    expect(t.functions.map((f) => `${f.app}/${f.id}`)).toEqual(['A/f', 'B/f']);
    expect(t.stats.apps).toBe(2);
  });

  it('derives per-function duration percentiles (nearest rank)', async () => {
    const rows = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((d, i) => `A,f,${100 + i},${d}`);
    const t = await readAzure2021(src('x.csv', ['app,func,end_timestamp,duration', ...rows].join('\n')));
    expect(t.functions[0].durations).toEqual({
      averageMs: 5500,
      count: 10,
      minimumMs: 1000,
      maximumMs: 10000,
      percentilesMs: [1000, 1000, 3000, 5000, 8000, 10000, 10000],
    });
  });

  it('merges several files of one trace', async () => {
    const text = readText(file);
    const [h, ...rows] = csvLines(text);
    const t = await readAzure2021([
      src('p1.csv', [h, ...rows.slice(0, 100)].join('\n')),
      src('p2.csv', [h, ...rows.slice(100)].join('\n')),
    ]);
    const whole = await readAzure2021(file);
    expect(t.stats).toEqual(whole.stats);
    expect(t.arrivals).toEqual(whole.arrivals);
  });
});
