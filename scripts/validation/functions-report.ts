/**
 * The self-contained HTML report of scripts/validation/functions.ts: the paper's four figures as inline SVG
 * (no script, no external file), from the JSON report.
 */
import type { Report, RunRow } from './functions';

const PAGE = 4096;
const MiB = 1048576;
const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const COLORS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f'];

interface Series {
  name: string;
  points: [number, number][];
  dashed?: boolean;
  color: string;
}

/** A line chart with a log2 x axis (N) and a linear y axis from 0. */
export function lineChart(title: string, yLabel: string, series: Series[], w = 520, h = 300): string {
  const pts = series.flatMap((s) => s.points);
  if (!pts.length) return `<p>${esc(title)}: no data</p>`;
  const xs = pts.map((p) => p[0]);
  const ymax = Math.max(...pts.map((p) => p[1])) * 1.1 || 1;
  const ymin = Math.min(0, ...pts.map((p) => p[1] * 1.1)); // system-wide meminfo deltas can be negative
  const lx = (x: number) => Math.log2(Math.max(1, x));
  const x0 = lx(Math.min(...xs));
  const x1 = Math.max(lx(Math.max(...xs)), x0 + 1);
  const L = 60, R = 160, T = 30, B = 40;
  const X = (x: number) => L + ((lx(x) - x0) / (x1 - x0)) * (w - L - R);
  const Y = (y: number) => h - B - ((y - ymin) / (ymax - ymin)) * (h - T - B);
  const o: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif" font-size="11">`];
  o.push(`<text x="${w / 2 - R / 2}" y="16" text-anchor="middle" font-size="13">${esc(title)}</text>`);
  o.push(`<line x1="${L}" y1="${h - B}" x2="${w - R}" y2="${h - B}" stroke="#333"/><line x1="${L}" y1="${T}" x2="${L}" y2="${h - B}" stroke="#333"/>`);
  for (let i = 0; i <= 4; i++) {
    const v = ymin + ((ymax - ymin) / 4) * i;
    o.push(`<text x="${L - 4}" y="${Y(v) + 4}" text-anchor="end">${v >= 100 ? v.toFixed(0) : v.toFixed(1)}</text><line x1="${L}" y1="${Y(v)}" x2="${w - R}" y2="${Y(v)}" stroke="#ddd"/>`);
  }
  for (const x of [...new Set(xs)].sort((a, b) => a - b)) o.push(`<text x="${X(x)}" y="${h - B + 14}" text-anchor="middle">${x}</text>`);
  o.push(`<text x="${(L + w - R) / 2}" y="${h - 6}" text-anchor="middle">N (containers)</text>`);
  o.push(`<text x="14" y="${(T + h - B) / 2}" transform="rotate(-90 14 ${(T + h - B) / 2})" text-anchor="middle">${esc(yLabel)}</text>`);
  series.forEach((s, i) => {
    const p = s.points.slice().sort((a, b) => a[0] - b[0]);
    if (p.length) {
      o.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5,4"' : ''} points="${p.map(([x, y]) => `${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join(' ')}"/>`);
      for (const [x, y] of p) o.push(`<circle cx="${X(x).toFixed(1)}" cy="${Y(y).toFixed(1)}" r="3" fill="${s.color}"><title>${esc(s.name)}: N=${x}, ${y.toFixed(2)}</title></circle>`);
    }
    const ly = T + 14 * i;
    o.push(`<line x1="${w - R + 10}" y1="${ly}" x2="${w - R + 30}" y2="${ly}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5,4"' : ''}/><text x="${w - R + 34}" y="${ly + 4}">${esc(s.name)}</text>`);
  });
  o.push('</svg>');
  return o.join('');
}

/** Stacked horizontal bars: one bar per label, segments in percent. */
export function stackedBars(title: string, bars: { label: string; parts: { name: string; value: number }[] }[], w = 760): string {
  const names = [...new Set(bars.flatMap((b) => b.parts.map((p) => p.name)))];
  const L = 230, T = 30, BH = 22, legendH = 16 * Math.ceil(names.length / 3);
  const h = T + bars.length * (BH + 8) + 30 + legendH;
  const W = w - L - 20;
  const o: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif" font-size="11">`];
  o.push(`<text x="${w / 2}" y="16" text-anchor="middle" font-size="13">${esc(title)}</text>`);
  bars.forEach((b, i) => {
    const y = T + i * (BH + 8);
    o.push(`<text x="${L - 6}" y="${y + BH / 2 + 4}" text-anchor="end">${esc(b.label)}</text>`);
    let x = L;
    for (const p of b.parts) {
      const pw = (p.value / 100) * W;
      const c = COLORS[names.indexOf(p.name) % COLORS.length];
      o.push(`<rect x="${x.toFixed(1)}" y="${y}" width="${Math.max(0, pw).toFixed(1)}" height="${BH}" fill="${c}"><title>${esc(b.label)} ${esc(p.name)}: ${p.value.toFixed(1)}%</title></rect>`);
      if (pw > 28) o.push(`<text x="${(x + pw / 2).toFixed(1)}" y="${y + BH / 2 + 4}" text-anchor="middle" fill="#fff">${p.value.toFixed(0)}</text>`);
      x += pw;
    }
  });
  const ly0 = T + bars.length * (BH + 8) + 10;
  for (let i = 0; i <= 4; i++) o.push(`<text x="${L + (W * i) / 4}" y="${ly0}" text-anchor="middle">${25 * i}%</text>`);
  names.forEach((n, i) => {
    const x = L + (i % 3) * 200, y = ly0 + 14 + 16 * Math.floor(i / 3);
    o.push(`<rect x="${x}" y="${y - 9}" width="10" height="10" fill="${COLORS[i % COLORS.length]}"/><text x="${x + 14}" y="${y}">${esc(n)}</text>`);
  });
  o.push('</svg>');
  return o.join('');
}

const perProc = (r: RunRow, k: 'rssKiB' | 'pssKiB', after = false) => (after ? r.rollupAfter : r.rollupBefore).reduce((a, b) => a + b[k], 0) / r.n / 1024;
const mib = (pages: number) => (pages * PAGE) / MiB;

export function renderHtml(r: Report): string {
  const workloads = [...new Set(r.rows.map((x) => x.workload))];
  const parts: string[] = [];
  // figure 1: sharing opportunities at the largest N of each workload (UPM rules), % of RSS
  parts.push('<h2>1. Sharing opportunities (percent of RSS by category, largest N, under UPM and KSM merge rules)</h2>');
  const bars = workloads.flatMap((w) => {
    const row = r.rows.filter((x) => x.workload === w).sort((a, b) => b.n - a.n)[0];
    return (['UPM', 'KSM'] as const).map((rules) => {
      const cats = (rules === 'UPM' ? row.sharingUpm : row.sharingKsm).total.categories;
      return { label: `${w} ×${row.n} (${rules})`, parts: Object.entries(cats).map(([name, c]) => ({ name, value: c.percentOfRss })) };
    });
  });
  parts.push(stackedBars('Memory by sharing category, % of RSS', bars));
  for (const w of workloads) {
    const rows = r.rows.filter((x) => x.workload === w).sort((a, b) => a.n - b.n);
    parts.push(`<h2>${esc(w)}</h2><div style="display:flex;flex-wrap:wrap;gap:12px">`);
    // figure 2: RSS and PSS per container
    parts.push(
      lineChart(`${w}: RSS and PSS per container`, 'MiB per container', [
        { name: 'RSS (measured)', points: rows.map((x) => [x.n, perProc(x, 'rssKiB')]), color: COLORS[0] },
        { name: 'PSS none (measured)', points: rows.map((x) => [x.n, perProc(x, 'pssKiB')]), color: COLORS[1] },
        { name: 'PSS KSM (measured)', points: rows.map((x) => [x.n, perProc(x, 'pssKiB', true)]), color: COLORS[2] },
        { name: 'PSS none (model)', points: rows.map((x) => [x.n, mib(x.predicted.none.physicalPages) / x.n]), color: COLORS[1], dashed: true },
        { name: 'PSS KSM (model)', points: rows.map((x) => [x.n, mib(x.predicted.ksm.physicalPages) / x.n]), color: COLORS[2], dashed: true },
        { name: 'PSS UPM (model)', points: rows.map((x) => [x.n, mib(x.predicted.upm.physicalPages) / x.n]), color: COLORS[3], dashed: true },
      ]),
    );
    // figure 3: system memory
    parts.push(
      lineChart(`${w}: system memory of the N containers`, 'MiB', [
        { name: 'none (model)', points: rows.map((x) => [x.n, mib(x.predicted.none.physicalPages)]), color: COLORS[1], dashed: true },
        { name: 'KSM (model)', points: rows.map((x) => [x.n, mib(x.predicted.ksm.physicalPages)]), color: COLORS[2], dashed: true },
        { name: 'UPM (model)', points: rows.map((x) => [x.n, mib(x.predicted.upm.physicalPages)]), color: COLORS[3], dashed: true },
        { name: 'none: ΣPSS (measured)', points: rows.map((x) => [x.n, perProc(x, 'pssKiB') * x.n]), color: COLORS[1] },
        { name: 'KSM: ΣPSS (measured)', points: rows.map((x) => [x.n, perProc(x, 'pssKiB', true) * x.n]), color: COLORS[2] },
        { name: 'meminfo used +at ready', points: rows.map((x) => [x.n, (x.meminfoBefore.usedKiB - x.meminfoBaseline.usedKiB) / 1024]), color: COLORS[6] },
      ]),
    );
    // figure 4: KSM time to merge
    parts.push(
      lineChart(`${w}: KSM time to 100% merged`, 'seconds after run=1', [
        { name: 'fast rate, kernel', points: rows.filter((x) => x.kernel.fullSec !== null).map((x) => [x.n, x.kernel.fullSec!]), color: COLORS[0] },
        { name: 'fast rate, model', points: rows.filter((x) => x.predicted.ksm.fullSec !== null).map((x) => [x.n, x.predicted.ksm.fullSec!]), color: COLORS[0], dashed: true },
        { name: 'default rate, model', points: rows.filter((x) => x.predicted.ksmDefaultRate.fullSec !== null).map((x) => [x.n, x.predicted.ksmDefaultRate.fullSec!]), color: COLORS[3], dashed: true },
      ]),
    );
    parts.push('</div>');
    parts.push('<table border="1" cellpadding="3" style="border-collapse:collapse;font-size:12px"><tr><th>N</th><th>pages_shared model/kernel</th><th>pages_sharing model/kernel</th><th>UPM pages_sharing (model)</th><th>100% s model/kernel</th></tr>');
    for (const x of rows)
      parts.push(`<tr><td>${x.n}</td><td>${x.predicted.ksm.pagesShared} / ${x.kernel.counters.pages_shared}</td><td>${x.predicted.ksm.pagesSharing} / ${x.kernel.counters.pages_sharing}</td><td>${x.predicted.upm.pagesSharing}</td><td>${x.predicted.ksm.fullSec?.toFixed(2) ?? '–'} / ${x.kernel.fullSec?.toFixed(2) ?? '–'}</td></tr>`);
    parts.push('</table>');
  }
  return `<!doctype html><html><head><meta charset="utf-8"><title>upm-planner: Python functions under KSM and UPM</title></head><body style="font-family:sans-serif;max-width:1700px">
<h1>Python serverless functions: predicted and measured merging</h1>
<p>${esc(r.command)} on ${esc(r.date)}; ${esc(r.machine)}; KSM ${esc(Object.entries(r.settings).map(([k, v]) => `${k}=${v}`).join(' '))}.
Dashed: the planner's models from an upm-probe dump taken before ksmd ran; solid: measured (smaps_rollup, /proc/meminfo, KSM counters). UPM is a prediction here: this host has no UPM (the guest run in docs/validation.md checks UPM).</p>
${parts.join('\n')}
</body></html>
`;
}
