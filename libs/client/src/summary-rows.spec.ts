import { traceClock } from './summary-rows';

describe('traceClock', () => {
  it('reads seconds since the trace origin as h:mm:ss, hours past 24 kept (a trace of several days)', () => {
    expect(traceClock(0)).toBe('0:00:00');
    expect(traceClock(8 * 3600 + 125)).toBe('8:02:05');
    expect(traceClock(26 * 3600 + 59.6)).toBe('26:01:00');
    expect(traceClock(-3)).toBe('0:00:00');
  });
});
