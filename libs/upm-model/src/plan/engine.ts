/**
 * The discrete-event replay of one plan point under one merge model: invocations in start order, containers
 * with busy/idle state, keep-alive by policy, placement over hosts, eviction under memory pressure, and the
 * memory of every host under none/UPM/KSM (merge-state.ts). See docs/simulator.md for the rules.
 *
 * Events at the same instant are handled in this order: container releases, keep-alive expiries, UPM madvise
 * calls, pre-warms, time-series samples, then the arrival. A container released at t can serve an arrival at t;
 * one whose keep-alive ends at t cannot.
 *
 * Everything lives in typed arrays indexed by container id (ids are reused); the hot path of a warm start is a
 * list pop, a heap push and a heap pop.
 */
import type { MergeModelName } from '../merge/common/types';
import type { InvocationBatch } from '../traces/expand';
import { IndexedHeap, KeyHeap } from './heap';
import { KsmState, MemoryBook, MergeState, NoneState, PageCacheState, UpmState } from './merge-state';
import type { ContainerTemplate, ProfileSet } from './profiles';
import type { KsmPlanParams, PolicySpec, UpmPlanParams } from './spec';

export interface EngineConfig {
  model: MergeModelName;
  profiles: ProfileSet;
  hosts: number;
  /** Per-host capacity in pages; Infinity = unlimited. */
  capacityPages: number;
  /** Concurrent invocations per host; Infinity = unlimited. */
  cores: number;
  policy: PolicySpec;
  /** Per function, ms. */
  coldStartMs: Float64Array;
  ksm: KsmPlanParams;
  upm: UpmPlanParams;
  spanStartS: number;
  spanEndS: number;
  /** Time-series step; null = no time series. */
  stepS: number | null;
  perFunction: boolean;
  signal?: AbortSignal;
  /** Called after each batch with the number of invocations replayed so far. */
  onBatch?: (done: number) => void;
  /** Debugging and tests: every container event is appended here. */
  log?: EngineEvent[];
}

export type EngineEventKind =
  'cold' | 'warm' | 'release' | 'expire' | 'evict' | 'unload' | 'reject' | 'prewarm' | 'madvise';

export interface EngineEvent {
  t: number;
  kind: EngineEventKind;
  /** Container id (-1 for a rejection). */
  c: number;
  fn: number;
  host: number;
}

export interface HostSeries {
  memoryPages: number[];
  peakMemoryPages: number[];
  savedPages: number[];
  containers: number[];
}

export interface EngineResult {
  invocations: number;
  coldStarts: number;
  warmStarts: number;
  rejectedMemory: number;
  rejectedCpu: number;
  evictions: number;
  expirations: number;
  unloads: number;
  prewarms: number;
  prewarmsSkipped: number;
  peakPages: number;
  meanPages: number;
  peakUnmergedPages: number;
  meanUnmergedPages: number;
  peakSavedPages: number;
  meanSavedPages: number;
  peakContainers: number;
  meanContainers: number;
  coldStartLatencyMsTotal: number;
  madviseCalls: number;
  madviseCostUsTotal: number;
  madviseMerges: number;
  madviseMisses: number;
  ksmSettled: number;
  ksmSettleDelaySumS: number;
  ksmPagesPerSec: number;
  ksmBatchPeriodMs: number;
  perHostPeakPages: number[];
  fnCold: Uint32Array | null;
  fnWarm: Uint32Array | null;
  fnRejected: Uint32Array | null;
  series: { tS: number[]; total: HostSeries; hosts: HostSeries[] } | null;
}

const FREE = 0;
const BUSY = 1;
const IDLE = 2;
const STARTING = 3;

function abortError(): Error {
  const e = new Error('aborted');
  e.name = 'AbortError';
  return e;
}

export class Engine implements MemoryBook {
  private readonly cfg: EngineConfig;
  private readonly nFn: number;
  private readonly H: number;
  private readonly cap: number;
  private readonly tpls: ContainerTemplate[];
  private readonly mem: MergeState;
  private readonly upm: UpmState | null;
  private readonly ksm: KsmState | null;

  // containers (struct of arrays)
  private capN = 0;
  private nUsed = 0;
  private freeIds: number[] = [];
  private cFn = new Int32Array(0);
  private cHost = new Int32Array(0);
  private cTpl = new Int32Array(0);
  private cState = new Uint8Array(0);
  private cBusyUntil = new Float64Array(0);
  private cIdleSince = new Float64Array(0);
  private cMadvAt = new Float64Array(0);
  private cPrio = new Float64Array(0);
  private cUses = new Int32Array(0);
  private cFnPrev = new Int32Array(0);
  private cFnNext = new Int32Array(0);
  private cLPrev = new Int32Array(0);
  private cLNext = new Int32Array(0);
  private cHPrev = new Int32Array(0);
  private cHNext = new Int32Array(0);

