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
import {
  buildWorld,
  isAlive,
  ProcState,
  ProcTrack,
  stateAt,
  throwIfAborted,
  VmaClass,
  World,
} from '../../sharing/world';
import { aliveAtEnd } from '../common/accounting';
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
  /**
   * The rules of the Linux 6.12 port (kernel/upm, docs/upm-kernel.md "What a call does"): only present,
   * small, anonymous pages are taken; page-cache pages and zero-page mappings are skipped before they are
   * hashed (not counted in pagesHashed, never entries, never merged). Default false: usm.c's rules, which
   * hash, register and merge page cache with page cache (and zero-page mappings as non-anonymous pages).
   * Found while preparing the guest validation of Python functions (docs/validation.md), whose processes
   * map libraries: the port skips those pages; the conform scenario has anonymous memory only.
   */
  anonymousOnly?: boolean;
}

export function defaultUpmCalls(world: World): UpmCall[] {
  return world.procs.map((t) => ({ pid: t.pid, startTime: t.startTime, timeMs: t.firstTimeMs }));
}

/** Fields of a table entry (an Int32Array record of ENTRY ints). */
const E_PROC = 0; // process index << 1 | kind (1: page cache or zero page, 0: anonymous)
const E_SLOT = 1;
const E_FRAME = 2;
const E_NEXT = 3; // next entry with the same content (older), -1 at the end
const ENTRY = 4;

/**
 * Per-slot state of a process that called: nothing (0, so a new array needs no fill), registered with
 * content c (c + 1), or mapping a merged frame made for content c (-(c + 1)), the frame in `mergedFrame`
 * (read only in that state). A slot is never registered and merged at once: a merge happens only after
 * any registration of the slot was dropped, and a miss (the only way to register) ends the merged mapping.
 */
const NONE = 0;

/** Accounting bits per frame (one byte a frame). */
const B_BEFORE = 1; // mapped by an alive page without merging
const B_AFTER = 2; // mapped after merging
const B_ONE = 4; // mapped at least once after merging
const B_TWO = 8; // mapped at least twice
const B_MERGED = 16; // mapped by a merged page

class UpmReplay {
  readonly procs: ProcTrack[];
  private readonly ps: number;
  /** Newest entry per content id, -1 none. */
  readonly chainHead: Int32Array;
  entries: Int32Array;
  nEntries = 0;
  liveEntries = 0;
  readonly state: Int32Array[];
  readonly mergedFrame: Int32Array[];
  readonly touched: Uint8Array;
  private readonly exited: Uint8Array;
  private readonly firstMs: Float64Array;
  private readonly exitMs: Float64Array;
  private readonly multiState: Uint8Array;
  // the current call's counters
  pagesHashed = 0;
  alreadyRegistered = 0;
  reRegistered = 0;
  merges = 0;
  misses = 0;
  sameFrame = 0;
  staleEntries = 0;
  revalidations = 0;
  thpSkipped = 0;

