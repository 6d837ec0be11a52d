import type { PlanResult, PlanSeries, PlanTimeseries } from '@upm/model/plan/result';
import { chart, clockAxis, lttb, MODEL_COLORS, MODEL_LABELS, valueAxis, type Model } from './charts';
import { fmtGiB, fmtInt, fmtPct, GIB, h } from './dom';
import { fmtTick, niceCeil } from './ticks';
import { summaryRows } from '@upm/client/summary-rows';

/** A sizing target as the form took it, in % with its own digits (0.001 %, not 0.00%). */
const fmtTarget = (rate: number) => `${fmtTick(100 * rate)}%`;

/** How many hosts get their own line in the per-host chart (the sum over all hosts is always drawn). */
const MAX_HOST_LINES = 8;
/** How many functions the cold-start bar chart shows. */
const TOP_FUNCTIONS = 15;

const hours = (t: number) => t / 3600;
/** The time axis of a plan: exactly the sampled window, in hours of the trace clock. */
const timeAxis = (r: PlanResult, ts: PlanTimeseries) => clockAxis(r.trace.format, ts.t.length ? hours(ts.t[0]) : 0, ts.t.length ? hours(ts.t[ts.t.length - 1]) : 1);

function line(name: string, model: Model, t: number[], ys: number[], scale: number, dashed = false): Record<string, unknown> {
  const pts: [number, number][] = t.map((x, i) => [hours(x), ys[i] / scale]);
  return {
    type: 'line',
    name,
    data: lttb(pts),
    showSymbol: false,
    sampling: 'lttb',
    color: MODEL_COLORS[model],
    lineStyle: { width: dashed ? 1.5 : 2, type: dashed ? 'dashed' : 'solid', color: MODEL_COLORS[model] },
    itemStyle: { color: MODEL_COLORS[model] },
  };
}

const allHosts = (ts: PlanTimeseries) => ts.series.filter((s) => s.host === 'all');

/** The plan's summary table, none / KSM / UPM side by side (the rows of `upm plan run`). */
export function summaryTable(r: PlanResult): HTMLTableElement {
  const rows = summaryRows(r, { int: fmtInt, pct: fmtPct, gib: fmtGiB, target: fmtTarget });
  const t = h(
    'table',
    { class: 'grid summary', 'data-table': 'summary' },
    h('thead', {}, h('tr', {}, h('th', {}, ''), ...r.models.map((m) => h('th', { class: `model-${m.model}` }, MODEL_LABELS[m.model as Model])))),
    h('tbody', {}, ...rows.map(([label, f]) => h('tr', {}, h('th', {}, label), ...r.models.map((m) => h('td', { 'data-model': m.model }, f(m)))))),
  );
  return t;
}

