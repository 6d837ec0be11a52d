/**
 * Per-host accounting of an engine run, in pages: physical (after merging), unmerged (what the containers
 * would occupy without merging), containers and busy cores; their time integrals (for means over the span),
 * peaks over the run and peaks since the last time-series sample. The merge states (merge-state.ts) report
 * physical changes here through MemoryBook.
 */
import type { MemoryBook } from '../merge-state';

export class HostBook implements MemoryBook {
  /** Physical pages per host. */
  readonly phys: Float64Array;
  /** Unmerged pages per host. */
  readonly unmerged: Float64Array;
  /** Resident containers per host. */
  readonly ctrs: Float64Array;
  /** Running invocations per host (cores in use). */
  readonly busy: Int32Array;
  /** Per host: time up to which the integrals are taken. */
  private readonly lastT: Float64Array;
  /** Per host: integrals over time of phys, unmerged and ctrs (page·s, container·s). */
  private readonly intPhys: Float64Array;
  private readonly intUnmerged: Float64Array;
  private readonly intCtrs: Float64Array;
  /** Per host: peak physical pages over the run, and since the last sample. */
  readonly hostPeak: Float64Array;
  readonly hostStepPeak: Float64Array;
  /** Sums over the hosts. */
  totalPhys = 0;
  totalUnmerged = 0;
  totalCtrs = 0;
  /** Peaks of the sums over the run (saved = unmerged − physical), and of totalPhys since the last sample. */
  peakPhys = 0;
  /** When peakPhys was first reached (seconds since the trace origin). */
  peakAtS: number;
  peakUnmerged = 0;
  peakSaved = 0;
  peakCtrs = 0;
  stepPeak = 0;

  constructor(
    private readonly hosts: number,
    startS: number,
  ) {
    this.phys = new Float64Array(hosts);
    this.unmerged = new Float64Array(hosts);
    this.ctrs = new Float64Array(hosts);
    this.busy = new Int32Array(hosts);
    this.lastT = new Float64Array(hosts).fill(startS);
    this.intPhys = new Float64Array(hosts);
    this.intUnmerged = new Float64Array(hosts);
    this.intCtrs = new Float64Array(hosts);
    this.hostPeak = new Float64Array(hosts);
    this.hostStepPeak = new Float64Array(hosts);
    this.peakAtS = startS;
  }

  /** Takes host h's integrals up to t. */
  integrate(h: number, t: number): void {
    const dt = t - this.lastT[h];
    if (dt > 0) {
      this.intPhys[h] += this.phys[h] * dt;
      this.intUnmerged[h] += this.unmerged[h] * dt;
      this.intCtrs[h] += this.ctrs[h] * dt;
      this.lastT[h] = t;
    }
  }

  change(h: number, t: number, dPhys: number): void {
    this.integrate(h, t);
    this.phys[h] += dPhys;
    this.totalPhys += dPhys;
    const saved = this.totalUnmerged - this.totalPhys;
    if (saved > this.peakSaved) this.peakSaved = saved;
  }

  /** d pages of host h become (d > 0) or stop being (d < 0) page-cache frames shared by its containers. */
  share(h: number, t: number, d: number): void {
    this.integrate(h, t);
    this.phys[h] += d;
    this.unmerged[h] += d;
    this.totalPhys += d;
    this.totalUnmerged += d;
  }

  /** A container of `units` pages starts on host h at t (with all its pages). */
  add(h: number, t: number, units: number): void {
    this.integrate(h, t);
    this.phys[h] += units;
    this.unmerged[h] += units;
    this.ctrs[h]++;
    this.totalPhys += units;
    this.totalUnmerged += units;
    this.totalCtrs++;
    if (this.totalPhys > this.peakPhys) {
      this.peakPhys = this.totalPhys;
      this.peakAtS = t;
    }
    if (this.totalPhys > this.stepPeak) this.stepPeak = this.totalPhys;
    if (this.phys[h] > this.hostPeak[h]) this.hostPeak[h] = this.phys[h];
    if (this.phys[h] > this.hostStepPeak[h]) this.hostStepPeak[h] = this.phys[h];
    if (this.totalUnmerged > this.peakUnmerged) this.peakUnmerged = this.totalUnmerged;
    if (this.totalCtrs > this.peakCtrs) this.peakCtrs = this.totalCtrs;
  }

  /** A container of `units` pages exits host h at t, freeing `freed` physical pages. */
  remove(h: number, t: number, units: number, freed: number): void {
    this.integrate(h, t);
    this.phys[h] -= freed;
    this.unmerged[h] -= units;
    this.ctrs[h]--;
    this.totalPhys -= freed;
    this.totalUnmerged -= units;
    this.totalCtrs--;
  }

  /**
   * The warm-up ends at t: peaks restart from what is resident at t and the integrals from zero, so peaks and
   * means cover [t, span end) as the counts do (the time series, sampled separately, keeps the whole span).
   */
  restart(t: number): void {
    for (let h = 0; h < this.hosts; h++) {
      this.integrate(h, t);
      this.intPhys[h] = 0;
      this.intUnmerged[h] = 0;
      this.intCtrs[h] = 0;
      this.hostPeak[h] = this.phys[h];
    }
    this.peakPhys = this.totalPhys;
    this.peakAtS = t;
    this.peakUnmerged = this.totalUnmerged;
    this.peakSaved = this.totalUnmerged - this.totalPhys;
    this.peakCtrs = this.totalCtrs;
  }

  /** Means over a span of spanS seconds (the integrals must have been taken to its end). */
  means(spanS: number): { pages: number; unmergedPages: number; savedPages: number; containers: number } {
    let ip = 0;
    let iu = 0;
    let ic = 0;
    for (let h = 0; h < this.hosts; h++) {
      ip += this.intPhys[h];
      iu += this.intUnmerged[h];
      ic += this.intCtrs[h];
    }
    const mean = (x: number) => (spanS > 0 ? x / spanS : 0);
    return { pages: mean(ip), unmergedPages: mean(iu), savedPages: mean(iu - ip), containers: mean(ic) };
  }
}