  constructor(
    world: World,
    /** UpmOptions.anonymousOnly: skip page-cache and zero-page mappings like the 6.12 port */
    private readonly anonymousOnly = false,
  ) {
    const procs = (this.procs = world.procs);
    const n = procs.length;
    this.ps = world.pageSize;
    this.chainHead = new Int32Array(world.contents.size).fill(-1);
    // without writes or exits there is about one entry per content
    this.entries = new Int32Array((world.contents.size + 1024) * ENTRY);
    this.state = new Array<Int32Array>(n);
    this.mergedFrame = new Array<Int32Array>(n);
    this.touched = new Uint8Array(n);
    this.exited = new Uint8Array(n);
    this.firstMs = new Float64Array(n);
    this.exitMs = new Float64Array(n);
    this.multiState = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const t = procs[i];
      this.firstMs[i] = t.firstTimeMs;
      this.exitMs[i] = t.exitTimeMs;
      this.multiState[i] = t.states.length > 1 ? 1 : 0;
    }
  }

  bytes(): number {
    let b = this.chainHead.byteLength + this.entries.byteLength;
    for (let i = 0; i < this.procs.length; i++)
      if (this.touched[i]) b += this.state[i].byteLength + this.mergedFrame[i].byteLength;
    return b;
  }

  resetCounters(): void {
    this.pagesHashed = 0;
    this.alreadyRegistered = 0;
    this.reRegistered = 0;
    this.merges = 0;
    this.misses = 0;
    this.sameFrame = 0;
    this.staleEntries = 0;
    this.revalidations = 0;
    this.thpSkipped = 0;
  }

  touch(pi: number): void {
    if (this.touched[pi]) return;
    this.touched[pi] = 1;
    const n = this.procs[pi].slotCount;
    this.state[pi] = new Int32Array(n);
    this.mergedFrame[pi] = new Int32Array(n);
  }

  /** Takes entry e out of the chain of `content` (if still in it). */
  private unlink(content: number, e: number): void {
    const en = this.entries;
    let prev = -1;
    let cur = this.chainHead[content];
    while (cur !== -1 && cur !== e) {
      prev = cur;
      cur = en[cur * ENTRY + E_NEXT];
    }
    if (cur === -1) return;
    if (prev === -1) this.chainHead[content] = en[cur * ENTRY + E_NEXT];
    else en[prev * ENTRY + E_NEXT] = en[cur * ENTRY + E_NEXT];
    this.liveEntries--;
  }

  /** usm_exit: drop every entry and registration of the process. */
  processExit(pi: number): void {
    if (this.exited[pi]) return;
    this.exited[pi] = 1;
    if (!this.touched[pi]) return;
    const rs = this.state[pi];
    const en = this.entries;
    for (let s = 0; s < rs.length; s++) {
      if (rs[s] <= 0) continue;
      const c = rs[s] - 1;
      // usm_exit removes the page node matching (hash, mm, addr)
      const pk = pi << 1;
      for (let e = this.chainHead[c]; e !== -1; e = en[e * ENTRY + E_NEXT]) {
        if ((en[e * ENTRY + E_PROC] & ~1) === pk && en[e * ENTRY + E_SLOT] === s) {
          this.unlink(c, e);
          break;
        }
      }
      rs[s] = NONE;
    }
  }

  /**
   * Lazy re-validation of entry e (content c) at time t whose owner op is alive then, for an owner seen
   * in more than one snapshot: its page at the registered address is still present, unchanged.
   */
  private ownerPageUnchanged(e: number, op: number, c: number, t: number): boolean {
    const ost = stateAt(this.procs[op], t);
    const slot = this.entries[e * ENTRY + E_SLOT];
    const ok = ost.pageOfSlot ? ost.pageOfSlot[slot] : slot;
    return (
      ok >= 0 &&
      (ost.pages.flags[ok] & PageFlag.Present) !== 0 &&
      ost.content[ok] === c &&
      ost.frame[ok] === this.entries[e * ENTRY + E_FRAME]
    );
  }

  /**
   * The pages of one call (process pi in state st at time t), in address order. `vmaOk` marks the VMAs
   * the call covers; `ranges` (flat [start, end) pairs) restricts it further, or null.
   * The common cases run in `fastRun`, a loop without calls; a page that needs more (re-registration,
   * an entry to re-validate against a later snapshot, a stale entry, an entry of the other kind, a miss
   * when the table is full) goes through `page`, which handles every case.
   */
  replay(pi: number, st: ProcState, t: number, vmaOk: Uint8Array, ranges: Float64Array | null): void {
    const n = st.pages.count;
    // the usual call covers every VMA: then no per-page VMA test
    let everyVma = ranges === null;
    for (let vi = 0; vi < vmaOk.length; vi++) if (vmaOk[vi] === 0) everyVma = false;
    for (let k = 0; k < n; k++) {
      k = this.fastRun(pi, st, t, k, everyVma ? null : vmaOk, ranges);
      if (k < n) {
        // room for one more entry (the fast loop stops at a miss when the table is full)
        if ((this.nEntries + 1) * ENTRY > this.entries.length) {
          const g = new Int32Array(this.entries.length * 2);
          g.set(this.entries);
          this.entries = g;
        }
        this.page(pi, st, t, k);
      }
    }
  }

  // Long on purpose: the model's innermost loop over a call's pages, every simple case inline (the hot path
  // of bench:models); the cases that need more go back to the caller.
  /**
   * Pages k0, k0 + 1, ... of a call while each is simple: skipped, already registered, a miss on an empty
   * chain, or a chain whose newest entry is valid without looking at later snapshots (its owner alive and
   * seen in one snapshot only) and of the page's kind. Returns the index of the first page that is
   * eligible and hashed but not simple (nothing counted for it yet), or the page count.
   */
  private fastRun(
    pi: number,
    st: ProcState,
    t: number,
    k0: number,
    vmaOk: Uint8Array | null,
    ranges: Float64Array | null,
  ): number {
    const p = st.pages;
    const n = p.count;
    const fl = p.flags;
    const vmaOf = p.vmaOf;
    const pageIndex = p.pageIndex;
    const vmas = p.info.vmas;
    const ps = this.ps;
    const content = st.content;
    const frame = st.frame;
    const slotOf = st.slotOfPage;
    const rs = this.state[pi];
    const mf = this.mergedFrame[pi];
    const chainHead = this.chainHead;
    const en = this.entries;
    const exited = this.exited;
    const firstMs = this.firstMs;
    const exitMs = this.exitMs;
    const multiState = this.multiState;
    const anonOnly = this.anonymousOnly;
    let nEntries = this.nEntries;
    let pagesHashed = 0;
    let alreadyRegistered = 0;
    let merges = 0;
    let misses = 0;
    let sameFrame = 0;
    let revalidations = 0;
    let thpSkipped = 0;
    let k = k0;
    for (; k < n; k++) {
      if (vmaOk !== null) {
        const vi = vmaOf[k];
        if (vmaOk[vi] === 0) continue;
        if (ranges !== null) {
          const addr = vmas[vi].start + pageIndex[k] * ps;
          let inside = false;
          for (let i = 0; i < ranges.length; i += 2)
            if (addr >= ranges[i] && addr < ranges[i + 1]) {
              inside = true;
              break;
            }
          if (!inside) continue;
        }
      }
      const f = fl[k];
      if ((f & PageFlag.Present) === 0) continue;
      if (f & PageFlag.Thp) {
        thpSkipped++;
        continue;
      }
      // the 6.12 port takes only anonymous folios: every page skipped here never reaches page()
      if (anonOnly && f & (PageFlag.File | PageFlag.ZeroPage)) continue;
      const c = content[k];
      if (c < 0) continue;
      const slot = slotOf !== null ? slotOf[k] : k;
      const x = rs[slot];
      if (x > 0) {
        if (x !== c + 1) break; // registered with another content: re-registration
        pagesHashed++;
        alreadyRegistered++;
        continue;
      }
      const kind = f & (PageFlag.File | PageFlag.ZeroPage) ? 1 : 0;
      const e = chainHead[c];
      if (e === -1) {
        // miss: the page becomes the entry for its content
        const o = nEntries * ENTRY;
        if (o + ENTRY > en.length) break; // the table is full: grown by replay
        const myFrame = x === -(c + 1) ? mf[slot] : frame[k];
        en[o + E_PROC] = (pi << 1) | kind;
        en[o + E_SLOT] = slot;
        en[o + E_FRAME] = myFrame;
        en[o + E_NEXT] = -1;
        chainHead[c] = nEntries++;
        rs[slot] = c + 1;
        pagesHashed++;
        misses++;
        continue;
      }
      const pk = en[e * ENTRY + E_PROC];
      const op = pk >> 1;
      if (exited[op] !== 0 || !(t >= firstMs[op] && t < exitMs[op]) || multiState[op] !== 0 || (pk & 1) !== kind) break;
      pagesHashed++;
      revalidations++;
      const ef = en[e * ENTRY + E_FRAME];
      const myFrame = x === -(c + 1) ? mf[slot] : frame[k];
      if (ef === myFrame) sameFrame++;
      else {
        mf[slot] = ef;
        rs[slot] = -(c + 1);
        merges++;
      }
    }
    this.liveEntries += nEntries - this.nEntries;
    this.nEntries = nEntries;
    this.pagesHashed += pagesHashed;
    this.alreadyRegistered += alreadyRegistered;
    this.merges += merges;
    this.misses += misses;
    this.sameFrame += sameFrame;
    this.revalidations += revalidations;
    this.thpSkipped += thpSkipped;
    return k;
  }

  /** Page k of a call, eligible and hashed (usm_madvise's loop body for one address): every case. */
  private page(pi: number, st: ProcState, t: number, k: number): void {
    const c = st.content[k];
    const f = st.pages.flags[k];
    const slot = st.slotOfPage !== null ? st.slotOfPage[k] : k;
    const kind = f & (PageFlag.File | PageFlag.ZeroPage) ? 1 : 0;
    const rs = this.state[pi];
    const mf = this.mergedFrame[pi];
    const chainHead = this.chainHead;
    const x = rs[slot];
    const myFrame = x === -(c + 1) ? mf[slot] : st.frame[k];
    const old = x > 0 ? x - 1 : -1;
    this.pagesHashed++;
    if (old === c) {
      this.alreadyRegistered++;
      return;
    }
    if (old >= 0) {
      // drop the registration and the newest entry carrying the old hash (whoever owns it)
      this.reRegistered++;
      const victim = chainHead[old];
      if (victim !== -1) this.unlink(old, victim);
      rs[slot] = NONE;
    }
    const en = this.entries;
    let e = chainHead[c];
    while (e !== -1) {
      const eo = e * ENTRY;
      const next = en[eo + E_NEXT];
      const pk = en[eo + E_PROC];
      const op = pk >> 1;
      this.revalidations++;
      // owner alive; a process seen in one snapshot only cannot have written its page since it registered
      if (
        this.exited[op] !== 0 ||
        !(t >= this.firstMs[op] && t < this.exitMs[op]) ||
        (this.multiState[op] !== 0 && !this.ownerPageUnchanged(e, op, c, t))
      ) {
        this.staleEntries++;
        if (op === pi) {
          const os = en[eo + E_SLOT];
          if (rs[os] === c + 1) rs[os] = NONE;
        }
        this.unlink(c, e);
        e = next;
        continue;
      }
      if ((pk & 1) !== kind) {
        e = next;
        continue;
      }
      const ef = en[eo + E_FRAME];
      if (ef === myFrame) {
        this.sameFrame++;
        return;
      }
      mf[slot] = ef;
      rs[slot] = -(c + 1);
      this.merges++;
      return;
    }
    // miss: the page becomes the entry for its content (replay made room for it)
    const id = this.nEntries++;
    const o = id * ENTRY;
    en[o + E_PROC] = (pi << 1) | kind;
    en[o + E_SLOT] = slot;
    en[o + E_FRAME] = myFrame;
    en[o + E_NEXT] = chainHead[c];
    chainHead[c] = id;
    this.liveEntries++;
    rs[slot] = c + 1;
    this.misses++;
  }
}

