/** The terminal tables of `upm analyze`: a merge model's prediction and the sharing breakdown. */
import type { KsmResult, MergeResultBase, UpmResult } from '@upm/model/merge';
import { SHARING_CATEGORIES, type SharingReport, type SharingRow } from '@upm/model/sharing';

const mib = (bytes: number) => (bytes / 1048576).toFixed(1);

export function renderModel(r: MergeResultBase, timeline: boolean): string {
  const ps = r.pageSize;
  const lines = [
    `model                 ${r.model}`,
    `processes             ${r.processes}`,
    `resident pages        ${r.residentPages} (${mib(r.residentPages * ps)} MiB)`,
    `physical before       ${r.physicalPagesBefore} (${mib(r.physicalPagesBefore * ps)} MiB)`,
    `physical after        ${r.physicalPagesAfter} (${mib(r.physicalPagesAfter * ps)} MiB)`,
    `saved                 ${mib(r.savedBytes)} MiB (${r.physicalPagesBefore ? ((100 * r.savedBytes) / ps / r.physicalPagesBefore).toFixed(1) : '0.0'}%)`,
    `pages_shared          ${r.pagesShared}`,
    `pages_sharing         ${r.pagesSharing}`,
  ];
  if (r.model === 'ksm') {
    const k = r as KsmResult;
    lines.push(
      `pages_unshared        ${k.converged.pagesUnshared}`,
      `pages_volatile        ${k.converged.pagesVolatile}`,
      `ksm_zero_pages        ${k.converged.ksmZeroPages}`,
      `full_scans            ${k.converged.fullScans}`,
      `converged after       ${k.convergedAtSec.toFixed(2)} s${k.didConverge ? '' : ' (not converged)'}`,
      `50% / 100% sharing    ${fmtS(k.sharingHalfSec)} / ${fmtS(k.sharingFullSec)}`,
      `scan rate             ${Math.round(k.pagesPerSec)} pages/s (pages_to_scan ${k.params.pagesToScan}, sleep ${k.params.sleepMs} ms, HZ ${k.timing.hz})`,
    );
    if (timeline) {
      lines.push('', 't(s)      pages_shared  pages_sharing  full_scans');
      for (const p of k.timeline)
        lines.push(`${p.t.toFixed(3).padStart(8)}  ${String(p.pagesShared).padStart(12)}  ${String(p.pagesSharing).padStart(13)}  ${String(p.fullScans).padStart(10)}`);
    }
  }
  if (r.model === 'upm') {
    const u = r as UpmResult;
    lines.push(`madvise calls         ${u.calls.length} (${u.totalMerges} merges, ${u.totalMisses} misses, ${(u.totalCostUs / 1000).toFixed(2)} ms total)`);
    for (const c of u.calls)
      lines.push(
        `  pid ${c.pid} at ${c.timeMs} ms: ${c.pagesHashed} hashed, ${c.merges} merged, ${c.misses} new, ${(c.costUs / 1000).toFixed(2)} ms${c.skipped ? ` (${c.skipped})` : ''}`,
      );
  }
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n') + '\n';
}

const fmtS = (s: number | null) => (s === null ? '-' : `${s.toFixed(2)} s`);

export function renderSharing(r: SharingReport): string {
  const lines: string[] = [];
  const t = r.total;
  lines.push(`sharing of ${r.processes.length} processes (${r.mergeability} merge rules, ${r.snapshot} snapshot)`, '');
  lines.push(table(t));
  lines.push(
    '',
    `physical pages   before ${t.physicalPagesBefore} (${mib(t.physicalPagesBefore * r.pageSize)} MiB)   after ideal merging ${t.physicalPagesAfter} (${mib(t.physicalPagesAfter * r.pageSize)} MiB)`,
    `PSS total        before ${t.pssBeforeMiB.toFixed(1)} MiB   after ${t.pssAfterMiB.toFixed(1)} MiB`,
    '',
  );
  const head = ['pid', 'function', 'RSS MiB', 'PSS before', 'PSS after', 'within%', 'same fn%', 'cross fn%', 'zero%', 'unique%'];
  const rows = r.processes.map((p) => [
    String(p.pid),
    p.function,
    p.residentMiB.toFixed(1),
    p.pssBeforeMiB.toFixed(1),
    p.pssAfterMiB.toFixed(1),
    p.categories.duplicateWithinProcess.percentOfRss.toFixed(1),
    p.categories.duplicateSameFunction.percentOfRss.toFixed(1),
    p.categories.duplicateCrossFunction.percentOfRss.toFixed(1),
    p.categories.zeroFilled.percentOfRss.toFixed(1),
    p.categories.unique.percentOfRss.toFixed(1),
  ]);
  lines.push(grid([head, ...rows]));
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n') + '\n';
}

function table(row: SharingRow): string {
  const rows = [['category', 'pages', 'MiB', '% of RSS']];
  for (const c of SHARING_CATEGORIES) {
    const a = row.categories[c];
    rows.push([c, String(a.pages), a.mib.toFixed(1), a.percentOfRss.toFixed(1)]);
  }
  rows.push(['resident (RSS)', String(row.residentPages), row.residentMiB.toFixed(1), '100.0']);
  return grid(rows);
}

function grid(rows: string[][]): string {
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => (i === 0 || i === 1 ? cell.padEnd(w[i]) : cell.padStart(w[i]))).join('  ')).join('\n');
}
