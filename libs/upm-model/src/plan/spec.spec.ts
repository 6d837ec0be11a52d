import { expandSweep, HYBRID_DEFAULTS, mapProfileRefs, planSpecHash, PlanSpecError, profileRefs, resolveProfiles, validatePlanSpec } from './spec';

const base = { version: 1, trace: 'tr-1', policy: { kind: 'ttl' }, models: ['upm', 'none'] };

function errorOf(json: unknown): PlanSpecError {
  try {
    validatePlanSpec(json);
  } catch (e) {
    expect(e).toBeInstanceOf(PlanSpecError);
    return e as PlanSpecError;
  }
  throw new Error('no error');
}

describe('validatePlanSpec', () => {
  it('applies every default', () => {
    const s = validatePlanSpec(base);
    expect(s.models).toEqual(['none', 'upm']);
    expect(s.policy).toEqual({ kind: 'ttl', ttlMinutes: 10 });
    expect(s.host).toEqual({ memoryGiB: null, cores: null, count: 1 });
    expect(s.profiles.fallback).toEqual({ sharedFraction: 0.3, percentile: 'p50', defaultMemoryMiB: 170 });
    expect(s.modelParams.ksm).toMatchObject({
      pagesToScan: 100,
      sleepMs: 20,
      maxPageSharing: 256,
      useZeroPages: false,
      assumeMergeable: true,
      hz: 250,
    });
    expect(s.modelParams.upm.madviseAfterInitMs).toBe(0);
    expect(s.modelParams.upm.costs.hashUs).toBe(0.5);
    expect(s.coldStartMs).toEqual({ default: 500, functions: {} });
    expect([s.seed, s.window, s.timeseriesStepS, s.sizing, s.sweep]).toEqual([0, null, 60, null, null]);
    expect(validatePlanSpec({ ...base, policy: { kind: 'hybrid-histogram' } }).policy).toEqual({ kind: 'hybrid-histogram', ...HYBRID_DEFAULTS });
    expect(validatePlanSpec({ ...base, policy: { kind: 'greedy-dual' } }).policy).toEqual({
      kind: 'greedy-dual',
      maxIdleMinutes: null,
    });
  });

  it('is idempotent', () => {
    const s = validatePlanSpec({
      ...base,
      sizing: { targetColdStartRate: 0.01, hostMemoryGiB: 64 },
      sweep: { ttlMinutes: [20, 5, 5] },
      profiles: { functions: { 'app/f': ['d1'] }, rules: [{ match: { name: '^img' }, dumps: ['d2'] }] },
    });
    expect(validatePlanSpec(s)).toEqual(s);
    expect(s.sweep).toEqual({ hostMemoryGiB: null, ttlMinutes: [5, 20] });
  });

  it.each([
    [{ ...base, version: 2 }, 'version must be 1, got 2'],
    [{ ...base, trace: '' }, 'trace must be a non-empty string, got ""'],
    [{ ...base, host: { memoryGiB: -1 } }, 'host.memoryGiB must be a positive number or null, got -1'],
    [{ ...base, host: { memoryGiB: 8, count: 1.5 } }, 'host.count must be an integer >= 1 and <= 1000000, got 1.5'],
    [{ ...base, host: { memGiB: 8 } }, 'host.memGiB is not a known field (expected one of memoryGiB, cores, count)'],
    [
      { ...base, policy: { kind: 'lru' } },
      "policy.kind must be one of 'ttl', 'hybrid-histogram', 'greedy-dual', got \"lru\"",
    ],
    [
      { ...base, policy: { kind: 'ttl', ttlMinutes: -1 } },
      'policy.ttlMinutes must be a number >= 0 and <= 10000000, got -1',
    ],
    [
      { ...base, policy: { kind: 'hybrid-histogram', cvThreshold: 'high' } },
      'policy.cvThreshold must be a non-negative number, got "high"',
    ],
    [{ ...base, models: [] }, "models must be a non-empty array of 'none', 'ksm', 'upm', got []"],
    [{ ...base, models: ['none', 'zram'] }, "models[1] must be one of 'none', 'ksm', 'upm', got \"zram\""],
    [
      { ...base, modelParams: { ksm: { pagesToScan: 0 } } },
      'modelParams.ksm.pagesToScan must be an integer >= 1 and <= 10000000, got 0',
    ],
    [
      { ...base, modelParams: { upm: { costs: { hashUs: -0.5 } } } },
      'modelParams.upm.costs.hashUs must be a number >= 0 and <= 1000000000, got -0.5',
    ],
    [
      { ...base, profiles: { fallback: { sharedFraction: 1.5 } } },
      'profiles.fallback.sharedFraction must be a number >= 0 and <= 1, got 1.5',
    ],
    [
      { ...base, profiles: { functions: { 'app/fn': [] } } },
      'profiles.functions["app/fn"] must be a non-empty array of dump references, got []',
    ],
    [
      { ...base, profiles: { rules: [{ match: { name: '(' }, dumps: ['d'] }] } },
      /^profiles\.rules\[0\]\.match\.name must be a valid regular expression/,
    ],
    [
      { ...base, profiles: { rules: [{ match: {}, dumps: ['d'] }] } },
      'profiles.rules[0].match must give at least one of trigger, app, name',
    ],
    [
      { ...base, profiles: { rules: [{ match: { trigger: 'cron' }, dumps: ['d'] }] } },
      /^profiles\.rules\[0\]\.match\.trigger must be one of 'http'/,
    ],
    [
      { ...base, coldStartMs: { functions: { 'a/f': -3 } } },
      'coldStartMs.functions["a/f"] must be a number >= 0 and <= 1000000000, got -3',
    ],
    [{ ...base, window: { fromS: 10, toS: 5 } }, 'window.toS must be greater than window.fromS (10), got 5'],
    [{ ...base, timeseriesStepS: 0 }, 'timeseriesStepS must be a positive number, got 0'],
    [{ ...base, warmupMinutes: -1 }, 'warmupMinutes must be a number >= 0 and <= 10000000, got -1'],
    [{ ...base, warmupMinutes: '5' }, 'warmupMinutes must be a number >= 0 and <= 10000000, got "5"'],
    [
      { ...base, window: { fromS: 0, toS: 600 }, warmupMinutes: 10 },
      'warmupMinutes must be shorter than the window (600 s = 10 min), got 10',
    ],
    [{ ...base, sizing: { targetColdStartRate: 0.01 } }, 'sizing.hostMemoryGiB must be a positive number (host.memoryGiB is null and no sweep.hostMemoryGiB gives it)'],
    [
      { ...base, sizing: { targetColdStartRate: 2, hostMemoryGiB: 8 } },
      'sizing.targetColdStartRate must be a number >= 0 and <= 1, got 2',
    ],
    [
      { ...base, policy: { kind: 'greedy-dual' }, sweep: { ttlMinutes: [1] } },
      "sweep.ttlMinutes needs policy.kind 'ttl', got 'greedy-dual'",
    ],
    [{ ...base, sweep: { hostMemoryGiB: [8, 0] } }, 'sweep.hostMemoryGiB[1] must be a positive number, got 0'],
    [{ ...base, extra: 1 }, /^extra is not a known field/],
    [[], ' must be an object, got []'],
  ])('names the path of the bad field: %#', (json, message) => {
    const e = errorOf(json);
    if (typeof message === 'string') expect(e.message).toBe(message.trimStart());
    else expect(e.message).toMatch(message);
  });

  it('takes the host memory for sizing from the host when not given', () => {
    expect(
      validatePlanSpec({ ...base, host: { memoryGiB: 32 }, sizing: { targetColdStartRate: 0.05 } }).sizing,
    ).toEqual({
      targetColdStartRate: 0.05,
      hostMemoryGiB: 32,
      maxHosts: 1024,
    });
  });
});

