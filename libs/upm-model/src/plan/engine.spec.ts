import { HybridState, type EngineEvent } from './engine';
import { Rng } from '../traces/prng';
import { searchHosts } from './simulator';
import { HYBRID_DEFAULTS } from './spec';
import { dumpProfiles, fallbackProfiles, fnsOf, Inv, makeTrace, runEngine, sharedDump } from './test-helpers';

const kinds = (log: EngineEvent[], ...ks: string[]) => log.filter((e) => ks.includes(e.kind));
const at = (series: number[], tS: number[], t: number) => series[tS.indexOf(t)];

describe('engine: container reuse', () => {
  it('reuses the most recently released idle container of the function', () => {
    const trace = makeTrace(fnsOf(1), [
      { fn: 0, at: 0, dur: 1 }, // container A, free at 1
      { fn: 0, at: 0.5, dur: 1 }, // container B, free at 1.5
      { fn: 0, at: 10, dur: 1 },
    ]);
    const { r, log } = runEngine(trace, fallbackProfiles([10]));
    const [a, b] = kinds(log, 'cold').map((e) => e.c);
    expect(a).not.toBe(b);
    expect(kinds(log, 'warm')).toEqual([{ t: 10, kind: 'warm', c: b, fn: 0, host: 0 }]);
    expect([r.coldStarts, r.warmStarts]).toEqual([2, 1]);
  });

  it('runs one invocation per container: overlapping invocations each need their own', () => {
    const trace = makeTrace(fnsOf(1), [
      { fn: 0, at: 0, dur: 5 },
      { fn: 0, at: 1, dur: 5 },
      { fn: 0, at: 2, dur: 5 },
      { fn: 0, at: 5, dur: 1 }, // the first is free at exactly 5: reused
      { fn: 0, at: 5, dur: 1 }, // the others are still busy: cold
    ]);
    const { r, log } = runEngine(trace, fallbackProfiles([10]));
    expect(kinds(log, 'cold', 'warm').map((e) => e.kind)).toEqual(['cold', 'cold', 'cold', 'warm', 'cold']);
    expect(r.peakContainers).toBe(4);
  });

  it('adds the cold-start latency to the first invocation of a container', () => {
    const trace = makeTrace(fnsOf(1), [
      { fn: 0, at: 0, dur: 1 },
      { fn: 0, at: 1.5, dur: 1 }, // busy until 0 + 1 (cold) + 1
    ]);
    expect(runEngine(trace, fallbackProfiles([10]), { coldMs: 1000 }).r.coldStarts).toBe(2);
    expect(runEngine(trace, fallbackProfiles([10]), { coldMs: 400 }).r.coldStarts).toBe(1);
  });
});

describe('engine: TTL keep-alive', () => {
  it('keeps an idle container for exactly ttlMinutes: reused before, expired at the limit', () => {
    const trace = makeTrace(
      fnsOf(2),
      [
        { fn: 0, at: 0, dur: 1 },
        { fn: 0, at: 60.9, dur: 1 }, // idle 59.9 s < 60: warm
        { fn: 1, at: 0, dur: 1 },
        { fn: 1, at: 61, dur: 1 }, // idle exactly 60 s: expired
      ],
      { startS: 0, endS: 200 },
    );
    const { r, log } = runEngine(trace, fallbackProfiles([10, 10]), { policy: { kind: 'ttl', ttlMinutes: 1 } });
    expect(kinds(log, 'cold', 'warm', 'expire').map((e) => [e.kind, e.fn, e.t])).toEqual([
      ['cold', 0, 0],
      ['cold', 1, 0],
      ['warm', 0, 60.9],
      ['expire', 1, 61],
      ['cold', 1, 61],
      ['expire', 0, 121.9],
      ['expire', 1, 122],
    ]);
    expect(r.expirations).toBe(3); // and both last containers expire before the end of the window (200 s)
  });

  it('integrates memory over time: mean = footprint × lifetime / window', () => {
    const trace = makeTrace(fnsOf(1), [{ fn: 0, at: 10, dur: 20 }], { startS: 0, endS: 100 });
    const { r } = runEngine(trace, fallbackProfiles([50]), { policy: { kind: 'ttl', ttlMinutes: 0.5 } });
    // resident from 10 to 30 (busy) + 30 s keep-alive = 50 s of 100
    expect(r.meanPages).toBeCloseTo(25, 9);
    expect(r.meanContainers).toBeCloseTo(0.5, 9);
    expect(r.peakPages).toBe(50);
  });
});

