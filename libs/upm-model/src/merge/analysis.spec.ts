import { buildDump } from './common/test-dumps';
import { AnalysisRequestError, analysisJson, runAnalysis, validateAnalysisRequest } from './analysis';

describe('validateAnalysisRequest', () => {
  it('accepts each model with its own parameters', () => {
    expect(validateAnalysisRequest({ model: 'none' })).toEqual({ model: 'none' });
    expect(validateAnalysisRequest({ model: 'ksm', ksm: { pagesToScan: 5000, sleepMs: 10, useZeroPages: true }, timeline: true })).toEqual({
      model: 'ksm',
      ksm: { pagesToScan: 5000, sleepMs: 10, useZeroPages: true },
      timeline: true,
    });
    expect(validateAnalysisRequest({ model: 'upm', upmCalls: [{ pid: 7, timeMs: 0, ranges: [[4096, 8192]] }] }).upmCalls).toEqual([
      { pid: 7, timeMs: 0, ranges: [[4096, 8192]] },
    ]);
    expect(validateAnalysisRequest({ model: 'sharing', mergeability: 'ksm', snapshot: 'first' })).toEqual({ model: 'sharing', mergeability: 'ksm', snapshot: 'first' });
  });

  it.each([
    [{ model: 'magic' }, /model must be one of none, ksm, upm, sharing/],
    [{ model: 'ksm', ksm: { pagesToScan: 0 } }, /ksm\.pagesToScan must be a whole number from 1/],
    [{ model: 'ksm', ksm: { turbo: 1 } }, /ksm\.turbo is not a KSM parameter/],
    [{ model: 'upm', ksm: {} }, /ksm parameters need model ksm/],
    [{ model: 'upm', timeline: true }, /timeline needs model ksm/],
    [{ model: 'upm', upmCalls: [{ pid: 1, timeMs: 0, ranges: [[10, 5]] }] }, /upmCalls\[0\]\.ranges\[0\] must be \[start, end\)/],
    [{ model: 'none', extra: 1 }, /extra is not a known field \(expected one of model, ksm, timeline/],
    [{ model: 'sharing', snapshot: -1 }, /snapshot must be a whole number/],
  ])('refuses %j naming the field', (json, message) => {
    expect(() => validateAnalysisRequest(json)).toThrow(AnalysisRequestError);
    expect(() => validateAnalysisRequest(json)).toThrow(message);
  });
});

describe('runAnalysis', () => {
  // Two processes with 3 pages each; contents 1 and 2 are in both, 3 and 4 are unique.
  const dump = buildDump({
    snapshots: [
      {
        timeMs: 0,
        procs: [
          { pid: 1, vmas: [{ pages: [1, 2, 3] }] },
          { pid: 2, vmas: [{ pages: [1, 2, 4] }] },
        ],
      },
    ],
  });

  it('answers the common JSON keys of a model with UPM merging the shared contents', () => {
    const req = validateAnalysisRequest({ model: 'upm' });
    const json = analysisJson(req, runAnalysis(req, [dump]));
    expect(json).toMatchObject({ model: 'upm', residentPages: 6, physicalPagesBefore: 6, physicalPagesAfter: 4, pagesShared: 2, pagesSharing: 2 });
  });

  it('answers a sharing breakdown whose categories add up to RSS', () => {
    const req = validateAnalysisRequest({ model: 'sharing' });
    const json = analysisJson(req, runAnalysis(req, [dump])) as { total: { residentPages: number; categories: Record<string, { pages: number }> } };
    const sum = Object.values(json.total.categories).reduce((a, c) => a + c.pages, 0);
    expect(json.total.residentPages).toBe(6);
    expect(sum).toBe(6);
  });
});
