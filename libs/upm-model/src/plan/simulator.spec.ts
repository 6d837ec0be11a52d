import * as fs from 'node:fs';
import { invitroTrace } from '../../../../test/support/shared-dir';
import { ingestTrace } from '../traces/ingest';
import { invocationSource, runPlan } from './simulator';
import { planSpecHash, PlanSpecError } from './spec';
import { fnsOf, makeTrace } from './test-helpers';

/**
 * An independent count of cold starts, straight from the CSV rows (app, func, end_timestamp, duration):
 * per function a list of containers, each with the time it becomes free. An invocation at t reuses the
 * most recently freed container that is free (freed at or before t) and freed less than TTL ago; otherwise it
 * is a cold start and its container is busy for the cold-start latency plus the duration. Memory is unlimited.
 * Invocations starting before `countFromS` (a warm-up) are replayed the same way but not counted.
 */
function handCount(
  csvText: string,
  ttlS: number,
  coldS: number,
  countFromS = -Infinity,
): { cold: number; warm: number; perFunction: Map<string, number> } {
  const lines = csvText.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines[0].split(',');
  const col = (name: string) => header.indexOf(name);
  const iApp = col('app');
  const iFunc = col('func');
  const iEnd = col('end_timestamp');
  const iDur = col('duration');
  const rows = lines.slice(1).map((l, line) => {
    const c = l.split(',');
    const end = Number(c[iEnd]);
    const dur = Number(c[iDur]);
    return { key: `${c[iApp]}/${c[iFunc]}`, start: end - dur, dur, line };
  });
  rows.sort((a, b) => a.start - b.start || a.line - b.line);
  const freeAt = new Map<string, number[]>();
  const perFunction = new Map<string, number>();
  let cold = 0;
  let warm = 0;
  for (const r of rows) {
    const list = freeAt.get(r.key) ?? [];
    freeAt.set(r.key, list);
    let best = -1;
    for (let i = 0; i < list.length; i++) {
      const free = list[i];
      if (free <= r.start && r.start - free < ttlS && (best < 0 || free > list[best])) best = i;
    }
    const counted = r.start >= countFromS;
    if (best >= 0) {
      list[best] = r.start + r.dur;
      if (counted) warm++;
    } else {
      list.push(r.start + coldS + r.dur);
      if (!counted) continue;
      cold++;
      perFunction.set(r.key, (perFunction.get(r.key) ?? 0) + 1);
    }
  }
  return { cold, warm, perFunction };
}