describe('engine: memory pressure', () => {
  it('evicts the least recently used idle container to make room', () => {
    const trace = makeTrace(fnsOf(3), [
      { fn: 0, at: 0, dur: 1 },
      { fn: 1, at: 2, dur: 1 },
      { fn: 0, at: 4, dur: 1 }, // f0 used again: f1 (idle since 3) is now the LRU
      { fn: 2, at: 10, dur: 1 }, // needs room: evicts f1
      { fn: 0, at: 12, dur: 1 }, // still warm
      { fn: 1, at: 14, dur: 1 }, // cold, evicts f2 (idle since 11; f0 since 13)
    ]);
    const { r, log } = runEngine(trace, fallbackProfiles([100, 100, 100]), { capacityPages: 200 });
    expect(kinds(log, 'evict').map((e) => [e.t, e.fn])).toEqual([
      [10, 1],
      [14, 2],
    ]);
    expect([r.coldStarts, r.warmStarts, r.evictions, r.rejectedMemory]).toEqual([4, 2, 2, 0]);
    expect(r.peakPages).toBe(200);
  });

  it('rejects an invocation when even evicting every idle container would not make room (busy ones stay)', () => {
    const trace = makeTrace(fnsOf(2), [
      { fn: 0, at: 0, dur: 10 },
      { fn: 1, at: 1, dur: 1 }, // f0 is busy: no room, nothing idle
      { fn: 1, at: 20, dur: 1 }, // f0 idle: evicted
    ]);
    const { r, log } = runEngine(trace, fallbackProfiles([60, 60]), { capacityPages: 100 });
    expect(kinds(log, 'reject', 'evict', 'cold').map((e) => [e.kind, e.t])).toEqual([
      ['cold', 0],
      ['reject', 1],
      ['evict', 20],
      ['cold', 20],
    ]);
    expect([r.rejectedMemory, r.evictions]).toEqual([1, 1]);
  });

  it('places a new container on the host with the most free memory', () => {
    const trace = makeTrace(fnsOf(3), [
      { fn: 0, at: 0, dur: 9 },
      { fn: 1, at: 1, dur: 9 },
      { fn: 2, at: 2, dur: 9 },
    ]);
    const { log } = runEngine(trace, fallbackProfiles([100, 50, 10]), { hosts: 2, capacityPages: 1000 });
    expect(kinds(log, 'cold').map((e) => e.host)).toEqual([0, 1, 1]);
    const unlimited = runEngine(trace, fallbackProfiles([100, 50, 10]), { hosts: 2 });
    expect(kinds(unlimited.log, 'cold').map((e) => e.host)).toEqual([0, 1, 1]);
  });

  it('rejects for CPU when every core of every host is busy', () => {
    const trace = makeTrace(fnsOf(1), [
      { fn: 0, at: 0, dur: 5 },
      { fn: 0, at: 1, dur: 5 },
    ]);
    const { r } = runEngine(trace, fallbackProfiles([10]), { cores: 1 });
    expect([r.coldStarts, r.rejectedCpu]).toEqual([1, 1]);
  });
});