  // idle structures
  private readonly fnHead: Int32Array;
  private readonly fnTail: Int32Array;
  private lHead = -1;
  private lTail = -1;
  private readonly hHead: Int32Array;
  private readonly hTail: Int32Array;
  private readonly useHostLists: boolean;
  private readonly expiryMode: 'list' | 'heap' | 'none';
  private readonly ttlS: number;
  private readonly expiry: IndexedHeap | null;
  private readonly prioHeaps: IndexedHeap[] | null;
  private readonly gdClock: Float64Array;
  private readonly gdFreq: Float64Array;
  private readonly gdWeight: Float64Array;
  private readonly idlePages: Float64Array;

  // events
  private readonly busy = new KeyHeap(1024);
  private readonly madv = new KeyHeap(64);
  private readonly prewarmHeap = new KeyHeap(64);
  private readonly prewarmAt: Float64Array;

  // hybrid histogram state
  private readonly hh: HybridState | null;

  // accounting per host (pages)
  private readonly phys: Float64Array;
  private readonly unmerged: Float64Array;
  private readonly ctrs: Float64Array;
  private readonly hostBusy: Int32Array;
  private readonly lastT: Float64Array;
  private readonly intPhys: Float64Array;
  private readonly intUnmerged: Float64Array;
  private readonly intCtrs: Float64Array;
  private readonly hostPeak: Float64Array;
  private readonly hostStepPeak: Float64Array;
  private totalPhys = 0;
  private totalUnmerged = 0;
  private totalCtrs = 0;
  private peakPhys = 0;
  private peakUnmerged = 0;
  private peakSaved = 0;
  private peakCtrs = 0;
  private stepPeak = 0;

  // counters
  private invocations = 0;
  private coldStarts = 0;
  private warmStarts = 0;
  private rejectedMemory = 0;
  private rejectedCpu = 0;
  private evictions = 0;
  private expirations = 0;
  private unloads = 0;
  private prewarms = 0;
  private prewarmsSkipped = 0;
  private coldLatencyMs = 0;
  private madviseCalls = 0;
  private madviseCostUs = 0;
  private madviseMerges = 0;
  private madviseMisses = 0;
  private readonly fnCold: Uint32Array | null;
  private readonly fnWarm: Uint32Array | null;
  private readonly fnRejected: Uint32Array | null;
  private readonly rr: Uint32Array;

  // time series
  private nextSampleT = Infinity;
  private sampleIndex = 0;
  private readonly series: EngineResult['series'];

  constructor(cfg: EngineConfig) {
    this.cfg = cfg;
    this.nFn = cfg.profiles.fnTemplates.length;
    this.H = cfg.hosts;
    this.cap = cfg.capacityPages;
    this.tpls = cfg.profiles.templates;
    const H = this.H;
    if (cfg.model === 'upm') {
      this.upm = new UpmState(this, cfg.profiles, H, cfg.upm.costs);
      this.mem = this.upm;
      this.ksm = null;
    } else if (cfg.model === 'ksm') {
      this.ksm = new KsmState(this, cfg.profiles, H, cfg.ksm);
      this.mem = this.ksm;
      this.upm = null;
    } else {
      this.mem = new NoneState();
      this.upm = null;
      this.ksm = null;
    }
    this.mem = new PageCacheState(this.mem, this, cfg.profiles, H);
    this.fnHead = new Int32Array(this.nFn).fill(-1);
    this.fnTail = new Int32Array(this.nFn).fill(-1);
    this.hHead = new Int32Array(H).fill(-1);
    this.hTail = new Int32Array(H).fill(-1);
    const finite = Number.isFinite(this.cap);
    const pol = cfg.policy;
    this.useHostLists = finite && H > 1 && pol.kind !== 'greedy-dual';
    if (pol.kind === 'ttl') {
      this.expiryMode = 'list';
      this.ttlS = pol.ttlMinutes * 60;
    } else if (pol.kind === 'hybrid-histogram' || (pol.kind === 'greedy-dual' && pol.maxIdleMinutes !== null)) {
      this.expiryMode = 'heap';
      this.ttlS = pol.kind === 'greedy-dual' ? (pol.maxIdleMinutes as number) * 60 : 0;
    } else {
      this.expiryMode = 'none';
      this.ttlS = Infinity;
    }
    this.expiry = this.expiryMode === 'heap' ? new IndexedHeap(256) : null;
    this.prioHeaps = pol.kind === 'greedy-dual' && finite ? Array.from({ length: H }, () => new IndexedHeap(64)) : null;
    this.gdClock = new Float64Array(H);
    this.gdFreq = new Float64Array(this.nFn);
    // cold cost / size (ms per MiB)
    this.gdWeight = new Float64Array(this.nFn);
    for (let f = 0; f < this.nFn; f++) {
      const mib = cfg.profiles.fnBytes[f] / 1048576;
      this.gdWeight[f] = cfg.coldStartMs[f] / Math.max(mib, 1e-9);
    }
    this.idlePages = new Float64Array(H);
    this.prewarmAt = new Float64Array(this.nFn).fill(NaN);
    this.hh = pol.kind === 'hybrid-histogram' ? new HybridState(pol, this.nFn) : null;

    this.phys = new Float64Array(H);
    this.unmerged = new Float64Array(H);
    this.ctrs = new Float64Array(H);
    this.hostBusy = new Int32Array(H);
    this.lastT = new Float64Array(H).fill(cfg.spanStartS);
    this.intPhys = new Float64Array(H);
    this.intUnmerged = new Float64Array(H);
    this.intCtrs = new Float64Array(H);
    this.hostPeak = new Float64Array(H);
    this.hostStepPeak = new Float64Array(H);
    this.fnCold = cfg.perFunction ? new Uint32Array(this.nFn) : null;
    this.fnWarm = cfg.perFunction ? new Uint32Array(this.nFn) : null;
    this.fnRejected = cfg.perFunction ? new Uint32Array(this.nFn) : null;
    this.rr = new Uint32Array(this.nFn);
    if (cfg.stepS !== null) {
      const hs = (): HostSeries => ({ memoryPages: [], peakMemoryPages: [], savedPages: [], containers: [] });
      this.series = { tS: [], total: hs(), hosts: H > 1 ? Array.from({ length: H }, hs) : [] };
      this.nextSampleT = cfg.spanStartS;
    } else this.series = null;
    this.grow(256);
  }

