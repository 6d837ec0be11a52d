/**
 * Linux KSM (mm/ksm.c, 6.x) simulated batch by batch over dumps.
 *
 * What is modelled (kernel function in brackets):
 *  - ksmd: a batch visits up to pages_to_scan pages (ksm_do_scan), then sleeps (ksm_scan_thread); the
 *    batch period follows the HZ tick (see scan-timing.ts). A batch ends early at the end of a full pass.
 *  - scan order (scan_get_next_rmap_item): the circular mm_slot list from the head; a newly registered
 *    process goes just behind the cursor (__ksm_enter: list_add_tail before ksm_scan.mm_slot); its VMAs
 *    in address order; only VM_MERGEABLE VMAs (smaps `mg`; PR_SET_MEMORY_MERGE marks every compatible VMA
 *    `mg` too), only present anonymous pages (not page cache, not the zero page). rmap_items of addresses
 *    no longer visited are freed as the cursor passes them (get_next_rmap_item, remove_trailing_rmap_items).
 *  - at each pass start the unstable tree is emptied; at each pass end full_scans (seqnr) is incremented.
 *  - cmp_and_merge_page: a KSM page already listed under its stable node is kept; otherwise the item is
 *    taken out of its tree, the checksum is compared with the one stored at the previous visit (new
 *    items have none): different -> stored, stop (volatile). Then use_zero_pages (zero-filled -> mapped
 *    to the zero page, ksm_zero_pages++), then the stable tree (merge into a dup that is a sharing
 *    candidate: 1 <= rmap_hlist_len < max_page_sharing), then the unstable tree (a hit makes both pages
 *    one new KSM page, inserted into the stable tree, chained as a new dup if that content already has
 *    full dups), else insertion into the unstable tree.
 *  - stable node chains (stable_node_dup, chain_prune every stable_node_chains_prune_millisecs): the
 *    best candidate is the fullest one when pruning, else the first; a found dup that can take one more
 *    is moved to the head; a chain left with one dup collapses.
 *  - smart_scan (should_skip_rmap_item): a non-KSM page with age >= 3 is skipped 1, 2, 4, then 8 passes
 *    at a time; skipped pages do not count against pages_to_scan and leave the unstable tree.
 *  - counters exactly as the kernel moves them: pages_shared/pages_sharing in stable_tree_append,
 *    remove_rmap_item_from_tree and remove_node_from_stable_tree (lazily, when ksmd next meets the item
 *    or the stale node), pages_unshared on unstable insert/removal, pages_volatile = rmap_items - the
 *    rest.
 *  - writes (content differs in a later snapshot): copy-on-write; a KSM page whose last mapping goes is
 *    freed and its stable node is stale (found by ksm_get_folio on the next walk).
 *  - exit (__ksm_exit): the slot moves just behind the cursor (or is freed at once if it has no
 *    rmap_items); ksmd then frees all its rmap_items.
 *
 * Not modelled: NUMA (merge_across_nodes=0), swap, page migration, the scan-time advisor, write_protect
 * failures from transient page references, rbtree corruption by pages written while in the unstable
 * tree (an entry whose page changed simply no longer matches).
 */
import type { Dump } from '../../dump/types';
import { PageFlag } from '../../dump/types';
import { buildWorld, ProcState, ProcTrack, throwIfAborted, VmaClass, World } from '../../sharing/world';
import { aliveAtEnd, countFrames } from '../common/accounting';
import type { MergeResultBase, ModelRunOptions } from '../common/types';
import { DEFAULT_KSM_TIMING, KsmTiming, nextWakeMs } from './scan-timing';
import { KsmTimelineRecorder } from './timeline';

export interface KsmParams {
  pagesToScan: number;
  sleepMs: number;
  maxPageSharing: number;
  useZeroPages: boolean;
  smartScan: boolean;
  stableNodeChainsPruneMs: number;
}

export const KSM_DEFAULTS: KsmParams = {
  pagesToScan: 100,
  sleepMs: 20,
  maxPageSharing: 256,
  useZeroPages: false,
  smartScan: true,
  stableNodeChainsPruneMs: 2000,
};

export interface KsmCounters {
  pagesShared: number;
  pagesSharing: number;
  pagesUnshared: number;
  pagesVolatile: number;
  fullScans: number;
  pagesScanned: number;
  pagesSkipped: number;
  ksmZeroPages: number;
  stableNodeChains: number;
  stableNodeDups: number;
  rmapItems: number;
}

export interface KsmTimelinePoint {
  /** Seconds since ksmd started (t = runStartMs). */
  t: number;
  pagesShared: number;
  pagesSharing: number;
  pagesUnshared: number;
  pagesVolatile: number;
  fullScans: number;
}

export interface KsmResult extends MergeResultBase {
  model: 'ksm';
  params: KsmParams;
  timing: KsmTiming;
  /** Counters once converged (or when the simulation stopped). */
  converged: KsmCounters;
  /** True when the counters stopped moving before maxSimMs / maxPasses. */
  didConverge: boolean;
  /** Simulated seconds (from ksmd start) at which pages_sharing stopped changing. */
  convergedAtSec: number;
  simulatedSec: number;
  timeline: KsmTimelinePoint[];
  /** Seconds at which pages_sharing first reached 50% / 100% of its converged value (null if 0). */
  sharingHalfSec: number | null;
  sharingFullSec: number | null;
  /** ksmd CPU time simulated, and pages visited per second of scan time. */
  cpuSec: number;
  pagesPerSec: number;
  /** Bytes of the simulator's own typed arrays, excluding the world. */
  modelBytes: number;
}

export type ContinuingWrites = 'auto' | 'none' | 'last-interval';