describe('engine: hybrid histogram policy (Shahrad et al., ATC 2020)', () => {
  const policy = { kind: 'hybrid-histogram' as const, ...HYBRID_DEFAULTS };

  it('unloads after an execution and pre-warms at the 5th-percentile idle time (−10%), kept to the 99th (+10%)', () => {
    // every 10 minutes, 1 s long: idle times of 599 s, bin 9
    const invs: Inv[] = [0, 600, 1200, 1800].map((t) => ({ fn: 0, at: t, dur: 1 }));
    const { r, log } = runEngine(makeTrace(fnsOf(1), invs, { startS: 0, endS: 4000 }), fallbackProfiles([10]), {
      policy,
    });
    // the first release has no histogram yet: standard keep-alive of the whole range (4 h)
    expect(log.map((e) => [e.kind, e.t])).toEqual([
      ['cold', 0],
      ['release', 1],
      ['warm', 600],
      ['release', 601],
      ['unload', 601],
      ['prewarm', 601 + 9 * 60 * 0.9],
      ['warm', 1200],
      ['release', 1201],
      ['unload', 1201],
      ['prewarm', 1201 + 486],
      ['warm', 1800],
      ['release', 1801],
      ['unload', 1801],
      ['prewarm', 1801 + 486],
      // kept alive (9 + 1) × 60 × 1.1 = 660 s after the pre-warm
      ['expire', 1801 + 486 + 660],
    ]);
    expect([r.coldStarts, r.warmStarts, r.prewarms, r.unloads]).toEqual([1, 3, 3, 3]);
  });

  it('keeps a container alive up to the 99th-percentile idle time (+10%) when the head is the first bin', () => {
    const invs: Inv[] = [];
    for (let k = 0; k < 200; k++) invs.push({ fn: 0, at: 30 * k, dur: 0 });
    const last = 30 * 199;
    invs.push({ fn: 0, at: last + 65, dur: 0 }); // within 66 s: warm
    invs.push({ fn: 0, at: last + 65 + 67, dur: 0 }); // after 66 s: cold
    const { r, log } = runEngine(makeTrace(fnsOf(1), invs), fallbackProfiles([10]), { policy });
    expect(r.coldStarts).toBe(2);
    expect(kinds(log, 'expire')[0].t).toBeCloseTo(last + 65 + 66, 9);
    expect(r.prewarms).toBe(0);
  });

  it('falls back to keeping containers for the histogram range while the pattern is not representative', () => {
    const invs: Inv[] = [
      { fn: 0, at: 0, dur: 1 },
      { fn: 0, at: 3 * 3600, dur: 1 }, // 3 h later: still warm (4 h range)
    ];
    const { r } = runEngine(makeTrace(fnsOf(1), invs), fallbackProfiles([10]), { policy });
    expect([r.coldStarts, r.warmStarts]).toEqual([1, 1]);
  });
});

describe('hybrid histogram windows', () => {
  it('match a brute-force computation over random idle times', () => {
    const p = { kind: 'hybrid-histogram' as const, ...HYBRID_DEFAULTS };
    const rng = new Rng(3);
    for (let trial = 0; trial < 200; trial++) {
      const hs = new HybridState(p, 1);
      const its: number[] = [];
      const n = 1 + rng.int(60);
      const scale = [30, 600, 5000, 20000][trial % 4];
      let t = 0;
      hs.setEnd(0, 0);
      for (let k = 0; k < n; k++) {
        const it = rng.exponential(scale) * (rng.next() < 0.7 ? 1 : 0.1);
        t += it;
        hs.arrival(0, t);
        hs.setEnd(0, t);
        its.push(it);
      }
      // brute force
      const bins = new Array(240).fill(0);
      let oob = 0;
      for (const it of its) {
        const b = Math.floor(it / 60);
        if (b < 240) bins[b]++;
        else oob++;
      }
      const inRange = its.length - oob;
      let expected: { prewarmS: number; keepAliveS: number };
      if (oob / its.length >= 0.5) {
        const recent = its.slice(-10);
        const f = recent.reduce((a, b) => a + b, 0) / recent.length;
        expected = { prewarmS: f * 0.85, keepAliveS: f * 0.15 * 2 };
      } else {
        const mean = inRange / 240;
        const sd = Math.sqrt(bins.reduce((a, c) => a + (c - mean) ** 2, 0) / 239);
        if (inRange === 0 || sd / mean < 2) expected = { prewarmS: 0, keepAliveS: 240 * 60 };
        else {
          const pct = (q: number) => {
            let acc = 0;
            for (let i = 0; i < 240; i++) if ((acc += bins[i]) / inRange >= q) return i;
            return 239;
          };
          expected = { prewarmS: pct(0.05) * 60 * 0.9, keepAliveS: (pct(0.99) + 1) * 60 * 1.1 };
        }
      }
      const got = hs.windows(0);
      expect(got.prewarmS).toBeCloseTo(expected.prewarmS, 6);
      expect(got.keepAliveS).toBeCloseTo(expected.keepAliveS, 6);
    }
  });
});