/** Every plan chart, in `root`: shared by the plan page of the web UI and the `upm plan report` HTML file. */
export function renderPlanCharts(root: HTMLElement, r: PlanResult, ts: PlanTimeseries): void {
  const series = allHosts(ts);
  const models = series.map((s) => s.model as Model);
  const grid = h('div', { class: 'charts' });
  root.append(grid);

  chart(grid, 'memory', {
    title: { text: 'Memory over time, all hosts: used (solid) and unmerged (dashed)' },
    xAxis: timeAxis(r, ts),
    yAxis: valueAxis('memory (GiB)', ' GiB'),
    dataZoom: [{ type: 'inside' }],
    series: series.flatMap((s) => [
      line(`${MODEL_LABELS[s.model as Model]} used`, s.model as Model, ts.t, s.memoryUsedBytes, GIB),
      line(`${MODEL_LABELS[s.model as Model]} unmerged`, s.model as Model, ts.t, s.memoryUsedBytes.map((u, i) => u + s.memorySavedBytes[i]), GIB, true),
    ]),
  });
  chart(grid, 'saved', {
    title: { text: 'Memory saved by merging, all hosts' },
    xAxis: timeAxis(r, ts),
    yAxis: valueAxis('saved (GiB)', ' GiB'),
    dataZoom: [{ type: 'inside' }],
    series: series.map((s) => line(MODEL_LABELS[s.model as Model], s.model as Model, ts.t, s.memorySavedBytes, GIB)),
  });
  if (r.host.count > 1) {
    const perHost = ts.series.filter((s): s is PlanSeries & { host: number } => s.host !== 'all' && s.host < MAX_HOST_LINES);
    chart(grid, 'hosts', {
      title: { text: `Memory used per host (first ${Math.min(MAX_HOST_LINES, r.host.count)} of ${r.host.count} hosts)` },
      xAxis: timeAxis(r, ts),
      yAxis: valueAxis('memory (GiB)', ' GiB'),
      legend: { type: 'scroll' },
      series: perHost.map((s) => ({ ...line(`${MODEL_LABELS[s.model as Model]} host ${s.host}`, s.model as Model, ts.t, s.memoryUsedBytes, GIB), lineStyle: { width: 1, color: MODEL_COLORS[s.model as Model], opacity: 0.4 + 0.6 / (1 + s.host) } })),
    });
  }
  chart(grid, 'containers', {
    title: { text: 'Containers resident over time, all hosts' },
    xAxis: timeAxis(r, ts),
    yAxis: valueAxis('containers', '', { minInterval: 1 }),
    dataZoom: [{ type: 'inside' }],
    series: series.map((s) => line(MODEL_LABELS[s.model as Model], s.model as Model, ts.t, s.containers, 1)),
  });

  if (r.sizing) {
    const sz = r.sizing;
    const sm = models.filter((m) => sz.models[m]);
    // a model whose floor (unlimited memory and cores) is above the target has no host count searched: its
    // floor is drawn as a dotted line in its colour, and the subtitle says why there are no points
    const floored = sm.filter((m) => sz.models[m]!.evaluations.length === 0);
    const searched = sm.length - floored.length;
    const top = Math.max(100 * sz.targetColdStartRate * 1.15, ...floored.map((m) => 100 * sz.models[m]!.floorColdStartRate * 1.1));
    chart(grid, 'sizing', {
      title: {
        text: `Cold-start rate against host count (${sz.hostMemoryGiB} GiB hosts)`,
        subtext: floored.length ? `${floored.map((m) => MODEL_LABELS[m]).join(', ')}: the floor (any number of hosts) is above the target, so no host count was searched` : '',
        subtextStyle: { color: '#b45309', fontSize: 12 },
      },
      tooltip: { trigger: 'item' },
      legend: { top: floored.length ? 46 : 28 },
      grid: { left: 70, right: 30, top: floored.length ? 105 : 90, bottom: 55 },
      xAxis: valueAxis('hosts', '', { nameLocation: 'middle', nameGap: 30, minInterval: 1, ...(searched ? { scale: true } : { min: 1, max: sz.maxHosts }) }),
      // the target line (and any floor) stays in view even when every evaluation is below it; a nice maximum
      yAxis: valueAxis('cold-start rate (%)', '%', { min: 0, max: (v: { max: number }) => niceCeil(Math.max(Number.isFinite(v.max) ? v.max : 0, top)) }),
      series: [
        ...sm.map((m, i) => ({
          type: 'line',
          name: MODEL_LABELS[m],
          data: sz.models[m]!.evaluations.map((e) => [e.hosts, 100 * e.coldStartRate]),
          color: MODEL_COLORS[m],
          symbolSize: 7,
          ...(floored.includes(m) && {
            markLine: {
              symbol: 'none',
              silent: true,
              lineStyle: { color: MODEL_COLORS[m], type: 'dotted', width: 2 },
              // one label position per model: equal floors would print on top of each other
              label: { position: (['insideStartTop', 'insideMiddleTop', 'insideStartBottom'] as const)[i % 3], color: MODEL_COLORS[m], formatter: `${MODEL_LABELS[m]} floor ${fmtPct(sz.models[m]!.floorColdStartRate)}` },
              data: [{ yAxis: 100 * sz.models[m]!.floorColdStartRate }],
            },
          }),
        })),
        {
          type: 'line',
          name: `target ${fmtTarget(sz.targetColdStartRate)}`,
          data: [],
          color: '#dc2626',
          markLine: { symbol: 'none', silent: true, lineStyle: { color: '#dc2626', type: 'dashed' }, label: { position: 'insideEndTop', formatter: `target ${fmtTarget(sz.targetColdStartRate)}` }, data: [{ yAxis: 100 * sz.targetColdStartRate }] },
        },
      ],
    });
  }

  if (r.sweep) renderSweep(grid, r, models, ts);

  const first = r.models[0];
  if (first) {
    const order = [...r.functions.keys()].sort((a, b) => first.perFunction.coldStarts[b] - first.perFunction.coldStarts[a] || a - b).slice(0, TOP_FUNCTIONS);
    chart(grid, 'functions', {
      title: { text: `Cold starts of the top ${order.length} functions (by cold starts under ${MODEL_LABELS[first.model as Model]})` },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      grid: { left: 70, right: 30, top: 90, bottom: 95 },
      xAxis: { type: 'category', name: 'function (app/id, shortened)', nameLocation: 'middle', nameGap: 80, data: order.map((i) => shortKey(r.functions[i])), axisLabel: { rotate: 35, fontSize: 10 } },
      yAxis: valueAxis('cold starts'),
      series: r.models.map((m) => ({ type: 'bar', name: MODEL_LABELS[m.model as Model], color: MODEL_COLORS[m.model as Model], data: order.map((i) => m.perFunction.coldStarts[i]) })),
    }, 380);
  }
}

