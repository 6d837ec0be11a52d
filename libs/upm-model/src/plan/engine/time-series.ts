/**
 * The engine's time series: every stepS seconds from the span's start to its end, per host (when there are
 * several) and in total: physical pages, their peak since the previous sample, saved pages and containers.
 */
import type { HostBook } from './host-book';

export interface HostSeries {
  memoryPages: number[];
  peakMemoryPages: number[];
  savedPages: number[];
  containers: number[];
}

export interface EngineSeries {
  tS: number[];
  total: HostSeries;
  hosts: HostSeries[];
}

const hostSeries = (): HostSeries => ({ memoryPages: [], peakMemoryPages: [], savedPages: [], containers: [] });

export class SeriesRecorder {
  /** Time of the next sample; Infinity after the last one. */
  nextT: number;
  private index = 0;
  readonly series: EngineSeries;

  constructor(
    hosts: number,
    private readonly startS: number,
    private readonly endS: number,
    private readonly stepS: number,
  ) {
    this.series = { tS: [], total: hostSeries(), hosts: hosts > 1 ? Array.from({ length: hosts }, hostSeries) : [] };
    this.nextT = startS;
  }

  /** Takes the sample due at nextT from the book (brought up to that time), and restarts the step peaks. */
  sample(book: HostBook): void {
    const t = this.nextT;
    const s = this.series;
    s.tS.push(t);
    const tot = s.total;
    tot.memoryPages.push(book.totalPhys);
    tot.peakMemoryPages.push(Math.max(book.stepPeak, book.totalPhys));
    tot.savedPages.push(book.totalUnmerged - book.totalPhys);
    tot.containers.push(book.totalCtrs);
    book.stepPeak = book.totalPhys;
    for (let h = 0; h < s.hosts.length; h++) {
      const hs = s.hosts[h];
      hs.memoryPages.push(book.phys[h]);
      hs.peakMemoryPages.push(Math.max(book.hostStepPeak[h], book.phys[h]));
      hs.savedPages.push(book.unmerged[h] - book.phys[h]);
      hs.containers.push(book.ctrs[h]);
      book.hostStepPeak[h] = book.phys[h];
    }
    this.index++;
    const next = this.startS + this.index * this.stepS;
    this.nextT = next <= this.endS ? next : Infinity;
  }
}