describe('engine: greedy-dual (FaasCache, ASPLOS 2021)', () => {
  it('evicts the lowest priority = clock + frequency × cold cost / size, not the least recently used', () => {
    const trace = makeTrace(fnsOf(3), [
      { fn: 0, at: 0, dur: 0.5 },
      { fn: 0, at: 2, dur: 0.5 },
      { fn: 0, at: 4, dur: 0.5 }, // f0: frequency 3
      { fn: 1, at: 6, dur: 0.5 }, // f1: frequency 1, more recent than f0
      { fn: 2, at: 10, dur: 0.5 }, // evicts f1 (priority 1·w < 3·w) although f0 is the LRU; clock = w
      { fn: 1, at: 12, dur: 0.5 }, // f2's priority is clock + 1·w = 2w < 3w: f2 goes
    ]);
    const { r, log } = runEngine(trace, fallbackProfiles([100, 100, 100]), {
      capacityPages: 200,
      policy: { kind: 'greedy-dual', maxIdleMinutes: null },
      coldMs: 100,
    });
    expect(kinds(log, 'evict').map((e) => [e.t, e.fn])).toEqual([
      [10, 1],
      [12, 2],
    ]);
    expect(r.expirations).toBe(0);
  });

  it('keeps functions that are expensive to start and small longer', () => {
    const trace = makeTrace(fnsOf(3), [
      { fn: 0, at: 0, dur: 0.5 }, // 100 pages, cold 1000 ms
      { fn: 1, at: 1, dur: 0.5 }, // 100 pages, cold 100 ms
      { fn: 2, at: 5, dur: 0.5 },
    ]);
    const { log } = runEngine(trace, fallbackProfiles([100, 100, 100]), {
      capacityPages: 200,
      policy: { kind: 'greedy-dual', maxIdleMinutes: null },
      coldMs: [1000, 100, 100],
    });
    expect(kinds(log, 'evict').map((e) => e.fn)).toEqual([1]);
  });

  it('never expires without memory pressure unless maxIdleMinutes is set', () => {
    const trace = makeTrace(fnsOf(1), [
      { fn: 0, at: 0, dur: 1 },
      { fn: 0, at: 86400, dur: 1 },
    ]);
    expect(
      runEngine(trace, fallbackProfiles([10]), { policy: { kind: 'greedy-dual', maxIdleMinutes: null } }).r.coldStarts,
    ).toBe(1);
    expect(
      runEngine(trace, fallbackProfiles([10]), { policy: { kind: 'greedy-dual', maxIdleMinutes: 60 } }).r.coldStarts,
    ).toBe(2);
  });
});

describe('engine: UPM memory', () => {
  // one process of 10 pages, all of them the same in every container of the function
  const profiles = () => dumpProfiles([[sharedDump('f0', 1, 10, 0)]]);

  it('merges at the madvise right after initialisation, and the cost lengthens the cold start', () => {
    const trace = makeTrace(fnsOf(1), [
      { fn: 0, at: 0, dur: 100 },
      { fn: 0, at: 1, dur: 100 },
    ]);
    const { r, log } = runEngine(trace, profiles(), { model: 'upm', coldMs: 500, stepS: 0.25 });
    expect(kinds(log, 'madvise').map((e) => e.t)).toEqual([0.5, 1.5]);
    expect(r.madviseCalls).toBe(2);
    expect(r.madviseMerges).toBe(10);
    expect(r.coldStartLatencyMsTotal).toBeCloseTo(1000 + r.madviseCostUsTotal / 1000, 9);
    const s = r.series!;
    expect(at(s.total.memoryPages, s.tS, 1.25)).toBe(20); // the second has started, not yet merged
    expect(at(s.total.memoryPages, s.tS, 1.5)).toBe(10);
    expect(r.peakPages).toBe(20);
    expect(r.peakSavedPages).toBe(10);
  });

  it('loses ownership when the first container exits: frames live on for the others, the next caller makes a new copy', () => {
    const trace = makeTrace(
      fnsOf(1),
      [
        { fn: 0, at: 0, dur: 10 }, // A: owner; gone at 10 (TTL 0)
        { fn: 0, at: 1, dur: 100 }, // B: merges into A's frames
        { fn: 0, at: 20, dur: 10 }, // C: A has exited, its entries are gone: a new copy, nothing merged
        { fn: 0, at: 40, dur: 10 }, // D: C (the new owner) exited at 30: again a new copy
      ],
      { startS: 0, endS: 120 },
    );
    const { r, log } = runEngine(trace, profiles(), { model: 'upm', stepS: 5, policy: { kind: 'ttl', ttlMinutes: 0 } });
    const s = r.series!;
    expect(at(s.total.memoryPages, s.tS, 5)).toBe(10); // A + B share A's frames
    expect(at(s.total.memoryPages, s.tS, 15)).toBe(10); // A gone; B alone maps A's old frames
    expect(at(s.total.memoryPages, s.tS, 25)).toBe(20); // C could not find them
    expect(at(s.total.savedPages, s.tS, 25)).toBe(0);
    expect(at(s.total.memoryPages, s.tS, 45)).toBe(20);
    expect(r.madviseMerges).toBe(10);
    expect(r.madviseMisses).toBe(30);
    expect(kinds(log, 'cold')).toHaveLength(4);
  });
});