describe('planSpecHash', () => {
  it('is the same for the same plan written differently, and differs for another plan', () => {
    const a = planSpecHash(base);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    const reordered = {
      models: ['none', 'upm', 'upm'],
      policy: { ttlMinutes: 10, kind: 'ttl' },
      trace: 'tr-1',
      version: 1,
      host: { count: 1 },
    };
    expect(planSpecHash(reordered)).toBe(a);
    expect(planSpecHash(validatePlanSpec(base))).toBe(a);
    expect(planSpecHash({ ...base, seed: 1 })).not.toBe(a);
    expect(planSpecHash({ ...base, policy: { kind: 'ttl', ttlMinutes: 11 } })).not.toBe(a);
  });
});

describe('warmupMinutes', () => {
  it('is kept when positive, left out when 0 or absent, so that specs without it keep their hash', () => {
    expect(validatePlanSpec({ ...base, window: { fromS: 0, toS: 600 }, warmupMinutes: 9.5 }).warmupMinutes).toBe(9.5);
    expect('warmupMinutes' in validatePlanSpec(base)).toBe(false);
    expect('warmupMinutes' in validatePlanSpec({ ...base, warmupMinutes: 0 })).toBe(false);
    // the hashes of these specs before warmupMinutes existed (plan ids already stored must not change)
    const sized = { ...base, window: { fromS: 0, toS: 3600 }, sizing: { targetColdStartRate: 0.01, hostMemoryGiB: 8 } };
    expect(planSpecHash(base)).toBe('1bc1282c521e5651e211ed9c3c117783aff5401c320c13c7edf14990ee3faad9');
    expect(planSpecHash(sized)).toBe('92407e0b89102973657e69753ba1c33891baf173a69de168dd533e8b3ec9a655');
    expect(planSpecHash({ ...sized, warmupMinutes: 0 })).toBe(planSpecHash(sized));
    expect(planSpecHash({ ...sized, warmupMinutes: 5 })).not.toBe(planSpecHash(sized));
    // every sweep point carries it
    const pts = expandSweep(validatePlanSpec({ ...sized, warmupMinutes: 5, sweep: { ttlMinutes: [1, 2] } }));
    expect(pts.map((p) => p.warmupMinutes)).toEqual([5, 5]);
  });
});

