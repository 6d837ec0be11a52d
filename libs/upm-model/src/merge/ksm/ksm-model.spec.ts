import { buildDump, range, repeat, DumpSpec } from '../common/test-dumps';
import { runKsmModel, KsmOptions } from './ksm-model';

const run = (spec: DumpSpec, o: KsmOptions = {}) =>
  runKsmModel([buildDump(spec)], { timelineResolutionMs: 0, ...o, params: { pagesToScan: 1000, sleepMs: 10, ...(o.params ?? {}) } });

const procs = (n: number, pages: (i: number) => (number | 'zero')[]) =>
  range(0, n).map((i) => ({ pid: 100 + i, vmas: [{ pages: pages(i) }] }));

describe('KSM model', () => {
  it('merges content identical across processes: 4 x 20 pages, 50% common -> shared 10, sharing 30', () => {
    const r = run({ snapshots: [{ timeMs: 0, procs: procs(4, (i) => [...range(0, 10), ...range(1000 + i * 100, 1010 + i * 100)]) }] });
    expect(r.converged.pagesShared).toBe(10);
    expect(r.converged.pagesSharing).toBe(30);
    expect(r.converged.pagesUnshared).toBe(40);
    expect(r.savedBytes).toBe(30 * 4096);
    expect(r.didConverge).toBe(true);
  });

  it('merges duplicates within one process', () => {
    const r = run({ snapshots: [{ timeMs: 0, procs: [{ pid: 1, vmas: [{ pages: [1, 1, 1, 2, 2, 3] }] }] }] });
    expect(r.converged.pagesShared).toBe(2);
    expect(r.converged.pagesSharing).toBe(3);
  });

  it('a page merges at its second visit at the earliest (checksum rule): nothing after one pass', () => {
    const spec = { snapshots: [{ timeMs: 0, procs: procs(2, () => range(0, 50)) }] };
    const one = run(spec, { maxPasses: 1 });
    expect(one.converged.fullScans).toBe(1);
    expect(one.converged.pagesSharing).toBe(0);
    expect(one.converged.pagesVolatile).toBe(100);
    const two = run(spec, { maxPasses: 2 });
    expect(two.converged.pagesSharing).toBe(50);
  });

  it('pages that keep changing stay volatile and never merge', () => {
    const snap = (t: number, v: number) => ({ timeMs: t, procs: procs(2, () => [...range(0, 5), v, v + 1]) });
    const r = run({ snapshots: [snap(0, 100), snap(50, 200), snap(100, 300)] });
    expect(r.converged.pagesSharing).toBe(5);
    expect(r.converged.pagesVolatile).toBe(4);
    const still = run({ snapshots: [snap(0, 100), snap(50, 200), snap(100, 300)] }, { continuingWrites: 'none' });
    expect(still.converged.pagesSharing).toBe(7);
  });

  it('max_page_sharing: n copies of one content save n - ceil(n/256), as a chain of dups', () => {
    const r = run({ snapshots: [{ timeMs: 0, procs: [{ pid: 1, vmas: [{ pages: repeat(7, 600) }] }] }] });
    expect(r.converged.pagesShared).toBe(3);
    expect(r.converged.pagesSharing).toBe(597);
    expect(r.converged.stableNodeChains).toBe(1);
    expect(r.converged.stableNodeDups).toBe(3);
    const odd = run({ snapshots: [{ timeMs: 0, procs: [{ pid: 1, vmas: [{ pages: repeat(7, 257) }] }] }] });
    expect(odd.converged.pagesShared).toBe(1);
    expect(odd.converged.pagesSharing).toBe(255);
    expect(odd.converged.pagesUnshared).toBe(1);
    const cap = run(
      { snapshots: [{ timeMs: 0, procs: [{ pid: 1, vmas: [{ pages: repeat(7, 600) }] }] }] },
      { params: { maxPageSharing: 1000 } },
    );
    expect(cap.converged.pagesShared).toBe(1);
    expect(cap.converged.pagesSharing).toBe(599);
  });

  it('use_zero_pages=1 maps zero-filled pages to the zero page outside pages_shared/pages_sharing', () => {
    const spec = { snapshots: [{ timeMs: 0, procs: procs(2, () => [...repeat<'zero'>('zero', 10), 1]) }] };
    const z1 = run(spec, { params: { useZeroPages: true } });
    expect(z1.converged.ksmZeroPages).toBe(20);
    expect(z1.converged.pagesShared).toBe(1);
    expect(z1.converged.pagesSharing).toBe(1);
    const z0 = run(spec, { params: { useZeroPages: false } });
    expect(z0.converged.ksmZeroPages).toBe(0);
    expect(z0.converged.pagesShared).toBe(2);
    expect(z0.converged.pagesSharing).toBe(20);
  });

  it('never merges MAP_SHARED memory, page-cache pages, or VMAs without MADV_MERGEABLE', () => {
    const r = run({
      snapshots: [
        {
          timeMs: 0,
          procs: procs(2, () => []).map((p) => ({
            ...p,
            vmas: [
              { pages: range(0, 5), shared: true },
              { pages: range(10, 15), kind: 'file' as const },
              { pages: range(20, 25), mergeable: false },
            ],
          })),
        },
      ],
    });
    expect(r.converged.pagesShared).toBe(0);
    expect(r.converged.pagesSharing).toBe(0);
    expect(r.converged.rmapItems).toBe(0);
  });

  it('merges copied-on-write (anonymous) pages of a private file mapping', () => {
    const r = run({
      snapshots: [
        { timeMs: 0, procs: procs(2, () => []).map((p) => ({ ...p, vmas: [{ kind: 'file' as const, pages: [{ c: 1, file: false }, { c: 2 }] }] })) },
      ],
    });
    expect(r.converged.pagesShared).toBe(1);
    expect(r.converged.pagesSharing).toBe(1);
  });

  it('PR_SET_MEMORY_MERGE (ksm_merge_any) makes private VMAs mergeable where the dump has no VmFlags', () => {
    const r = run({
      snapshots: [
        { timeMs: 0, procs: procs(2, () => []).map((p) => ({ ...p, mergeAny: true, vmas: [{ pages: range(0, 4), mergeable: false, flags: [] }] })) },
      ],
    });
    expect(r.converged.pagesSharing).toBe(4);
  });

  it('with ksm_merge_any, a VMA whose VmFlags lack mg is not scanned (the stack of a process that inherited the flag across exec)', () => {
    const r = run({
      snapshots: [
        {
          timeMs: 0,
          procs: procs(2, () => []).map((p) => ({
            ...p,
            mergeAny: true,
            vmas: [{ pages: range(0, 4) }, { pages: range(100, 103), mergeable: false, path: '[stack]' }],
          })),
        },
      ],
    });
    // Only the 4 pages of the mg VMA merge; the 3 identical stack pages of each process stay apart.
    expect(r.converged.pagesSharing).toBe(4);
    expect(r.converged.pagesShared).toBe(4);
  });

  it('assumeMergeable marks every eligible VMA, stack included (as a prctl made now would)', () => {
    const r = run(
      {
        snapshots: [
          { timeMs: 0, procs: procs(2, () => []).map((p) => ({ ...p, vmas: [{ pages: range(0, 4) }, { pages: range(100, 103), mergeable: false, path: '[stack]' }] })) },
        ],
      },
      { assumeMergeable: true },
    );
    expect(r.converged.pagesSharing).toBe(7);
  });

  it('smart_scan examines an unmerged page at passes 1, 2, 3, 4, 6, 9 and skips 5, 7, 8', () => {
    const r = run({ snapshots: [{ timeMs: 0, procs: [{ pid: 1, vmas: [{ pages: [42] }] }] }] }, { maxPasses: 9 });
    expect(r.converged.fullScans).toBe(9);
    expect(r.converged.pagesScanned).toBe(6);
    expect(r.converged.pagesSkipped).toBe(3);
    const off = run({ snapshots: [{ timeMs: 0, procs: [{ pid: 1, vmas: [{ pages: [42] }] }] }] }, { maxPasses: 9, params: { smartScan: false } });
    expect(off.converged.pagesScanned).toBe(9);
  });

  it('a write to a KSM page takes that mapping out of pages_sharing once ksmd revisits it', () => {
    const r = run({
      snapshots: [
        { timeMs: 0, procs: procs(2, () => [1, 2]) },
        { timeMs: 1000, procs: procs(2, (i) => (i === 0 ? [1, 99] : [1, 2])) },
      ],
    });
    // page 1 still shared by both; page 2's KSM page keeps one mapping (shared, not sharing)
    expect(r.converged.pagesShared).toBe(2);
    expect(r.converged.pagesSharing).toBe(1);
  });

  it('when every mapping of a KSM page is written the stale node leaves both counters', () => {
    const r = run({
      snapshots: [
        { timeMs: 0, procs: procs(2, () => [1, 2]) },
        { timeMs: 1000, procs: procs(2, (i) => [1, 50 + i]) },
      ],
    });
    expect(r.converged.pagesShared).toBe(1);
    expect(r.converged.pagesSharing).toBe(1);
  });

  it('on exit the process leaves the counters: the survivor keeps a KSM page with one mapping', () => {
    const r = run({
      snapshots: [
        { timeMs: 0, procs: procs(2, () => [1, 2, 3]) },
        { timeMs: 1000, procs: procs(1, () => [1, 2, 3]) },
      ],
    });
    expect(r.converged.pagesShared).toBe(3);
    expect(r.converged.pagesSharing).toBe(0);
    expect(r.converged.rmapItems).toBe(3);
    expect(r.processes).toBe(1);
  });

  it('a process registered mid-pass goes behind the cursor: scanned only after the others', () => {
    // A and C registered at t=0 (list A, C); B registers while the cursor is in C, so the list is A, B, C:
    // B is first visited in the pass after, and the pass that was running ends without it.
    const a = { pid: 1, vmas: [{ pages: range(0, 10) }] };
    const c = { pid: 3, vmas: [{ pages: range(100, 300) }] };
    const b = { pid: 2, vmas: [{ pages: range(500, 510) }] };
    const spec = { snapshots: [{ timeMs: 0, procs: [a, c] }, { timeMs: 30, procs: [a, c, b] }] };
    // 50 pages per batch, 4 ms tick (HZ 250), sleep 10 ms: batches at 0, 16, 32 (cursor in C), ...
    const r = run(spec, { params: { pagesToScan: 50 }, maxPasses: 1 });
    expect(r.converged.fullScans).toBe(1);
    expect(r.converged.pagesScanned).toBe(210);
  });

  it('pages_to_scan and sleep follow the HZ tick: 100 pages per 24 ms at HZ 250', () => {
    const r = runKsmModel([buildDump({ snapshots: [{ timeMs: 0, procs: [{ pid: 1, vmas: [{ pages: range(0, 1000) }] }] }] })], {
      params: { pagesToScan: 100, sleepMs: 20 },
      maxPasses: 1,
    });
    // 10 full batches + the batch that ends the pass; each batch period is 6 ticks
    expect(r.simulatedSec).toBeGreaterThan(0.24 - 0.01);
    expect(r.simulatedSec).toBeLessThan(0.24 + 0.01);
  });
});
