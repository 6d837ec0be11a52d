/**
 * Every reject path: the error is a TraceError with the right code, and a row-level message carries
 * file:line:column (and the column's header name).
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { invitroTrace } from '../../../../test/support/shared-dir';
import { readAzure2019 } from './azure2019';
import { readAzure2021 } from './azure2021';
import { TraceError } from './errors';
import { readHuawei2023 } from './huawei2023';
import { TraceIngest, sniffTraceFile } from './ingest';
import { csvLines, readText, rejectsWith, src } from './test/helpers';

const STRICT = { maxBadRowFraction: 0 };
const INV_HEADER = 'HashOwner,HashApp,HashFunction,Trigger,1,2,3';
const inv = (...rows: string[]): string => [INV_HEADER, ...rows].join('\n') + '\n';
const readInv = (text: string, opts = STRICT) => readAzure2019({ invocations: src('inv.csv', text) }, opts);

const DUR_HEADER =
  'HashOwner,HashApp,HashFunction,Average,Count,Minimum,Maximum,percentile_Average_0,percentile_Average_1,percentile_Average_25,percentile_Average_50,percentile_Average_75,percentile_Average_99,percentile_Average_100';
const DUR_OK = 'o,a,f,100,10,1.0,200.0,1,2,50,100,150,190,200';
const readDur = (...rows: string[]) =>
  readAzure2019(
    {
      invocations: src('inv.csv', inv('o,a,f,http,1,2,3')),
      durations: src('dur.csv', [DUR_HEADER, ...rows].join('\n')),
    },
    STRICT,
  );

const MEM_HEADER =
  'HashOwner,HashApp,SampleCount,AverageAllocatedMb,AverageAllocatedMb_pct1,AverageAllocatedMb_pct5,AverageAllocatedMb_pct25,AverageAllocatedMb_pct50,AverageAllocatedMb_pct75,AverageAllocatedMb_pct95,AverageAllocatedMb_pct99,AverageAllocatedMb_pct100';
const readMem = (...rows: string[]) =>
  readAzure2019(
    { invocations: src('inv.csv', inv('o,a,f,http,1,2,3')), memory: src('mem.csv', [MEM_HEADER, ...rows].join('\n')) },
    STRICT,
  );

describe('invocations file: malformed rows (strict mode)', () => {
  it.each([
    ['a word in a count', 'o,a,f,http,1,x2,3', 'inv.csv:3:6 (column "2"): expected a non-negative number, got "x2"'],
    ['a fractional count', 'o,a,f,http,1,2.5,3', 'inv.csv:3:6 (column "2"): expected an integral count, got "2.5"'],
    ['a negative count', 'o,a,f,http,1,2,-3', 'inv.csv:3:7 (column "3"): expected a non-negative number, got "-3"'],
    ['a count beyond uint32', 'o,a,f,http,4294967296,2,3', 'inv.csv:3:5 (column "1"): count exceeds 4294967295'],
    ['a huge float count', 'o,a,f,http,1e10,2,3', 'inv.csv:3:5 (column "1"): count "1e10" exceeds 4294967295'],
    ['an unknown trigger', 'o,a,f,webhook,1,2,3', 'inv.csv:3:4 (column "Trigger"): unknown trigger "webhook"'],
    ['an empty HashApp', 'o,,f,http,1,2,3', 'inv.csv:3:2 (column "HashApp"): empty HashApp'],
    ['too few cells', 'o,a,f,http,1,2', 'inv.csv:3:7 (column "3"): row has 6 cells, the header has 7'],
    ['too many cells', 'o,a,f,http,1,2,3,4,5', 'inv.csv:3:8: row has 9 cells, the header has only 7'],
    ['NaN', 'o,a,f,http,NaN,2,3', 'inv.csv:3:5 (column "1"): expected a non-negative number, got "NaN"'],
    ['hex', 'o,a,f,http,0x10,2,3', 'inv.csv:3:5 (column "1"): expected a non-negative number, got "0x10"'],
  ])('%s', async (_what, row, message) => {
    const e = await rejectsWith(readInv(inv('o,a,g,timer,0,0,1', row)), 'BAD_ROW');
    expect(e.message).toBe(message);
    expect(e.line).toBe(3);
    expect(e.column).toBe(Number(message.split(':')[2].split(' ')[0]));
  });

  it('counts physical lines: blank lines and CRLF do not shift the reported line', async () => {
    const text = `${INV_HEADER}\r\n\r\no,a,g,timer,0,0,1\r\n\r\no,a,f,http,1,?,3\r\n`;
    const e = await rejectsWith(readInv(text), 'BAD_ROW');
    expect(e.message).toMatch(/^inv\.csv:5:6 \(column "2"\)/);
  });

  it('reports the line of a row that spans a chunk boundary', async () => {
    const text = inv('o,a,g,timer,0,0,1', 'o,a,g2,timer,0,0,1', 'o,a,f,http,1,2,bad');
    for (const chunk of [1, 5, 17]) {
      const e = await rejectsWith(readAzure2019({ invocations: src('inv.csv', text, chunk) }, STRICT), 'BAD_ROW');
      expect(e.message).toMatch(/^inv\.csv:4:7 \(column "3"\)/);
    }
  });
});

describe('invocations file: file-level rejects', () => {
  it('a missing required header, named', async () => {
    const e = await rejectsWith(readInv('HashOwner,HashApp,Trigger,1,2\no,a,http,1,2\n'), 'MISSING_COLUMN');
    expect(e.message).toBe('inv.csv:1: missing required column "HashFunction" in the header');
  });
  it('several missing headers, all named', async () => {
    const e = await rejectsWith(readInv('HashOwner,1,2\n'), 'MISSING_COLUMN');
    expect(e.message).toContain('"HashApp", "HashFunction", "Trigger"');
  });
  it('a duplicated id column', async () => {
    const e = await rejectsWith(readInv('HashOwner,HashApp,HashFunction,Trigger,HashApp,1\n'), 'DUPLICATE_COLUMN');
    expect(e.message).toBe('inv.csv:1:5: column "HashApp" appears twice in the header');
  });
  it('a duplicated minute column', async () => {
    const e = await rejectsWith(readInv('HashOwner,HashApp,HashFunction,Trigger,1,2,1\n'), 'DUPLICATE_COLUMN');
    expect(e.message).toBe('inv.csv:1:7: minute column "1" appears twice');
  });
  it('a minute outside 1..1440', async () => {
    const e = await rejectsWith(readInv('HashOwner,HashApp,HashFunction,Trigger,1,1441\n'), 'BAD_HEADER');
    expect(e.message).toBe('inv.csv:1:6: minute column "1441" is outside 1..1440');
  });
  it('no minute columns', async () => {
    const e = await rejectsWith(readInv('HashOwner,HashApp,HashFunction,Trigger,x\n'), 'BAD_HEADER');
    expect(e.message).toContain('no minute columns');
  });
  it('an empty file', async () => {
    const e = await rejectsWith(readInv(''), 'EMPTY_FILE');
    expect(e.message).toBe('inv.csv: the file is empty (no header line)');
  });
  it('a line longer than the bound', async () => {
    const text = inv('o,a,f,http,1,2,' + '9'.repeat(5000));
    const e = await rejectsWith(
      readAzure2019({ invocations: src('inv.csv', text, 100) }, { maxLineBytes: 2048 }),
      'LINE_TOO_LONG',
    );
    expect(e.message).toBe('inv.csv:2: line longer than 2048 bytes; not a trace file');
  });
  it('a missing file', async () => {
    const p = path.join(os.tmpdir(), 'upm-no-such-trace.csv');
    const e = await rejectsWith(readAzure2019({ invocations: p }), 'IO');
    expect(e.message).toContain(p);
  });
});

describe('bad-row budget', () => {
  const real = csvLines(readText(invitroTrace('100', 'invocations.csv')));
  const corrupt = (k: number): string => {
    const rows = real.slice(1).map((r, i) => (i < k ? r.replace(/,(\d+)$/, ',oops') : r));
    return [real[0], ...rows].join('\n');
  };

  it('≤ 10% bad rows: read, the bad rows listed with line and column', async () => {
    const t = await readAzure2019({ invocations: src('inv.csv', corrupt(10)) });
    expect(t.functions).toHaveLength(90);
    const f = t.files[0];
    expect(f.rows).toBe(100);
    expect(f.badRows).toBe(10);
    expect(f.errors[0].message).toBe('inv.csv:2:484 (column "959"): expected a non-negative number, got "oops"');
    expect(f.errors[0]).toMatchObject({ line: 2, column: 484, columnName: '959' });
  });

  it('> 10% bad rows: the file is rejected as a whole, naming the first bad cells', async () => {
    const e = await rejectsWith(readAzure2019({ invocations: src('inv.csv', corrupt(11)) }), 'TOO_MANY_BAD_ROWS');
    expect(e.message).toMatch(
      /^inv\.csv: rejected: 11 of 100 data rows \(11\.0%\) are malformed, more than 10\.0%; first: inv\.csv:2:484 \(column "959"\)/,
    );
    expect(e.rowErrors).toHaveLength(11);
    expect(e.line).toBe(2);
    expect(e.column).toBe(484);
  });

  it('keeps at most maxRowErrors examples', async () => {
    const t = await readAzure2019({ invocations: src('inv.csv', corrupt(10)) }, { maxRowErrors: 3 });
    expect(t.files[0].errors).toHaveLength(3);
    expect(t.files[0].errorsTruncated).toBe(true);
  });

  it('rejects bad options', async () => {
    await rejectsWith(
      readAzure2019({ invocations: src('inv.csv', corrupt(0)) }, { maxBadRowFraction: 2 }),
      'BAD_ARGUMENT',
    );
  });
});

describe('durations and memory files', () => {
  it.each([
    [
      'a bad Average',
      'o,a,f,abc,10,1.0,200.0,1,2,50,100,150,190,200',
      'dur.csv:2:4 (column "Average"): expected a non-negative number, got "abc"',
    ],
    [
      'a fractional Count',
      'o,a,f,100,10.5,1.0,200.0,1,2,50,100,150,190,200',
      'dur.csv:2:5 (column "Count"): expected an integral count, got "10.5"',
    ],
    [
      'an empty HashFunction',
      'o,a,,100,10,1.0,200.0,1,2,50,100,150,190,200',
      'dur.csv:2:3 (column "HashFunction"): empty HashFunction',
    ],
    [
      'a negative percentile',
      'o,a,f,100,10,1.0,200.0,1,2,50,-100,150,190,200',
      'dur.csv:2:11 (column "percentile_Average_50"): expected a non-negative number, got "-100"',
    ],
    ['a short row', 'o,a,f,100,10', 'dur.csv:2:6 (column "Minimum"): row has 5 cells, the header has 14'],
  ])('durations: %s', async (_w, row, message) => {
    const e = await rejectsWith(readDur(row), 'BAD_ROW');
    expect(e.message).toBe(message);
  });

  it('durations: empty Minimum/Maximum and empty percentiles are accepted as unknown', async () => {
    const t = await readDur('o,a,f,100,10,,,1,,50,100,150,,200');
    expect(t.functions[0].durations).toEqual({
      averageMs: 100,
      count: 10,
      minimumMs: null,
      maximumMs: null,
      percentilesMs: [1, null, 50, 100, 150, null, 200],
    });
  });

  it('durations: a missing percentile column is named', async () => {
    const header = DUR_HEADER.replace(',percentile_Average_99', '');
    const e = await rejectsWith(
      readAzure2019({ invocations: src('i.csv', inv('o,a,f,http,1,2,3')), durations: src('dur.csv', header + '\n') }),
      'MISSING_COLUMN',
    );
    expect(e.message).toBe('dur.csv:1: missing required column "percentile_Average_99" in the header');
  });

  it('durations: an unterminated quote is fatal, with its line', async () => {
    const e = await rejectsWith(readDur(DUR_OK.replace('o,a,f', 'o,"a,f'), DUR_OK), 'MALFORMED_CSV');
    expect(e.message).toMatch(/^dur\.csv:\d+: an unterminated quoted field/);
  });

  it.each([
    [
      'a fractional SampleCount',
      'o,a,10.5,100,1,2,3,4,5,6,7,8',
      'mem.csv:2:3 (column "SampleCount"): expected an integral count, got "10.5"',
    ],
    [
      'a bad AverageAllocatedMb',
      'o,a,10,lots,1,2,3,4,5,6,7,8',
      'mem.csv:2:4 (column "AverageAllocatedMb"): expected a non-negative number, got "lots"',
    ],
    ['an empty HashOwner', ',a,10,100,1,2,3,4,5,6,7,8', 'mem.csv:2:1 (column "HashOwner"): empty HashOwner'],
  ])('memory: %s', async (_w, row, message) => {
    const e = await rejectsWith(readMem(row), 'BAD_ROW');
    expect(e.message).toBe(message);
  });
});

describe('Azure 2021 rejects', () => {
  const H = 'app,func,end_timestamp,duration';
  const read21 = (...rows: string[]) => readAzure2021(src('t21.csv', [H, ...rows].join('\n')), STRICT);
  it.each([
    ['a negative end_timestamp', 'a,f,-1.5,0.1', 't21.csv:2:3 (column "end_timestamp"): negative end_timestamp -1.5'],
    [
      'a negative duration',
      'a,f,1.5,-0.1',
      't21.csv:2:4 (column "duration"): expected a non-negative number, got "-0.1"',
    ],
    ['an empty duration', 'a,f,1.5,', 't21.csv:2:4 (column "duration"): empty duration'],
    ['an empty app', ',f,1.5,0.1', 't21.csv:2:1 (column "app"): empty app'],
    ['garbage', 'a,f,soon,0.1', 't21.csv:2:3 (column "end_timestamp"): expected a number, got "soon"'],
    ['an extra cell', 'a,f,1.5,0.1,x', 't21.csv:2:5: row has 5 cells, the header has only 4'],
  ])('%s', async (_w, row, message) => {
    const e = await rejectsWith(read21('a,f,1,0.5', row), 'BAD_ROW');
    expect(e.message).toBe(message.replace(':2:', ':3:'));
  });
  it('a missing column', async () => {
    const e = await rejectsWith(readAzure2021(src('t21.csv', 'app,func,duration\na,f,1\n')), 'MISSING_COLUMN');
    expect(e.message).toBe('t21.csv:1: missing required column "end_timestamp" in the header');
  });
});

describe('Huawei 2023 rejects', () => {
  const readHw = (text: string) => readHuawei2023(src('day_01.csv', text), STRICT);
  it.each([
    [
      'a fractional count',
      'day,time,f1,f2\n0,0,1,2\n0,60,1.5,2\n',
      'day_01.csv:3:3 (column "f1"): expected an integral count, got "1.5"',
    ],
    [
      'a bad time',
      'day,time,f1,f2\n0,later,1,2\n',
      'day_01.csv:2:2 (column "time"): expected a non-negative number, got "later"',
    ],
    ['an empty time', 'day,time,f1,f2\n0,,1,2\n', 'day_01.csv:2:2 (column "time"): empty time'],
    [
      'a fractional day',
      'day,time,f1,f2\n0.5,0,1,2\n',
      'day_01.csv:2:1 (column "day"): expected an integral count, got "0.5"',
    ],
  ])('%s', async (_w, text, message) => {
    const e = await rejectsWith(readHw(text), 'BAD_ROW');
    expect(e.message).toBe(message);
  });
  it('a duplicated function column', async () => {
    const e = await rejectsWith(readHw('day,time,f1,f1\n'), 'DUPLICATE_COLUMN');
    expect(e.message).toBe('day_01.csv:1:4: function column "f1" appears twice');
  });
  it('no function columns', async () => {
    await rejectsWith(readHw('day,time\n0,0\n'), 'BAD_HEADER');
  });
});

describe('format detection and mixing', () => {
  it('a binary file: said so, without its raw bytes', async () => {
    const bytes = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0x0a, 1, 2]);
    const e = await rejectsWith(sniffTraceFile(src('ls.csv', bytes)), 'UNKNOWN_FORMAT');
    expect(e.message).toBe('ls.csv: a binary file, not a CSV trace (Azure 2019, Azure 2021, Huawei 2023)');
  });
  it('an unknown header', async () => {
    const e = await rejectsWith(sniffTraceFile(src('x.csv', 'a,b,c\n1,2,3\n')), 'UNKNOWN_FORMAT');
    expect(e.message).toBe(
      'x.csv:1: header matches no accepted trace file (Azure 2019, Azure 2021, Huawei 2023): a,b,c',
    );
  });
  it('2019 and 2021 files in one trace', async () => {
    const ingest = new TraceIngest();
    await ingest.addFile(invitroTrace('1', 'invocations.csv'));
    const e = await rejectsWith(
      ingest.addFile(invitroTrace('example', 'Azure2021', 'Azure2021_200.csv')),
      'INCONSISTENT_INPUT',
    );
    expect(e.message).toContain('is a azure2021 file (azure2021), but this trace is azure2019');
  });
  it('an explicit format that does not match', async () => {
    const ingest = new TraceIngest({ format: 'huawei2023' });
    await rejectsWith(ingest.addFile(invitroTrace('1', 'durations.csv')), 'INCONSISTENT_INPUT');
  });
  it('an unknown format option', () => {
    expect(() => new TraceIngest({ format: 'azure2020' as never })).toThrow(TraceError);
  });
});