  private emit(t: number, kind: EngineEventKind, c: number, fn: number, host: number): void {
    (this.cfg.log as EngineEvent[]).push({ t, kind, c, fn, host });
  }

  // ------------------------------------------------------------------------------------------------------
  // container storage

  private grow(n: number): void {
    if (n <= this.capN) return;
    let m = Math.max(256, this.capN * 2);
    while (m < n) m *= 2;
    const gi = (a: Int32Array, fill = 0) => {
      const b = new Int32Array(m);
      if (fill) b.fill(fill);
      b.set(a);
      return b;
    };
    const gf = (a: Float64Array) => {
      const b = new Float64Array(m);
      b.set(a);
      return b;
    };
    this.cFn = gi(this.cFn);
    this.cHost = gi(this.cHost);
    this.cTpl = gi(this.cTpl);
    const s = new Uint8Array(m);
    s.set(this.cState);
    this.cState = s;
    this.cBusyUntil = gf(this.cBusyUntil);
    this.cIdleSince = gf(this.cIdleSince);
    this.cMadvAt = gf(this.cMadvAt);
    this.cPrio = gf(this.cPrio);
    this.cUses = gi(this.cUses);
    this.cFnPrev = gi(this.cFnPrev, -1);
    this.cFnNext = gi(this.cFnNext, -1);
    this.cLPrev = gi(this.cLPrev, -1);
    this.cLNext = gi(this.cLNext, -1);
    this.cHPrev = gi(this.cHPrev, -1);
    this.cHNext = gi(this.cHNext, -1);
    this.capN = m;
    this.mem.ensureContainers(m);
  }

  private alloc(): number {
    if (this.freeIds.length) return this.freeIds.pop() as number;
    if (this.nUsed === this.capN) this.grow(this.nUsed + 1);
    return this.nUsed++;
  }

  // ------------------------------------------------------------------------------------------------------
  // accounting (MemoryBook)

  private integrate(h: number, t: number): void {
    const dt = t - this.lastT[h];
    if (dt > 0) {
      this.intPhys[h] += this.phys[h] * dt;
      this.intUnmerged[h] += this.unmerged[h] * dt;
      this.intCtrs[h] += this.ctrs[h] * dt;
      this.lastT[h] = t;
    }
  }

  share(h: number, t: number, d: number): void {
    this.integrate(h, t);
    this.phys[h] += d;
    this.unmerged[h] += d;
    this.totalPhys += d;
    this.totalUnmerged += d;
  }

  change(h: number, t: number, dPhys: number): void {
    this.integrate(h, t);
    this.phys[h] += dPhys;
    this.totalPhys += dPhys;
    const saved = this.totalUnmerged - this.totalPhys;
    if (saved > this.peakSaved) this.peakSaved = saved;
  }

  private addContainer(h: number, t: number, units: number): void {
    this.integrate(h, t);
    this.phys[h] += units;
    this.unmerged[h] += units;
    this.ctrs[h]++;
    this.totalPhys += units;
    this.totalUnmerged += units;
    this.totalCtrs++;
    if (this.totalPhys > this.peakPhys) this.peakPhys = this.totalPhys;
    if (this.totalPhys > this.stepPeak) this.stepPeak = this.totalPhys;
    if (this.phys[h] > this.hostPeak[h]) this.hostPeak[h] = this.phys[h];
    if (this.phys[h] > this.hostStepPeak[h]) this.hostStepPeak[h] = this.phys[h];
    if (this.totalUnmerged > this.peakUnmerged) this.peakUnmerged = this.totalUnmerged;
    if (this.totalCtrs > this.peakCtrs) this.peakCtrs = this.totalCtrs;
  }

