/**
 * The discrete-event replay of one plan point under one merge model: invocations in start order, containers
 * with busy/idle state, keep-alive by policy, placement over hosts, eviction under memory pressure, and the
 * memory of every host under none/UPM/KSM (merge-state.ts). See docs/simulator.md for the rules.
 *
 * Events at the same instant are handled in this order: container releases, keep-alive expiries, UPM madvise
 * calls, pre-warms, time-series samples, then the arrival. The warm-up (if any) ends after every event at
 * its end and before the arrivals there (the counts restart). A container released at t can serve an arrival at t;
 * one whose keep-alive ends at t cannot.
 *
 * Everything lives in typed arrays indexed by container id (ids are reused); the hot path of a warm start is a
 * list pop, a heap push and a heap pop. The parts: engine/containers.ts (the container table),
 * engine/idle-index.ts (idle lists), keep-alive/ (the policies), engine/host-book.ts (per-host accounting),
 * engine/time-series.ts, engine/counters.ts; this file runs the events.
 */
import type { MergeModelName } from '../merge/common/types';
import { InvocationBatch, lowerBound } from '../traces/expand';
import * as cstate from './engine/containers';
import { EngineCounters } from './engine/counters';
import { HostBook } from './engine/host-book';
import { IdleIndex } from './engine/idle-index';
import { EngineSeries, SeriesRecorder } from './engine/time-series';
import { KeyHeap } from './heap';
import { KeepAlivePolicy, keepAlivePolicy, needsHostLists } from './keep-alive';
import * as policyConst from './keep-alive/policy';
import { KsmState, MergeState, NoneState, PageCacheState, UpmState } from './merge-state';
import type { ContainerTemplate, ProfileSet } from './profiles';
import type { KsmPlanParams, PolicySpec, UpmPlanParams } from './spec';

export type { HostSeries } from './engine/time-series';
export { HybridState } from './keep-alive';

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
  /**
   * End of the warm-up (seconds since the trace origin; <= spanStartS: none). The invocations before it are
   * replayed as any other, but every count (invocations, cold, warm, rejected, evictions, ...) restarts from
   * zero at it, and the memory figures (peaks, means, saved) from what is resident at it; the time series still
   * covers the whole span.
   */
  warmupEndS?: number;
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

export interface EngineResult {
  /** Invocations counted (after the warm-up). */
  invocations: number;
  /** Invocations replayed in the warm-up, not counted in any other figure. */
  warmupInvocations: number;
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
  /** When the peak was first reached (seconds since the trace origin). */
  peakAtS: number;
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
  series: EngineSeries | null;
}

// module-level copies: an imported binding is a property load on every use in the hot loop
const BUSY = cstate.BUSY;
const IDLE = cstate.IDLE;
const STARTING = cstate.STARTING;
const UNLOAD = policyConst.UNLOAD;

/** The kinds of event the replay orders (nextEvent); at the same instant the lower one goes first. */
const EV_RELEASE = 0;
const EV_EXPIRY = 1;
const EV_MADVISE = 2;
const EV_PREWARM = 3;
const EV_SAMPLE = 4;

function abortError(): Error {
  const e = new Error('aborted');
  e.name = 'AbortError';
  return e;
}

export class Engine {
  private readonly cfg: EngineConfig;
  private readonly H: number;
  private readonly cap: number;
  private readonly tpls: ContainerTemplate[];
  private readonly mem: MergeState;
  private readonly upm: UpmState | null;
  private readonly ksm: KsmState | null;
  private readonly ct = new cstate.ContainerTable();
  private readonly idle: IdleIndex;
  private readonly policy: KeepAlivePolicy;
  /** policy.usesIdle, read once. */
  private readonly policyIdle: boolean;
  private readonly book: HostBook;
  private readonly n: EngineCounters;
  private readonly series: SeriesRecorder | null;
  /** Busy containers by the end of their invocation. */
  private readonly busy = new KeyHeap(1024);
  /** UPM: pending madvise calls (time, container); stale ones are told by ct.madvAt. */
  private readonly madv = new KeyHeap(64);
  /** Per function: round-robin index into its templates (the next cold start's template). */
  private readonly rr: Uint32Array;
  /** End of the warm-up; Infinity once passed (or without one). */
  private warmupEndS: number;
  /** Where counts, peaks and means start: the span's start, or the warm-up's end. */
  private countFromS: number;
  /** Time of the event nextEvent() found. */
  private evT = Infinity;