describe('expandSweep', () => {
  it('gives one point per combination, host memory outer, without a sweep inside', () => {
    const s = validatePlanSpec({
      ...base,
      host: { memoryGiB: 4 },
      sweep: { hostMemoryGiB: [16, 8], ttlMinutes: [1, 10] },
    });
    const points = expandSweep(s);
    expect(points.map((p) => [p.host.memoryGiB, p.policy.kind === 'ttl' && p.policy.ttlMinutes, p.sweep])).toEqual([
      [8, 1, null],
      [8, 10, null],
      [16, 1, null],
      [16, 10, null],
    ]);
    expect(new Set(points.map(planSpecHash)).size).toBe(4);
    expect(expandSweep(validatePlanSpec(base))).toEqual([validatePlanSpec(base)]);
  });
});

describe('sizing in a sweep', () => {
  it('gives each host-memory point sizing of its own memory unless sizing names one', () => {
    const s = validatePlanSpec({
      ...base,
      host: { memoryGiB: null, count: 2 },
      sweep: { hostMemoryGiB: [2, 4, 8] },
      sizing: { targetColdStartRate: 0.01 },
    });
    expect(s.sizing?.hostMemoryGiB).toBeNull();
    expect(validatePlanSpec(s)).toEqual(s);
    expect(expandSweep(s).map((p) => [p.host.memoryGiB, p.sizing?.hostMemoryGiB])).toEqual([
      [2, 2],
      [4, 4],
      [8, 8],
    ]);
    expect(errorOf({ ...base, sizing: { targetColdStartRate: 0.01 } }).path).toBe('sizing.hostMemoryGiB');
  });
});

describe('resolveProfiles', () => {
  const trace = {
    functions: [
      { id: 'resize', app: 'img', trigger: 'http' as const },
      { id: 'thumb', app: 'img', trigger: 'queue' as const },
      { id: 'resize', app: 'other', trigger: 'timer' as const },
      { id: 'report', app: 'bi', trigger: 'timer' as const },
      { id: 'misc', app: 'x', trigger: 'event' as const },
    ],
  };

  it('applies functions["<app>/<id>"], functions["<id>"], the first matching rule, then default', () => {
    const s = validatePlanSpec({
      ...base,
      profiles: {
        functions: { 'img/resize': ['d-resize'], resize: ['d-any-resize'] },
        rules: [
          { match: { app: 'img', trigger: 'queue' }, dumps: ['d-img-queue', 'd-shared'] },
          { match: { trigger: 'timer' }, dumps: ['d-timer'] },
          { match: { name: '^rep' }, dumps: ['d-never'] },
        ],
        default: ['d-shared'],
      },
    });
    expect(resolveProfiles(s, trace)).toEqual({
      byFunction: [['d-resize'], ['d-img-queue', 'd-shared'], ['d-any-resize'], ['d-timer'], ['d-shared']],
      refs: ['d-resize', 'd-img-queue', 'd-shared', 'd-any-resize', 'd-timer'],
    });
  });

  it('leaves functions matched by nothing to the fallback (null)', () => {
    const s = validatePlanSpec({ ...base, profiles: { rules: [{ match: { name: 'res' }, dumps: ['d'] }] } });
    expect(resolveProfiles(s, trace).byFunction).toEqual([['d'], null, ['d'], null, null]);
  });
});

describe('profile references', () => {
  const spec = validatePlanSpec({
    ...base,
    profiles: { functions: { 'app/f': ['a', 'b'] }, rules: [{ match: { trigger: 'http' }, dumps: ['b', 'c'] }], default: ['d'] },
  });

  it('lists every dump a spec names, each once, used by the trace or not', () => {
    expect(profileRefs(spec.profiles)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('replaces every reference and keeps the rest of the profiles', async () => {
    const mapped = await mapProfileRefs(spec.profiles, async (r) => `id-${r}`);
    expect(mapped.functions).toEqual({ 'app/f': ['id-a', 'id-b'] });
    expect(mapped.rules[0]).toEqual({ ...spec.profiles.rules[0], dumps: ['id-b', 'id-c'] });
    expect(mapped.default).toEqual(['id-d']);
    expect(mapped.fallback).toEqual(spec.profiles.fallback);
  });
});