export interface KsmOptions extends ModelRunOptions {
  params?: Partial<KsmParams>;
  timing?: Partial<KsmTiming>;
  /** When ksmd starts (run=1), ms since the first snapshot. Default 0. */
  runStartMs?: number;
  /** Minimum spacing of timeline points in ms (0 = every batch that changed a counter). Default 100. */
  timelineResolutionMs?: number;
  /** Stop after this many quiet full passes once all snapshots are applied. Default 12. */
  quietPasses?: number;
  maxPasses?: number;
  /** Simulated time limit in ms. Default 6 hours. */
  maxSimMs?: number;
  /**
   * Pages that keep changing after the last snapshot (checksum differs at every visit):
   * `auto` = pages changed in each of the last two intervals (needs 3+ snapshots of the process);
   * `last-interval` = pages changed in the last interval; `none`. Default `auto`.
   */
  continuingWrites?: ContinuingWrites;
  /**
   * Treat every process as if it had called prctl(PR_SET_MEMORY_MERGE): all private, non-special VMAs
   * are mergeable (a what-if for processes that have not opted in). Default false: only `mg` VMAs.
   */
  assumeMergeable?: boolean;
  /** mm_slot registration order (pids); default: first seen, then start time, then pid. */
  order?: number[];
}

const ITEM = 1;
const UNSTABLE = 2;
const STABLE = 3;
/** Page flags of a slot: eligible (present, anonymous, mergeable), mapped to the zero page, still changing. */
const F_ELIG = 1;
const F_ZERO = 2;
const F_CHURN = 4;

class GrowI32 {
  a: Int32Array;
  constructor(n = 256, fill = 0) {
    this.a = new Int32Array(n).fill(fill);
  }
  at(i: number, fill = 0): Int32Array {
    if (i >= this.a.length) {
      const b = new Int32Array(Math.max(i + 1, this.a.length * 2)).fill(fill);
      b.set(this.a);
      this.a = b;
    }
    return this.a;
  }
}

function headerParams(world: World): Partial<KsmParams> {
  const h = world.ksmHeader;
  const num = (k: string) => {
    const v = h[k];
    if (v === undefined) return undefined;
    const n = Number(String(v).trim());
    return Number.isFinite(n) ? n : undefined;
  };
  const out: Partial<KsmParams> = {};
  const pts = num('pages_to_scan');
  if (pts !== undefined) out.pagesToScan = pts;
  const sl = num('sleep_millisecs');
  if (sl !== undefined) out.sleepMs = sl;
  const mps = num('max_page_sharing');
  if (mps !== undefined) out.maxPageSharing = mps;
  const uz = num('use_zero_pages');
  if (uz !== undefined) out.useZeroPages = uz !== 0;
  const ss = num('smart_scan');
  if (ss !== undefined) out.smartScan = ss !== 0;
  const pr = num('stable_node_chains_prune_millisecs');
  if (pr !== undefined) out.stableNodeChainsPruneMs = pr;
  return out;
}

/**
 * Simulates ksmd over the dumps. Parameters default to the KSM settings recorded in the first dump's
 * header, then to the kernel defaults; `options.params` overrides both.
 */
export function runKsmModel(input: Dump[] | World, options: KsmOptions = {}): KsmResult {
  const world = Array.isArray(input) ? buildWorld(input, { signal: options.signal }) : input;
  const params: KsmParams = { ...KSM_DEFAULTS, ...headerParams(world), ...(options.params ?? {}) };
  if (params.pagesToScan < 1) throw new Error('pages_to_scan must be at least 1');
  if (params.maxPageSharing < 2) throw new Error('max_page_sharing must be at least 2');
  const timing: KsmTiming = { ...DEFAULT_KSM_TIMING, ...(options.timing ?? {}) };
  const sim = new KsmSim(world, params, timing, options);
  return sim.run();
}

/**
 * The stable tree: per content its stable node, a single dup or a chain of dups (stable_node_chain), and
 * the dups (KSM pages) as a struct of growing arrays indexed by dup id.
 */
class StableTree {
  /** Per content: its first dup, -1 = not in the tree. */
  readonly chainHead: Int32Array;
  /** Per content: 1 when its node is a chain (several dups). */
  readonly isChain: Uint8Array;
  /** Last chain_prune time of a content that is a chain (chains are rare). */
  readonly pruneAt = new Map<number, number>();
  /** Dups in the tree (the stable tree's size, for the walk's cost). */
  nodes = 0;
  /** Dups ever made (the next dup id). */
  nDups = 0;
  /** Per dup: its content. */
  readonly dContent = new GrowI32();
  /** Per dup: rmap_hlist_len, the items listed under it. */
  readonly dLen = new GrowI32();
  /** Per dup: ptes mapping its KSM page (0 = the page is freed, the node stale). */
  readonly dMap = new GrowI32();
  /** Per dup: the frame of its KSM page. */
  readonly dFrame = new GrowI32();
  /** Per dup: first item of its hlist, -1 = none. */
  readonly dHead = new GrowI32(256, -1);
  /** Per dup: next dup of the same chain, -1 = last. */
  readonly dNext = new GrowI32(256, -1);
  /** Per dup: 1 while it is in the tree. */
  readonly dInTree = new GrowI32();

  constructor(contents: number) {
    this.chainHead = new Int32Array(contents).fill(-1);
    this.isChain = new Uint8Array(contents);
  }
}

/** The unstable tree of the current pass: per content the item inserted, valid when seq = the pass's seqnr. */
class UnstableTree {
  /** Per content: the item in the tree. */
  readonly head: Int32Array;
  /** Per content: the seqnr of that insertion (an older one means emptied at the pass start). */
  readonly seq: Int32Array;
  /** Items in the tree this pass (for the walk's cost). */
  size = 0;

  constructor(contents: number) {
    this.head = new Int32Array(contents).fill(-1);
    this.seq = new Int32Array(contents).fill(-1);
  }
}