  constructor(cfg: EngineConfig) {
    this.cfg = cfg;
    const nFn = cfg.profiles.fnTemplates.length;
    const H = (this.H = cfg.hosts);
    this.cap = cfg.capacityPages;
    this.tpls = cfg.profiles.templates;
    this.book = new HostBook(H, cfg.spanStartS);
    this.upm = cfg.model === 'upm' ? new UpmState(this.book, cfg.profiles, H, cfg.upm.costs) : null;
    this.ksm = cfg.model === 'ksm' ? new KsmState(this.book, cfg.profiles, H, cfg.ksm) : null;
    // page-cache frames are one frame per host under every model: the wrapper charges them once
    this.mem = new PageCacheState(this.upm ?? this.ksm ?? new NoneState(), this.book, cfg.profiles, H);
    const limited = Number.isFinite(this.cap);
    this.idle = new IdleIndex(nFn, H, needsHostLists(cfg.policy, H, limited));
    this.policy = keepAlivePolicy(cfg.policy, {
      nFn,
      hosts: H,
      limited,
      idle: this.idle,
      coldStartMs: cfg.coldStartMs,
      fnBytes: cfg.profiles.fnBytes,
    });
    this.policyIdle = this.policy.usesIdle;
    this.n = new EngineCounters(nFn, cfg.perFunction);
    this.rr = new Uint32Array(nFn);
    this.series = cfg.stepS !== null ? new SeriesRecorder(H, cfg.spanStartS, cfg.spanEndS, cfg.stepS) : null;
    const w = cfg.warmupEndS ?? -Infinity;
    this.warmupEndS = w > cfg.spanStartS ? w : Infinity;
    this.countFromS = cfg.spanStartS;
    this.grow(256);
  }

  private emit(t: number, kind: EngineEventKind, c: number, fn: number, host: number): void {
    (this.cfg.log as EngineEvent[]).push({ t, kind, c, fn, host });
  }

  // ------------------------------------------------------------------------------------------------------
  // containers

  /** Grows every per-container array (table, idle links, policy, merge state) to hold ids below n. */
  private grow(n: number): void {
    const before = this.ct.capacity;
    const m = this.ct.grow(n);
    if (m === before) return;
    this.idle.grow(m);
    this.policy.grow(m);
    this.mem.ensureContainers(m);
  }

  private alloc(): number {
    let c = this.ct.alloc();
    if (c < 0) {
      this.grow(this.ct.capacity + 1);
      c = this.ct.alloc();
    }
    return c;
  }

  private newContainer(f: number, h: number, t: number): number {
    const ts = this.cfg.profiles.fnTemplates[f];
    const tplId = ts[this.rr[f]++ % ts.length];
    const c = this.alloc();
    const ct = this.ct;
    ct.fn[c] = f;
    ct.host[c] = h;
    ct.tpl[c] = tplId;
    ct.madvAt[c] = NaN;
    const tpl = this.tpls[tplId];
    this.mem.create(c, h, tpl, t); // first: the page cache gives back frames already on the host
    this.book.add(h, t, tpl.units);
    return c;
  }

  /** The template units of f's next cold start. */
  private peekUnits(f: number): number {
    const ts = this.cfg.profiles.fnTemplates[f];
    return this.tpls[ts[this.rr[f] % ts.length]].units;
  }

  /** KSM: bring every host's ksmd to t (so sums over hosts are exact at t). */
  private advanceAll(t: number): void {
    if (this.ksm === null) return;
    for (let h = 0; h < this.H; h++) this.ksm.advance(h, t);
  }

