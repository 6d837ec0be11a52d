/** Byte-level variants of real files must read to the same trace: line endings, BOM, floats, order, chunking. */
import { invitroTrace } from '../../../../test/support/shared-dir';
import { readAzure2019 } from './azure2019';
import { readAzure2021 } from './azure2021';
import { NormalizedTrace } from './types';
import { csvLines, naiveInvocations, readText, src } from './test/helpers';

type Day = { inv: string; dur: string; mem: string };
const load = (n: string): Day => ({
  inv: readText(invitroTrace(n, 'invocations.csv')),
  dur: readText(invitroTrace(n, 'durations.csv')),
  mem: readText(invitroTrace(n, 'memory.csv')),
});
const read = (d: Day, chunk?: number): Promise<NormalizedTrace> =>
  readAzure2019({
    invocations: src('inv.csv', d.inv, chunk),
    durations: src('dur.csv', d.dur, chunk),
    memory: src('mem.csv', d.mem, chunk),
  });
const map = (d: Day, f: (s: string) => string): Day => ({ inv: f(d.inv), dur: f(d.dur), mem: f(d.mem) });

/** The parts of a trace that must not depend on the byte representation. */
function essence(t: NormalizedTrace): unknown {
  return {
    functions: t.functions,
    arrivals: t.arrivals,
    stats: t.stats,
    window: t.window,
    unjoined: t.joinReport?.unjoined,
  };
}

/** Reverse the column order of a CSV (every row). */
const reverseColumns = (text: string): string =>
  csvLines(text)
    .map((l) => l.split(',').reverse().join(','))
    .join('\n');

describe.each(['10', '100'])('Azure 2019 sample %s read through byte-level variants', (name) => {
  const base = load(name);
  let reference: NormalizedTrace;
  beforeAll(async () => {
    reference = await read(base);
    expect(reference.stats.invocations).toBe(naiveInvocations(base.inv).total);
  });

  it('CRLF line endings', async () => {
    expect(essence(await read(map(base, (s) => s.replace(/\n/g, '\r\n'))))).toEqual(essence(reference));
  });
  it('no final newline', async () => {
    expect(essence(await read(map(base, (s) => s.replace(/\n$/, ''))))).toEqual(essence(reference));
  });
  it('CRLF and no final newline', async () => {
    expect(essence(await read(map(base, (s) => s.replace(/\n/g, '\r\n').replace(/\r\n$/, ''))))).toEqual(
      essence(reference),
    );
  });
  it('a UTF-8 BOM', async () => {
    expect(essence(await read(map(base, (s) => '\uFEFF' + s)))).toEqual(essence(reference));
  });
  it('blank lines anywhere', async () => {
    expect(essence(await read(map(base, (s) => s.replace(/\n/, '\n\n').replace(/\n$/, '\n\n\r\n'))))).toEqual(
      essence(reference),
    );
  });
  it('integers written as floats (counts "12.0", durations and memory with decimals)', async () => {
    const floaty = (s: string): string => {
      const [h, ...rows] = csvLines(s);
      return [
        h,
        ...rows.map((r) =>
          r
            .split(',')
            .map((c) => (/^\d+$/.test(c) ? `${c}.0` : c))
            .join(','),
        ),
      ].join('\n');
    };
    const t = await read(map(base, floaty));
    expect(essence(t)).toEqual(essence(reference));
  });
  it('empty cells for zero counts', async () => {
    const inv = base.inv.replace(/,0(?=[,\n])/g, ',');
    expect(inv.length).toBeLessThan(base.inv.length);
    expect(essence(await read({ ...base, inv }))).toEqual(essence(reference));
  });
  it('reordered columns in every file', async () => {
    expect(essence(await read(map(base, reverseColumns)))).toEqual(essence(reference));
  });
  it.each([1, 3, 64, 4093])('chunks of %i bytes', async (chunk) => {
    const crlfBom = map(base, (s) => '\uFEFF' + s.replace(/\n/g, '\r\n'));
    expect(essence(await read(crlfBom, chunk))).toEqual(essence(reference));
  });
});

describe('Azure 2021 variants', () => {
  const text = readText(invitroTrace('example', 'Azure2021', 'Azure2021_200.csv'));
  let reference: NormalizedTrace;
  beforeAll(async () => {
    reference = await readAzure2021(src('a.csv', text));
  });
  const essence21 = (t: NormalizedTrace): unknown => ({ functions: t.functions, arrivals: t.arrivals, stats: t.stats });

  it('CRLF, BOM, final newline, small chunks', async () => {
    const v = '\uFEFF' + text.replace(/\n/g, '\r\n') + '\r\n';
    expect(essence21(await readAzure2021(src('a.csv', v, 7)))).toEqual(essence21(reference));
  });
  it('rows in any order (sorted by start on read)', async () => {
    const [h, ...rows] = csvLines(text);
    const shuffled = [h, ...rows.reverse()].join('\n');
    const t = await readAzure2021(src('a.csv', shuffled));
    expect(Array.from(t.arrivals.kind === 'timestamps' ? t.arrivals.startS : [])).toEqual(
      Array.from(reference.arrivals.kind === 'timestamps' ? reference.arrivals.startS : []),
    );
    expect(t.stats.invocations).toBe(199);
  });
  it('reordered columns and exponent floats', async () => {
    const [h, ...rows] = csvLines(text);
    const cols = h.split(',');
    const perm = [3, 2, 0, 1];
    const re = [
      perm.map((i) => cols[i]).join(','),
      ...rows.map((r) => {
        const c = r.split(',');
        c[3] = Number(c[3]).toExponential();
        return perm.map((i) => c[i]).join(',');
      }),
    ].join('\n');
    const t = await readAzure2021(src('a.csv', re));
    expect(t.stats).toEqual(reference.stats);
  });
});
