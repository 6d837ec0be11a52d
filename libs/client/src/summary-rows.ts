/**
 * The rows of a plan's summary table (none / KSM / UPM side by side): one definition for `upm plan run`'s
 * terminal table and the web UI's (and the HTML report's), each formatting numbers its own way. Browser-safe.
 */
import type { PlanResult } from '@upm/model/plan/result';

export type ModelSummary = PlanResult['models'][number];
export type SummaryRow = [label: string, cell: (m: ModelSummary) => string];

export interface SummaryFormat {
  int(n: number): string;
  /** A fraction as a percentage. */
  pct(x: number): string;
  gib(bytes: number): string;
  /** A sizing target (a fraction) as its label shows it. */
  target(rate: number): string;
}

/** Seconds since the trace origin on the trace's clock, h:mm:ss (as the charts' time axes read it). */
export function traceClock(s: number): string {
  const t = Math.max(0, Math.round(s));
  const two = (n: number) => String(n).padStart(2, '0');
  return `${Math.floor(t / 3600)}:${two(Math.floor(t / 60) % 60)}:${two(t % 60)}`;
}

export function summaryRows(r: PlanResult, f: SummaryFormat): SummaryRow[] {
  const rows: SummaryRow[] = [
    ['invocations', (m) => f.int(m.invocations)],
    ['cold starts', (m) => f.int(m.coldStarts)],
    ['warm starts', (m) => f.int(m.warmStarts)],
    ['rejected', (m) => f.int(m.rejected)],
    ['cold-start rate', (m) => f.pct(m.coldStartRate)],
    ['evictions', (m) => f.int(m.evictions)],
    ['peak memory', (m) => f.gib(m.peakMemoryBytes)],
    // which moment the peak is: models peak at different times (KSM in its start-up burst, others hours later)
    ['peak memory at (trace clock)', (m) => (m.peakMemoryAtS === undefined ? '-' : traceClock(m.peakMemoryAtS))],
    ['p99 memory (steady)', (m) => (m.p99MemoryBytes === undefined ? '-' : f.gib(m.p99MemoryBytes))],
    ['mean memory', (m) => f.gib(m.meanMemoryBytes)],
    ['saved at peak', (m) => f.gib(m.savedBytes.peak)],
    ['saved on average', (m) => f.gib(m.savedBytes.mean)],
    ['peak containers', (m) => f.int(m.peakContainers)],
    ['mean containers', (m) => m.meanContainers.toFixed(1)],
    ['mean cold start', (m) => `${m.coldStartLatencyMs.mean.toFixed(1)} ms`],
    ['madvise per call', (m) => (m.madvise ? `${m.madvise.meanCostMs.toFixed(2)} ms` : '-')],
    ['ksm merge delay', (m) => (m.ksm ? `${m.ksm.meanMergeDelayS.toFixed(1)} s` : '-')],
  ];
  const sz = r.sizing;
  if (sz)
    rows.push([
      `hosts for ${f.target(sz.targetColdStartRate)} (${sz.hostMemoryGiB} GiB)`,
      (m) => {
        const s = sz.models[m.model];
        if (s === undefined) return '-';
        if (s.hosts !== null) return String(s.hosts);
        // above the target even with unlimited hosts: no host count was searched, so "> maxHosts" would mislead
        return s.floorColdStartRate > sz.targetColdStartRate ? `none (floor ${f.pct(s.floorColdStartRate)})` : `> ${sz.maxHosts}`;
      },
    ]);
  return rows;
}