/** Per process: its mm_slot's state. */
class MmSlots {
  /** The snapshot state applied last. */
  readonly stateIdx: Int32Array;
  /** 1 after exit, until ksmd frees its rmap_items. */
  readonly exiting: Uint8Array;
  /** 1 while on ksmd's mm_slot list. */
  readonly registered: Uint8Array;
  /** Its rmap_items. */
  readonly itemsOf: Int32Array;
  /** 1 while it has a VM_MERGEABLE VMA. */
  readonly mergeableVmas: Uint8Array;

  constructor(n: number) {
    this.stateIdx = new Int32Array(n).fill(-1);
    this.exiting = new Uint8Array(n);
    this.registered = new Uint8Array(n);
    this.itemsOf = new Int32Array(n);
    this.mergeableVmas = new Uint8Array(n);
  }
}

/** ksm_scan: ksmd's cursor over the mm_slot list. */
class KsmScan {
  /** The mm_slot list (process indices) in scan order. */
  list: number[] = [];
  /** Index in list of the slot being scanned; -1 = at the list head (a pass starts next). */
  cursor = -1;
  /** Next slot (page) of that process. */
  slot = 0;
  /** Full passes completed (full_scans). */
  seqnr = 0;
}

class KsmSim {
  private readonly procs: ProcTrack[];
  /** First slot (global page index) of each process; base[n] = the slot count. */
  private readonly base: Int32Array;
  private readonly nSlots: number;
  // per slot (global index = base[proc] + slot): the rmap_item of the page, struct of arrays
  /** 0 = no rmap_item, ITEM = not in a tree, UNSTABLE / STABLE = in that tree. */
  private readonly itm: Uint8Array;
  /** rmap_item->oldchecksum: the content seen at the previous visit, -1 = none yet. */
  private readonly oldSum: Int32Array;
  /** rmap_item->age: visits without merging (smart_scan). */
  private readonly age: Uint8Array;
  /** rmap_item->remaining_skips (smart_scan). */
  private readonly skips: Uint8Array;
  /** The stable dup of a STABLE item, the seqnr of its insertion for an UNSTABLE one. */
  private readonly tref: Int32Array;
  /** rmap_item->hlist: next / previous item on its stable dup's list. */
  private readonly hNext: Int32Array;
  private readonly hPrev: Int32Array;
  /** The dup whose KSM page the pte maps, -1 = its own page. */
  private readonly mapKsm: Int32Array;
  /** Content of the page now (from the snapshots), -1 = none, below -1 = unique. */
  private readonly cur: Int32Array;
  /** Physical frame the pte maps now. */
  private readonly curFrame: Int32Array;
  /** F_ELIG | F_ZERO | F_CHURN per slot. */
  private readonly pf: Uint8Array;
  private readonly stable: StableTree;
  private readonly unstable: UnstableTree;
  private readonly mm: MmSlots;
  private readonly scan = new KsmScan();
  /** Next id for a page whose content is unknown or keeps changing (never equal to another). */
  private uniq = -2;
  // counters
  private c = {
    shared: 0,
    sharing: 0,
    unshared: 0,
    items: 0,
    zero: 0,
    scanned: 0,
    skipped: 0,
    chains: 0,
    dups: 0,
  };
  /** Simulated time (ms since the first snapshot). */
  private now = 0;
  /** Tree levels walked and passes started in the current batch (its CPU cost). */
  private treeSteps = 0;
  private passStarts = 0;

  constructor(
    private readonly world: World,
    private readonly p: KsmParams,
    private readonly t: KsmTiming,
    private readonly o: KsmOptions,
  ) {
    let procs = world.procs;
    if (o.order) {
      const rank = new Map(o.order.map((pid, i) => [pid, i]));
      procs = [...procs].sort((a, b) => (rank.get(a.pid) ?? 1e9) - (rank.get(b.pid) ?? 1e9) || a.index - b.index);
    }
    this.procs = procs;
    const n = world.procs.length;
    this.base = new Int32Array(n + 1);
    let s = 0;
    for (const tr of world.procs) {
      this.base[tr.index] = s;
      s += tr.slotCount;
    }
    this.base[n] = s;
    this.nSlots = s;
    this.itm = new Uint8Array(s);
    this.oldSum = new Int32Array(s).fill(-1);
    this.age = new Uint8Array(s);
    this.skips = new Uint8Array(s);
    this.tref = new Int32Array(s).fill(-1);
    this.hNext = new Int32Array(s).fill(-1);
    this.hPrev = new Int32Array(s).fill(-1);
    this.mapKsm = new Int32Array(s).fill(-1);
    this.cur = new Int32Array(s).fill(-1);
    this.curFrame = new Int32Array(s).fill(-1);
    this.pf = new Uint8Array(s);
    const nc = world.contents.size;
    this.stable = new StableTree(nc);
    this.unstable = new UnstableTree(nc);
    this.mm = new MmSlots(n);
  }

  // ---------------------------------------------------------------- page state from snapshots