  private makeIdle(c: number, t: number, expireAt: number): void {
    const ct = this.ct;
    const h = ct.host[c];
    ct.state[c] = IDLE;
    this.idle.link(c, ct.fn[c], h, this.tpls[ct.tpl[c]].units, t);
    if (this.policyIdle) this.policy.onIdle(c, h, t, expireAt);
  }

  private unlinkIdle(c: number): void {
    const ct = this.ct;
    const h = ct.host[c];
    this.idle.unlink(c, ct.fn[c], h, this.tpls[ct.tpl[c]].units);
    if (this.policyIdle) this.policy.onUnidle(c, h);
  }

  /** Removes a container from its host (it must be idle). */
  private exitContainer(c: number, t: number): void {
    const ct = this.ct;
    const h = ct.host[c];
    if (this.ksm !== null) this.ksm.advance(h, t);
    this.unlinkIdle(c);
    const tpl = this.tpls[ct.tpl[c]];
    const freed = this.mem.exit(c, h, tpl, t);
    this.book.remove(h, t, tpl.units, freed);
    this.policy.onExit(c, ct.fn[c]);
    ct.free(c);
  }

  // ------------------------------------------------------------------------------------------------------
  // placement

  /** Evicts on host h until `pages` fit; false when the idle containers run out first. */
  private makeRoom(h: number, pages: number, t: number): boolean {
    while (this.book.phys[h] + pages > this.cap) {
      const v = this.policy.victim(h);
      if (v < 0) return false;
      this.policy.onEvict(v, h);
      if (this.cfg.log) this.emit(t, 'evict', v, this.ct.fn[v], h);
      this.exitContainer(v, t);
      this.n.evictions++;
    }
    return true;
  }

  /**
   * The host for a new container of `pages` pages: the one with the most free memory (unlimited: the least
   * used); if it does not fit anywhere without eviction, the one with the most free + idle memory, after LRU
   * (or priority) eviction there. -1 = rejected for memory, -2 for cores. `needCore` skips hosts whose cores
   * are all busy.
   */
  private place(pages: number, t: number, needCore: boolean): number {
    const H = this.H;
    const cores = this.cfg.cores;
    const phys = this.book.phys;
    const hostBusy = this.book.busy;
    const idlePages = this.idle.pages;
    this.advanceAll(t);
    if (H === 1) {
      if (needCore && hostBusy[0] >= cores) return -2;
      if (phys[0] + pages <= this.cap) return 0;
      // evicting every idle container frees at most their unmerged pages
      if (phys[0] + pages > this.cap + idlePages[0]) return -1;
      return this.makeRoom(0, pages, t) ? 0 : -1;
    }
    let best = -1;
    let bestFree = -Infinity;
    let anyCore = false;
    for (let h = 0; h < H; h++) {
      if (needCore && hostBusy[h] >= cores) continue;
      anyCore = true;
      const free = this.cap - phys[h];
      const score = Number.isFinite(free) ? free : -phys[h];
      if (score > bestFree) {
        bestFree = score;
        best = h;
      }
    }
    if (!anyCore) return -2;
    if (phys[best] + pages <= this.cap) return best;
    best = -1;
    bestFree = -Infinity;
    for (let h = 0; h < H; h++) {
      if (needCore && hostBusy[h] >= cores) continue;
      const room = this.cap - phys[h] + idlePages[h];
      if (room > bestFree) {
        bestFree = room;
        best = h;
      }
    }
    if (best < 0 || bestFree < pages) return -1;
    return this.makeRoom(best, pages, t) ? best : -1;
  }

  // ------------------------------------------------------------------------------------------------------
  // events

