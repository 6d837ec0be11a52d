import { readHuawei2023 } from './huawei2023';
import { detectTraceFileKind } from './ingest';
import { src } from './test/helpers';

describe('Huawei 2023 requests_minute reader', () => {
  const day0 = ['day,time,7,12,31', '0,0,3,,1', '0,60,,,', '0,120,5.0,2,'].join('\r\n');
  const day1 = ['day,time,12,99', '1,86400,4,1', '1,86460,,2'].join('\n') + '\n';

  it('is detected by its header', () => {
    expect(detectTraceFileKind('day,time,7,12,31')).toBe('huawei2023-requests');
  });

  it('reads one day: empty cells are no data, minutes from time/60', async () => {
    const t = await readHuawei2023(src('day_00.csv', day0));
    expect(t.format).toBe('huawei2023');
    expect(t.functions.map((f) => f.id)).toEqual(['7', '12', '31']);
    expect(t.stats.invocations).toBe(3 + 1 + 5 + 2);
    expect(t.window).toEqual({ startS: 0, endS: 180 });
    if (t.arrivals.kind !== 'minute-counts') throw new Error('kind');
    const { rowPtr, slot, count } = t.arrivals;
    expect(Array.from(rowPtr)).toEqual([0, 2, 3, 4]);
    expect(Array.from(slot)).toEqual([0, 2, 2, 0]);
    expect(Array.from(count)).toEqual([3, 5, 2, 1]);
    expect(t.stats.peakInvocationsPerMinute).toBe(7);
    expect(t.stats.peakMinuteStartS).toBe(120);
    expect(t.stats.apps).toBe(3);
  });

  it('merges day files, unioning functions by column name', async () => {
    const t = await readHuawei2023([src('day_00.csv', day0), src('day_01.csv', day1)]);
    expect(t.functions.map((f) => f.id)).toEqual(['7', '12', '31', '99']);
    expect(t.stats.invocations).toBe(11 + 4 + 1 + 2);
    expect(t.window).toEqual({ startS: 0, endS: 86520 });
    if (t.arrivals.kind !== 'minute-counts') throw new Error('kind');
    const f12 = 1;
    const { rowPtr, slot, count } = t.arrivals;
    expect(Array.from(slot.subarray(rowPtr[f12], rowPtr[f12 + 1]))).toEqual([2, 1440]);
    expect(Array.from(count.subarray(rowPtr[f12], rowPtr[f12 + 1]))).toEqual([2, 4]);
  });
});