  /** Applies a process's state `si`: writes (changed content) are copy-on-write faults. */
  private applyState(pi: number, si: number): void {
    const tr = this.world.procs[pi];
    const st = tr.states[si];
    const prevSt = si > 0 ? tr.states[si - 1] : null;
    this.mm.stateIdx[pi] = si;
    const b = this.base[pi];
    const n = tr.slotCount;
    const p = st.pages;
    // Which VMAs ksmd visits. With PR_SET_MEMORY_MERGE the kernel marks every eligible VMA VM_MERGEABLE, and a
    // dump's VmFlags say which ones it did: not the initial [stack] of a process that inherited the flag across
    // exec (__bprm_mm_init creates it before ksm_add_vma can run). So `mg` is trusted wherever the dump has
    // VmFlags; process-wide opt-in stands in only where it has none. `assumeMergeable` asks "what if the
    // process opted in now", which marks every eligible VMA, stack included.
    const assumeAll = !!this.o.assumeMergeable;
    const mergeAny = tr.mergeAny;
    const vc = st.vmaClass;
    const eligible = (cls: number) =>
      (cls & VmaClass.Mergeable) !== 0 ||
      ((assumeAll || (mergeAny && !(cls & VmaClass.FlagsKnown))) && !(cls & (VmaClass.Shared | VmaClass.Special)));
    const visited = new Uint8Array(vc.length);
    let anyMg = 0;
    for (let v = 0; v < vc.length; v++) if (eligible(vc[v])) visited[v] = anyMg = 1;
    this.mm.mergeableVmas[pi] = anyMg;
    const cont = this.o.continuingWrites ?? 'auto';
    const last = si === tr.states.length - 1;
    const prev2 = si > 1 ? tr.states[si - 2] : null;
    for (let s = 0; s < n; s++) {
      const g = b + s;
      const k = st.pageOfSlot ? st.pageOfSlot[s] : s;
      let e = 0;
      let c = -1;
      let f = -1;
      if (k >= 0) {
        const fl = p.flags[k];
        const cls = vc[p.vmaOf[k]];
        const mg = visited[p.vmaOf[k]];
        if (fl & PageFlag.Present && !(fl & (PageFlag.File | PageFlag.ZeroPage)) && mg && !(cls & VmaClass.Shared)) {
          e = 1;
          c = st.content[k];
          if (c < 0) c = this.uniq--; // unhashed: content unknown, treated as unique
          // a page KSM had already merged when the dump was taken stands for its own private page: the
          // model replays merging from scratch
          f = fl & PageFlag.Ksm ? this.world.frameCount + 1 + g : st.frame[k];
        }
      }
      const had = this.pf[g] & (F_ELIG | F_ZERO);
      const changed = !e || !had || c !== this.cur[g];
      if (had && changed) this.unmapPte(g);
      if (!had || changed) {
        this.cur[g] = c;
        this.curFrame[g] = f;
      }
      const zero = this.pf[g] & F_ZERO;
      // pages that keep changing after the last snapshot
      let ch = 0;
      if (last && e && prevSt && cont !== 'none') {
        const pk = prevSt.pageOfSlot ? prevSt.pageOfSlot[s] : s;
        const c1 = pk >= 0 ? prevSt.content[pk] : -1;
        if (c1 !== st.content[k]) {
          if (cont === 'last-interval') ch = 1;
          else if (prev2) {
            const pk2 = prev2.pageOfSlot ? prev2.pageOfSlot[s] : s;
            const c2 = pk2 >= 0 ? prev2.content[pk2] : -1;
            if (c2 !== c1) ch = 1;
          }
        }
      }
      this.pf[g] = zero | (e && !zero ? F_ELIG : 0) | (ch ? F_CHURN : 0);
    }
  }

  /** The pte stops mapping what KSM gave it (copy-on-write, unmap, exit). */
  private unmapPte(g: number): void {
    const d = this.mapKsm[g];
    if (d >= 0) {
      this.mapKsm[g] = -1;
      this.stable.dMap.a[d]--;
    }
    if (this.pf[g] & F_ZERO) {
      this.pf[g] &= ~F_ZERO;
      this.c.zero--;
    }
  }

  // ---------------------------------------------------------------- trees

  private candidate(d: number): boolean {
    const l = this.stable.dLen.a[d];
    return l > 0 && l < this.p.maxPageSharing;
  }

  private hlistAdd(g: number, d: number): void {
    const head = this.stable.dHead.a[d];
    this.hNext[g] = head;
    this.hPrev[g] = -1;
    if (head >= 0) this.hPrev[head] = g;
    this.stable.dHead.a[d] = g;
  }

  private hlistDel(g: number, d: number): void {
    const nx = this.hNext[g];
    const pv = this.hPrev[g];
    if (pv >= 0) this.hNext[pv] = nx;
    else this.stable.dHead.a[d] = nx;
    if (nx >= 0) this.hPrev[nx] = pv;
    this.hNext[g] = -1;
    this.hPrev[g] = -1;
  }

  /** stable_tree_append */
  private stableAppend(g: number, d: number): void {
    const had = this.stable.dLen.a[d] > 0;
    this.stable.dLen.a[d]++;
    this.hlistAdd(g, d);
    this.itm[g] = STABLE;
    this.tref[g] = d;
    if (had) this.c.sharing++;
    else this.c.shared++;
  }

  /** remove_node_from_stable_tree: a stale dup (its KSM page was freed). */
  private removeNode(d: number): void {
    let g = this.stable.dHead.a[d];
    let first = true;
    while (g >= 0) {
      const nx = this.hNext[g];
      if (first) this.c.shared--;
      else this.c.sharing--;
      first = false;
      this.itm[g] = ITEM;
      this.tref[g] = -1;
      this.hNext[g] = -1;
      this.hPrev[g] = -1;
      g = nx;
    }
    // the kernel walks the hlist head first: the last item it meets counts as the shared one
    this.stable.dHead.a[d] = -1;
    this.stable.dLen.a[d] = 0;
    this.unlinkDup(d);
  }

  private unlinkDup(d: number): void {
    if (!this.stable.dInTree.a[d]) return;
    this.stable.dInTree.a[d] = 0;
    const c = this.stable.dContent.a[d];
    let prev = -1;
    let x = this.stable.chainHead[c];
    while (x !== -1 && x !== d) {
      prev = x;
      x = this.stable.dNext.a[x];
    }
    if (x === -1) return;
    if (prev === -1) this.stable.chainHead[c] = this.stable.dNext.a[d];
    else this.stable.dNext.a[prev] = this.stable.dNext.a[d];
    this.stable.dNext.a[d] = -1;
    this.stable.nodes--;
    if (this.stable.isChain[c]) {
      this.c.dups--;
      if (this.stable.chainHead[c] === -1) {
        this.stable.isChain[c] = 0;
        this.c.chains--;
      }
    }
  }