function shortKey(k: string): string {
  const [app, id] = k.split('/');
  return id === undefined ? k.slice(0, 16) : `${app.slice(0, 6)}/${id.slice(0, 8)}`;
}

/** Sweep: hosts needed (with sizing) or cold-start rate against host memory, one line per model and TTL. */
function renderSweep(grid: HTMLElement, r: PlanResult, given: Model[], ts?: PlanTimeseries): void {
  const sw = r.sweep!;
  const models = ts ? given : (['none', 'ksm', 'upm'] as Model[]).filter((m) => sw.points.some((p) => p.models[m]));
  const sized = sw.points.some((p) => p.sizing);
  const byMem = sw.hostMemoryGiB.length > 1 || sw.ttlMinutes.length <= 1;
  const ttls = [...new Set(sw.points.map((p) => p.ttlMinutes))];
  const mems = [...new Set(sw.points.map((p) => p.hostMemoryGiB))];
  const value = (p: (typeof sw.points)[number], m: Model): number | null =>
    sized ? (p.sizing?.models[m]?.hosts ?? null) : p.models[m] ? 100 * p.models[m]!.coldStartRate : null;
  const groups = byMem ? ttls : mems;
  const series = models.flatMap((m) =>
    groups.map((g, gi) => ({
      type: 'line',
      name: `${MODEL_LABELS[m]}${groups.length > 1 ? (byMem ? ` ttl ${g ?? '-'} min` : ` ${g ?? '∞'} GiB`) : ''}`,
      color: MODEL_COLORS[m],
      symbolSize: 7,
      lineStyle: { type: (['solid', 'dashed', 'dotted'] as const)[gi % 3], color: MODEL_COLORS[m] },
      data: sw.points.filter((p) => (byMem ? p.ttlMinutes : p.hostMemoryGiB) === g).map((p) => [byMem ? p.hostMemoryGiB : p.ttlMinutes, value(p, m)]),
    })),
  );
  // sized, but no point met the target within its max hosts: say so in the chart rather than leave it blank
  const sz0 = sw.points.find((p) => p.sizing)?.sizing;
  const none = sized && series.every((x) => x.data.every((d) => d[1] === null));
  chart(grid, 'sweep', {
    title: {
      text: `Sweep: ${sized ? 'hosts needed' : 'cold-start rate'} against ${byMem ? 'host memory' : 'keep-alive TTL'}`,
      subtext: none && sz0 ? `no point meets the ${fmtTarget(sz0.targetColdStartRate)} target with at most ${sz0.maxHosts} hosts (see the table)` : '',
      subtextStyle: { color: '#b45309', fontSize: 12 },
    },
    tooltip: { trigger: 'item' },
    legend: { type: 'scroll', top: none ? 46 : 28 },
    grid: { left: 70, right: 30, top: none ? 105 : 90, bottom: 55 },
    xAxis: valueAxis(byMem ? 'host memory (GiB)' : 'TTL (min)', byMem ? ' GiB' : ' min', { nameLocation: 'middle', nameGap: 30, scale: true }),
    yAxis: valueAxis(sized ? 'hosts needed' : 'cold-start rate (%)', sized ? '' : '%', { minInterval: sized ? 1 : 0 }),
    series,
  });
}

