import { buildDump } from '../merge/common/test-dumps';
import { analyzeSharing, SHARING_CATEGORIES } from './sharing-analysis';

const cats = (r: ReturnType<typeof analyzeSharing>['total']) =>
  Object.fromEntries(SHARING_CATEGORIES.map((c) => [c, r.categories[c].pages]).filter(([, v]) => v));

describe('sharing analysis', () => {
  const dumpA = buildDump({
    fn: 'a',
    snapshots: [
      {
        timeMs: 0,
        procs: [
          // p1: 1 unique(5) page, content 1 twice (within), zero, shared-mapping page, page cache frame 500
          {
            pid: 1,
            vmas: [
              { pages: [1, 1, 5, 'zero', 2] },
              { shared: true, pages: [{ c: 9, pfn: 400 }] },
              { kind: 'file', pages: [{ c: 8, pfn: 500 }] },
            ],
          },
          { pid: 2, vmas: [{ pages: [1, 2, 6] }, { kind: 'file', pages: [{ c: 8, pfn: 500 }] }] },
        ],
      },
    ],
  });
  const dumpB = buildDump({
    fn: 'b',
    snapshots: [{ timeMs: 0, procs: [{ pid: 3, vmas: [{ pages: [1, 7, { c: 2, thp: true }] }] }] }],
  });

  it('puts every resident page in exactly one category, with the documented precedence', () => {
    const r = analyzeSharing([dumpA, dumpB]);
    const t = r.total;
    expect(t.residentPages).toBe(7 + 4 + 3);
    const sum = SHARING_CATEGORIES.reduce((s, c) => s + t.categories[c].pages, 0);
    expect(sum).toBe(t.residentPages);
    expect(cats(t)).toEqual({
      alreadyShared: 1, // pid 2's mapping of page-cache frame 500
      sharedMapping: 1,
      notMergeable: 1, // THP under the default (upm) rules
      zeroFilled: 1,
      duplicateWithinProcess: 1, // p1's second content-1 page
      duplicateSameFunction: 2, // p2's content 1 and 2
      duplicateCrossFunction: 1, // p3's content 1
      retainedCopy: 2, // first copies of 1 and 2
      unique: 4, // 5, 6, 7 and the page-cache frame (one frame, mapped twice)
    });
    expect(r.processes.map((p) => [p.pid, p.function])).toEqual([
      [1, 'a'],
      [2, 'a'],
      [3, 'b'],
    ]);
    expect(r.functions.map((f) => [f.function, f.processes, f.residentPages])).toEqual([
      ['a', 2, 11],
      ['b', 1, 3],
    ]);
  });

  it('KSM rules: page-cache pages cannot merge, THP pages can', () => {
    const r = analyzeSharing([dumpA, dumpB], { mergeability: 'ksm' });
    const c = cats(r.total);
    expect(c.notMergeable).toBe(1); // the file page (its second mapping is alreadyShared)
    expect(c.duplicateSameFunction).toBe(2);
    expect(c.duplicateCrossFunction).toBe(2); // p3's content 1 and its THP content-2 page
  });

  it('a process label overrides the dump header function', () => {
    const d = buildDump({ fn: 'hdr', snapshots: [{ timeMs: 0, procs: [{ pid: 1, fn: 'own', vmas: [{ pages: [1] }] }] }] });
    expect(analyzeSharing([d]).processes[0].function).toBe('own');
  });

  it('gives PSS before and after merging, and physical pages saved', () => {
    const r = analyzeSharing([dumpA, dumpB]);
    const t = r.total;
    // frames: 14 mappings - 1 already shared = 13 frames
    expect(t.physicalPagesBefore).toBe(13);
    expect(t.pssBeforePages).toBeCloseTo(13, 9);
    // groups: content 1 (4 pages -> 1), content 2 (2 anon -> 1): 4 frames saved
    expect(t.physicalPagesAfter).toBe(9);
    expect(t.pssAfterPages).toBeCloseTo(9, 9);
    expect(t.savedBytes).toBe(4 * 4096);
    const p1 = r.processes[0];
    expect(p1.pssBeforePages).toBeCloseTo(6.5, 9); // the page-cache frame is split with p2
    // p1: content 1 x2 of 4 mappings (0.5), content 2 of 2 (0.5), 5, zero, shared, file 0.5
    expect(p1.pssAfterPages).toBeCloseTo(0.5 + 0.5 + 1 + 1 + 1 + 0.5, 9);
    expect(p1.categories.duplicateWithinProcess.percentOfRss).toBeCloseTo(100 / 7, 9);
    expect(p1.categories.unique.mib).toBeCloseTo((2 * 4096) / 1048576, 12);
  });
});