  /** ksm_get_folio: false (and the node removed) when the dup's page has been freed. */
  private dupAlive(d: number): boolean {
    if (this.stable.dMap.a[d] > 0) return true;
    this.removeNode(d);
    return false;
  }

  /** remove_rmap_item_from_tree */
  private removeFromTree(g: number): void {
    const s = this.itm[g];
    if (s === STABLE) {
      const d = this.tref[g];
      if (!this.dupAlive(d)) return; // removeNode cleared the item
      this.hlistDel(g, d);
      this.stable.dLen.a[d]--;
      if (this.stable.dHead.a[d] >= 0) this.c.sharing--;
      else this.c.shared--;
      this.tref[g] = -1;
      this.itm[g] = ITEM;
    } else if (s === UNSTABLE) {
      const key = this.oldSum[g];
      if (
        this.tref[g] === this.scan.seqnr &&
        key >= 0 &&
        this.unstable.head[key] === g &&
        this.unstable.seq[key] === this.scan.seqnr
      ) {
        this.unstable.head[key] = -1;
        this.unstable.size--;
      }
      this.c.unshared--;
      this.itm[g] = ITEM;
    }
  }

  private freeItem(g: number, pi: number): void {
    this.removeFromTree(g);
    this.itm[g] = 0;
    this.oldSum[g] = -1;
    this.age[g] = 0;
    this.skips[g] = 0;
    this.c.items--;
    this.mm.itemsOf[pi]--;
  }

  /** Levels of a balanced tree of n nodes: ceil(log2(n + 1)), at least 1 (= the bit length of n). */
  private log2(n: number): number {
    return n <= 1 ? 1 : 32 - Math.clz32(n);
  }

  /**
   * stable_node_dup for content c: the dup to merge into, or -1 (none, or all dups full).
   * `prune` = chain_prune (stable_tree_search) vs chain (stable_tree_insert).
   */
  private stableNodeDup(c: number, prune: boolean): number {
    for (;;) {
      const head = this.stable.chainHead[c];
      if (head === -1) return -1;
      if (!this.stable.isChain[c]) {
        if (!this.dupAlive(head)) continue;
        return head;
      }
      let doPrune = prune;
      if (doPrune) {
        if (this.now < (this.stable.pruneAt.get(c) ?? 0) + this.p.stableNodeChainsPruneMs) doPrune = false;
        else this.stable.pruneAt.set(c, this.now);
      }
      let found = -1;
      let foundLen = 0;
      let d = head;
      while (d !== -1) {
        const nx = this.stable.dNext.a[d];
        if (!this.dupAlive(d)) {
          d = nx;
          continue;
        }
        if (found === -1 || (this.candidate(d) && (!this.candidate(found) || this.stable.dLen.a[d] > foundLen))) {
          found = d;
          foundLen = this.stable.dLen.a[d];
          if (!doPrune && this.candidate(found)) break;
        }
        d = nx;
      }
      if (found === -1) {
        // every dup was stale: the chain is gone ("goto again" finds nothing)
        if (this.stable.isChain[c]) {
          this.stable.isChain[c] = 0;
          this.c.chains--;
        }
        this.stable.chainHead[c] = -1;
        return -1;
      }
      if (this.stable.chainHead[c] === found && this.stable.dNext.a[found] === -1) {
        // only one dup left: collapse the chain into a plain stable node
        this.stable.isChain[c] = 0;
        this.c.chains--;
        this.c.dups--;
      } else if (
        this.stable.chainHead[c] !== found &&
        this.stable.dLen.a[found] + 1 < this.p.maxPageSharing &&
        this.candidate(found)
      ) {
        // move to the head
        let prev = this.stable.chainHead[c];
        while (this.stable.dNext.a[prev] !== found) prev = this.stable.dNext.a[prev];
        this.stable.dNext.a[prev] = this.stable.dNext.a[found];
        this.stable.dNext.a[found] = this.stable.chainHead[c];
        this.stable.chainHead[c] = found;
      }
      return found;
    }
  }

  /** stable_tree_insert: a new KSM page (dup) for content c; chained when c already has one. */
  private stableInsert(c: number, frame: number): number {
    const existing = this.stableNodeDup(c, false);
    const d = this.stable.nDups++;
    this.stable.dContent.at(d)[d] = c;
    this.stable.dLen.at(d)[d] = 0;
    this.stable.dMap.at(d)[d] = 0;
    this.stable.dFrame.at(d)[d] = frame;
    this.stable.dHead.at(d, -1)[d] = -1;
    this.stable.dNext.at(d, -1)[d] = -1;
    this.stable.dInTree.at(d)[d] = 1;
    this.stable.nodes++;
    if (existing === -1) {
      this.stable.chainHead[c] = d;
    } else {
      if (!this.stable.isChain[c]) {
        this.stable.isChain[c] = 1;
        this.stable.pruneAt.set(c, this.now);
        this.c.chains++;
        this.c.dups++; // the existing node becomes a dup
      }
      this.stable.dNext.a[d] = this.stable.chainHead[c];
      this.stable.chainHead[c] = d;
      this.c.dups++;
    }
    return d;
  }

  // ---------------------------------------------------------------- cmp_and_merge_page

