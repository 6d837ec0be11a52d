/**
 * Per-host physical memory of the resident containers under each merge model, kept in typed arrays and
 * changed a few operations per container class (profiles.ts), never per page.
 *
 * Every model starts a container with all its pages (its unmerged footprint: distinct frames of its process)
 * and frees them when it exits. In between:
 *  - none: nothing merges.
 *  - upm: one madvise(MADV_SHAREABLE) call per container (time decided by the engine). Per host one table
 *    entry per class at most: the first registrant's frames (a "group" of K pages). A caller whose class has
 *    an entry maps it (its K·m pages are freed); otherwise its first copy becomes the entry and its other m−1
 *    copies merge into it. When the owner exits, the entry is deleted (usm_exit), but the frames live while
 *    other containers map them; the next caller with that content becomes a new copy (ownership loss).
 *  - ksm: ksmd per host walks the registered containers in a circular list (new ones just behind the cursor)
 *    in batches of pages_to_scan pages, one batch per measured batch period (merge/ksm/scan-timing.ts). A
 *    container's pages merge when its second visit completes (the first visit only stores checksums): then the
 *    S settled copies of a content on the host occupy ⌈S / max_page_sharing⌉ frames. With smart_scan, pages of
 *    a settled container that did not merge are visited only at passes 1, 2, 3, 4, 6, 9, 14, 23, 32, ... .
 */
import { batchPeriodMs, DEFAULT_KSM_TIMING, KsmTiming } from '../merge/ksm/scan-timing';
import type { UpmCosts } from '../merge/upm/upm-model';
import type { KsmPlanParams } from './spec';
import type { ContainerTemplate, ProfileSet } from './profiles';

/** What the merge state reports changes to: the engine's per-host accounting. */
export interface MemoryBook {
  /** Physical pages of host h change by dPhys at time t (t never goes back for a host). */
  change(h: number, t: number, dPhys: number): void;
  /**
   * Page-cache frames a container shares with other resident containers: both the physical and the unmerged
   * pages of host h change by d (sharing through the page cache is no merging: `none` has it too).
   */
  share(h: number, t: number, d: number): void;
}

export interface MergeState {
  /** A container starts with all its pages (the engine has already counted them). */
  create(c: number, h: number, tpl: ContainerTemplate, t: number): void;
  /** The container exits: the engine has removed its unmerged pages; this returns the physical pages freed. */
  exit(c: number, h: number, tpl: ContainerTemplate, t: number): number;
  /** Bring host h's background merging up to time t. */
  advance(h: number, t: number): void;
  /** True while some container of host h waits for background merging (KSM). */
  pending(h: number): boolean;
  ensureContainers(n: number): void;
}

/**
 * The page cache under every model: a page-cache frame (ContainerTemplate.fileCls) is one frame on a host while
 * any resident container maps it, as the kernel keeps one page-cache page per file page. Wraps the model's
 * state: a container whose frames are already cached on its host gives them back at once (create), and a
 * container leaving frames that others still map leaves them counted (exit). Call create before the engine
 * counts the container's pages, so that a peak never includes frames it did not take.
 */
export class PageCacheState implements MergeState {
  private readonly refs: Int32Array[] = [];

  constructor(
    readonly inner: MergeState,
    private readonly book: MemoryBook,
    profiles: ProfileSet,
    hosts: number,
  ) {
    for (let h = 0; h < hosts; h++) this.refs.push(new Int32Array(profiles.fileClassCount));
  }

  /** Page-cache frames of a container of `tpl` already on host h (what it does not take when it starts). */
  cached(h: number, tpl: ContainerTemplate): number {
    const r = this.refs[h];
    let d = 0;
    for (let i = 0; i < tpl.fileCls.length; i++) if (r[tpl.fileCls[i]] > 0) d += tpl.fileK[i];
    return d;
  }