  private removeContainer(h: number, t: number, units: number, freed: number): void {
    this.integrate(h, t);
    this.phys[h] -= freed;
    this.unmerged[h] -= units;
    this.ctrs[h]--;
    this.totalPhys -= freed;
    this.totalUnmerged -= units;
    this.totalCtrs--;
  }

  /** KSM: bring every host's ksmd to t (so sums over hosts are exact at t). */
  private advanceAll(t: number): void {
    if (this.ksm === null) return;
    for (let h = 0; h < this.H; h++) this.ksm.advance(h, t);
  }

  // ------------------------------------------------------------------------------------------------------
  // idle structures

  private makeIdle(c: number, t: number, expireAt: number): void {
    const f = this.cFn[c];
    const h = this.cHost[c];
    this.cState[c] = IDLE;
    this.cIdleSince[c] = t;
    // function list: most recently released first
    const fh = this.fnHead[f];
    this.cFnPrev[c] = -1;
    this.cFnNext[c] = fh;
    if (fh >= 0) this.cFnPrev[fh] = c;
    else this.fnTail[f] = c;
    this.fnHead[f] = c;
    // global list in release order (TTL expiry order; LRU order of a single host)
    this.cLNext[c] = -1;
    this.cLPrev[c] = this.lTail;
    if (this.lTail >= 0) this.cLNext[this.lTail] = c;
    else this.lHead = c;
    this.lTail = c;
    if (this.useHostLists) {
      this.cHNext[c] = -1;
      const ht = this.hTail[h];
      this.cHPrev[c] = ht;
      if (ht >= 0) this.cHNext[ht] = c;
      else this.hHead[h] = c;
      this.hTail[h] = c;
    }
    if (this.expiry !== null) this.expiry.push(c, expireAt);
    if (this.prioHeaps !== null) this.prioHeaps[h].push(c, this.cPrio[c], t);
    this.idlePages[h] += this.tpls[this.cTpl[c]].units;
  }

  private unlinkIdle(c: number): void {
    const f = this.cFn[c];
    const h = this.cHost[c];
    const p = this.cFnPrev[c];
    const n = this.cFnNext[c];
    if (p >= 0) this.cFnNext[p] = n;
    else this.fnHead[f] = n;
    if (n >= 0) this.cFnPrev[n] = p;
    else this.fnTail[f] = p;
    const lp = this.cLPrev[c];
    const ln = this.cLNext[c];
    if (lp >= 0) this.cLNext[lp] = ln;
    else this.lHead = ln;
    if (ln >= 0) this.cLPrev[ln] = lp;
    else this.lTail = lp;
    if (this.useHostLists) {
      const hp = this.cHPrev[c];
      const hn = this.cHNext[c];
      if (hp >= 0) this.cHNext[hp] = hn;
      else this.hHead[h] = hn;
      if (hn >= 0) this.cHPrev[hn] = hp;
      else this.hTail[h] = hp;
    }
    if (this.expiry !== null) this.expiry.remove(c);
    if (this.prioHeaps !== null) this.prioHeaps[h].remove(c);
    this.idlePages[h] -= this.tpls[this.cTpl[c]].units;
  }

  /** Removes a container from its host (it must be idle). */
  private exitContainer(c: number, t: number): void {
    const h = this.cHost[c];
    if (this.ksm !== null) this.ksm.advance(h, t);
    this.unlinkIdle(c);
    const tpl = this.tpls[this.cTpl[c]];
    const freed = this.mem.exit(c, h, tpl, t);
    this.removeContainer(h, t, tpl.units, freed);
    this.gdFreq[this.cFn[c]] -= this.cUses[c];
    this.cState[c] = FREE;
    this.cMadvAt[c] = NaN;
    this.freeIds.push(c);
  }

  /** The idle container evicted first on host h: lowest priority (greedy-dual) or least recently used. */
  private victim(h: number): number {
    if (this.prioHeaps !== null) return this.prioHeaps[h].topId();
    if (this.H === 1) return this.lHead;
    if (this.useHostLists) return this.hHead[h];
    return -1;
  }

  /** Evicts on host h until `pages` fit; false when the idle containers run out first. */
  private makeRoom(h: number, pages: number, t: number): boolean {
    while (this.phys[h] + pages > this.cap) {
      const v = this.victim(h);
      if (v < 0) return false;
      if (this.prioHeaps !== null) this.gdClock[h] = this.cPrio[v];
      if (this.cfg.log) this.emit(t, 'evict', v, this.cFn[v], h);
      this.exitContainer(v, t);
      this.evictions++;
    }
    return true;
  }