  /**
   * cmp_and_merge_page: one visit of page g. A KSM page listed under its dup stays; a changed checksum is
   * stored (volatile); then the zero page, the stable tree, the unstable tree.
   */
  private cmpAndMergePage(g: number): void {
    this.c.scanned++;
    const kd = this.mapKsm[g];
    if (kd >= 0) {
      if (this.itm[g] === STABLE && this.tref[g] === kd && this.stable.dInTree.a[kd]) return;
      // a KSM page whose item is not listed under it (its node was removed): append again
      this.removeFromTree(g);
      this.stableAppend(g, kd);
      return;
    }
    this.removeFromTree(g);
    let sum = this.cur[g];
    if (this.pf[g] & F_CHURN && this.now >= this.world.endTimeMs) sum = this.uniq--;
    if (this.oldSum[g] !== sum) {
      this.oldSum[g] = sum;
      return;
    }
    if (sum < 0) {
      // content unknown (unhashed page): never equal to anything; sits in the unstable tree
      this.itm[g] = UNSTABLE;
      this.tref[g] = this.scan.seqnr - 1;
      this.c.unshared++;
      return;
    }
    if (this.p.useZeroPages && sum === this.world.zeroContent) {
      this.pf[g] = (this.pf[g] & ~F_ELIG) | F_ZERO;
      this.c.zero++;
      return;
    }
    if (this.stableTreeSearch(g, sum)) return;
    this.unstableTreeSearchInsert(g, sum);
  }

  /** stable_tree_search (and the merge into its KSM page): true when g now maps a dup of content sum. */
  private stableTreeSearch(g: number, sum: number): boolean {
    this.treeSteps += this.log2(this.stable.nodes);
    const d = this.stableNodeDup(sum, true);
    if (d < 0 || !this.candidate(d)) return false;
    this.mapKsm[g] = d;
    this.stable.dMap.a[d]++;
    this.curFrame[g] = this.stable.dFrame.a[d];
    this.stableAppend(g, d);
    return true;
  }

  /**
   * unstable_tree_search_insert: the item of the same content in this pass's unstable tree is merged with g
   * (try_to_merge_two_pages); without one, g is inserted.
   */
  private unstableTreeSearchInsert(g: number, sum: number): void {
    this.treeSteps += this.log2(this.unstable.size);
    const u = this.unstable.seq[sum] === this.scan.seqnr ? this.unstable.head[sum] : -1;
    if (u >= 0 && u !== g) {
      const upi = this.procOfSlot(u);
      if (this.mm.exiting[upi] || !(this.pf[u] & F_ELIG) || this.mapKsm[u] >= 0) return; // get_mergeable_page fails
      if (this.cur[u] === sum) {
        if (this.curFrame[u] !== this.curFrame[g]) this.tryToMergeTwoPages(g, u, sum);
        return; // equal frames: a forked page, "page == tree_page"
      }
    }
    this.itm[g] = UNSTABLE;
    this.tref[g] = this.scan.seqnr;
    this.unstable.head[sum] = g;
    this.unstable.seq[sum] = this.scan.seqnr;
    this.unstable.size++;
    this.c.unshared++;
  }

  /** try_to_merge_two_pages (+ stable_tree_insert): scanned page g becomes the KSM page, tree page u maps it. */
  private tryToMergeTwoPages(g: number, u: number, sum: number): void {
    this.removeFromTree(u);
    const nd = this.stableInsert(sum, this.curFrame[g]);
    this.mapKsm[g] = nd;
    this.mapKsm[u] = nd;
    this.stable.dMap.a[nd] = 2;
    this.curFrame[u] = this.curFrame[g];
    this.stableAppend(u, nd);
    this.stableAppend(g, nd);
  }

  private procOfSlot(g: number): number {
    // binary search over base offsets
    let lo = 0;
    let hi = this.world.procs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.base[mid] <= g) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** should_skip_rmap_item */
  private shouldSkip(g: number): boolean {
    if (this.mapKsm[g] >= 0) return false;
    const age = this.age[g];
    if (age !== 255) this.age[g] = age + 1;
    if (age < 3) return false;
    if (this.skips[g] === 0) {
      this.skips[g] = age <= 3 ? 1 : age <= 5 ? 2 : age <= 8 ? 4 : 8;
      return false;
    }
    this.c.skipped++;
    this.skips[g]--;
    this.removeFromTree(g);
    return true;
  }

  // ---------------------------------------------------------------- scan_get_next_rmap_item

  /**
   * One batch of ksm_do_scan: visits up to `limit` pages in scan order (scan_get_next_rmap_item, then
   * cmp_and_merge_page). True when the full pass ended (or nothing is registered) before the limit.
   */
  private scanBatch(limit: number): boolean {
    if (this.scan.list.length === 0) return true;
    if (this.scan.cursor === -1) {
      // start of a full pass: the unstable tree is emptied (entries of older seqnr are ignored)
      this.unstable.size = 0;
      this.passStarts++;
      this.scan.cursor = 0;
      this.scan.slot = 0;
    }
    const pf = this.pf;
    const itm = this.itm;
    const mapKsm = this.mapKsm;
    let visited = 0;
    for (;;) {
      const pi = this.scan.list[this.scan.cursor];
      const tr = this.world.procs[pi];
      const b = this.base[pi];
      if (this.mm.exiting[pi]) {
        for (let s = 0; s < tr.slotCount; s++) if (itm[b + s]) this.freeItem(b + s, pi);
        this.scan.list.splice(this.scan.cursor, 1);
        this.mm.registered[pi] = 0;
      } else {
        const n = tr.slotCount;
        for (let s = this.scan.slot; s < n; s++) {
          const g = b + s;
          if (!(pf[g] & F_ELIG)) {
            if (itm[g]) this.freeItem(g, pi);
            continue;
          }
          if (!itm[g]) {
            itm[g] = ITEM;
            this.oldSum[g] = -1;
            this.age[g] = 0;
            this.skips[g] = 0;
            this.c.items++;
            this.mm.itemsOf[pi]++;
          }
          const kd = mapKsm[g];
          if (kd < 0 && this.p.smartScan && this.shouldSkip(g)) continue;
          this.scan.slot = s + 1;
          // a KSM page listed under its stable node stays (cmpAndMergePage's first case, inline)
          if (kd >= 0 && itm[g] === STABLE && this.tref[g] === kd && this.stable.dInTree.a[kd]) this.c.scanned++;
          else this.cmpAndMergePage(g);
          if (++visited >= limit) return false;
        }
        if (!this.mm.mergeableVmas[pi]) {
          // no VM_MERGEABLE VMA left: the slot is dropped like at exit
          this.scan.list.splice(this.scan.cursor, 1);
          this.mm.registered[pi] = 0;
        } else this.scan.cursor++;
      }
      this.scan.slot = 0;
      if (this.scan.cursor >= this.scan.list.length) {
        this.scan.cursor = -1;
        this.scan.seqnr++;
        return true;
      }
    }
  }