/** Warnings of the plan as a list (nothing when there are none). */
export function warningsList(r: PlanResult): HTMLElement | null {
  if (!r.warnings.length) return null;
  return h('div', { class: 'warnings' }, h('h3', {}, 'Warnings'), h('ul', {}, ...r.warnings.map((w) => h('li', {}, w))));
}

export function planHeadline(r: PlanResult, ts: PlanTimeseries): HTMLElement {
  const pol = r.policy;
  const policy = pol.kind === 'ttl' ? `ttl ${pol.ttlMinutes} min` : pol.kind;
  return h(
    'p',
    { class: 'headline' },
    `${fmtInt(r.trace.invocations)} invocations of ${fmtInt(r.trace.functions)} functions (${r.trace.format}), window ${r.trace.window.fromS}..${r.trace.window.toS} s; ` +
      `${r.host.count} host(s) × ${r.host.memoryBytes === null ? 'unlimited memory' : fmtGiB(r.host.memoryBytes)}; policy ${policy}; time step ${ts.stepS} s`,
  );
}

/** The result part of a plan page: headline, summary table, warnings and every chart (also the HTML report). */
export function renderPlan(root: HTMLElement, r: PlanResult, ts: PlanTimeseries): void {
  root.append(planHeadline(r, ts), summaryTable(r));
  const w = warningsList(r);
  if (w) root.append(w);
  renderPlanCharts(root, r, ts);
}

const memText = (m: number | null) => (m === null ? 'unlimited' : `${m} GiB`);

/**
 * What a sweep varies, and what it keeps: "a sweep of 2 points over host memory (1 GiB, 2 GiB); TTL 10 min for
 * all". A TTL list of [null] means TTL is not swept (the points keep the policy's); host memory always has
 * values (the plan's own when not swept).
 */
export function sweepText(r: PlanResult): string {
  const sw = r.sweep!;
  const pol = r.policy;
  const ttlSwept = sw.ttlMinutes.some((t) => t !== null);
  const memSwept = sw.hostMemoryGiB.length > 1 || !ttlSwept;
  const swept = [memSwept && `host memory (${sw.hostMemoryGiB.map(memText).join(', ')})`, ttlSwept && `TTL (${sw.ttlMinutes.join(', ')} min)`].filter(Boolean);
  const kept = [!memSwept && `host memory ${memText(sw.hostMemoryGiB[0])}`, !ttlSwept && (pol.kind === 'ttl' ? `TTL ${pol.ttlMinutes} min` : `policy ${pol.kind}`)].filter(Boolean);
  return `a sweep of ${sw.points.length} points over ${swept.join(' × ')}${kept.length ? `; ${kept.join(', ')} for all` : ''}`;
}

