import { invitroTrace } from '../../../../test/support/shared-dir';
import { ingestTrace } from './ingest';
import { traceProfile } from './profile';

describe('traceProfile', () => {
  it('sums the real 2019 sample per minute to its exact total, over its window, busiest functions first', async () => {
    const t = await ingestTrace(['invocations', 'durations', 'memory'].map((k) => invitroTrace('100', `${k}.csv`)));
    const p = traceProfile(t, 5);
    expect(p.firstMinuteS).toBe(t.window.startS);
    expect(p.perMinute).toHaveLength((t.window.endS - t.window.startS) / 60);
    expect(p.perMinute.reduce((s, x) => s + x, 0)).toBe(t.stats.invocations);
    expect(Math.max(...p.perMinute)).toBe(t.stats.peakInvocationsPerMinute);
    expect(p.top).toHaveLength(5);
    for (let i = 1; i < 5; i++) expect(p.top[i - 1].invocations).toBeGreaterThanOrEqual(p.top[i].invocations);
  });

  it('counts the exact timestamps of the real 2021 sample', async () => {
    const t = await ingestTrace([invitroTrace('example', 'Azure2021', 'Azure2021_200.csv')]);
    const p = traceProfile(t, t.functions.length);
    expect(p.perMinute.reduce((s, x) => s + x, 0)).toBe(t.stats.invocations);
    expect(p.top).toHaveLength(t.stats.functions);
    expect(p.top.reduce((s, f) => s + f.invocations, 0)).toBe(t.stats.invocations);
    expect(traceProfile(t).top).toHaveLength(Math.min(20, t.stats.functions));
  });
});