  /**
   * The host for a new container of `pages` pages: the one with the most free memory (unlimited: the least
   * used); if it does not fit anywhere without eviction, the one with the most free + idle memory, after LRU
   * (or priority) eviction there. -1 = rejected. `needCore` skips hosts whose cores are all busy.
   */
  private place(pages: number, t: number, needCore: boolean): number {
    const H = this.H;
    const cores = this.cfg.cores;
    this.advanceAll(t);
    if (H === 1) {
      if (needCore && this.hostBusy[0] >= cores) return -2;
      if (this.phys[0] + pages <= this.cap) return 0;
      // evicting every idle container frees at most their unmerged pages
      if (this.phys[0] + pages > this.cap + this.idlePages[0]) return -1;
      return this.makeRoom(0, pages, t) ? 0 : -1;
    }
    let best = -1;
    let bestFree = -Infinity;
    let anyCore = false;
    for (let h = 0; h < H; h++) {
      if (needCore && this.hostBusy[h] >= cores) continue;
      anyCore = true;
      const free = this.cap - this.phys[h];
      const score = Number.isFinite(free) ? free : -this.phys[h];
      if (score > bestFree) {
        bestFree = score;
        best = h;
      }
    }
    if (!anyCore) return -2;
    if (this.phys[best] + pages <= this.cap) return best;
    best = -1;
    bestFree = -Infinity;
    for (let h = 0; h < H; h++) {
      if (needCore && this.hostBusy[h] >= cores) continue;
      const room = this.cap - this.phys[h] + this.idlePages[h];
      if (room > bestFree) {
        bestFree = room;
        best = h;
      }
    }
    if (best < 0 || bestFree < pages) return -1;
    return this.makeRoom(best, pages, t) ? best : -1;
  }

  private newContainer(f: number, h: number, t: number): number {
    const ts = this.cfg.profiles.fnTemplates[f];
    const tplId = ts[this.rr[f]++ % ts.length];
    const c = this.alloc();
    this.cFn[c] = f;
    this.cHost[c] = h;
    this.cTpl[c] = tplId;
    this.cUses[c] = 0;
    this.cMadvAt[c] = NaN;
    const tpl = this.tpls[tplId];
    this.mem.create(c, h, tpl, t); // first: the page cache gives back frames already on the host
    this.addContainer(h, t, tpl.units);
    return c;
  }

  // ------------------------------------------------------------------------------------------------------
  // events

  private release(): void {
    const t = this.busy.topKey();
    const c = this.busy.pop();
    const h = this.cHost[c];
    this.hostBusy[h]--;
    const f = this.cFn[c];
    if (this.cfg.log) this.emit(t, 'release', c, f, h);
    if (this.hh !== null) {
      const w = this.hh.windows(f);
      if (w.prewarmS > 0) {
        // unload now, load again just before the predicted next invocation
        this.makeIdle(c, t, Infinity);
        this.exitContainer(c, t);
        this.unloads++;
        if (this.cfg.log) this.emit(t, 'unload', c, f, h);
        const at = t + w.prewarmS;
        this.prewarmAt[f] = at;
        this.prewarmHeap.push(at, f);
        return;
      }
      this.makeIdle(c, t, t + w.keepAliveS);
      return;
    }
    this.makeIdle(c, t, t + this.ttlS);
  }

  private nextExpiry(): number {
    if (this.expiryMode === 'list') return this.lHead >= 0 ? this.cIdleSince[this.lHead] + this.ttlS : Infinity;
    if (this.expiryMode === 'heap') return (this.expiry as IndexedHeap).topKey();
    return Infinity;
  }

  private expireOne(t: number): void {
    const c = this.expiryMode === 'list' ? this.lHead : (this.expiry as IndexedHeap).topId();
    if (this.cfg.log) this.emit(t, 'expire', c, this.cFn[c], this.cHost[c]);
    this.exitContainer(c, t);
    this.expirations++;
  }

  private madviseEvent(): void {
    const t = this.madv.topKey();
    const c = this.madv.pop();
    if (this.cMadvAt[c] !== t) return; // the container is gone
    this.cMadvAt[c] = NaN;
    const h = this.cHost[c];
    const tpl = this.tpls[this.cTpl[c]];
    const r = (this.upm as UpmState).madvise(c, h, tpl, t);
    if (this.cfg.log) this.emit(t, 'madvise', c, this.cFn[c], h);
    this.madviseCalls++;
    this.madviseCostUs += r.costUs;
    this.madviseMerges += r.merges;
    this.madviseMisses += r.misses;
    if (this.cState[c] === STARTING) {
      // right after initialisation: the call lengthens the cold start, then the first invocation runs
      const costS = r.costUs / 1e6;
      this.coldLatencyMs += r.costUs / 1000;
      this.cState[c] = BUSY;
      this.cBusyUntil[c] += costS;
      this.busy.push(this.cBusyUntil[c], c);
    }
  }