  /**
   * The next event: sets evT to its time and returns its kind. At the same instant: releases, keep-alive
   * expiries, madvise calls, pre-warms, then the time-series sample (a container released at t can serve an
   * arrival at t; one whose keep-alive ends at t cannot). The warm-up's end is not one of them (see run).
   */
  private nextEvent(): number {
    let k = EV_RELEASE;
    let m = this.busy.size > 0 ? this.busy.keys[0] : Infinity;
    const te = this.policy.nextExpiry();
    if (te < m) {
      m = te;
      k = EV_EXPIRY;
    }
    const tm = this.madv.size > 0 ? this.madv.keys[0] : Infinity;
    if (tm < m) {
      m = tm;
      k = EV_MADVISE;
    }
    const tp = this.policy.nextPrewarm();
    if (tp < m) {
      m = tp;
      k = EV_PREWARM;
    }
    const ts = this.series !== null ? this.series.nextT : Infinity;
    if (ts < m) {
      m = ts;
      k = EV_SAMPLE;
    }
    this.evT = m;
    return k;
  }

  /** Handles every event due at or before t, in nextEvent's order. */
  private processUntil(t: number): void {
    for (;;) {
      const k = this.nextEvent();
      if (this.evT > t) return;
      if (k === EV_RELEASE) this.release();
      else if (k === EV_EXPIRY) this.expireOne(this.evT);
      else if (k === EV_MADVISE) this.madviseEvent();
      else if (k === EV_PREWARM) this.prewarmEvent(this.evT);
      else this.sample();
    }
  }

  private release(): void {
    const t = this.busy.topKey();
    const c = this.busy.pop();
    const h = this.ct.host[c];
    this.book.busy[h]--;
    const f = this.ct.fn[c];
    if (this.cfg.log) this.emit(t, 'release', c, f, h);
    const until = this.policy.onRelease(c, f, t);
    if (until === UNLOAD) this.unload(c, f, h, t);
    else this.makeIdle(c, t, until);
  }

  /** Hybrid histogram: c is unloaded at its release (the policy has scheduled its pre-warm). */
  private unload(c: number, f: number, h: number, t: number): void {
    this.makeIdle(c, t, Infinity);
    this.exitContainer(c, t);
    this.n.unloads++;
    if (this.cfg.log) this.emit(t, 'unload', c, f, h);
  }

  private expireOne(t: number): void {
    const c = this.policy.expiring();
    if (this.cfg.log) this.emit(t, 'expire', c, this.ct.fn[c], this.ct.host[c]);
    this.exitContainer(c, t);
    this.n.expirations++;
  }

  private madviseEvent(): void {
    const ct = this.ct;
    const t = this.madv.topKey();
    const c = this.madv.pop();
    if (ct.madvAt[c] !== t) return; // the container is gone
    ct.madvAt[c] = NaN;
    const h = ct.host[c];
    const r = (this.upm as UpmState).madvise(c, h, this.tpls[ct.tpl[c]], t);
    if (this.cfg.log) this.emit(t, 'madvise', c, ct.fn[c], h);
    this.n.madvise(r);
    if (ct.state[c] === STARTING) {
      // right after initialisation: the call lengthens the cold start, then the first invocation runs
      this.n.coldLatencyMs += r.costUs / 1000;
      ct.state[c] = BUSY;
      ct.busyUntil[c] += r.costUs / 1e6;
      this.busy.push(ct.busyUntil[c], c);
    }
  }

  private prewarmEvent(t: number): void {
    const f = this.policy.takePrewarm();
    if (f < 0) return;
    if (this.idle.fnHead[f] >= 0) return; // a warm container is already there
    const h = this.place(this.peekUnits(f), t, false);
    if (h < 0) {
      this.n.prewarmsSkipped++;
      return;
    }
    const c = this.newContainer(f, h, t);
    this.n.prewarms++;
    if (this.cfg.log) this.emit(t, 'prewarm', c, f, h);
    if (this.upm !== null) {
      // loaded ahead of time: its madvise runs at once, no invocation waits for it
      this.n.madvise(this.upm.madvise(c, h, this.tpls[this.ct.tpl[c]], t));
    }
    this.makeIdle(c, t, this.policy.prewarmedUntil(f, t));
  }

