import { buildDump } from '../common/test-dumps';
import { runNoneModel } from './none-model';

describe('none model', () => {
  it('counts frames that are already shared (same PFN) once and saves nothing', () => {
    const d = buildDump({
      snapshots: [
        {
          timeMs: 0,
          procs: [
            { pid: 1, vmas: [{ pages: [{ c: 1, pfn: 10 }, { c: 2, pfn: 11 }, { c: 2, pfn: 12 }] }] },
            { pid: 2, vmas: [{ pages: [{ c: 1, pfn: 10 }, { c: 3, pfn: 13 }, { c: 4, present: false }] }] },
          ],
        },
      ],
    });
    const r = runNoneModel([d]);
    expect(r).toMatchObject({ model: 'none', residentPages: 5, physicalPagesBefore: 4, physicalPagesAfter: 4, savedBytes: 0 });
    expect(r.alreadySharedMappings).toBe(1);
  });

  it('counts only processes alive at the last snapshot', () => {
    const d = buildDump({
      snapshots: [
        { timeMs: 0, procs: [{ pid: 1, vmas: [{ pages: [1, 2] }] }, { pid: 2, vmas: [{ pages: [3] }] }] },
        { timeMs: 10, procs: [{ pid: 2, vmas: [{ pages: [3] }] }] },
      ],
    });
    expect(runNoneModel([d])).toMatchObject({ processes: 1, residentPages: 1 });
  });
});
