import { clockStepS, fmtClock, fmtTick, niceCeil } from './ticks';

describe('axis ticks', () => {
  it('prints tick values in few digits', () => {
    expect(fmtTick(2.484565311475989)).toBe('2.48');
    expect(fmtTick(0.30000000000000004)).toBe('0.3');
    expect(fmtTick(0)).toBe('0');
    expect(fmtTick(125)).toBe('125');
    expect(fmtTick(120000)).toBe('120,000');
    expect(fmtTick(0.000123456)).toBe('0.000123');
  });

  it('rounds an axis maximum up to a nice number', () => {
    expect(niceCeil(2.484565311475989)).toBe(2.5);
    expect(niceCeil(1.15)).toBe(2);
    expect(niceCeil(3)).toBe(5);
    expect(niceCeil(5)).toBe(5);
    expect(niceCeil(0.0115)).toBeCloseTo(0.02, 12);
    expect(niceCeil(70)).toBe(100);
  });

  it('picks a clock step that gives distinct ticks over short and long windows', () => {
    expect(clockStepS(10 * 60)).toBe(120); // a 10-minute trace: every 2 minutes
    expect(clockStepS(8 * 3600)).toBe(3600);
    expect(clockStepS(90)).toBe(15);
    expect(clockStepS(14 * 86400)).toBe(172800);
  });

  it('prints hours of the trace clock as h:mm (h:mm:ss under a minute)', () => {
    expect(fmtClock(8)).toBe('8:00');
    expect(fmtClock(8.5)).toBe('8:30');
    expect(fmtClock(479 / 60)).toBe('7:59');
    expect(fmtClock(26.25)).toBe('26:15');
    expect(fmtClock(8 + 15 / 3600, 15)).toBe('8:00:15');
  });
});