describe('runPlan on the Azure 2021 sample (unlimited memory, fixed TTL)', () => {
  const file = invitroTrace('example', 'Azure2021', 'Azure2021_200.csv');
  const csv = fs.readFileSync(file, 'utf8');

  it.each([
    [10, 500],
    [1, 500],
    [0.25, 0],
    [0, 100],
  ])('cold starts equal the hand count with TTL %p min and %p ms cold starts', async (ttlMinutes, coldStartMs) => {
    const trace = await ingestTrace([file]);
    const expected = handCount(csv, ttlMinutes * 60, coldStartMs / 1000);
    // UPM's madvise lengthens each cold start by its modelled cost: free here, so all three replay the same
    const free = {
      walkUs: 0,
      hashUs: 0,
      rmapLookupUs: 0,
      wrprotectUs: 0,
      memcmpUs: 0,
      replaceUs: 0,
      insertUs: 0,
      staleUs: 0,
    };
    const r = runPlan(
      {
        version: 1,
        trace: 'sample',
        policy: { kind: 'ttl', ttlMinutes },
        models: ['none', 'ksm', 'upm'],
        coldStartMs,
        modelParams: { upm: { costs: free } },
      },
      { trace, dumps: new Map() },
    );
    expect(expected.cold + expected.warm).toBe(199);
    for (const m of r.models) {
      expect(m.invocations).toBe(199);
      // memory is unlimited: merging cannot change which invocations are cold
      expect([m.model, m.coldStarts, m.warmStarts, m.rejected, m.evictions]).toEqual([
        m.model,
        expected.cold,
        expected.warm,
        0,
        0,
      ]);
      const per = new Map<string, number>();
      r.functions.forEach((k, i) => m.perFunction.coldStarts[i] > 0 && per.set(k, m.perFunction.coldStarts[i]));
      expect(per).toEqual(expected.perFunction);
    }
  });

  it('with a warm-up, the counts are the hand count of the invocations after it, and the sizing floor drops', async () => {
    const trace = await ingestTrace([file]);
    const base = {
      version: 1,
      trace: 'sample',
      policy: { kind: 'ttl', ttlMinutes: 10 },
      models: ['none'],
      coldStartMs: 500,
      sizing: { targetColdStartRate: 0.01, hostMemoryGiB: 4, maxHosts: 1024 },
    };
    const full = runPlan(base, { trace, dumps: new Map() });
    const warmupMinutes = 2;
    const warm = runPlan({ ...base, warmupMinutes }, { trace, dumps: new Map() });
    const fromS = warm.trace.window.fromS;
    expect(full.trace.window.fromS).toBe(fromS);
    const all = handCount(csv, 600, 0.5);
    const after = handCount(csv, 600, 0.5, fromS + warmupMinutes * 60);
    const m = warm.models[0];
    // the warm-up really holds first calls (else this test would not tell the runs apart)
    expect(after.cold).toBeLessThan(all.cold);
    expect([m.invocations, m.coldStarts, m.warmStarts, m.rejected]).toEqual([after.cold + after.warm, after.cold, after.warm, 0]);
    expect(warm.trace.warmup).toEqual({
      minutes: 2,
      untilS: fromS + 120,
      invocations: 199 - (after.cold + after.warm),
    });
    expect(m.coldStartRate).toBeCloseTo(after.cold / (after.cold + after.warm), 12);
    const per = new Map<string, number>();
    warm.functions.forEach((k, i) => m.perFunction.coldStarts[i] > 0 && per.set(k, m.perFunction.coldStarts[i]));
    expect(per).toEqual(after.perFunction);
    // the full run is unchanged by the feature and matches its own hand count
    expect(full.trace.warmup).toBeUndefined();
    expect([full.models[0].coldStarts, full.models[0].warmStarts]).toEqual([all.cold, all.warm]);
    // the floor (unlimited memory) is the steady state's: lower than with every first call counted
    const fFull = full.sizing!.models.none!.floorColdStartRate;
    const fWarm = warm.sizing!.models.none!.floorColdStartRate;
    expect(fFull).toBeCloseTo(all.cold / 199, 12);
    expect(fWarm).toBeCloseTo(after.cold / (after.cold + after.warm), 12);
    expect(fWarm).toBeLessThan(fFull);
    expect(full.warnings).toContainEqual(expect.stringMatching(/warmupMinutes excludes the first calls/));
  });

  it('the hand count is sensitive to the TTL on this sample (so the equality above means something)', () => {
    const counts = [0, 0.25, 1, 10].map((m) => handCount(csv, m * 60, 0.5).cold);
    expect(new Set(counts).size).toBeGreaterThan(2);
    expect(counts[0]).toBe(199);
  });
});