  // ---------------------------------------------------------------- events

  private register(pi: number): void {
    if (this.mm.registered[pi]) return;
    this.mm.registered[pi] = 1;
    // __ksm_enter: list_add_tail(slot, ksm_scan.mm_slot) = just before the cursor's slot
    if (this.scan.cursor === -1) this.scan.list.push(pi);
    else {
      this.scan.list.splice(this.scan.cursor, 0, pi);
      this.scan.cursor++;
    }
  }

  private exit(pi: number): void {
    const tr = this.world.procs[pi];
    const b = this.base[pi];
    for (let s = 0; s < tr.slotCount; s++) {
      const g = b + s;
      this.unmapPte(g);
      this.pf[g] &= ~F_ELIG;
    }
    if (!this.mm.registered[pi]) return;
    this.mm.exiting[pi] = 1;
    const at = this.scan.list.indexOf(pi);
    if (at === this.scan.cursor) return; // ksmd notices at its next step
    if (this.mm.itemsOf[pi] === 0) {
      this.scan.list.splice(at, 1);
      if (this.scan.cursor > at) this.scan.cursor--;
      this.mm.registered[pi] = 0;
      return;
    }
    // list_move behind the cursor: visited next
    this.scan.list.splice(at, 1);
    if (this.scan.cursor > at) this.scan.cursor--;
    if (this.scan.cursor === -1) this.scan.list.unshift(pi);
    else this.scan.list.splice(this.scan.cursor + 1, 0, pi);
  }

  // ---------------------------------------------------------------- run

  private bytes(): number {
    let b = 0;
    for (const o of [this, this.stable, this.unstable, this.mm])
      for (const v of Object.values(o)) {
        if (ArrayBuffer.isView(v)) b += v.byteLength;
        else if (v instanceof GrowI32) b += v.a.byteLength;
      }
    return b + this.stable.pruneAt.size * 48; // about 48 bytes a Map entry with a double value
  }

  counters(): KsmCounters {
    const c = this.c;
    return {
      pagesShared: c.shared,
      pagesSharing: c.sharing,
      pagesUnshared: c.unshared,
      pagesVolatile: c.items - c.shared - c.sharing - c.unshared,
      fullScans: this.scan.seqnr,
      pagesScanned: c.scanned,
      pagesSkipped: c.skipped,
      ksmZeroPages: c.zero,
      stableNodeChains: c.chains,
      stableNodeDups: c.dups,
      rmapItems: c.items,
    };
  }

  run(): KsmResult {
    const start = this.o.runStartMs ?? 0;
    const events = new SnapshotEvents(this.procs);
    const timeline = new KsmTimelineRecorder(start, this.o.timelineResolutionMs ?? 100, () => this.counters());
    this.now = start;
    events.applyUpTo(start, this);
    timeline.sample(this.now, true);
    const scan = this.ksmScanThread(start, events, timeline);
    timeline.sample(this.now, true);
    return this.result(start, scan, timeline);
  }

  /**
   * ksm_scan_thread: batches of pages_to_scan pages (ksm_do_scan), each costing CPU time (scan-timing.ts),
   * then sleeps to the next wake-up, applying snapshot events as time passes; until quietPasses full passes
   * change nothing after the last event, or maxPasses / maxSimMs.
   */
  private ksmScanThread(
    start: number,
    events: SnapshotEvents,
    timeline: KsmTimelineRecorder,
  ): { cpuUs: number; didConverge: boolean; lastChangeMs: number } {
    const { p, t, o } = this;
    const quiet = o.quietPasses ?? 12;
    const maxPasses = o.maxPasses ?? 100000;
    const maxSim = o.maxSimMs ?? 6 * 3600 * 1000;
    let cpuUs = 0;
    let quietCount = 0;
    let passChanged = false;
    let lastChangeMs = start;
    let passes = 0;
    let prevSharing = this.c.sharing;
    let prevShared = this.c.shared;
    let batchNo = 0;
    for (;;) {
      if ((batchNo++ & 255) === 0) {
        throwIfAborted(o.signal);
        o.onProgress?.({ phase: 'scan', done: Math.min(this.now, maxSim), total: maxSim });
      }
      events.applyUpTo(this.now, this);
      if (this.scan.list.length === 0) {
        if (!events.done()) {
          this.now = Math.max(this.now, events.nextT());
          continue;
        }
        return { cpuUs, didConverge: true, lastChangeMs };
      }
      // one batch
      this.treeSteps = 0;
      this.passStarts = 0;
      const scanned0 = this.c.scanned;
      const passEnded = this.scanBatch(p.pagesToScan);
      const visited = this.c.scanned - scanned0;
      const work = visited * t.pageCostUs + this.treeSteps * t.treeStepUs + this.passStarts * t.passStartUs;
      cpuUs += work;
      const end = this.now + work / 1000;
      if (this.c.sharing !== prevSharing || this.c.shared !== prevShared) {
        passChanged = true;
        lastChangeMs = end;
        prevSharing = this.c.sharing;
        prevShared = this.c.shared;
        timeline.step(end, this.c.sharing);
      }
      this.now = end;
      timeline.sample(this.now, false);
      if (passEnded) {
        passes++;
        if (events.done() && this.now >= events.lastT) {
          quietCount = passChanged ? 0 : quietCount + 1;
          if (quietCount >= quiet) return { cpuUs, didConverge: true, lastChangeMs };
        }
        passChanged = false;
        if (passes >= maxPasses) break;
      }
      if (this.now - start >= maxSim) break;
      this.now = nextWakeMs(end, p.sleepMs, t);
    }
    return { cpuUs, didConverge: false, lastChangeMs };
  }

