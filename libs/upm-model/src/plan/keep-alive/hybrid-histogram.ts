/**
 * The hybrid histogram policy (Shahrad et al., "Serverless in the Wild", ATC'20, section 4.2): per function,
 * a histogram of idle times gives a pre-warm window (unload the container at release, load it again just
 * before the predicted next invocation) and a keep-alive window. Keep-alive ends are kept in a heap (they
 * differ per function); eviction is LRU.
 */
import type { IdleIndex } from '../engine/idle-index';
import { IndexedHeap, KeyHeap } from '../heap';
import type { PolicySpec } from '../spec';
import { KeepAlivePolicy, PolicyBase, UNLOAD } from './policy';

export class HybridHistogramPolicy extends PolicyBase implements KeepAlivePolicy {
  override readonly usesArrivals = true;
  override readonly usesUse = true;
  override readonly usesIdle = true;
  readonly state: HybridState;
  /** Idle containers by the end of their keep-alive. */
  private readonly expiry = new IndexedHeap(256);
  /** Pending pre-warms (time, function); only the latest per function counts (prewarmAt). */
  private readonly prewarms = new KeyHeap(64);
  /** Per function: time of its pending pre-warm, NaN if none. */
  private readonly prewarmAt: Float64Array;

  constructor(
    spec: Extract<PolicySpec, { kind: 'hybrid-histogram' }>,
    nFn: number,
    private readonly idle: IdleIndex,
  ) {
    super();
    this.state = new HybridState(spec, nFn);
    this.prewarmAt = new Float64Array(nFn).fill(NaN);
  }

  override onArrival(f: number, t: number): void {
    this.state.arrival(f, t);
  }

  override onUse(_c: number, f: number, _h: number, end: number): void {
    this.state.setEnd(f, end);
  }

  onRelease(_c: number, f: number, t: number): number {
    const w = this.state.windows(f);
    if (w.prewarmS > 0) {
      // unload now, load again just before the predicted next invocation
      const at = t + w.prewarmS;
      this.prewarmAt[f] = at;
      this.prewarms.push(at, f);
      return UNLOAD;
    }
    return t + w.keepAliveS;
  }

  onIdle(c: number, _h: number, _t: number, expireAt: number): void {
    this.expiry.push(c, expireAt);
  }

  onUnidle(c: number): void {
    this.expiry.remove(c);
  }

  victim(h: number): number {
    return this.idle.lru(h);
  }

  nextExpiry(): number {
    return this.expiry.topKey();
  }

  expiring(): number {
    return this.expiry.topId();
  }

  override nextPrewarm(): number {
    return this.prewarms.size > 0 ? this.prewarms.keys[0] : Infinity;
  }

  override takePrewarm(): number {
    const t = this.prewarms.topKey();
    const f = this.prewarms.pop();
    if (this.prewarmAt[f] !== t) return -1;
    this.prewarmAt[f] = NaN;
    return f;
  }

  override prewarmedUntil(f: number, t: number): number {
    return t + this.state.windows(f).keepAliveS;
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