  create(c: number, h: number, tpl: ContainerTemplate, t: number): void {
    this.inner.create(c, h, tpl, t);
    const r = this.refs[h];
    let d = 0;
    for (let i = 0; i < tpl.fileCls.length; i++) if (r[tpl.fileCls[i]]++ > 0) d += tpl.fileK[i];
    if (d !== 0) this.book.share(h, t, -d);
  }

  exit(c: number, h: number, tpl: ContainerTemplate, t: number): number {
    const freed = this.inner.exit(c, h, tpl, t);
    const r = this.refs[h];
    let d = 0;
    for (let i = 0; i < tpl.fileCls.length; i++) if (--r[tpl.fileCls[i]] > 0) d += tpl.fileK[i];
    if (d !== 0) this.book.share(h, t, d);
    return freed;
  }

  advance(h: number, t: number): void {
    this.inner.advance(h, t);
  }

  pending(h: number): boolean {
    return this.inner.pending(h);
  }

  ensureContainers(n: number): void {
    this.inner.ensureContainers(n);
  }
}

export class NoneState implements MergeState {
  create(): void {}
  exit(_c: number, _h: number, tpl: ContainerTemplate): number {
    return tpl.units;
  }
  advance(): void {}
  pending(): boolean {
    return false;
  }
  ensureContainers(): void {}
}

function growI32(a: Int32Array, n: number, fill = 0): Int32Array {
  if (n <= a.length) return a;
  let m = Math.max(16, a.length * 2);
  while (m < n) m *= 2;
  const b = new Int32Array(m);
  if (fill !== 0) b.fill(fill);
  b.set(a);
  return b;
}

function growF64(a: Float64Array, n: number): Float64Array {
  if (n <= a.length) return a;
  let m = Math.max(16, a.length * 2);
  while (m < n) m *= 2;
  const b = new Float64Array(m);
  b.set(a);
  return b;
}

export interface UpmCallStats {
  costUs: number;
  merges: number;
  misses: number;
}

export class UpmState implements MergeState {
  private readonly entry: Int32Array[];
  private gRefs = new Int32Array(1024);
  private gOwner = new Int32Array(1024);
  private gCls = new Int32Array(1024);
  private gK = new Int32Array(1024);
  private gFree: number[] = [];
  private gCount = 0;
  /** Groups mapped by each container, per class of its template; null = not madvised yet. */
  private groups: (Int32Array | null)[] = [];
  liveGroups = 0;

  constructor(
    private readonly book: MemoryBook,
    profiles: ProfileSet,
    hosts: number,
    private readonly costs: UpmCosts,
  ) {
    this.entry = [];
    for (let h = 0; h < hosts; h++) this.entry.push(new Int32Array(profiles.upmClassCount).fill(-1));
  }

  ensureContainers(n: number): void {
    while (this.groups.length < n) this.groups.push(null);
  }

  create(c: number): void {
    this.groups[c] = null;
  }

  /** The madvise(MADV_SHAREABLE) call of container c over all its private VMAs. */
  madvise(c: number, h: number, tpl: ContainerTemplate, t: number): UpmCallStats {
    const entry = this.entry[h];
    const n = tpl.upmCls.length;
    const g = new Int32Array(n);
    let d = 0;
    let merges = 0;
    let misses = tpl.upmUnique;
    for (let i = 0; i < n; i++) {
      const cls = tpl.upmCls[i];
      const K = tpl.upmK[i];
      const m = tpl.upmM[i];
      let e = entry[cls];
      if (e >= 0) {
        this.gRefs[e]++;
        d -= K * m;
        merges += K * m;
      } else {
        e = this.newGroup(c, cls, K);
        entry[cls] = e;
        d -= K * (m - 1);
        merges += K * (m - 1);
        misses += K;
      }
      g[i] = e;
    }
    // contents of this container alone that repeat in it: merged within it
    const self = tpl.upmSelfKM - tpl.upmSelfK;
    d -= self;
    merges += self;
    misses += tpl.upmSelfK;
    this.groups[c] = g;
    if (d !== 0) this.book.change(h, t, d);
    const k = this.costs;
    const costUs =
      tpl.upmWalked * k.walkUs +
      tpl.upmHashed * (k.hashUs + k.rmapLookupUs) +
      merges * k.hashUs + // each merge re-validates the entry found (a second xxh64)
      merges * (2 * k.wrprotectUs + k.memcmpUs + k.replaceUs) +
      misses * k.insertUs;
    return { costUs, merges, misses };
  }

