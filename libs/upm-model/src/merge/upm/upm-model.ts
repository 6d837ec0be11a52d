/**
 * UPM (User-guided Page Merging, Qiu et al., IEEE BigData 2023; spcl/UPM mm/usm.c) replayed over dumps.
 *
 * Each madvise(MADV_SHAREABLE) call is replayed in time order over the pages resident at call time
 * (the caller's snapshot current at that time), page by page in address order (usm_madvise):
 *  - whole VMAs that are shared or special (PFNMAP/IO/DONTEXPAND/HUGETLB/MIXEDMAP) are skipped;
 *    absent, swapped and unhashed pages are skipped; THP-mapped pages are skipped (do not merge);
 *  - rmap check: (process, address) already registered with the same hash -> skip; with another hash ->
 *    the registration is dropped together with the NEWEST table entry carrying the old hash (usm.c
 *    deletes the first node of the bucket with that hash, whoever owns it) and the page goes on;
 *  - search the one global table, newest entry first, among entries with the same hash. Each is lazily
 *    re-validated: owner alive, its page at the owner's address present, same hash, same frame; else
 *    the entry is deleted (and the owner's registration too when the caller is the owner, because
 *    usm.c looks the registration up in the caller's rmap bucket) and the walk goes on;
 *    an entry of the other kind (anon vs page cache) is passed over;
 *    an entry whose frame is the caller's own frame ends the page (already one page, nothing inserted);
 *    a valid same-kind entry: the caller's pte is pointed at the entry's frame (merge); the caller is
 *    NOT registered;
 *  - no valid entry: the caller's page becomes a new entry and the caller is registered (a miss).
 * Exit (usm_exit) deletes the exiting process's entries and registrations. Writes are copy-on-write:
 * a page whose content differs in a later snapshot has a new private frame; an owner that wrote its
 * page no longer validates, so the next caller with that content starts a new copy.
 * No cap on sharing, no zero-page special case.
 */
import type { Dump } from '../../dump/types';
import { PageFlag } from '../../dump/types';
import { buildWorld, isAlive, ProcState, ProcTrack, stateAt, throwIfAborted, VmaClass, World } from '../../sharing/world';
import { aliveAtEnd, countFrames } from '../common/accounting';
import type { MergeResultBase, ModelRunOptions } from '../common/types';

export interface UpmCall {
  pid: number;
  /** Disambiguates a reused pid (field 22 of /proc/PID/stat); optional. */
  startTime?: number;
  /** Half-open byte ranges [start, end); default: every private VMA of the process. */
  ranges?: [number, number][];
  /** Milliseconds since the first snapshot. */
  timeMs: number;
}

/** Per-operation costs in microseconds (estimates; see docs/merge-models.md). */
export interface UpmCosts {
  /** follow_page: one page-table walk per page address of the range. */
  walkUs: number;
  /** xxh64 of one 4 KiB page (the caller's page, and each re-validated table entry). */
  hashUs: number;
  /** rmap table lookup for the (process, address) registration. */
  rmapLookupUs: number;
  /** one write-protect (two per merge attempt). */
  wrprotectUs: number;
  /** 4 KiB memcmp. */
  memcmpUs: number;
  /** replace_page: PTE swap with TLB flush, rmap updates, freeing the caller's page. */
  replaceUs: number;
  /** a miss: two slab allocations and two hash-list inserts. */
  insertUs: number;
  /** deleting a stale entry. */
  staleUs: number;
}

export const DEFAULT_UPM_COSTS: UpmCosts = {
  walkUs: 0.05,
  hashUs: 0.5,
  rmapLookupUs: 0.03,
  wrprotectUs: 0.15,
  memcmpUs: 0.15,
  replaceUs: 0.6,
  insertUs: 0.25,
  staleUs: 0.1,
};

export interface UpmCallReport {
  pid: number;
  timeMs: number;
  pagesWalked: number;
  pagesHashed: number;
  alreadyRegistered: number;
  reRegistered: number;
  merges: number;
  misses: number;
  sameFrame: number;
  staleEntries: number;
  revalidations: number;
  thpSkipped: number;
  costUs: number;
  skipped?: string;
}

