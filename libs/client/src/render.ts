import type { PlanResult } from '@upm/model';
import { summaryRows } from './summary-rows';

const GIB = 1073741824;
const gib = (b: number) => `${(b / GIB).toFixed(2)} GiB`;
const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

/** The readable table of `upm plan run`. */
export function renderPlan(r: PlanResult): string {
  const models = r.models;
  const mems = r.sweep ? [...new Set(r.sweep.points.map((p) => p.hostMemoryGiB))] : [];
  const ttls = r.sweep ? [...new Set(r.sweep.points.map((p) => p.ttlMinutes))] : [];
  const host =
    mems.length > 1
      ? `{${mems.join(', ')}} GiB (swept)`
      : r.host.memoryBytes === null
        ? 'unlimited memory'
        : `${gib(r.host.memoryBytes)}`;
  const pol = r.policy;
  const policy =
    pol.kind === 'ttl'
      ? ttls.length > 1
        ? `ttl {${ttls.join(', ')}} min (swept)`
        : `ttl ${pol.ttlMinutes} min`
      : pol.kind === 'greedy-dual'
        ? 'greedy-dual'
        : `hybrid-histogram (range ${pol.rangeMinutes} min)`;
  const lines = [
    `plan ${r.specHash.slice(0, 12)}: ${r.trace.invocations} invocations of ${r.trace.functions} functions (${r.trace.format}), ` +
      `window ${r.trace.window.fromS}..${r.trace.window.toS} s` +
      (r.trace.warmup
        ? `, warm-up until ${r.trace.warmup.untilS} s (${r.trace.warmup.invocations} invocations replayed, not counted)`
        : ''),
    `hosts: ${r.host.count} x ${host}${r.host.cores !== null ? `, ${r.host.cores} cores` : ''}; policy: ${policy}`,
    '',
  ];
  if (r.sweep) return renderSweep(r, lines);
  const rows = summaryRows(r, { int: String, pct, gib, target: pct });
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
  for (const w1 of r.warnings) lines.push(`warning: ${w1}`);
  return lines.join('\n') + '\n';
}

/** A sweep: one row per point (host memory, TTL), per model its cold-start rate, peak memory and sizing. */
function renderSweep(r: PlanResult, lines: string[]): string {
  const sw = r.sweep as NonNullable<PlanResult['sweep']>;
  const models = Object.keys(sw.points[0]?.models ?? {}) as (keyof (typeof sw.points)[number]['models'])[];
  const sized = sw.points.some((p) => p.sizing !== null);
  const header = ['point', 'host mem', 'ttl'];
  for (const m of models) header.push(`${m} cold`, `${m} peak`, ...(sized ? [`${m} hosts`] : []));
  const rows = sw.points.map((p) => {
    const row = [
      String(p.index),
      p.hostMemoryGiB === null ? 'unlimited' : `${p.hostMemoryGiB} GiB`,
      p.ttlMinutes === null ? '-' : `${p.ttlMinutes} min`,
    ];
    for (const m of models) {
      const s = p.models[m];
      row.push(s ? pct(s.coldStartRate) : '-', s ? gib(s.peakMemoryBytes) : '-');
      if (sized) {
        const z = p.sizing?.models[m];
        row.push(
          !p.sizing || z === undefined
            ? '-'
            : z.hosts !== null
              ? String(z.hosts)
              : z.floorColdStartRate > p.sizing.targetColdStartRate
                ? `none (floor ${pct(z.floorColdStartRate)})`
                : `> ${p.sizing.maxHosts}`,
        );
      }
    }
    return row;
  });
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)) + 2);
  lines.push(`sweep of ${sw.points.length} points${sized && sw.points[0].sizing ? `; hosts: sizing for ${pct(sw.points[0].sizing.targetColdStartRate)} cold starts on hosts of the point's memory unless the spec fixes it` : ''}`);
  lines.push(header.map((h, i) => h.padStart(w[i])).join(''));
  for (const row of rows) lines.push(row.map((c, i) => c.padStart(w[i])).join(''));
  lines.push('', 'each point\'s time series: GET /v1/plans/<id>/timeseries?point=N (or --json for the summaries)');
  for (const w1 of r.warnings) lines.push(`warning: ${w1}`);
  return lines.join('\n') + '\n';
}
