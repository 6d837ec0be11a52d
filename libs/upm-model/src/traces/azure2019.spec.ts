import { invitroTrace } from '../../../../test/support/shared-dir';
import { Azure2019Reader, dayFromFileName, readAzure2019 } from './azure2019';
import { durationCurve } from './duration-dist';
import { invocationsPerFunction } from './stats';
import { csvLines, naiveInvocations, readText, rejectsWith, src } from './test/helpers';
import { TRIGGERS } from './types';

const day = (n: string) => ({
  invocations: invitroTrace(n, 'invocations.csv'),
  durations: invitroTrace(n, 'durations.csv'),
  memory: invitroTrace(n, 'memory.csv'),
});

describe('Azure 2019 reader on the real invitro samples', () => {
  it.each([
    ['1', 1],
    ['5', 5],
    ['10', 10],
    ['100', 100],
    ['500', 500],
  ])('sample %s: %i functions, the exact invocation total, everything joined', async (name, n) => {
    const files = day(name);
    const oracle = naiveInvocations(readText(files.invocations));
    const t = await readAzure2019(files);
    expect(t.format).toBe('azure2019');
    expect(t.functions).toHaveLength(n);
    expect(t.stats.functions).toBe(n);
    expect(oracle.rows).toBe(n);
    expect(t.stats.invocations).toBe(oracle.total);
    expect(t.joinReport?.unjoined).toBe(0);
    expect(t.joinReport?.joined).toBe(n);
    expect(t.joinReport?.memoryScope).toBe('function');
    expect(t.functions.every((f) => f.durations !== null && f.memory?.scope === 'function')).toBe(true);
    expect(t.files.map((f) => f.badRows)).toEqual([0, 0, 0]);
    // The per-function totals agree with the oracle's rows too (not just the grand total).
    const per = invocationsPerFunction(n, t.arrivals);
    expect(per.reduce((s, x) => s + x, 0)).toBe(oracle.total);
  });

  it('the 500 sample: 3.04 M invocations, all 7 triggers, windowed minutes 480..959', async () => {
    const t = await readAzure2019(day('500'));
    expect(t.stats.invocations).toBe(3037902);
    for (const trig of TRIGGERS.filter((x) => x !== 'unknown'))
      expect(t.stats.functionsByTrigger[trig]).toBeGreaterThan(0);
    expect(t.stats.functionsByTrigger.unknown).toBe(0);
    expect(Object.values(t.stats.invocationsByTrigger).reduce((a, b) => a + b, 0)).toBe(3037902);
    expect(t.window).toEqual({ startS: 479 * 60, endS: 959 * 60 });
    if (t.arrivals.kind !== 'minute-counts') throw new Error('expected minute counts');
    expect(Math.min(...t.arrivals.slot)).toBeGreaterThanOrEqual(479);
    expect(Math.max(...t.arrivals.slot)).toBeLessThanOrEqual(958);
    expect(t.stats.apps).toBe(476);
    expect(t.stats.owners).toBe(428);
    expect(t.stats.peakInvocationsPerMinute).toBeGreaterThan(0);
    expect(t.stats.peakMinuteStartS).not.toBeNull();
  });

  it('the 500 sample: the 13 functions with Average 0 and Count > 0 get a valid (0 ms or tail-only) curve', async () => {
    const t = await readAzure2019(day('500'));
    const zeroAvg = t.functions.filter((f) => f.durations?.averageMs === 0 && (f.durations.count ?? 0) > 0);
    expect(zeroAvg).toHaveLength(13);
    for (const f of zeroAvg) {
      const c = durationCurve(f.durations, 1000);
      expect(['zero', 'percentiles']).toContain(c.source);
      expect(c.v[0]).toBe(0);
      expect(Array.from(c.v).every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
    }
  });

  it('reads the memory figures as floats and the duration Min/Max floats', async () => {
    const t = await readAzure2019(day('100'));
    const withFloat = t.functions.filter(
      (f) => f.memory && f.memory.averageMb !== null && !Number.isInteger(f.memory.averageMb),
    );
    expect(withFloat.length).toBeGreaterThan(0);
    expect(t.functions.every((f) => f.memory!.percentilesMb.length === 8)).toBe(true);
  });

  it('accepts the files in any order', async () => {
    const f = day('10');
    const r = new Azure2019Reader();
    await r.addMemory(f.memory);
    await r.addDurations(f.durations);
    await r.addInvocations(f.invocations);
    const a = r.finish();
    const b = await readAzure2019(f);
    expect(a.stats).toEqual(b.stats);
    expect(a.functions).toEqual(b.functions);
  });
});

describe('Azure 2019 join report', () => {
  it('reports every row that did not join, with counts and bounded examples', async () => {
    const f = day('10');
    const inv = readText(f.invocations);
    const durLines = csvLines(readText(f.durations));
    const memLines = csvLines(readText(f.memory));
    // Drop durations of functions 2 and 3, memory of function 5; add a durations row for an unknown function.
    const stranger = 'owner-x,app-x,func-x,100,10,1.0,200.0,1,2,50,100,150,190,200';
    const dur = [durLines[0], durLines[1], ...durLines.slice(4), stranger].join('\n') + '\n';
    const mem = [...memLines.slice(0, 5), ...memLines.slice(6)].join('\n') + '\n';
    const t = await readAzure2019({
      invocations: src('inv.csv', inv),
      durations: src('dur.csv', dur),
      memory: src('mem.csv', mem),
    });
    const j = t.joinReport!;
    expect(j.counts['invocations-without-durations']).toBe(2);
    expect(j.counts['invocations-without-memory']).toBe(1);
    expect(j.counts['durations-without-invocations']).toBe(1);
    expect(j.counts['memory-without-invocations']).toBe(0);
    expect(j.unjoined).toBe(4);
    expect(j.joined).toBe(7);
    expect(t.stats.unjoined).toBe(4);
    expect(j.rows).toEqual({ invocations: 10, durations: 9, memory: 9 });
    const stray = j.examples.find((e) => e.kind === 'durations-without-invocations')!;
    expect(stray.message).toBe(
      'dur.csv:10: durations row for function func-x (app app-x, owner owner-x) has no invocations row',
    );
    const noDur = j.examples.filter((e) => e.kind === 'invocations-without-durations');
    expect(noDur.map((e) => e.line)).toEqual([3, 4]);
    expect(noDur[0].message).toContain('has no row in dur.csv');
    // Functions that did not join keep their arrivals; their missing figures are null.
    expect(t.functions).toHaveLength(10);
    expect(t.functions.filter((x) => x.durations === null)).toHaveLength(2);
    expect(t.stats.invocations).toBe(naiveInvocations(inv).total);
  });

  it('joins samples of different sizes and matches set arithmetic', async () => {
    const inv = invitroTrace('10', 'invocations.csv');
    const dur = invitroTrace('5', 'durations.csv');
    const mem = invitroTrace('1', 'memory.csv');
    const invKeys = naiveInvocations(readText(inv)).keys;
    const keysOf = (p: string) =>
      new Set(
        csvLines(readText(p))
          .slice(1)
          .map((l) => l.split(',').slice(0, 3).join('|')),
      );
    const durKeys = keysOf(dur);
    const memKeys = keysOf(mem); // 1/memory.csv: HashOwner,HashApp,HashFunction first
    const expectedNoDur = [...invKeys].filter((k) => !durKeys.has(k)).length;
    const expectedStrayDur = [...durKeys].filter((k) => !invKeys.has(k)).length;
    const expectedNoMem = [...invKeys].filter((k) => !memKeys.has(k)).length;
    const expectedStrayMem = [...memKeys].filter((k) => !invKeys.has(k)).length;
    expect(expectedNoDur).toBeGreaterThan(0);
    expect(expectedStrayMem).toBeGreaterThan(0);
    const t = await readAzure2019({ invocations: inv, durations: dur, memory: mem });
    const j = t.joinReport!;
    expect(j.counts['invocations-without-durations']).toBe(expectedNoDur);
    expect(j.counts['durations-without-invocations']).toBe(expectedStrayDur);
    expect(j.counts['invocations-without-memory']).toBe(expectedNoMem);
    expect(j.counts['memory-without-invocations']).toBe(expectedStrayMem);
    expect(j.unjoined).toBe(expectedNoDur + expectedStrayDur + expectedNoMem + expectedStrayMem);
  });

  it('bounds the examples but keeps counting', async () => {
    const f = day('100');
    const t = await readAzure2019(
      { invocations: f.invocations, durations: invitroTrace('1', 'durations.csv') },
      { maxJoinExamples: 5 },
    );
    const j = t.joinReport!;
    expect(j.unjoined).toBeGreaterThanOrEqual(100);
    expect(j.examples).toHaveLength(5);
    expect(j.examplesTruncated).toBe(true);
    expect(j.files.memory).toBeNull();
    expect(j.counts['invocations-without-memory']).toBe(0); // no memory file supplied: nothing to join against
  });

  it('joins the original per-app memory schema by (HashOwner, HashApp)', async () => {
    const f = day('10');
    const memLines = csvLines(readText(f.memory)).map((l) => {
      const c = l.split(',');
      c.splice(2, 1); // drop HashFunction (column 3 in the 1/5/10 samples)
      return c.join(',');
    });
    expect(memLines[0].startsWith('HashOwner,HashApp,SampleCount')).toBe(true);
    const t = await readAzure2019({ invocations: f.invocations, memory: src('app_memory.csv', memLines.join('\n')) });
    expect(t.joinReport!.memoryScope).toBe('app');
    expect(t.joinReport!.unjoined).toBe(0);
    expect(t.functions.every((x) => x.memory?.scope === 'app')).toBe(true);
  });

  it('merges a duplicated invocations row (counts added) and reports it', async () => {
    const lines = csvLines(readText(invitroTrace('5', 'invocations.csv')));
    const text = [...lines, lines[2]].join('\n');
    const t = await readAzure2019({ invocations: src('dup.csv', text) });
    expect(t.functions).toHaveLength(5);
    expect(t.stats.invocations).toBe(naiveInvocations(text).total);
    expect(t.joinReport!.counts['duplicate-invocations']).toBe(1);
    expect(t.joinReport!.examples[0].message).toMatch(/^dup\.csv:7: .* already appeared on line 3; counts added$/);
    if (t.arrivals.kind !== 'minute-counts') throw new Error('kind');
    const { rowPtr, slot } = t.arrivals;
    let ascending = true;
    for (let fn = 0; fn < 5; fn++)
      for (let e = rowPtr[fn] + 1; e < rowPtr[fn + 1]; e++) ascending &&= slot[e] > slot[e - 1];
    expect(ascending).toBe(true);
  });
});

describe('Azure 2019 day and minutes', () => {
  it('takes the day from the dNN in the file name', async () => {
    expect(dayFromFileName('invocations_per_function_md.anon.d03.csv')).toBe(3);
    expect(dayFromFileName('x/function_durations_percentiles.anon.d14.csv')).toBe(14);
    expect(dayFromFileName('invocations.csv')).toBeNull();
    const text = readText(invitroTrace('1', 'invocations.csv'));
    const t = await readAzure2019({ invocations: src('invocations_per_function_md.anon.d03.csv', text) });
    expect(t.window).toEqual({ startS: 2 * 86400, endS: 3 * 86400 });
    const t2 = await readAzure2019({ invocations: src('invocations_per_function_md.anon.d03.csv', text) }, { day: 1 });
    expect(t2.window).toEqual({ startS: 0, endS: 86400 });
  });

  it('places minute m of day d at slot (d-1)*1440 + m-1, whatever the column order', async () => {
    const header = 'Trigger,HashFunction,3,HashApp,1,HashOwner,2';
    const text = `${header}\ntimer,f,7,a,5,o,0\n`;
    const t = await readAzure2019({ invocations: src('inv.d02.csv', text) });
    if (t.arrivals.kind !== 'minute-counts') throw new Error('kind');
    expect(Array.from(t.arrivals.slot)).toEqual([1440, 1442]);
    expect(Array.from(t.arrivals.count)).toEqual([5, 7]);
    expect(t.functions[0]).toMatchObject({ owner: 'o', app: 'a', id: 'f', trigger: 'timer' });
    expect(t.window).toEqual({ startS: 86400, endS: 86400 + 180 });
  });

  it('needs the invocations file', async () => {
    const r = new Azure2019Reader();
    await r.addDurations(invitroTrace('1', 'durations.csv'));
    expect(() => r.finish()).toThrow(/needs its invocations file/);
  });

  it('refuses two files of one kind', async () => {
    const r = new Azure2019Reader();
    await r.addDurations(invitroTrace('1', 'durations.csv'));
    await rejectsWith(r.addDurations(invitroTrace('5', 'durations.csv')), 'INCONSISTENT_INPUT');
  });
});
