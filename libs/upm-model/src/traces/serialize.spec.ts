import { invitroTrace } from '../../../../test/support/shared-dir';
import { readAzure2019 } from './azure2019';
import { readAzure2021 } from './azure2021';
import { TraceError } from './errors';
import { crc32, decodeTrace, encodeTrace, encodeTraceChunks } from './serialize';
import { NormalizedTrace } from './types';

describe('binary container of the normalized trace', () => {
  let t19: NormalizedTrace;
  let t21: NormalizedTrace;
  beforeAll(async () => {
    t19 = await readAzure2019({
      invocations: invitroTrace('500', 'invocations.csv'),
      durations: invitroTrace('500', 'durations.csv'),
      memory: invitroTrace('500', 'memory.csv'),
    });
    t21 = await readAzure2021(invitroTrace('example', 'Azure2021', 'Azure2021_200.csv'));
  });

  it('round-trips a per-minute trace exactly, compactly', () => {
    const bytes = encodeTrace(t19);
    expect(bytes.subarray(0, 8).toString('latin1')).toBe('UPMTRACE');
    expect(bytes.length).toBeLessThan(1_000_000); // 500 functions, 58 k non-zero minutes
    expect(decodeTrace(bytes)).toEqual(t19);
  });

  it('encodes in pieces that view the trace arrays (no copy) and concatenate to the same bytes', () => {
    for (const t of [t19, t21]) {
      const pieces = encodeTraceChunks(t);
      expect(Buffer.concat(pieces).equals(encodeTrace(t))).toBe(true);
      const arrays = t.arrivals.kind === 'minute-counts' ? [t.arrivals.slot, t.arrivals.count] : [t.arrivals.startS, t.arrivals.fn];
      for (const a of arrays) expect(pieces.some((p) => p.buffer === a.buffer)).toBe(true);
    }
  });

  it('round-trips a timestamped trace exactly', () => {
    expect(decodeTrace(encodeTrace(t21))).toEqual(t21);
  });

  it('decodes from an unaligned view', () => {
    const bytes = encodeTrace(t21);
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    expect(decodeTrace(shifted.subarray(3))).toEqual(t21);
  });

  it('crc32 is the IEEE CRC', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  const rejects = (b: Uint8Array, why: RegExp): void => {
    let err: unknown;
    try {
      decodeTrace(b);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TraceError);
    expect((err as TraceError).code).toBe('BAD_SERIALIZATION');
    expect((err as TraceError).message).toMatch(why);
  };

  it('rejects corruption: a flipped byte, truncation, bad magic, a newer version', () => {
    const good = encodeTrace(t19);
    const flipped = Buffer.from(good);
    flipped[good.length >> 1] ^= 0x40;
    rejects(flipped, /CRC mismatch/);
    rejects(good.subarray(0, good.length - 100), /trailer|CRC/);
    rejects(good.subarray(0, 10), /too short/);
    const magic = Buffer.from(good);
    magic.write('XPMTRACE', 0, 'latin1');
    rejects(magic, /bad magic/);
    const version = Buffer.from(good);
    version.writeUInt32LE(2, 8);
    rejects(version, /version 2 is not supported/);
  });

  it('rejects a well-checksummed container whose content breaks the invariants', () => {
    const bad = structuredClone(t19) as NormalizedTrace;
    if (bad.arrivals.kind !== 'minute-counts') throw new Error('kind');
    bad.arrivals.count[5] = 0;
    rejects(encodeTrace(bad), /zero count/);
    const bad2 = structuredClone(t19) as NormalizedTrace;
    if (bad2.arrivals.kind !== 'minute-counts') throw new Error('kind');
    bad2.arrivals.rowPtr[3] = bad2.arrivals.rowPtr[4] + 1;
    rejects(encodeTrace(bad2), /rowPtr decreases|not ascending|outside/);
    const bad3 = structuredClone(t21) as NormalizedTrace;
    if (bad3.arrivals.kind !== 'timestamps') throw new Error('kind');
    bad3.arrivals.fn[0] = 9999;
    rejects(encodeTrace(bad3), /function index 9999 out of range/);
    const bad4 = structuredClone(t19) as NormalizedTrace;
    (bad4.functions[0] as { trigger: string }).trigger = 'webhook';
    rejects(encodeTrace(bad4), /bad trigger of function 0/);
  });
});