export interface UpmResult extends MergeResultBase {
  model: 'upm';
  calls: UpmCallReport[];
  totalMerges: number;
  totalMisses: number;
  totalCostUs: number;
  /** Entries left in the global table at the end. */
  tableEntries: number;
  /** Bytes of the model's own typed arrays (table, registrations, merged mappings), excluding the world. */
  modelBytes: number;
  costs: UpmCosts;
}

export interface UpmOptions extends ModelRunOptions {
  /** Default: one call per process at the time it is first seen, over all private VMAs. */
  calls?: UpmCall[];
  costs?: Partial<UpmCosts>;
}

export function defaultUpmCalls(world: World): UpmCall[] {
  return world.procs.map((t) => ({ pid: t.pid, startTime: t.startTime, timeMs: t.firstTimeMs }));
}

class Growable {
  a: Int32Array;
  constructor(n: number) {
    this.a = new Int32Array(n);
  }
  ensure(n: number): Int32Array {
    if (n > this.a.length) {
      const b = new Int32Array(Math.max(n, this.a.length * 2));
      b.set(this.a);
      this.a = b;
    }
    return this.a;
  }
}

export function runUpmModel(input: Dump[] | World, options: UpmOptions = {}): UpmResult {
  const world = Array.isArray(input) ? buildWorld(input, { signal: options.signal }) : input;
  const costs: UpmCosts = { ...DEFAULT_UPM_COSTS, ...(options.costs ?? {}) };
  const calls = [...(options.calls ?? defaultUpmCalls(world))]
    .map((c, i) => ({ c, i }))
    .sort((a, b) => a.c.timeMs - b.c.timeMs || a.i - b.i)
    .map((x) => x.c);
  const procs = world.procs;
  const nContents = world.contents.size;

  // the global table: entries chained per content id, newest first
  const chainHead = new Int32Array(nContents).fill(-1);
  const gProc = new Growable(1024);
  const gSlot = new Growable(1024);
  const gFrame = new Growable(1024);
  const gContent = new Growable(1024);
  const gKind = new Growable(1024);
  const gNext = new Growable(1024);
  let nEntries = 0;
  let liveEntries = 0;
  // per process and slot: registered content (-1 none), entry id, merged frame and the content merged
  const regContent: Int32Array[] = procs.map((t) => new Int32Array(0));
  const mergedFrame: Int32Array[] = procs.map(() => new Int32Array(0));
  const mergedContent: Int32Array[] = procs.map(() => new Int32Array(0));
  const touched = new Uint8Array(procs.length);
  const touch = (pi: number) => {
    if (touched[pi]) return;
    touched[pi] = 1;
    const n = procs[pi].slotCount;
    regContent[pi] = new Int32Array(n).fill(-1);
    mergedFrame[pi] = new Int32Array(n).fill(-1);
    mergedContent[pi] = new Int32Array(n).fill(-1);
  };
  const exited = new Uint8Array(procs.length);

  const byPid = new Map<number, ProcTrack[]>();
  for (const t of procs) {
    const l = byPid.get(t.pid) ?? [];
    l.push(t);
    byPid.set(t.pid, l);
  }

  const unlink = (content: number, e: number) => {
    const next = gNext.a;
    let prev = -1;
    let cur = chainHead[content];
    while (cur !== -1 && cur !== e) {
      prev = cur;
      cur = next[cur];
    }
    if (cur === -1) return;
    if (prev === -1) chainHead[content] = next[cur];
    else next[prev] = next[cur];
    liveEntries--;
  };

  /** usm_exit: drop every entry and registration of the process. */
  const processExit = (pi: number) => {
    if (exited[pi]) return;
    exited[pi] = 1;
    if (!touched[pi]) return;
    const rc = regContent[pi];
    for (let s = 0; s < rc.length; s++) {
      if (rc[s] >= 0) {
        // usm_exit removes the page node matching (hash, mm, addr)
        const e = findEntry(rc[s], pi, s);
        if (e !== -1) unlink(rc[s], e);
        rc[s] = -1;
      }
    }
  };
  const findEntry = (content: number, pi: number, slot: number): number => {
    for (let e = chainHead[content]; e !== -1; e = gNext.a[e]) if (gProc.a[e] === pi && gSlot.a[e] === slot) return e;
    return -1;
  };

  const pageOf = (st: ProcState, slot: number) => (st.pageOfSlot ? st.pageOfSlot[slot] : slot);

  const reports: UpmCallReport[] = [];
  let totalMerges = 0;
  let totalMisses = 0;
  let totalCost = 0;
  const exitQueue = [...procs].filter((t) => t.exitTimeMs !== Infinity).sort((a, b) => a.exitTimeMs - b.exitTimeMs);
  let exitPos = 0;

  calls.forEach((call, ci) => {
    throwIfAborted(options.signal);
    const t = call.timeMs;
    while (exitPos < exitQueue.length && exitQueue[exitPos].exitTimeMs <= t) processExit(exitQueue[exitPos++].index);
    const rep: UpmCallReport = {
      pid: call.pid,
      timeMs: t,
      pagesWalked: 0,
      pagesHashed: 0,
      alreadyRegistered: 0,
      reRegistered: 0,
      merges: 0,
      misses: 0,
      sameFrame: 0,
      staleEntries: 0,
      revalidations: 0,
      thpSkipped: 0,
      costUs: 0,
    };
    reports.push(rep);
    const cands = (byPid.get(call.pid) ?? []).filter(
      (tr) => (call.startTime === undefined || tr.startTime === call.startTime) && isAlive(tr, t),
    );
    const tr = cands.length ? cands[cands.length - 1] : undefined;
    if (!tr) {
      rep.skipped = `pid ${call.pid} is not alive at ${t} ms`;
      return;
    }
    const pi = tr.index;
    touch(pi);
    const st = stateAt(tr, t);
    const p = st.pages;
    const vmas = p.info.vmas;
    const ranges = call.ranges;
    const rc = regContent[pi];
    const mf = mergedFrame[pi];
    const mc = mergedContent[pi];
    const ps = world.pageSize;
    // address walk cost: every page address of every eligible VMA inside the ranges
    const vmaOk = new Uint8Array(vmas.length);
    vmas.forEach((v, vi) => {
      if (st.vmaClass[vi] & (VmaClass.Shared | VmaClass.Special)) return;
      let n = 0;
      if (!ranges) n = (v.end - v.start) / ps;
      else
        for (const [a, b] of ranges) {
          const lo = Math.max(a, v.start);
          const hi = Math.min(b, v.end);
          if (hi > lo) n += Math.ceil((hi - lo) / ps);
        }
      if (n > 0) {
        vmaOk[vi] = 1;
        rep.pagesWalked += n;
      }
    });
    const fl = p.flags;
    const content = st.content;
    const frame = st.frame;
    const slotOf = st.slotOfPage;
    for (let k = 0; k < p.count; k++) {
      const vi = p.vmaOf[k];
      if (!vmaOk[vi]) continue;
      if (ranges) {
        const addr = vmas[vi].start + p.pageIndex[k] * ps;
        let inside = false;
        for (const [a, b] of ranges)
          if (addr >= a && addr < b) {
            inside = true;
            break;
          }
        if (!inside) continue;
      }
      const f = fl[k];
      if (!(f & PageFlag.Present)) continue;
      if (f & PageFlag.Thp) {
        rep.thpSkipped++;
        continue;
      }
      const c = content[k];
      if (c < 0) continue;
      const slot = slotOf ? slotOf[k] : k;
      const kind = f & (PageFlag.File | PageFlag.ZeroPage) ? 1 : 0;
      const myFrame = mf[slot] >= 0 && mc[slot] === c ? mf[slot] : frame[k];
      rep.pagesHashed++;
      const old = rc[slot];
      if (old === c) {
        rep.alreadyRegistered++;
        continue;
      }
      if (old >= 0) {
        // drop the registration and the newest entry carrying the old hash (whoever owns it)
        rep.reRegistered++;
        const victim = chainHead[old];
        if (victim !== -1) unlink(old, victim);
        rc[slot] = -1;
      }
      let done = false;
      let e = chainHead[c];
      while (e !== -1) {
        const next = gNext.a[e];
        rep.revalidations++;
        const op = gProc.a[e];
        const otr = procs[op];
        let valid = !exited[op] && isAlive(otr, t);
        // a process seen in one snapshot only cannot have written its page since it registered
        if (valid && otr.states.length > 1) {
          const ost = stateAt(otr, t);
          const ok = pageOf(ost, gSlot.a[e]);
          valid =
            ok >= 0 &&
            (ost.pages.flags[ok] & PageFlag.Present) !== 0 &&
            ost.content[ok] === c &&
            ost.frame[ok] === gFrame.a[e];
        }
        if (!valid) {
          rep.staleEntries++;
          if (op === pi) {
            const os = gSlot.a[e];
            if (rc[os] === c) rc[os] = -1;
          }
          unlink(c, e);
          e = next;
          continue;
        }
        if (gKind.a[e] !== kind) {
          e = next;
          continue;
        }
        if (gFrame.a[e] === myFrame) {
          rep.sameFrame++;
          done = true;
          break;
        }
        mf[slot] = gFrame.a[e];
        mc[slot] = c;
        rep.merges++;
        done = true;
        break;
      }
      if (done) continue;
      // miss: the page becomes the entry for its content
      const id = nEntries++;
      gProc.ensure(nEntries)[id] = pi;
      gSlot.ensure(nEntries)[id] = slot;
      gFrame.ensure(nEntries)[id] = myFrame;
      gContent.ensure(nEntries)[id] = c;
      gKind.ensure(nEntries)[id] = kind;
      gNext.ensure(nEntries)[id] = chainHead[c];
      chainHead[c] = id;
      liveEntries++;
      rc[slot] = c;
      mf[slot] = -1;
      rep.misses++;
    }
    rep.costUs =
      rep.pagesWalked * costs.walkUs +
      rep.pagesHashed * (costs.hashUs + costs.rmapLookupUs) +
      rep.revalidations * costs.hashUs +
      rep.merges * (2 * costs.wrprotectUs + costs.memcmpUs + costs.replaceUs) +
      rep.misses * costs.insertUs +
      rep.staleEntries * costs.staleUs;
    totalMerges += rep.merges;
    totalMisses += rep.misses;
    totalCost += rep.costUs;
    options.onProgress?.({ phase: 'calls', done: ci + 1, total: calls.length });
  });

  // accounting at the end of the observation
  const alive = aliveAtEnd(world);
  const before = countFrames(world, alive);
  const mergedRef = new Int32Array(world.frameCount);
  const frameOfFinal = (tr: ProcTrack, k: number): number => {
    const st = tr.states[tr.states.length - 1];
    const pi = tr.index;
    if (!touched[pi]) return st.frame[k];
    const slot = st.slotOfPage ? st.slotOfPage[k] : k;
    const m = mergedFrame[pi][slot];
    return m >= 0 && mergedContent[pi][slot] === st.content[k] ? m : st.frame[k];
  };
  const mapcount = new Int32Array(world.frameCount);
  for (const tr of alive) {
    const st = tr.states[tr.states.length - 1];
    const fl = st.pages.flags;
    for (let k = 0; k < fl.length; k++) {
      if (!(fl[k] & PageFlag.Present)) continue;
      const f = frameOfFinal(tr, k);
      mapcount[f]++;
      if (f !== st.frame[k]) mergedRef[f]++;
    }
  }
  const after = countFrames(world, alive, frameOfFinal);
  let pagesShared = 0;
  for (let f = 0; f < mergedRef.length; f++) if (mergedRef[f] > 0 && mapcount[f] >= 2) pagesShared++;
  const saved = before.physicalPages - after.physicalPages;
  return {
    model: 'upm',
    pageSize: world.pageSize,
    atTimeMs: world.endTimeMs,
    processes: alive.length,
    residentPages: before.residentPages,
    physicalPagesBefore: before.physicalPages,
    physicalPagesAfter: after.physicalPages,
    savedBytes: saved * world.pageSize,
    pagesShared,
    pagesSharing: saved,
    calls: reports,
    totalMerges,
    totalMisses,
    totalCostUs: totalCost,
    tableEntries: liveEntries,
    modelBytes:
      chainHead.byteLength +
      [gProc, gSlot, gFrame, gContent, gKind, gNext].reduce((a, g) => a + g.a.byteLength, 0) +
      [regContent, mergedFrame, mergedContent].reduce((a, arr) => a + arr.reduce((x, y) => x + y.byteLength, 0), 0) +
      mergedRef.byteLength +
      mapcount.byteLength,
    costs,
    warnings: [...world.warnings, ...reports.filter((r) => r.skipped).map((r) => r.skipped!)],
  };
}
