import { compileNamePattern, MAX_NAME_PATTERN_LENGTH } from './name-pattern';
import { MAX_PROFILE_RULES, PlanSpecError, resolveProfiles, validatePlanSpec } from './spec';

const base = { version: 1, trace: 'tr-1', policy: { kind: 'ttl' }, models: ['upm', 'none'] };
const withRule = (name: string) => ({ ...base, profiles: { rules: [{ match: { name }, dumps: ['d'] }] } });

/**
 * Known catastrophic-backtracking patterns, each with a function id (64 characters, as Azure's hashed ids) on
 * which the default engine takes exponential time: 2^64 steps, never finishing.
 */
const EVIL: Array<[string, string]> = [
  ['(a+)+$', 'a'.repeat(63) + '!'],
  ['^(a|aa)+$', 'a'.repeat(63) + '!'],
  ['(x+x+)+y', 'x'.repeat(64)],
  ['^(\\w+\\s?)*$', 'an evil function name that never ends well, an evil function name!'],
];

describe('function-name patterns of plan specs cannot hang a worker', () => {
  it.each(EVIL)('accepts %s and matches a whole trace in linear time, under 1 s', (pattern, input) => {
    const spec = validatePlanSpec(withRule(pattern));
    // Every function of a trace of 2000 functions (Azure's 500-function sample, 4 times), each an evil input.
    const functions = Array.from({ length: 2000 }, (_, i) => ({ id: `${input}${'!'.repeat(i % 3)}`, app: 'a', trigger: 'http' as const }));
    const t0 = process.hrtime.bigint();
    const resolved = resolveProfiles(spec, { functions });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    expect(seconds).toBeLessThan(1);
    expect(resolved.byFunction.every((d) => d === null)).toBe(true);
  });

  it('stays linear on one long input (100 000 characters)', () => {
    const t0 = process.hrtime.bigint();
    for (const [pattern, input] of EVIL) compileNamePattern(pattern).test(input.slice(0, -1).repeat(1600) + '!');
    expect(Number(process.hrtime.bigint() - t0) / 1e9).toBeLessThan(1);
  });

  it('still matches what a pattern says', () => {
    const re = compileNamePattern('^img-(resize|thumb)-\\d+$');
    expect(['img-resize-1', 'img-thumb-22', 'img-crop-1', 'ximg-thumb-1'].map((s) => re.test(s))).toEqual([true, true, false, false]);
  });

  it.each([
    ['(a)\\1', /no backreferences/],
    ['foo(?=bar)', /lookahead or lookbehind/],
    ['(?<!x)y', /lookahead or lookbehind/],
    ['(', /must be a valid regular expression/],
    ['a'.repeat(MAX_NAME_PATTERN_LENGTH + 1), /must be at most 1000 characters/],
  ])('rejects %s naming the JSON path', (pattern, why) => {
    let err: unknown;
    try {
      validatePlanSpec(withRule(pattern));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PlanSpecError);
    expect((err as Error).message).toMatch(/^profiles\.rules\[0\]\.match\.name /);
    expect((err as Error).message).toMatch(why);
  });

  it(`rejects more than ${MAX_PROFILE_RULES} rules`, () => {
    const rules = Array.from({ length: MAX_PROFILE_RULES + 1 }, () => ({ match: { trigger: 'http' }, dumps: ['d'] }));
    expect(() => validatePlanSpec({ ...base, profiles: { rules } })).toThrow(`profiles.rules must have at most ${MAX_PROFILE_RULES} rules, got ${MAX_PROFILE_RULES + 1}`);
  });
});