describe('engine: KSM memory', () => {
  // 1000 pages all shared; 100 pages per batch, one batch every 24 ms (HZ 250): 4167 pages/s
  const profiles = () => dumpProfiles([[sharedDump('f0', 1, 1000, 0)]]);
  const trace = (secondDur: number) =>
    makeTrace(
      fnsOf(1),
      [
        { fn: 0, at: 0, dur: 100 },
        { fn: 0, at: 0.001, dur: secondDur },
      ],
      { startS: 0, endS: 2 },
    );

  it('merges a new container only after ksmd has visited it twice (it is inserted behind the cursor)', () => {
    const { r } = runEngine(trace(100), profiles(), { model: 'ksm', stepS: 0.01 });
    expect(r.ksmBatchPeriodMs).toBeCloseTo(24, 9);
    const s = r.series!;
    // A: 1st visit batches 0-9; B (inserted behind the cursor, after A): 1st visit batches 10-19; A 2nd 20-29;
    // B 2nd visit batches 30-39: ends in the batch starting at 39 × 24 ms
    const mergeAt = 39 * 0.024;
    const before = s.tS.filter((t) => t < mergeAt - 1e-9);
    const after = s.tS.filter((t) => t >= mergeAt + 1e-9);
    expect(before.every((t) => at(s.total.savedPages, s.tS, t) === 0)).toBe(true);
    expect(after.every((t) => at(s.total.savedPages, s.tS, t) === 1000)).toBe(true);
    expect(r.ksmSettled).toBe(2);
    expect(r.ksmSettleDelaySumS).toBeCloseTo(29 * 0.024 + (39 * 0.024 - 0.001), 9);
  });

  it('merges nothing of a container that exits before its second visit', () => {
    const { r } = runEngine(trace(0.5), profiles(), {
      model: 'ksm',
      stepS: 0.01,
      policy: { kind: 'ttl', ttlMinutes: 0 },
    });
    expect(r.peakSavedPages).toBe(0);
    // UPM merges it at once
    const u = runEngine(trace(0.5), profiles(), { model: 'upm', stepS: 0.01, policy: { kind: 'ttl', ttlMinutes: 0 } });
    expect(u.r.peakSavedPages).toBe(1000);
  });

  it('caps sharing at max_page_sharing: n copies take ⌈n / max⌉ frames', () => {
    const invs: Inv[] = [0, 0.001, 0.002, 0.003, 0.004].map((t) => ({ fn: 0, at: t, dur: 100 }));
    const run = (maxPageSharing: number) =>
      runEngine(makeTrace(fnsOf(1), invs, { startS: 0, endS: 30 }), profiles(), {
        model: 'ksm',
        ksm: { maxPageSharing },
      }).r;
    expect(run(256).peakSavedPages).toBe(4000); // 5 copies, one frame
    expect(run(2).peakSavedPages).toBe(2000); // 5 copies, three frames
  });
});

describe('engine: merging keeps more containers warm', () => {
  it('under memory pressure UPM evicts less and starts fewer containers cold than none', () => {
    // two functions whose containers are 90% identical; room for 3.5 unmerged containers
    const profiles = () => dumpProfiles([[sharedDump('f0', 2, 90, 10)], [sharedDump('f1', 2, 90, 10, 5_000_000)]]);
    const invs: Inv[] = [];
    for (const base of [0, 20, 40]) {
      invs.push(
        { fn: 0, at: base, dur: 1 },
        { fn: 0, at: base + 0.1, dur: 1 },
        { fn: 1, at: base + 2, dur: 1 },
        { fn: 1, at: base + 2.1, dur: 1 },
      );
    }
    const trace = makeTrace(fnsOf(2), invs);
    const none = runEngine(trace, profiles(), { model: 'none', capacityPages: 350 }).r;
    const upm = runEngine(trace, profiles(), { model: 'upm', capacityPages: 350 }).r;
    expect(upm.evictions).toBe(0);
    expect(upm.coldStarts).toBe(4);
    expect(none.evictions).toBeGreaterThan(0);
    expect(none.coldStarts).toBeGreaterThan(upm.coldStarts);
    expect(upm.peakContainers).toBe(4);
    expect(none.peakContainers).toBe(3);
  });
});

