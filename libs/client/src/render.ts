import type { PlanResult } from '@upm/model';

const GIB = 1073741824;
const gib = (b: number) => `${(b / GIB).toFixed(2)} GiB`;
const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

/** The readable table of `upm plan run`. */
export function renderPlan(r: PlanResult): string {
  const models = r.models;
  const host = r.host.memoryBytes === null ? 'unlimited memory' : `${gib(r.host.memoryBytes)}`;
  const pol = r.policy;
  const policy =
    pol.kind === 'ttl'
      ? `ttl ${pol.ttlMinutes} min`
      : pol.kind === 'greedy-dual'
        ? 'greedy-dual'
        : `hybrid-histogram (range ${pol.rangeMinutes} min)`;
  const lines = [
    `plan ${r.specHash.slice(0, 12)}: ${r.trace.invocations} invocations of ${r.trace.functions} functions (${r.trace.format}), ` +
      `window ${r.trace.window.fromS}..${r.trace.window.toS} s`,
    `hosts: ${r.host.count} x ${host}${r.host.cores !== null ? `, ${r.host.cores} cores` : ''}; policy: ${policy}`,
    '',
  ];
  const rows: [string, (m: PlanResult['models'][number]) => string][] = [
    ['cold starts', (m) => String(m.coldStarts)],
    ['warm starts', (m) => String(m.warmStarts)],
    ['rejected', (m) => String(m.rejected)],
    ['cold-start rate', (m) => pct(m.coldStartRate)],
    ['evictions', (m) => String(m.evictions)],
    ['peak memory', (m) => gib(m.peakMemoryBytes)],
    ['mean memory', (m) => gib(m.meanMemoryBytes)],
    ['saved at peak', (m) => gib(m.savedBytes.peak)],
    ['saved on average', (m) => gib(m.savedBytes.mean)],
    ['peak containers', (m) => String(m.peakContainers)],
    ['mean containers', (m) => m.meanContainers.toFixed(1)],
    ['mean cold start', (m) => `${m.coldStartLatencyMs.mean.toFixed(1)} ms`],
    ['madvise per call', (m) => (m.madvise ? `${m.madvise.meanCostMs.toFixed(2)} ms` : '-')],
    ['ksm merge delay', (m) => (m.ksm ? `${m.ksm.meanMergeDelayS.toFixed(1)} s` : '-')],
  ];
  if (r.sizing) {
    const sz = r.sizing;
    rows.push([
      `hosts for ${pct(sz.targetColdStartRate)} (${sz.hostMemoryGiB} GiB)`,
      (m) => {
        const s = sz.models[m.model];
        return s?.hosts === null || s === undefined ? `> ${sz.maxHosts}` : String(s.hosts);
      },
    ]);
  }
  const w0 = Math.max(...rows.map((x) => x[0].length)) + 2;
  const cells = rows.map(([, f]) => models.map(f));
  const w = Math.max(10, ...cells.flat().map((c) => c.length + 2), ...models.map((m) => m.model.length + 2));
  lines.push(''.padEnd(w0) + models.map((m) => m.model.padStart(w)).join(''));
  rows.forEach(([label], i) => lines.push(label.padEnd(w0) + cells[i].map((c) => c.padStart(w)).join('')));
  lines.push('');
  const fromPct = r.functionsFromPercentiles.length;
  const fromDefault = r.functionsFromDefaultSize.length;
  if (fromPct || fromDefault) {
    lines.push(
      `profiles: ${r.trace.functions - fromPct - fromDefault} functions from dumps, ${fromPct} from app memory percentiles, ${fromDefault} at the default size`,
    );
  }
  if (r.sweep) lines.push(`sweep: ${r.sweep.points.length} points (see --json)`);
  for (const w1 of r.warnings) lines.push(`warning: ${w1}`);
  return lines.join('\n') + '\n';
}