/** A sweep's points, one row each: host memory, TTL and per model its cold-start rate, peak memory and hosts. */
export function sweepTable(r: PlanResult): HTMLTableElement {
  const sw = r.sweep!;
  const models = (['none', 'ksm', 'upm'] as Model[]).filter((m) => sw.points.some((p) => p.models[m]));
  const sized = sw.points.some((p) => p.sizing);
  const cell = (p: (typeof sw.points)[number], m: Model, what: 'rate' | 'peak' | 'hosts') => {
    const s = p.models[m];
    if (!s) return '-';
    if (what === 'rate') return fmtPct(s.coldStartRate);
    if (what === 'peak') return fmtGiB(s.peakMemoryBytes);
    const z = p.sizing?.models[m];
    if (!p.sizing || !z) return '-';
    return z.hosts !== null ? String(z.hosts) : z.floorColdStartRate > p.sizing.targetColdStartRate ? `none (floor ${fmtPct(z.floorColdStartRate)})` : `> ${p.sizing.maxHosts}`;
  };
  const whats: ('rate' | 'peak' | 'hosts')[] = sized ? ['rate', 'peak', 'hosts'] : ['rate', 'peak'];
  const label = { rate: 'cold-start rate', peak: 'peak memory', hosts: 'hosts needed' };
  return h(
    'table',
    { class: 'grid summary sweep-points', 'data-table': 'sweep' },
    h('thead', {}, h('tr', {}, h('th', {}, 'point'), h('th', {}, 'host memory'), h('th', {}, 'TTL'), ...models.flatMap((m) => whats.map((w) => h('th', { class: `model-${m}` }, `${MODEL_LABELS[m]} ${label[w]}`))))),
    h(
      'tbody',
      {},
      ...sw.points.map((p) =>
        h(
          'tr',
          {},
          h('th', {}, String(p.index)),
          h('td', {}, memText(p.hostMemoryGiB)),
          h('td', {}, p.ttlMinutes === null ? `(${r.policy.kind})` : `${p.ttlMinutes} min`),
          ...models.flatMap((m) => whats.map((w) => h('td', { 'data-point': p.index, 'data-model': m, 'data-what': w }, cell(p, m, w)))),
        ),
      ),
    ),
  );
}

/** The plan of one sweep point, as the point's charts draw it: its host memory and sizing, no per-function data. */
export function pointResult(r: PlanResult, index: number): PlanResult {
  const p = r.sweep!.points[index];
  return {
    ...r,
    sweep: null,
    sizing: p.sizing,
    host: { ...r.host, memoryBytes: p.hostMemoryGiB === null ? null : p.hostMemoryGiB * GIB },
    policy: r.policy.kind === 'ttl' && p.ttlMinutes !== null ? { ...r.policy, ttlMinutes: p.ttlMinutes } : r.policy,
    models: [],
    warnings: [],
  };
}

/**
 * A sweep: its points' table and the sweep chart, then one point at a time (a selector; `loadPoint` fetches
 * that point's time series, from the API or from the report's inlined data) with its own time-series and sizing
 * charts. A sweep keeps only summaries per point, so there is no per-function chart.
 */
export function renderSweepPlan(root: HTMLElement, r: PlanResult, loadPoint: ((index: number) => Promise<PlanTimeseries>) | null, onPoint?: (index: number) => void): Promise<void> {
  const sw = r.sweep!;
  const pol = r.policy;
  root.append(
    h('p', { class: 'headline' }, `${fmtInt(r.trace.invocations)} invocations of ${fmtInt(r.trace.functions)} functions (${r.trace.format}), window ${r.trace.window.fromS}..${r.trace.window.toS} s; ` +
      `${sweepText(r)}; ${r.host.count} host(s) each`),
    sweepTable(r),
  );
  const w = warningsList(r);
  if (w) root.append(w);
  const grid = h('div', { class: 'charts' });
  root.append(grid);
  renderSweep(grid, r, []);
  if (!loadPoint) {
    root.append(h('p', { class: 'note' }, "This report holds the sweep's summaries only: the points' time series were not included."));
    return Promise.resolve();
  }
  const select = h('select', { id: 'sweep-point', name: 'point' }, ...sw.points.map((p) => h('option', { value: String(p.index) }, `point ${p.index}: ${memText(p.hostMemoryGiB)}, ${p.ttlMinutes === null ? `policy ${pol.kind}` : `TTL ${p.ttlMinutes} min`}`)));
  const pointBox = h('div', { id: 'sweep-point-charts' });
  root.append(h('h2', {}, 'One point of the sweep'), h('p', {}, h('label', {}, 'Point ', select)), pointBox);
  const show = async (index: number) => {
    document.body.dataset.ready = 'false';
    const ts = await loadPoint(index);
    pointBox.replaceChildren();
    pointBox.append(planHeadline(pointResult(r, index), ts));
    renderPlanCharts(pointBox, pointResult(r, index), ts);
    onPoint?.(index);
    document.body.dataset.ready = 'true';
  };
  select.addEventListener('change', () => void show(Number(select.value)));
  return show(0);
}