  private prewarmEvent(): void {
    const t = this.prewarmHeap.topKey();
    const f = this.prewarmHeap.pop();
    if (this.prewarmAt[f] !== t) return;
    this.prewarmAt[f] = NaN;
    if (this.fnHead[f] >= 0) return; // a warm container is already there
    const tplUnits = this.peekUnits(f);
    const h = this.place(tplUnits, t, false);
    if (h < 0) {
      this.prewarmsSkipped++;
      return;
    }
    const c = this.newContainer(f, h, t);
    this.prewarms++;
    if (this.cfg.log) this.emit(t, 'prewarm', c, f, h);
    if (this.upm !== null) {
      // loaded ahead of time: its madvise runs at once, no invocation waits for it
      const r = this.upm.madvise(c, h, this.tpls[this.cTpl[c]], t);
      this.madviseCalls++;
      this.madviseCostUs += r.costUs;
      this.madviseMerges += r.merges;
      this.madviseMisses += r.misses;
    }
    const w = (this.hh as HybridState).windows(f);
    this.cPrio[c] = 0;
    this.makeIdle(c, t, t + w.keepAliveS);
  }

  private peekUnits(f: number): number {
    const ts = this.cfg.profiles.fnTemplates[f];
    return this.tpls[ts[this.rr[f] % ts.length]].units;
  }

  private sample(): void {
    const t = this.nextSampleT;
    this.advanceAll(t);
    const s = this.series as NonNullable<EngineResult['series']>;
    s.tS.push(t);
    const tot = s.total;
    tot.memoryPages.push(this.totalPhys);
    tot.peakMemoryPages.push(Math.max(this.stepPeak, this.totalPhys));
    tot.savedPages.push(this.totalUnmerged - this.totalPhys);
    tot.containers.push(this.totalCtrs);
    this.stepPeak = this.totalPhys;
    for (let h = 0; h < s.hosts.length; h++) {
      const hs = s.hosts[h];
      hs.memoryPages.push(this.phys[h]);
      hs.peakMemoryPages.push(Math.max(this.hostStepPeak[h], this.phys[h]));
      hs.savedPages.push(this.unmerged[h] - this.phys[h]);
      hs.containers.push(this.ctrs[h]);
      this.hostStepPeak[h] = this.phys[h];
    }
    this.sampleIndex++;
    const stepS = this.cfg.stepS as number;
    const next = this.cfg.spanStartS + this.sampleIndex * stepS;
    this.nextSampleT = next <= this.cfg.spanEndS ? next : Infinity;
  }

  /** Handles every event due at or before t (releases first, the sample last). */
  private processUntil(t: number): void {
    for (;;) {
      const tr = this.busy.size > 0 ? this.busy.keys[0] : Infinity;
      const te = this.nextExpiry();
      const tm = this.madv.size > 0 ? this.madv.keys[0] : Infinity;
      const tp = this.prewarmHeap.size > 0 ? this.prewarmHeap.keys[0] : Infinity;
      const ts = this.nextSampleT;
      let tmin = tr < te ? tr : te;
      if (tm < tmin) tmin = tm;
      if (tp < tmin) tmin = tp;
      if (ts < tmin) tmin = ts;
      if (tmin > t) return;
      if (tr === tmin) this.release();
      else if (te === tmin) this.expireOne(tmin);
      else if (tm === tmin) this.madviseEvent();
      else if (tp === tmin) this.prewarmEvent();
      else this.sample();
    }
  }

  private nextEventT(): number {
    const tr = this.busy.size > 0 ? this.busy.keys[0] : Infinity;
    const te = this.nextExpiry();
    const tm = this.madv.size > 0 ? this.madv.keys[0] : Infinity;
    const tp = this.prewarmHeap.size > 0 ? this.prewarmHeap.keys[0] : Infinity;
    let m = tr < te ? tr : te;
    if (tm < m) m = tm;
    if (tp < m) m = tp;
    if (this.nextSampleT < m) m = this.nextSampleT;
    return m;
  }

  // ------------------------------------------------------------------------------------------------------