  exit(c: number, h: number, tpl: ContainerTemplate): number {
    const g = this.groups[c];
    if (g === null) return tpl.units;
    this.groups[c] = null;
    let freed = tpl.units - tpl.upmKeyed - tpl.upmSelfKM + tpl.upmSelfK;
    const entry = this.entry[h];
    for (let i = 0; i < g.length; i++) {
      const e = g[i];
      if (this.gOwner[e] === c) {
        // usm_exit: the owner's entries leave the table; its frames live on while others map them
        if (entry[this.gCls[e]] === e) entry[this.gCls[e]] = -1;
        this.gOwner[e] = -1;
      }
      if (--this.gRefs[e] === 0) {
        freed += this.gK[e];
        this.gFree.push(e);
        this.liveGroups--;
      }
    }
    return freed;
  }

  advance(): void {}
  pending(): boolean {
    return false;
  }

  /** Test hook: the entry (group) of a class on a host, -1 if none. */
  entryOf(h: number, cls: number): number {
    return this.entry[h][cls];
  }

  private newGroup(owner: number, cls: number, K: number): number {
    let e: number;
    if (this.gFree.length) e = this.gFree.pop() as number;
    else {
      e = this.gCount++;
      this.gRefs = growI32(this.gRefs, this.gCount);
      this.gOwner = growI32(this.gOwner, this.gCount);
      this.gCls = growI32(this.gCls, this.gCount);
      this.gK = growI32(this.gK, this.gCount);
    }
    this.gRefs[e] = 1;
    this.gOwner[e] = owner;
    this.gCls[e] = cls;
    this.gK[e] = K;
    this.liveGroups++;
    return e;
  }
}

/** Passes at which smart_scan examines a page that did not merge: 1, 2, 3, 4, 6, 9, 14, 23, 32, 41, ... */
export function smartScanExamines(pass: number): boolean {
  if (pass <= 4) return true;
  if (pass === 6 || pass === 9 || pass === 14) return true;
  return pass >= 23 && (pass - 23) % 9 === 0;
}

export interface KsmSettleStats {
  settled: number;
  settleDelaySumS: number;
}

export class KsmState implements MergeState {
  readonly periodS: number;
  readonly pagesPerSec: number;
  private readonly S: Int32Array[];
  private readonly headNext: Int32Array;
  private readonly headPrev: Int32Array;
  private readonly cur: Int32Array;
  private readonly curDone: Float64Array;
  private readonly nextBatchT: Float64Array;
  private readonly pendingCount: Int32Array;
  private rNext = new Int32Array(0);
  private rPrev = new Int32Array(0);
  private visits = new Int32Array(0);
  /** 0 not registered, 1 registered, 2 settled */
  private status = new Int8Array(0);
  private merged = new Float64Array(0);
  private regT = new Float64Array(0);
  private host = new Int32Array(0);
  private tplOf: ContainerTemplate[] = [];
  readonly stats: KsmSettleStats = { settled: 0, settleDelaySumS: 0 };

  constructor(
    private readonly book: MemoryBook,
    private readonly profiles: ProfileSet,
    hosts: number,
    private readonly p: KsmPlanParams,
  ) {
    const timing: KsmTiming = {
      ...DEFAULT_KSM_TIMING,
      hz: p.hz,
      pageCostUs: p.pageCostUs,
      wakeLatencyUs: p.wakeLatencyUs,
    };
    this.periodS = batchPeriodMs(p.pagesToScan * timing.pageCostUs, p.sleepMs, timing) / 1000;
    this.pagesPerSec = p.pagesToScan / this.periodS;
    this.S = [];
    for (let h = 0; h < hosts; h++) this.S.push(new Int32Array(profiles.ksmClassCount));
    this.headNext = new Int32Array(hosts);
    this.headPrev = new Int32Array(hosts);
    for (let h = 0; h < hosts; h++) this.headNext[h] = this.headPrev[h] = -1 - h;
    this.cur = new Int32Array(hosts);
    for (let h = 0; h < hosts; h++) this.cur[h] = -1 - h;
    this.curDone = new Float64Array(hosts);
    this.nextBatchT = new Float64Array(hosts).fill(Infinity);
    this.pendingCount = new Int32Array(hosts);
  }

