import { buildDump, range, repeat, DumpSpec, ProcSpec } from '../common/test-dumps';
import { runUpmModel, UpmCall, DEFAULT_UPM_COSTS } from './upm-model';

const P = (pid: number, pages: ProcSpec['vmas'][number]['pages'], extra: Partial<ProcSpec['vmas'][number]> = {}): ProcSpec => ({
  pid,
  vmas: [{ pages, ...extra }],
});
const run = (spec: DumpSpec, calls?: UpmCall[]) => runUpmModel([buildDump(spec)], { calls });

describe('UPM model', () => {
  it('the first registrant owns the copy; later callers merge into it and are not registered', () => {
    const r = run({ snapshots: [{ timeMs: 0, procs: [P(1, range(0, 10)), P(2, range(0, 10)), P(3, range(0, 10))] }] });
    expect(r.calls.map((c) => [c.misses, c.merges])).toEqual([
      [10, 0],
      [0, 10],
      [0, 10],
    ]);
    expect(r.tableEntries).toBe(10);
    expect(r.pagesShared).toBe(10);
    expect(r.pagesSharing).toBe(20);
    expect(r.physicalPagesAfter).toBe(10);
    expect(r.savedBytes).toBe(20 * 4096);
  });

  it('ownership is lost when the owner exits: the next caller becomes a new copy', () => {
    const r = run(
      {
        snapshots: [
          { timeMs: 0, procs: [P(1, [1, 2]), P(2, [1, 2])] },
          { timeMs: 100, procs: [P(2, [1, 2]), P(3, [1, 2])] },
        ],
      },
      [
        { pid: 1, timeMs: 0 },
        { pid: 2, timeMs: 0 },
        { pid: 3, timeMs: 100 },
      ],
    );
    expect(r.calls[2].merges).toBe(0);
    expect(r.calls[2].misses).toBe(2);
    // pid 2 keeps mapping pid 1's old frames alone; pid 3 has its own: nothing saved at the end
    expect(r.physicalPagesAfter).toBe(4);
    expect(r.pagesSharing).toBe(0);
  });

  it('ownership is lost when the owner writes the page: the next caller becomes a new copy', () => {
    const r = run(
      {
        snapshots: [
          { timeMs: 0, procs: [P(1, [1, 2]), P(2, [1, 2])] },
          { timeMs: 100, procs: [P(1, [1, 9]), P(2, [1, 2]), P(3, [1, 2])] },
        ],
      },
      [
        { pid: 1, timeMs: 0 },
        { pid: 2, timeMs: 0 },
        { pid: 3, timeMs: 100 },
      ],
    );
    // page 1 still valid (merged), page 2's entry is stale: deleted on lookup, pid 3 inserts its own
    expect(r.calls[2]).toMatchObject({ merges: 1, misses: 1, staleEntries: 1 });
  });

  it('a write by a merged caller is copy-on-write: that mapping no longer saves', () => {
    const r = run(
      {
        snapshots: [
          { timeMs: 0, procs: [P(1, [1, 2]), P(2, [1, 2])] },
          { timeMs: 100, procs: [P(1, [1, 2]), P(2, [1, 5])] },
        ],
      },
      [
        { pid: 1, timeMs: 0 },
        { pid: 2, timeMs: 0 },
      ],
    );
    expect(r.pagesSharing).toBe(1);
    expect(r.physicalPagesAfter).toBe(3);
  });

  it('anon pages merge only with anon pages and page-cache pages only with page-cache pages', () => {
    const r = run({
      snapshots: [
        {
          timeMs: 0,
          procs: [
            { pid: 1, vmas: [{ pages: [1] }, { kind: 'file', pages: [{ c: 2, pfn: 50 }] }] },
            { pid: 2, vmas: [{ kind: 'file', pages: [{ c: 1, pfn: 60 }] }, { pages: [2] }] },
            { pid: 3, vmas: [{ pages: [1] }, { kind: 'file', pages: [{ c: 2, pfn: 70 }] }] },
          ],
        },
      ],
    });
    expect(r.calls.map((c) => c.merges)).toEqual([0, 0, 2]);
    expect(r.calls[1].misses).toBe(2);
  });

  it('private file pages of the same page-cache frame are already one page: no merge, no insert', () => {
    const r = run({
      snapshots: [{ timeMs: 0, procs: [1, 2].map((pid) => ({ pid, vmas: [{ kind: 'file' as const, pages: [{ c: 3, pfn: 77 }] }] })) }],
    });
    expect(r.calls[1]).toMatchObject({ merges: 0, misses: 0, sameFrame: 1 });
    expect(r.physicalPagesBefore).toBe(1);
    expect(r.savedBytes).toBe(0);
  });

  it('skips shared VMAs and THP pages', () => {
    const r = run({
      snapshots: [
        {
          timeMs: 0,
          procs: [1, 2].map((pid) => ({
            pid,
            vmas: [{ shared: true, pages: [{ c: 1, pfn: 90 + pid }] }, { pages: [{ c: 2, thp: true }, 3] }],
          })),
        },
      ],
    });
    expect(r.calls.map((c) => [c.pagesHashed, c.thpSkipped, c.merges])).toEqual([
      [1, 1, 0],
      [1, 1, 1],
    ]);
  });

  it('has no sharing cap: 1000 copies become one page', () => {
    const r = run({ snapshots: [{ timeMs: 0, procs: [P(1, repeat(4, 1000))] }] });
    expect(r.physicalPagesAfter).toBe(1);
    expect(r.pagesSharing).toBe(999);
    expect(r.pagesShared).toBe(1);
  });

  it('treats zero-filled pages like any other content', () => {
    const r = run({ snapshots: [{ timeMs: 0, procs: [P(1, repeat<'zero'>('zero', 5)), P(2, repeat<'zero'>('zero', 5))] }] });
    expect(r.pagesSharing).toBe(9);
  });

  it('looks only at pages resident at call time; pages faulted in later never merge', () => {
    const r = run(
      {
        snapshots: [
          { timeMs: 0, procs: [P(1, [1, 2]), P(2, [1])] },
          { timeMs: 100, procs: [P(1, [1, 2]), { pid: 2, vmas: [{ pages: [1, 2] }] }] },
        ],
      },
      [
        { pid: 1, timeMs: 0 },
        { pid: 2, timeMs: 0 },
      ],
    );
    expect(r.calls[1].merges).toBe(1);
    expect(r.pagesSharing).toBe(1);
  });

  it('re-registration: same hash is skipped; a changed hash drops the old entry and goes on', () => {
    const r = run(
      {
        snapshots: [
          { timeMs: 0, procs: [P(1, [1, 2])] },
          { timeMs: 100, procs: [P(1, [1, 3]), P(2, [2, 3])] },
        ],
      },
      [
        { pid: 1, timeMs: 0 },
        { pid: 1, timeMs: 100 },
        { pid: 2, timeMs: 100 },
      ],
    );
    expect(r.calls[1]).toMatchObject({ alreadyRegistered: 1, reRegistered: 1, misses: 1 });
    // content 2's entry was dropped: pid 2's page 2 is a new copy; its page 3 merges into pid 1's
    expect(r.calls[2]).toMatchObject({ misses: 1, merges: 1 });
  });

  it('ranges limit the call to [start, end) of the address space', () => {
    const d = buildDump({ snapshots: [{ timeMs: 0, procs: [P(1, range(0, 8)), P(2, range(0, 8))] }] });
    const start = d.snapshots[0].processes[1].info.vmas[0].start;
    const r = runUpmModel([d], {
      calls: [
        { pid: 1, timeMs: 0 },
        { pid: 2, timeMs: 0, ranges: [[start, start + 3 * 4096]] },
      ],
    });
    expect(r.calls[1]).toMatchObject({ pagesWalked: 3, pagesHashed: 3, merges: 3 });
  });

  it('prices each call from its operation counts with the configured costs', () => {
    const d = buildDump({ snapshots: [{ timeMs: 0, procs: [P(1, [1, 2]), P(2, [1, 5])] }] });
    const r = runUpmModel([d], { costs: { hashUs: 1, walkUs: 0 } });
    const c = { ...DEFAULT_UPM_COSTS, hashUs: 1, walkUs: 0 };
    const second = r.calls[1];
    expect(second).toMatchObject({ pagesHashed: 2, merges: 1, misses: 1, revalidations: 1 });
    expect(second.costUs).toBeCloseTo(
      2 * (c.hashUs + c.rmapLookupUs) + 1 * c.hashUs + (2 * c.wrprotectUs + c.memcmpUs + c.replaceUs) + c.insertUs,
      9,
    );
    expect(r.totalCostUs).toBeCloseTo(r.calls[0].costUs + second.costUs, 9);
  });

  it('anonymousOnly (the 6.12 port): page-cache pages and zero-page mappings are not hashed, registered or merged', () => {
    // two processes with the same anonymous page and the same page-cache content in different frames
    const spec: DumpSpec = {
      snapshots: [
        {
          timeMs: 0,
          procs: [1, 2].map((pid) => ({
            pid,
            vmas: [
              { pages: [1, { c: 'zero' as const, zeroPage: true }] },
              { kind: 'file' as const, pages: [{ c: 2, pfn: 100 + pid }] },
            ],
          })),
        },
      ],
    };
    const usm = runUpmModel([buildDump(spec)]);
    const port = runUpmModel([buildDump(spec)], { anonymousOnly: true });
    // usm.c: the anonymous page, the zero-page mapping and the page-cache page are all hashed; the second
    // caller merges the anonymous and the page-cache page and finds the zero page already its own frame
    expect(usm.calls.map((c) => [c.pagesHashed, c.misses, c.merges, c.sameFrame])).toEqual([
      [3, 3, 0, 0],
      [3, 0, 2, 1],
    ]);
    // the port: only the anonymous page
    expect(port.calls.map((c) => [c.pagesHashed, c.misses, c.merges])).toEqual([
      [1, 1, 0],
      [1, 0, 1],
    ]);
    expect(port.tableEntries).toBe(1);
    expect(port.pagesSharing).toBe(1);
  });
});