  /**
   * The warm-up ends at w: the events due by then are handled (those at w too), then the counts restart, so
   * an arrival at w is counted.
   */
  private endWarmup(): void {
    const w = this.warmupEndS;
    this.processUntil(w);
    // sums over hosts exact at w (KSM merges due by then applied) before the peaks restart from them
    this.advanceAll(w);
    this.warmupEndS = Infinity;
    this.countFromS = w;
    this.n.reset();
    this.book.restart(w);
  }

  /**
   * The batches, with the one holding the warm-up's end cut there: no batch has arrivals on both sides, so
   * run() ends the warm-up between batches and the per-invocation loop has no test for it.
   */
  private *splitAtWarmup(batches: Iterable<InvocationBatch>): Iterable<InvocationBatch> {
    const w = this.warmupEndS;
    let done = false;
    for (const b of batches) {
      const len = b.startS.length;
      if (done || len === 0 || b.startS[0] >= w || b.startS[len - 1] < w) {
        yield b;
        continue;
      }
      done = true;
      const i = lowerBound(b.startS, w);
      yield { startS: b.startS.subarray(0, i), durationMs: b.durationMs.subarray(0, i), fn: b.fn.subarray(0, i) };
      yield { startS: b.startS.subarray(i), durationMs: b.durationMs.subarray(i), fn: b.fn.subarray(i) };
    }
  }

  private sample(): void {
    const s = this.series as SeriesRecorder;
    this.advanceAll(s.nextT);
    s.sample(this.book);
  }

  // ------------------------------------------------------------------------------------------------------

  /**
   * Replays the invocations (in start order) and drains the events to the end of the span. The loop is the
   * hot path (millions of invocations per second): a warm start is inlined here, a cold start calls out.
   */
  run(batches: Iterable<InvocationBatch>): EngineResult {
    const cfg = this.cfg;
    const cores = cfg.cores;
    const limitedCores = Number.isFinite(cores);
    const ct = this.ct;
    const idle = this.idle;
    const policy = this.policy;
    const hostBusy = this.book.busy;
    const n = this.n;
    const policyIdle = this.policyIdle;
    const tpls = this.tpls;
    const arrivals = policy.usesArrivals;
    const uses = policy.usesUse;
    const warmup = this.warmupEndS !== Infinity;
    this.nextEvent();
    let next = this.evT;
    for (const b of warmup ? this.splitAtWarmup(batches) : batches) {
      if (cfg.signal?.aborted) throw abortError();
      if (this.warmupEndS !== Infinity && b.startS.length > 0 && b.startS[0] >= this.warmupEndS) {
        this.endWarmup();
        this.nextEvent();
        next = this.evT;
      }
      const st = b.startS;
      const du = b.durationMs;
      const fn = b.fn;
      const len = st.length;
      for (let i = 0; i < len; i++) {
        const t = st[i];
        if (t >= next) {
          this.processUntil(t);
          next = this.evT;
        }
        const f = fn[i];
        const dS = du[i] / 1000;
        n.invocations++;
        if (arrivals) policy.onArrival(f, t);
        // warm start: the most recently released idle container of the function
        let c = idle.fnHead[f];
        if (limitedCores) while (c >= 0 && hostBusy[ct.host[c]] >= cores) c = idle.fnNext[c];
        if (c >= 0) {
          const h = ct.host[c];
          idle.unlink(c, f, h, tpls[ct.tpl[c]].units); // unlinkIdle, inline
          if (policyIdle) policy.onUnidle(c, h);
          ct.state[c] = BUSY;
          const end = t + dS;
          ct.busyUntil[c] = end;
          this.busy.push(end, c);
          if (end < next) next = end;
          hostBusy[h]++;
          n.warmStarts++;
          if (n.fnWarm !== null) n.fnWarm[f]++;
          if (uses) policy.onUse(c, f, h, end);
          if (cfg.log) this.emit(t, 'warm', c, f, h);
          continue;
        }
        this.coldStart(f, t, dS, limitedCores);
        this.nextEvent();
        next = this.evT;
      }
      cfg.onBatch?.(n.warmupInvocations + n.invocations);
    }
    // no arrival after the warm-up: it still ends (counting the events after it)
    if (this.warmupEndS !== Infinity) this.endWarmup();
    // drain to the end of the span
    this.processUntil(cfg.spanEndS);
    this.advanceAll(cfg.spanEndS);
    for (let h = 0; h < this.H; h++) this.book.integrate(h, cfg.spanEndS);
    return this.result();
  }