// Long: one pass in call order (exits, the call, its address-walk cost), then the accounting at the end;
// the steps share the replay's state and are marked by comments.
export function runUpmModel(input: Dump[] | World, options: UpmOptions = {}): UpmResult {
  const world = Array.isArray(input) ? buildWorld(input, { signal: options.signal }) : input;
  const costs: UpmCosts = { ...DEFAULT_UPM_COSTS, ...(options.costs ?? {}) };
  const calls = [...(options.calls ?? defaultUpmCalls(world))]
    .map((c, i) => ({ c, i }))
    .sort((a, b) => a.c.timeMs - b.c.timeMs || a.i - b.i)
    .map((x) => x.c);
  const procs = world.procs;
  const r = new UpmReplay(world, options.anonymousOnly ?? false);

  const byPid = new Map<number, ProcTrack[]>();
  for (const t of procs) {
    const l = byPid.get(t.pid) ?? [];
    l.push(t);
    byPid.set(t.pid, l);
  }

  const reports: UpmCallReport[] = [];
  let totalMerges = 0;
  let totalMisses = 0;
  let totalCost = 0;
  const exitQueue = [...procs].filter((t) => t.exitTimeMs !== Infinity).sort((a, b) => a.exitTimeMs - b.exitTimeMs);
  let exitPos = 0;
  const ps = world.pageSize;

  for (let ci = 0; ci < calls.length; ci++) {
    const call = calls[ci];
    throwIfAborted(options.signal);
    const t = call.timeMs;
    while (exitPos < exitQueue.length && exitQueue[exitPos].exitTimeMs <= t) r.processExit(exitQueue[exitPos++].index);
    let tr: ProcTrack | undefined;
    for (const c of byPid.get(call.pid) ?? [])
      if ((call.startTime === undefined || c.startTime === call.startTime) && isAlive(c, t)) tr = c;
    if (!tr) {
      reports.push(callReport(call.pid, t, 0, null, 0, `pid ${call.pid} is not alive at ${t} ms`));
      continue;
    }
    const pi = tr.index;
    r.touch(pi);
    const st = stateAt(tr, t);
    const vmas = st.pages.info.vmas;
    const ranges = call.ranges;
    // address walk cost: every page address of every eligible VMA inside the ranges
    let pagesWalked = 0;
    const vmaOk = new Uint8Array(vmas.length);
    for (let vi = 0; vi < vmas.length; vi++) {
      const v = vmas[vi];
      if (st.vmaClass[vi] & (VmaClass.Shared | VmaClass.Special)) continue;
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
        pagesWalked += n;
      }
    }
    let flat: Float64Array | null = null;
    if (ranges) {
      flat = new Float64Array(ranges.length * 2);
      ranges.forEach(([a, b], i) => {
        flat![2 * i] = a;
        flat![2 * i + 1] = b;
      });
    }
    r.resetCounters();
    r.replay(pi, st, t, vmaOk, flat);
    const rep = callReport(call.pid, t, pagesWalked, r, 0);
    rep.costUs =
      rep.pagesWalked * costs.walkUs +
      rep.pagesHashed * (costs.hashUs + costs.rmapLookupUs) +
      rep.revalidations * costs.hashUs +
      rep.merges * (2 * costs.wrprotectUs + costs.memcmpUs + costs.replaceUs) +
      rep.misses * costs.insertUs +
      rep.staleEntries * costs.staleUs;
    reports.push(rep);
    totalMerges += rep.merges;
    totalMisses += rep.misses;
    totalCost += rep.costUs;
    options.onProgress?.({ phase: 'calls', done: ci + 1, total: calls.length });
  }

  // accounting at the end of the observation
  const alive = aliveAtEnd(world);
  const bits = new Uint8Array(world.frameCount);
  const acc = new Float64Array(4);
  for (const tr of alive) {
    const pi = tr.index;
    const touched = r.touched[pi] !== 0;
    accountTrack(tr, touched ? r.state[pi] : null, touched ? r.mergedFrame[pi] : null, bits, acc);
  }
  const [resident, before, after, pagesShared] = acc;
  const saved = before - after;
  return {
    model: 'upm',
    pageSize: world.pageSize,
    atTimeMs: world.endTimeMs,
    processes: alive.length,
    residentPages: resident,
    physicalPagesBefore: before,
    physicalPagesAfter: after,
    savedBytes: saved * world.pageSize,
    pagesShared,
    pagesSharing: saved,
    calls: reports,
    totalMerges,
    totalMisses,
    totalCostUs: totalCost,
    tableEntries: r.liveEntries,
    modelBytes: r.bytes() + bits.byteLength,
    costs,
    warnings: [...world.warnings, ...reports.filter((x) => x.skipped).map((x) => x.skipped!)],
  };
}