describe('runPlan', () => {
  const trace = makeTrace(fnsOf(3, [64, 128, 32]), [
    { fn: 0, at: 1, dur: 2 },
    { fn: 1, at: 2, dur: 1 },
    { fn: 0, at: 5, dur: 1 },
    { fn: 2, at: 30, dur: 100 },
    { fn: 0, at: 700, dur: 1 },
  ]);

  it('reports every model with the functions modelled from percentiles', () => {
    const r = runPlan(
      { version: 1, trace: 't', policy: { kind: 'ttl' }, models: ['upm', 'none'] },
      { trace, dumps: new Map() },
    );
    expect(r.version).toBe(1);
    expect(r.models.map((m) => m.model)).toEqual(['none', 'upm']);
    expect(r.functionsFromPercentiles).toEqual(['a0/f0', 'a1/f1', 'a2/f2']);
    expect(r.functionsFromDefaultSize).toEqual([]);
    expect(r.specHash).toBe(planSpecHash({ version: 1, trace: 't', policy: { kind: 'ttl' }, models: ['none', 'upm'] }));
    const none = r.models[0];
    // f0 at 1 (cold), 5 (warm), 700 (cold: idle since 6.5 > 600 s)
    expect(none.perFunction.coldStarts).toEqual([2, 1, 1]);
    expect(none.peakMemoryBytes).toBe((64 + 128 + 32) * 1048576);
    expect(r.timeseries.t[0]).toBe(0);
    expect(r.timeseries.series.map((s) => `${s.model}/${s.host}`)).toEqual(['none/all', 'upm/all']);
  });

  it('is deterministic for a seed (minute-count traces are expanded with it) and differs with another seed', async () => {
    const files = ['invocations.csv', 'durations.csv', 'memory.csv'].map((f) => invitroTrace('10', f));
    const t10 = await ingestTrace(files);
    const spec = (seed: number) => ({
      version: 1,
      trace: 't10',
      policy: { kind: 'ttl', ttlMinutes: 1 },
      models: ['none', 'upm'],
      host: { memoryGiB: 2 },
      seed,
      window: { fromS: 0, toS: 7200 },
    });
    const a = runPlan(spec(7), { trace: t10, dumps: new Map() });
    const b = runPlan(spec(7), { trace: t10, dumps: new Map() });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    const c = runPlan(spec(8), { trace: t10, dumps: new Map() });
    expect(c.models[0].invocations).toBe(a.models[0].invocations);
    expect(JSON.stringify(c.models)).not.toBe(JSON.stringify(a.models));
  });

  it('expands a per-minute trace once per seed and window: sweep points share it, and results are those of a fresh expansion', async () => {
    const files = ['invocations.csv', 'durations.csv', 'memory.csv'].map((f) => invitroTrace('10', f));
    const t10 = await ingestTrace(files);
    const first = invocationSource(t10, 7, 0, 3600);
    expect(invocationSource(t10, 7, 0, 3600)).toBe(first);
    expect(invocationSource(t10, 8, 0, 3600)).not.toBe(first);
    expect(invocationSource(t10, '7', 0, 3600)).not.toBe(invocationSource(t10, 7, 0, 3600));
    const spec = {
      version: 1,
      trace: 't10',
      policy: { kind: 'ttl', ttlMinutes: 1 },
      models: ['none', 'ksm', 'upm'],
      host: { memoryGiB: 1 },
      seed: 3,
      window: { fromS: 0, toS: 3600 },
      sweep: { ttlMinutes: [1, 5, 20] },
    };
    const shared = runPlan(spec, { trace: t10, dumps: new Map() });
    // every point alone, each on its own copy of the trace (so nothing is shared): the same numbers
    for (const [i, ttl] of [1, 5, 20].entries()) {
      const alone = runPlan({ ...spec, sweep: undefined, policy: { kind: 'ttl', ttlMinutes: ttl } }, { trace: structuredClone(t10), dumps: new Map() });
      const pick = ({ coldStarts, warmStarts, rejected, evictions, peakMemoryBytes, meanMemoryBytes, peakContainers }: (typeof alone.models)[number]) =>
        ({ coldStarts, warmStarts, rejected, evictions, peakMemoryBytes, meanMemoryBytes, peakContainers });
      for (const m of alone.models) expect(shared.sweep!.points[i].models[m.model]).toMatchObject(pick(m));
    }
  });

  it('reports the steady-state memory beside the peak: the p99 of the samples after the warm-up, at most the peak', async () => {
    const files = ['invocations.csv', 'durations.csv', 'memory.csv'].map((f) => invitroTrace('10', f));
    const t10 = await ingestTrace(files);
    const spec = {
      version: 1,
      trace: 't10',
      policy: { kind: 'ttl', ttlMinutes: 10 },
      models: ['none', 'upm'],
      host: { memoryGiB: 2 },
      window: { fromS: 0, toS: 6 * 3600 },
      warmupMinutes: 30,
      timeseriesStepS: 60,
    };
    const r = runPlan(spec, { trace: t10, dumps: new Map() });
    for (const m of r.models) {
      const series = r.timeseries.series.find((x) => x.model === m.model && x.host === 'all')!;
      const after = series.memoryUsedBytes.filter((_, i) => r.timeseries.t[i] >= 1800).sort((a, b) => a - b);
      expect(after.length).toBe(6 * 60 - 30 + 1);
      // nearest rank: the ceil(0.99 n)-th smallest
      expect(m.p99MemoryBytes).toBe(after[Math.ceil(0.99 * after.length) - 1]);
      expect(m.p99MemoryBytes).toBeLessThanOrEqual(m.peakMemoryBytes);
      expect(m.p99MemoryBytes).toBeGreaterThan(0);
    }
  });

  it('a sweep runs every point and combines them; sizing finds the smallest host count', () => {
    const r = runPlan(
      {
        version: 1,
        trace: 't',
        policy: { kind: 'ttl' },
        models: ['none'],
        sweep: { hostMemoryGiB: [0.25, 1], ttlMinutes: [0, 10] },
        sizing: { targetColdStartRate: 0.8, hostMemoryGiB: 0.125, maxHosts: 8 },
      },
      { trace, dumps: new Map() },
    );
    expect(r.sweep?.points.map((p) => [p.hostMemoryGiB, p.ttlMinutes, p.models.none?.coldStarts])).toEqual([
      [0.25, 0, 5],
      [0.25, 10, 4],
      [1, 0, 5],
      [1, 10, 4],
    ]);
    // TTL 10 point, one 128 MiB host: f1 (128 MiB) is rejected while f0 runs; 3 cold + 1 rejected of 5 = 0.8
    // the result is the sweep's, not its first point's
    expect(r.models).toEqual([]);
    expect(r.sizing).toBeNull();
    expect(r.timeseries.t).toEqual([]);
    expect(r.host.memoryBytes).toBeNull();
    expect(r.policy).toEqual({ kind: 'ttl', ttlMinutes: 10 });
    expect(r.sweep?.points.map((p) => p.index)).toEqual([0, 1, 2, 3]);
    expect(r.sweep?.points[1].sizing?.models.none).toEqual({
      hosts: 1,
      coldStartRate: 0.8,
      floorColdStartRate: 0.8, // with unlimited memory: 4 cold of 5
      evaluations: [{ hosts: 1, coldStartRate: 0.8, coldStarts: 3, rejected: 1 }],
    });
  });

  it('sizing in a host-memory sweep sizes hosts of each point\'s memory (also with host.memoryGiB null)', () => {
    for (const memoryGiB of [4, null]) {
      const r = runPlan(
        {
          version: 1,
          trace: 't',
          policy: { kind: 'ttl' },
          models: ['none'],
          host: { memoryGiB, count: 2 },
          sweep: { hostMemoryGiB: [0.125, 1], ttlMinutes: [10] },
          sizing: { targetColdStartRate: 0.8, maxHosts: 8 },
        },
        { trace, dumps: new Map() },
      );
      const pts = r.sweep!.points;
      expect(pts.map((p) => [p.hostMemoryGiB, p.sizing?.hostMemoryGiB])).toEqual([
        [0.125, 0.125],
        [1, 1],
      ]);
      // one 128 MiB host rejects f1 while f0 runs (3 cold + 1 rejected); one 1 GiB host does not (4 cold)
      expect(pts.map((p) => p.sizing?.models.none?.evaluations[0])).toEqual([
        { hosts: 1, coldStartRate: 0.8, coldStarts: 3, rejected: 1 },
        { hosts: 1, coldStartRate: 0.8, coldStarts: 4, rejected: 0 },
      ]);
    }
    // an explicit sizing.hostMemoryGiB stays fixed across the points
    const fixed = runPlan(
      {
        version: 1,
        trace: 't',
        policy: { kind: 'ttl' },
        models: ['none'],
        sweep: { hostMemoryGiB: [0.125, 1] },
        sizing: { targetColdStartRate: 0.8, hostMemoryGiB: 1, maxHosts: 8 },
      },
      { trace, dumps: new Map() },
    );
    expect(fixed.sweep!.points.map((p) => p.sizing?.hostMemoryGiB)).toEqual([1, 1]);
  });

  it('refuses a window outside the trace, and warns when no invocation is replayed or no dump is used', () => {
    const base = { version: 1, trace: 't', policy: { kind: 'ttl' }, models: ['none'] };
    // the trace covers [0, 702) s
    expect(() => runPlan({ ...base, window: { fromS: 5000, toS: 6000 } }, { trace, dumps: new Map() })).toThrow(
      new PlanSpecError('window', '[5000, 6000) s lies outside the trace, which covers [0, 702) s: no invocation would be replayed'),
    );
    const gap = runPlan({ ...base, window: { fromS: 200, toS: 600 } }, { trace, dumps: new Map() });
    expect(gap.models[0].invocations).toBe(0);
    expect(gap.warnings).toContain('no invocation starts in the replayed window [200, 600) s: every rate is 0');
    const r = runPlan(base, { trace, dumps: new Map() });
    expect(r.warnings.some((w) => /^no function of the trace matched a dump: all 3 are modelled/.test(w))).toBe(true);
  });

  it('refuses function keys that name no function of the trace, naming the closest', () => {
    expect(() =>
      runPlan(
        { version: 1, trace: 't', policy: { kind: 'ttl' }, models: ['none'], profiles: { functions: { 'a1/f9': ['d'] } } },
        { trace, dumps: new Map() },
      ),
    ).toThrow(
      new PlanSpecError(
        'profiles.functions["a1/f9"]',
        'names no function of the trace (3 functions, keys "<app>/<id>" or "<id>"); closest: a1/f1, a0/f0, a2/f2',
      ),
    );
    expect(() =>
      runPlan(
        { version: 1, trace: 't', policy: { kind: 'ttl' }, models: ['none'], coldStartMs: { functions: { nope: 5 } } },
        { trace, dumps: new Map() },
      ),
    ).toThrow(/^coldStartMs\.functions\.nope names no function/);
  });

  it('sizing for an unattainable target reports the floor and searches no host count', () => {
    const r = runPlan(
      {
        version: 1,
        trace: 't',
        policy: { kind: 'ttl' },
        models: ['none'],
        host: { memoryGiB: 0.125 },
        sizing: { targetColdStartRate: 0.5, maxHosts: 1024 },
      },
      { trace, dumps: new Map() },
    );
    // TTL 10: f0 at 1 and 700, f1, f2: 4 of 5 are cold however many hosts
    expect(r.sizing?.models.none).toEqual({ hosts: null, coldStartRate: null, floorColdStartRate: 0.8, evaluations: [] });
    expect(r.warnings).toContainEqual(expect.stringMatching(/^sizing: the target cold-start rate 50\.00% is below what any number of hosts gives \(none 80\.00%/));
  });

  it('a warm-up replays its invocations (containers stay warm) but counts only those after it', () => {
    const base = { version: 1, trace: 't', policy: { kind: 'ttl' }, models: ['none', 'upm'] };
    // warm-up [0, 3) s: f0 at 1 and f1 at 2 (both cold) are not counted; f0 at 5 is warm on the container
    // started in the warm-up; f2 at 30 and f0 at 700 (idle since 6 s > TTL 600 s) are cold
    const r = runPlan({ ...base, warmupMinutes: 0.05 }, { trace, dumps: new Map() });
    for (const m of r.models) {
      expect([m.invocations, m.coldStarts, m.warmStarts, m.rejected]).toEqual([3, 2, 1, 0]);
      expect(m.coldStartRate).toBeCloseTo(2 / 3, 12);
      expect(m.perFunction).toEqual({ coldStarts: [1, 0, 1], warmStarts: [1, 0, 0], rejected: [0, 0, 0] });
    }
    expect(r.trace.warmup).toEqual({ minutes: 0.05, untilS: 3, invocations: 2 });
    expect(r.trace.invocations).toBe(5);
    // memory still covers the whole window: the warm-up's containers are resident
    const full = runPlan(base, { trace, dumps: new Map() });
    expect(r.models[0].peakMemoryBytes).toBe(full.models[0].peakMemoryBytes);
    expect(full.models[0].coldStarts).toBe(4);
    expect(r.specHash).not.toBe(full.specHash);
    // a warm-up as long as the trace is refused, naming the field (the trace covers [0, 702) s)
    expect(() => runPlan({ ...base, warmupMinutes: 11.7 }, { trace, dumps: new Map() })).toThrow(
      new PlanSpecError('warmupMinutes', 'must be shorter than the replayed window [0, 702) s (11.7 min), got 11.7'),
    );
  });

  it('reports progress from 0 to 1 and stops on abort', () => {
    const seen: number[] = [];
    runPlan(
      { version: 1, trace: 't', policy: { kind: 'ttl' }, models: ['none', 'ksm'] },
      { trace, dumps: new Map() },
      { onProgress: (f) => seen.push(f) },
    );
    expect(seen[seen.length - 1]).toBe(1);
    expect(seen.every((x, i) => i === 0 || x >= seen[i - 1])).toBe(true);
    const ac = new AbortController();
    ac.abort();
    expect(() =>
      runPlan(
        { version: 1, trace: 't', policy: { kind: 'ttl' }, models: ['none'] },
        { trace, dumps: new Map() },
        { signal: ac.signal },
      ),
    ).toThrow(expect.objectContaining({ name: 'AbortError' }));
  });

  it('names a missing dump and a too-fine time-series step', () => {
    expect(() =>
      runPlan(
        { version: 1, trace: 't', policy: { kind: 'ttl' }, models: ['none'], profiles: { default: ['nope'] } },
        { trace, dumps: new Map() },
      ),
    ).toThrow(new PlanSpecError('profiles', "uses dump 'nope', which was not provided"));
    expect(() =>
      runPlan(
        { version: 1, trace: 't', policy: { kind: 'ttl' }, models: ['none'], timeseriesStepS: 1e-4 },
        { trace, dumps: new Map() },
      ),
    ).toThrow(/^timeseriesStepS gives more than/);
  });
});