  /** An invocation of f at t (dS seconds) finds no idle container: a new one, or a rejection. */
  private coldStart(f: number, t: number, dS: number, needCore: boolean): void {
    const cfg = this.cfg;
    const n = this.n;
    const h = this.place(this.peekUnits(f), t, needCore);
    if (h < 0) {
      if (h === -2) n.rejectedCpu++;
      else n.rejectedMemory++;
      if (n.fnRejected !== null) n.fnRejected[f]++;
      if (cfg.log) this.emit(t, 'reject', -1, f, h);
      return;
    }
    const ct = this.ct;
    const c = this.newContainer(f, h, t);
    n.coldStarts++;
    if (cfg.log) this.emit(t, 'cold', c, f, h);
    if (n.fnCold !== null) n.fnCold[f]++;
    this.book.busy[h]++;
    const coldMs = cfg.coldStartMs[f];
    const coldS = coldMs / 1000;
    n.coldLatencyMs += coldMs;
    const end = t + coldS + dS;
    ct.busyUntil[c] = end;
    this.policy.onUse(c, f, h, end);
    if (this.upm !== null) {
      const upmDelayS = cfg.upm.madviseAfterInitMs / 1000;
      const at = t + coldS + upmDelayS;
      ct.madvAt[c] = at;
      this.madv.push(at, c);
      if (upmDelayS === 0) {
        ct.state[c] = STARTING;
        return;
      }
    }
    ct.state[c] = BUSY;
    this.busy.push(end, c);
  }

  private result(): EngineResult {
    const n = this.n;
    const b = this.book;
    const mean = b.means(this.cfg.spanEndS - this.countFromS);
    return {
      invocations: n.invocations,
      warmupInvocations: n.warmupInvocations,
      coldStarts: n.coldStarts,
      warmStarts: n.warmStarts,
      rejectedMemory: n.rejectedMemory,
      rejectedCpu: n.rejectedCpu,
      evictions: n.evictions,
      expirations: n.expirations,
      unloads: n.unloads,
      prewarms: n.prewarms,
      prewarmsSkipped: n.prewarmsSkipped,
      peakPages: b.peakPhys,
      peakAtS: b.peakAtS,
      meanPages: mean.pages,
      peakUnmergedPages: b.peakUnmerged,
      meanUnmergedPages: mean.unmergedPages,
      peakSavedPages: b.peakSaved,
      meanSavedPages: mean.savedPages,
      peakContainers: b.peakCtrs,
      meanContainers: mean.containers,
      coldStartLatencyMsTotal: n.coldLatencyMs,
      madviseCalls: n.madviseCalls,
      madviseCostUsTotal: n.madviseCostUs,
      madviseMerges: n.madviseMerges,
      madviseMisses: n.madviseMisses,
      ksmSettled: this.ksm?.stats.settled ?? 0,
      ksmSettleDelaySumS: this.ksm?.stats.settleDelaySumS ?? 0,
      ksmPagesPerSec: this.ksm?.pagesPerSec ?? 0,
      ksmBatchPeriodMs: (this.ksm?.periodS ?? 0) * 1000,
      perHostPeakPages: Array.from(b.hostPeak),
      fnCold: n.fnCold,
      fnWarm: n.fnWarm,
      fnRejected: n.fnRejected,
      series: this.series !== null ? this.series.series : null,
    };
  }
}