  run(batches: Iterable<InvocationBatch>): EngineResult {
    const cfg = this.cfg;
    const cores = cfg.cores;
    const limitedCores = Number.isFinite(cores);
    const gd = cfg.policy.kind === 'greedy-dual';
    const upmDelayS = cfg.upm.madviseAfterInitMs / 1000;
    const coldMs = cfg.coldStartMs;
    let next = this.nextEventT();
    for (const b of batches) {
      if (cfg.signal?.aborted) throw abortError();
      const st = b.startS;
      const du = b.durationMs;
      const fn = b.fn;
      const n = st.length;
      for (let i = 0; i < n; i++) {
        const t = st[i];
        if (t >= next) {
          this.processUntil(t);
          next = this.nextEventT();
        }
        const f = fn[i];
        const dS = du[i] / 1000;
        this.invocations++;
        if (this.hh !== null) this.hh.arrival(f, t);
        // warm start: the most recently released idle container of the function
        let c = this.fnHead[f];
        if (limitedCores) while (c >= 0 && this.hostBusy[this.cHost[c]] >= cores) c = this.cFnNext[c];
        if (c >= 0) {
          this.unlinkIdle(c);
          this.cState[c] = BUSY;
          const end = t + dS;
          this.cBusyUntil[c] = end;
          this.busy.push(end, c);
          if (end < next) next = end;
          this.hostBusy[this.cHost[c]]++;
          this.warmStarts++;
          if (this.fnWarm !== null) this.fnWarm[f]++;
          if (gd) this.touchGd(c, f);
          if (this.hh !== null) this.hh.setEnd(f, end);
          if (cfg.log) this.emit(t, 'warm', c, f, this.cHost[c]);
          continue;
        }
        // cold start
        const h = this.place(this.peekUnits(f), t, limitedCores);
        if (h < 0) {
          if (h === -2) this.rejectedCpu++;
          else this.rejectedMemory++;
          if (this.fnRejected !== null) this.fnRejected[f]++;
          if (cfg.log) this.emit(t, 'reject', -1, f, h);
          next = this.nextEventT();
          continue;
        }
        c = this.newContainer(f, h, t);
        this.coldStarts++;
        if (cfg.log) this.emit(t, 'cold', c, f, h);
        if (this.fnCold !== null) this.fnCold[f]++;
        this.hostBusy[h]++;
        const coldS = coldMs[f] / 1000;
        this.coldLatencyMs += coldMs[f];
        const end = t + coldS + dS;
        this.cBusyUntil[c] = end;
        if (gd) this.touchGd(c, f);
        if (this.hh !== null) this.hh.setEnd(f, end);
        if (this.upm !== null) {
          const at = t + coldS + upmDelayS;
          this.cMadvAt[c] = at;
          this.madv.push(at, c);
          if (upmDelayS === 0) this.cState[c] = STARTING;
          else {
            this.cState[c] = BUSY;
            this.busy.push(end, c);
          }
        } else {
          this.cState[c] = BUSY;
          this.busy.push(end, c);
        }
        next = this.nextEventT();
      }
      cfg.onBatch?.(this.invocations);
    }
    // drain to the end of the span
    this.processUntil(cfg.spanEndS);
    this.advanceAll(cfg.spanEndS);
    for (let h = 0; h < this.H; h++) this.integrate(h, cfg.spanEndS);
    return this.result();
  }

  private touchGd(c: number, f: number): void {
    this.cUses[c]++;
    this.gdFreq[f]++;
    this.cPrio[c] = this.gdClock[this.cHost[c]] + this.gdFreq[f] * this.gdWeight[f];
  }

  private result(): EngineResult {
    const span = this.cfg.spanEndS - this.cfg.spanStartS;
    let ip = 0;
    let iu = 0;
    let ic = 0;
    for (let h = 0; h < this.H; h++) {
      ip += this.intPhys[h];
      iu += this.intUnmerged[h];
      ic += this.intCtrs[h];
    }
    const mean = (x: number) => (span > 0 ? x / span : 0);
    const s = this.series;
    return {
      invocations: this.invocations,
      coldStarts: this.coldStarts,
      warmStarts: this.warmStarts,
      rejectedMemory: this.rejectedMemory,
      rejectedCpu: this.rejectedCpu,
      evictions: this.evictions,
      expirations: this.expirations,
      unloads: this.unloads,
      prewarms: this.prewarms,
      prewarmsSkipped: this.prewarmsSkipped,
      peakPages: this.peakPhys,
      meanPages: mean(ip),
      peakUnmergedPages: this.peakUnmerged,
      meanUnmergedPages: mean(iu),
      peakSavedPages: this.peakSaved,
      meanSavedPages: mean(iu - ip),
      peakContainers: this.peakCtrs,
      meanContainers: mean(ic),
      coldStartLatencyMsTotal: this.coldLatencyMs,
      madviseCalls: this.madviseCalls,
      madviseCostUsTotal: this.madviseCostUs,
      madviseMerges: this.madviseMerges,
      madviseMisses: this.madviseMisses,
      ksmSettled: this.ksm?.stats.settled ?? 0,
      ksmSettleDelaySumS: this.ksm?.stats.settleDelaySumS ?? 0,
      ksmPagesPerSec: this.ksm?.pagesPerSec ?? 0,
      ksmBatchPeriodMs: (this.ksm?.periodS ?? 0) * 1000,
      perHostPeakPages: Array.from(this.hostPeak),
      fnCold: this.fnCold,
      fnWarm: this.fnWarm,
      fnRejected: this.fnRejected,
      series: s,
    };
  }
}