  ensureContainers(n: number): void {
    if (n <= this.rNext.length) return;
    this.rNext = growI32(this.rNext, n);
    this.rPrev = growI32(this.rPrev, n);
    this.visits = growI32(this.visits, n);
    this.host = growI32(this.host, n);
    this.merged = growF64(this.merged, n);
    this.regT = growF64(this.regT, n);
    const s = new Int8Array(this.rNext.length);
    s.set(this.status);
    this.status = s;
  }

  private next(x: number): number {
    return x >= 0 ? this.rNext[x] : this.headNext[-1 - x];
  }
  private prev(x: number): number {
    return x >= 0 ? this.rPrev[x] : this.headPrev[-1 - x];
  }
  private setNext(x: number, y: number): void {
    if (x >= 0) this.rNext[x] = y;
    else this.headNext[-1 - x] = y;
  }
  private setPrev(x: number, y: number): void {
    if (x >= 0) this.rPrev[x] = y;
    else this.headPrev[-1 - x] = y;
  }

  pending(h: number): boolean {
    return this.pendingCount[h] > 0;
  }

  create(c: number, h: number, tpl: ContainerTemplate, t: number): void {
    this.tplOf[c] = tpl;
    this.host[c] = h;
    this.visits[c] = 0;
    this.merged[c] = 0;
    if (tpl.ksmScan === 0) {
      this.status[c] = 0;
      return;
    }
    this.status[c] = 1;
    this.regT[c] = t;
    const head = -1 - h;
    const wasEmpty = this.headNext[h] === head;
    // __ksm_enter: list_add_tail before the cursor's slot: reached after every other process
    const at = this.cur[h];
    const before = this.prev(at);
    this.setNext(before, c);
    this.setPrev(c, before);
    this.setNext(c, at);
    this.setPrev(at, c);
    if (wasEmpty) {
      // ksmd was waiting for work; it runs at once
      this.cur[h] = head;
      this.curDone[h] = 0;
      this.nextBatchT[h] = t;
    } else if (this.pendingCount[h] === 0 && this.nextBatchT[h] < t) {
      // nothing was pending: the scan position was not tracked; resume at the next batch boundary
      const k = Math.ceil((t - this.nextBatchT[h]) / this.periodS - 1e-9);
      this.nextBatchT[h] += k * this.periodS;
    }
    this.pendingCount[h]++;
  }

  private weight(c: number): number {
    const tpl = this.tplOf[c];
    const v = this.visits[c];
    if (v < 2 || !this.p.smartScan) return tpl.ksmScan;
    return smartScanExamines(v + 1) ? tpl.ksmScan : this.merged[c];
  }