  /** The result: counters, milestones, and frames before / after merging at the end of the observation. */
  private result(
    start: number,
    scan: { cpuUs: number; didConverge: boolean; lastChangeMs: number },
    timeline: KsmTimelineRecorder,
  ): KsmResult {
    const { world, p, t } = this;
    const conv = this.counters();
    const { half, full } = timeline.milestones(conv.pagesSharing);
    const alive = aliveAtEnd(world);
    const ownFrame = (tr: ProcTrack, k: number): number => {
      const st = tr.states[tr.states.length - 1];
      if (!(st.pages.flags[k] & PageFlag.Ksm)) return st.frame[k];
      const s = st.slotOfPage ? st.slotOfPage[k] : k;
      return world.frameCount + 1 + this.base[tr.index] + s;
    };
    const before = countFrames(world, alive, ownFrame, 1 + this.nSlots);
    const frameOf = (tr: ProcTrack, k: number): number => {
      const st = tr.states[tr.states.length - 1];
      const s = st.slotOfPage ? st.slotOfPage[k] : k;
      const g = this.base[tr.index] + s;
      if (this.mapKsm[g] >= 0) return this.stable.dFrame.a[this.mapKsm[g]];
      if (this.pf[g] & F_ZERO) return this.world.frameCount;
      return ownFrame(tr, k);
    };
    const after = countFrames(world, alive, frameOf, 1 + this.nSlots);
    const warnings = [...world.warnings];
    if (!this.mm.mergeableVmas.some((m) => m === 1))
      warnings.push('no process has MADV_MERGEABLE (mg) memory: KSM merges nothing (assumeMergeable for a what-if)');
    return {
      model: 'ksm',
      pageSize: world.pageSize,
      atTimeMs: world.endTimeMs,
      processes: alive.length,
      residentPages: before.residentPages,
      physicalPagesBefore: before.physicalPages,
      physicalPagesAfter: after.physicalPages,
      savedBytes: (before.physicalPages - after.physicalPages) * world.pageSize,
      pagesShared: conv.pagesShared,
      pagesSharing: conv.pagesSharing,
      warnings,
      params: p,
      timing: t,
      converged: conv,
      didConverge: scan.didConverge,
      convergedAtSec: (scan.lastChangeMs - start) / 1000,
      simulatedSec: (this.now - start) / 1000,
      timeline: timeline.points,
      sharingHalfSec: half,
      sharingFullSec: full,
      cpuSec: scan.cpuUs / 1e6,
      pagesPerSec: this.now > start ? conv.pagesScanned / ((this.now - start) / 1000) : 0,
      modelBytes: this.bytes(),
    };
  }

  /** A snapshot event (SnapshotEvents): process pi exits. */
  onExit(pi: number): void {
    this.exit(pi);
  }

  /** A snapshot event: process pi takes state si (si = 0: it appears, and registers if it has mg memory). */
  onState(pi: number, si: number): void {
    this.applyState(pi, si);
    if (si === 0 && this.mm.mergeableVmas[pi]) this.register(pi);
  }
}

/**
 * What the snapshots tell ksmd, in time order: a process appears (its first state), its pages change (a
 * later state), it exits. At the same time: appearances, then changes, then exits, each in mm_slot order.
 */
class SnapshotEvents {
  private readonly t: number[] = [];
  private readonly kind: number[] = [];
  private readonly pi: number[] = [];
  private readonly si: number[] = [];
  private next = 0;
  /** Time of the last event (0 if none). */
  readonly lastT: number;

  constructor(procs: ProcTrack[]) {
    type Ev = { t: number; kind: 0 | 1 | 2; pi: number; si: number };
    const evs: Ev[] = [];
    for (const tr of procs) {
      tr.states.forEach((st: ProcState, si) => evs.push({ t: st.timeMs, kind: si === 0 ? 0 : 1, pi: tr.index, si }));
      if (tr.exitTimeMs !== Infinity) evs.push({ t: tr.exitTimeMs, kind: 2, pi: tr.index, si: -1 });
    }
    const order = new Map(procs.map((tr, i) => [tr.index, i]));
    evs.sort((a, b) => a.t - b.t || a.kind - b.kind || order.get(a.pi)! - order.get(b.pi)!);
    for (const e of evs) {
      this.t.push(e.t);
      this.kind.push(e.kind);
      this.pi.push(e.pi);
      this.si.push(e.si);
    }
    this.lastT = evs.length ? evs[evs.length - 1].t : 0;
  }

  done(): boolean {
    return this.next >= this.t.length;
  }

  nextT(): number {
    return this.t[this.next];
  }

  /** Applies every event at or before upTo to the simulation. */
  applyUpTo(upTo: number, sim: { onExit(pi: number): void; onState(pi: number, si: number): void }): void {
    while (this.next < this.t.length && this.t[this.next] <= upTo) {
      const e = this.next++;
      if (this.kind[e] === 2) sim.onExit(this.pi[e]);
      else sim.onState(this.pi[e], this.si[e]);
    }
  }
}