describe('engine: determinism and sizing', () => {
  const invs: Inv[] = [];
  for (let f = 0; f < 6; f++) invs.push({ fn: f, at: f, dur: 1 }, { fn: f, at: 100 + f, dur: 1 });
  const trace = makeTrace(fnsOf(6), invs);

  it('gives the same events for the same input', () => {
    const a = runEngine(trace, fallbackProfiles([100, 100, 100, 100, 100, 100], 0.5), {
      model: 'upm',
      capacityPages: 250,
      hosts: 2,
    });
    const b = runEngine(trace, fallbackProfiles([100, 100, 100, 100, 100, 100], 0.5), {
      model: 'upm',
      capacityPages: 250,
      hosts: 2,
    });
    expect(b.log).toEqual(a.log);
    expect(b.r).toEqual(a.r);
  });

  it('sizing: the rate never rises with more hosts here, and the search returns the smallest count meeting the target', () => {
    // each function: one cold then one warm start at best (rate 0.5); two containers fit per host
    const rate = (hosts: number) => {
      const { r } = runEngine(trace, fallbackProfiles([100, 100, 100, 100, 100, 100]), { capacityPages: 200, hosts });
      return {
        coldStarts: r.coldStarts,
        rejected: r.rejectedMemory,
        rate: (r.coldStarts + r.rejectedMemory) / r.invocations,
      };
    };
    const rates = [1, 2, 3, 4, 5, 6].map((h) => rate(h).rate);
    for (let i = 1; i < rates.length; i++) expect(rates[i]).toBeLessThanOrEqual(rates[i - 1]);
    expect(rates[2]).toBe(0.5);
    expect(rates[1]).toBeGreaterThan(0.5);
    const found = searchHosts(0.5, 64, rate);
    expect(found.hosts).toBe(3);
    expect(found.evaluations.map((e) => e.hosts)).toEqual([1, 2, 3, 4]);
    expect(searchHosts(0.4, 64, rate).hosts).toBeNull();
  });

  it('sizing search on a monotone function: galloping then bisection', () => {
    const calls: number[] = [];
    const r = searchHosts(0.01, 1000, (h) => {
      calls.push(h);
      return { coldStarts: 0, rejected: 0, rate: 1 / h };
    });
    expect(r.hosts).toBe(100);
    expect(calls.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(1000)) + 1);
    expect(calls.slice(0, 8)).toEqual([1, 2, 4, 8, 16, 32, 64, 128]);
  });
});