  advance(h: number, t: number): void {
    if (this.nextBatchT[h] > t) return;
    if (this.pendingCount[h] === 0) {
      // every container here has merged what it can: only the scan position would move (see docs)
      if (this.headNext[h] === -1 - h) this.nextBatchT[h] = Infinity;
      return;
    }
    const head = -1 - h;
    const pts = this.p.pagesToScan;
    const period = this.periodS;
    while (this.nextBatchT[h] <= t) {
      if (this.headNext[h] === head) {
        this.nextBatchT[h] = Infinity;
        this.cur[h] = head;
        return;
      }
      const bt = this.nextBatchT[h];
      let budget = pts;
      let skipped = false;
      for (;;) {
        let c = this.cur[h];
        if (c < 0) {
          // a new full pass (the unstable tree would be emptied here)
          c = this.cur[h] = this.headNext[h];
          this.curDone[h] = 0;
          if (c < 0) break;
        }
        const need = this.weight(c) - this.curDone[h];
        if (need > budget) {
          const remaining = need - budget;
          const fullBatches = Math.ceil(remaining / pts) - 1;
          const avail = Math.floor((t - bt) / period + 1e-9);
          const s = Math.max(0, Math.min(fullBatches, avail));
          this.curDone[h] += budget + s * pts;
          this.nextBatchT[h] = bt + (1 + s) * period;
          skipped = true;
          break;
        }
        budget -= need;
        this.visits[c]++;
        this.curDone[h] = 0;
        const nx = this.rNext[c];
        this.cur[h] = nx;
        if (this.visits[c] === 2 && this.status[c] === 1) this.settle(c, h, bt);
        if (nx < 0) break; // the pass ends: ksm_do_scan returns early, the batch is over
        if (this.pendingCount[h] === 0) break;
      }
      if (!skipped) this.nextBatchT[h] = bt + period;
      if (this.pendingCount[h] === 0) return;
    }
  }

  private settle(c: number, h: number, t: number): void {
    const tpl = this.tplOf[c];
    const S = this.S[h];
    const mps = this.p.maxPageSharing;
    const zero = this.profiles.ksmZeroClass;
    let d = 0;
    let merged = 0;
    for (let i = 0; i < tpl.ksmCls.length; i++) {
      const cls = tpl.ksmCls[i];
      const K = tpl.ksmK[i];
      const m = tpl.ksmM[i];
      if (this.p.useZeroPages && zero[cls]) {
        d -= K * m; // mapped to the kernel zero page
        continue;
      }
      const s0 = S[cls];
      const s1 = s0 + m;
      S[cls] = s1;
      d += K * (Math.ceil(s1 / mps) - Math.ceil(s0 / mps)) - K * m;
      if (s1 >= 2) merged += K * m;
    }
    d -= tpl.ksmSelfKM - tpl.ksmSelfK;
    merged += tpl.ksmSelfKM;
    this.merged[c] = merged;
    this.status[c] = 2;
    this.pendingCount[h]--;
    this.stats.settled++;
    this.stats.settleDelaySumS += t - this.regT[c];
    if (d !== 0) this.book.change(h, t, d);
  }

  /** Merges a registered container at once, as if ksmd had converged (density, tests). */
  settleNow(c: number, h: number, t: number): void {
    if (this.status[c] !== 1) return;
    this.visits[c] = Math.max(this.visits[c], 2);
    this.settle(c, h, t);
  }

  exit(c: number, h: number, tpl: ContainerTemplate): number {
    const st = this.status[c];
    if (st === 0) return tpl.units;
    // out of the scan list
    if (this.cur[h] === c) {
      this.cur[h] = this.rNext[c];
      this.curDone[h] = 0;
    }
    const a = this.rPrev[c];
    const b = this.rNext[c];
    this.setNext(a, b);
    this.setPrev(b, a);
    this.status[c] = 0;
    if (st === 1) {
      this.pendingCount[h]--;
      return tpl.units;
    }
    const S = this.S[h];
    const mps = this.p.maxPageSharing;
    const zero = this.profiles.ksmZeroClass;
    let freed = tpl.units - tpl.ksmKeyed - tpl.ksmSelfKM + tpl.ksmSelfK;
    for (let i = 0; i < tpl.ksmCls.length; i++) {
      const cls = tpl.ksmCls[i];
      if (this.p.useZeroPages && zero[cls]) continue;
      const K = tpl.ksmK[i];
      const s0 = S[cls];
      const s1 = s0 - tpl.ksmM[i];
      S[cls] = s1;
      freed += K * (Math.ceil(s0 / mps) - Math.ceil(s1 / mps));
    }
    return freed;
  }

  /** Test hook: settled copies of a class on a host. */
  settledCopies(h: number, cls: number): number {
    return this.S[h][cls];
  }
}
