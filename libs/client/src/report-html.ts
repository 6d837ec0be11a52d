import type { PlanResult } from '@upm/model';

/** The built chart bundle of the web UI's report entry (dist/web-report): one classic script and its CSS. */
export interface ReportBundle {
  js: string;
  css: string;
}

/** JSON safe inside a <script> element: no "</script", no "<!--", no U+2028/2029 surprises. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/**
 * One self-contained HTML page with a plan's charts: the result (with its time series) inlined as JSON, the
 * chart code and styles inlined; nothing is fetched, so it opens offline from file://.
 */
export function planReportHtml(result: PlanResult, bundle: ReportBundle, opts: { id?: string | null; generatedAt?: string } = {}): string {
  const sweep = !!result && typeof result === 'object' && !!result.sweep && Array.isArray(result.sweep.points);
  if (!result || typeof result !== 'object' || !Array.isArray(result.models) || (!sweep && (!result.timeseries || !Array.isArray(result.timeseries.t))))
    throw new TypeError('not a PlanResult with its timeseries (as `upm plan run --json` or `upm plan watch --json` print it)');
  const data = { id: opts.id ?? null, generatedAt: opts.generatedAt ?? new Date().toISOString(), result };
  const title = `upm-planner plan ${(opts.id ?? result.specHash).slice(0, 12)}`;
  // A script's text cannot contain "</script": the bundle is split there, which JavaScript reads the same.
  const js = bundle.js.replace(/<\/script/gi, '<\\/script');
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${bundle.css.replace(/<\/style/gi, '<\\/style')}</style>`,
    '</head>',
    '<body>',
    '<main id="app"></main>',
    `<script type="application/json" id="upm-plan-data">${scriptJson(data)}</script>`,
    `<script>${js}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