describe('engine: warm-up', () => {
  // 3 functions of 100 pages on 2 hosts of 150 pages: memory pressure gives cold starts, evictions and
  // rejections on both sides of the warm-up's end
  const rng = new Rng(7);
  const invs: Inv[] = [];
  for (let i = 0; i < 400; i++) invs.push({ fn: Math.floor(rng.next() * 3), at: Math.floor(rng.next() * 4000) / 10, dur: 0.5 + rng.next() * 3 });
  invs.sort((a, b) => a.at - b.at);
  const trace = makeTrace(fnsOf(3), invs);
  const opts = { model: 'upm' as const, capacityPages: 150, hosts: 2, cores: 1, coldMs: 200 };

  // batches of 7: the warm-up's end falls inside a batch or, at an arrival's time, between batches
  // (and after the last arrival: the warm-up then ends in the drain)
  const ends = [20, 100, 250.3, invs[70].at, invs[71].at, invs[399].at, invs[399].at + 0.05];
  it.each(ends.flatMap((w) => [[w, undefined], [w, 7]]))(
    'counts the full run\'s events at or after the end (%p s; batches of %p), replaying the same events',
    (warmupEndS, batch) => {
      const full = runEngine(trace, fallbackProfiles([100, 100, 100], 0.5), opts);
      const warm = runEngine(trace, fallbackProfiles([100, 100, 100], 0.5), { ...opts, warmupEndS, batch });
      // the warm-up changes nothing in the replay
      expect(warm.log).toEqual(full.log);
      const after = (k: string) => full.log.filter((e) => e.kind === k && e.t >= warmupEndS);
      const arrivals = invs.filter((x) => x.at >= warmupEndS).length;
      const r = warm.r;
      expect(r.invocations).toBe(arrivals);
      expect(r.warmupInvocations).toBe(invs.length - arrivals);
      expect([r.coldStarts, r.warmStarts, r.rejectedMemory + r.rejectedCpu, r.evictions]).toEqual([
        after('cold').length,
        after('warm').length,
        after('reject').length,
        after('evict').length,
      ]);
      expect(r.coldStarts + r.warmStarts + r.rejectedMemory + r.rejectedCpu).toBe(arrivals);
      for (let f = 0; f < 3; f++) {
        expect(r.fnCold?.[f]).toBe(after('cold').filter((e) => e.fn === f).length);
        expect(r.fnWarm?.[f]).toBe(after('warm').filter((e) => e.fn === f).length);
        expect(r.fnRejected?.[f]).toBe(after('reject').filter((e) => e.fn === f).length);
      }
      expect(r.peakPages).toBeLessThanOrEqual(full.r.peakPages);
      // the test means something: the warm-up held cold starts and rejections
      expect(full.r.coldStarts).toBeGreaterThan(r.coldStarts);
      expect(full.r.invocations).toBe(invs.length);
    },
  );

  // Memory without merging is 100 pages a resident container: peaks and means after the warm-up, counted from
  // the log of the full run (starts: cold, prewarm; exits: evict, expire, unload), must be the engine's.
  it.each(ends.slice(0, 5))('restarts peaks and means at the warm-up end (%p s), from what is resident then', (warmupEndS) => {
    const none = { ...opts, model: 'none' as const };
    const full = runEngine(trace, fallbackProfiles([100, 100, 100]), none);
    const warm = runEngine(trace, fallbackProfiles([100, 100, 100]), { ...none, warmupEndS }).r;
    const end = trace.window.endS;
    const delta = (k: string) => (k === 'cold' || k === 'prewarm' ? 1 : k === 'evict' || k === 'expire' || k === 'unload' ? -1 : 0);
    // what is resident at the warm-up end is where the peak starts, then each later event moves it
    let resident = full.log.filter((e) => e.t <= warmupEndS).reduce((n, e) => n + delta(e.kind), 0);
    let peak = resident;
    let peakAt = warmupEndS;
    let integral = 0;
    let last = warmupEndS;
    for (const e of full.log) {
      if (e.t <= warmupEndS) continue;
      integral += resident * (Math.min(e.t, end) - last);
      last = Math.min(e.t, end);
      resident += delta(e.kind);
      if (resident > peak) [peak, peakAt] = [resident, e.t];
    }
    integral += resident * (end - last);
    expect(warm.peakContainers).toBe(peak);
    expect(warm.peakPages).toBe(100 * peak);
    expect(warm.peakAtS).toBe(peakAt);
    expect(warm.meanContainers).toBeCloseTo(integral / (end - warmupEndS), 9);
    expect(warm.meanPages).toBeCloseTo((100 * integral) / (end - warmupEndS), 7);
    // and the whole run's figures are the same reconstruction from the start
    expect(full.r.peakPages).toBeGreaterThanOrEqual(warm.peakPages);
  });

  it('a warm-up changes nothing in a KSM replay (its scans brought to the warm-up end first)', () => {
    const ksm = { ...opts, model: 'ksm' as const };
    const full = runEngine(trace, fallbackProfiles([100, 100, 100], 0.5), ksm);
    const warm = runEngine(trace, fallbackProfiles([100, 100, 100], 0.5), { ...ksm, warmupEndS: 100 });
    expect(warm.log).toEqual(full.log);
    expect(warm.r.peakPages).toBeLessThanOrEqual(full.r.peakPages);
  });

  it('without a warm-up (or one at the span start) counts every invocation', () => {
    const a = runEngine(trace, fallbackProfiles([100, 100, 100], 0.5), opts).r;
    const b = runEngine(trace, fallbackProfiles([100, 100, 100], 0.5), { ...opts, warmupEndS: trace.window.startS }).r;
    expect(b).toEqual(a);
    expect(a.warmupInvocations).toBe(0);
  });
});