/**
 * Adds one alive process's last state to the end accounting, in one pass over its pages: frames before
 * and after merging, mappings per frame after merging, and frames mapped by merged pages (pages_shared:
 * those mapped twice or more). acc = [resident pages, frames before, frames after, pages_shared].
 */
function accountTrack(
  tr: ProcTrack,
  rs: Int32Array | null,
  mf: Int32Array | null,
  bits: Uint8Array,
  acc: Float64Array,
): void {
  const st = tr.states[tr.states.length - 1];
  const fl = st.pages.flags;
  const own = st.frame;
  const content = st.content;
  const slotOf = st.slotOfPage;
  // with one state, every call saw these pages: a merged mapping is for the page's own content
  const oneState = tr.states.length === 1;
  let resident = 0;
  let before = 0;
  let after = 0;
  let pagesShared = 0;
  for (let k = 0; k < fl.length; k++) {
    if (!(fl[k] & PageFlag.Present)) continue;
    resident++;
    const o = own[k];
    let f = o;
    if (rs !== null) {
      const slot = slotOf !== null ? slotOf[k] : k;
      const x = rs[slot];
      if (x < 0 && (oneState || -x - 1 === content[k])) f = mf![slot];
    }
    if (!(bits[o] & B_BEFORE)) {
      bits[o] |= B_BEFORE;
      before++;
    }
    const b = bits[f];
    if (!(b & B_AFTER)) after++;
    const nb = b | B_AFTER | (b & B_ONE ? B_TWO : B_ONE) | (f !== o ? B_MERGED : 0);
    if ((nb & (B_TWO | B_MERGED)) === (B_TWO | B_MERGED) && (b & (B_TWO | B_MERGED)) !== (B_TWO | B_MERGED))
      pagesShared++;
    bits[f] = nb;
  }
  acc[0] += resident;
  acc[1] += before;
  acc[2] += after;
  acc[3] += pagesShared;
}

function callReport(
  pid: number,
  timeMs: number,
  pagesWalked: number,
  r: UpmReplay | null,
  costUs: number,
  skipped?: string,
): UpmCallReport {
  const rep: UpmCallReport = {
    pid,
    timeMs,
    pagesWalked,
    pagesHashed: r ? r.pagesHashed : 0,
    alreadyRegistered: r ? r.alreadyRegistered : 0,
    reRegistered: r ? r.reRegistered : 0,
    merges: r ? r.merges : 0,
    misses: r ? r.misses : 0,
    sameFrame: r ? r.sameFrame : 0,
    staleEntries: r ? r.staleEntries : 0,
    revalidations: r ? r.revalidations : 0,
    thpSkipped: r ? r.thpSkipped : 0,
    costUs,
  };
  if (skipped !== undefined) rep.skipped = skipped;
  return rep;
}