/**
 * Per-function idle-time histograms of the hybrid policy (Shahrad et al., ATC'20, section 4.2). An idle time
 * is recorded at each arrival: the time since the end of the function's previous invocation (0 if it has not
 * ended). Windows are recomputed lazily when the histogram changed.
 */
export class HybridState {
  private readonly nBins: number;
  private readonly binS: number;
  private readonly rangeS: number;
  private readonly hist: (Uint32Array | null)[];
  private readonly inRange: Float64Array;
  private readonly sumSq: Float64Array;
  private readonly oob: Float64Array;
  private readonly lastEnd: Float64Array;
  private readonly recent: (Float64Array | null)[];
  private readonly recentN: Int32Array;
  private readonly dirty: Uint8Array;
  private readonly prewarm: Float64Array;
  private readonly keepAlive: Float64Array;
  private readonly out = { prewarmS: 0, keepAliveS: 0 };

  constructor(
    private readonly p: Extract<PolicySpec, { kind: 'hybrid-histogram' }>,
    nFn: number,
  ) {
    this.binS = p.binMinutes * 60;
    this.rangeS = p.rangeMinutes * 60;
    this.nBins = Math.max(1, Math.round(p.rangeMinutes / p.binMinutes));
    this.hist = new Array(nFn).fill(null);
    this.inRange = new Float64Array(nFn);
    this.sumSq = new Float64Array(nFn);
    this.oob = new Float64Array(nFn);
    this.lastEnd = new Float64Array(nFn).fill(NaN);
    this.recent = new Array(nFn).fill(null);
    this.recentN = new Int32Array(nFn);
    this.dirty = new Uint8Array(nFn).fill(1);
    this.prewarm = new Float64Array(nFn);
    this.keepAlive = new Float64Array(nFn);
  }

  arrival(f: number, t: number): void {
    const last = this.lastEnd[f];
    if (last !== last) return; // NaN: first invocation
    const it = t > last ? t - last : 0;
    const bin = Math.floor(it / this.binS);
    let r = this.recent[f];
    if (r === null) r = this.recent[f] = new Float64Array(RECENT);
    r[this.recentN[f] % RECENT] = it;
    this.recentN[f]++;
    if (bin < this.nBins) {
      let hst = this.hist[f];
      if (hst === null) hst = this.hist[f] = new Uint32Array(this.nBins);
      const c = hst[bin]++;
      this.sumSq[f] += 2 * c + 1;
      this.inRange[f]++;
    } else this.oob[f]++;
    this.dirty[f] = 1;
  }

  setEnd(f: number, end: number): void {
    this.lastEnd[f] = end;
  }

  /** The function's current windows (seconds). */
  windows(f: number): { prewarmS: number; keepAliveS: number } {
    if (this.dirty[f]) this.recompute(f);
    this.out.prewarmS = this.prewarm[f];
    this.out.keepAliveS = this.keepAlive[f];
    return this.out;
  }

  /** CV of the bin counts (sample standard deviation / mean); 0 without samples. */
  cv(f: number): number {
    const n = this.inRange[f];
    if (n === 0) return 0;
    const mean = n / this.nBins;
    const ss = Math.max(0, this.sumSq[f] - this.nBins * mean * mean);
    const std = Math.sqrt(ss / Math.max(1, this.nBins - 1));
    return std / mean;
  }

  private recompute(f: number): void {
    this.dirty[f] = 0;
    const p = this.p;
    const total = this.inRange[f] + this.oob[f];
    const oobRate = total > 0 ? this.oob[f] / total : 0;
    if (total > 0 && oobRate >= p.oobThreshold) {
      // the paper forecasts the next idle time with ARIMA; we use the mean of the recent idle times
      const r = this.recent[f] as Float64Array;
      const k = Math.min(RECENT, this.recentN[f]);
      let s = 0;
      for (let i = 0; i < k; i++) s += r[i];
      const forecast = s / k;
      this.prewarm[f] = forecast * (1 - p.forecastMargin);
      this.keepAlive[f] = forecast * p.forecastMargin * 2;
      return;
    }
    if (this.inRange[f] === 0 || this.cv(f) < p.cvThreshold) {
      this.prewarm[f] = 0;
      this.keepAlive[f] = this.rangeS;
      return;
    }
    const h = this.hist[f] as Uint32Array;
    const n = this.inRange[f];
    const head = percentileBin(h, n, p.prewarmPercentile / 100);
    const tail = percentileBin(h, n, p.keepAlivePercentile / 100);
    this.prewarm[f] = head * this.binS * (1 - p.margin);
    this.keepAlive[f] = (tail + 1) * this.binS * (1 + p.margin);
  }
}

const RECENT = 10;

/** First bin whose cumulative share reaches q. */
function percentileBin(h: Uint32Array, n: number, q: number): number {
  let acc = 0;
  for (let i = 0; i < h.length; i++) {
    acc += h[i];
    if (acc / n >= q) return i;
  }
  return h.length - 1;
}
