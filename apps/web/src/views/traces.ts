import { api } from '../api';
import { chart, clockAxis, valueAxis } from '../charts';
import { deleteButton, detailDelete } from '../delete';
import { fmtDate, fmtInt, h, table } from '../dom';
import { busy, clearErrors, field, showErrors } from '../forms';
import { fmtClock } from '../ticks';

interface Trace {
  id: string;
  name: string;
  format: string;
  window: { startS: number; endS: number };
  stats: { functions: number; apps: number; invocations: number; peakInvocationsPerMinute: number; invocationsByTrigger: Record<string, number> };
  createdAt: string;
  deduplicated?: boolean;
  /** What the upload left to defaults (e.g. functions with no memory row): the API's trace warnings. */
  warnings?: string[];
}
interface Profile {
  firstMinuteS: number;
  perMinute: number[];
  top: { id: string; app: string; trigger: string; invocations: number }[];
}

/** The window on the trace clock, as the time axes print it (h:mm). */
const windowText = (w: Trace['window']) => `${fmtClock(w.startS / 3600)} – ${fmtClock(w.endS / 3600)}`;

export async function tracesView(root: HTMLElement): Promise<void> {
  const list = await api<{ items: Trace[]; total: number }>('GET', '/v1/traces?limit=100');
  const files = h('input', { type: 'file', name: 'files', multiple: true, 'data-field': 'files', accept: '.csv,.txt' });
  const name = h('input', { type: 'text', name: 'name', placeholder: 'optional', 'data-field': 'name' });
  const submit = h('button', { type: 'submit' }, 'Upload');
  const form = h(
    'form',
    { class: 'card', id: 'trace-upload' },
    h('h2', {}, 'Upload a trace'),
    field('Files', files, 'the three Azure 2019 files of a day (invocations, durations, memory), or one Azure 2021 file'),
    field('Name', name),
    submit,
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const fd = new FormData();
    for (const f of files.files ?? []) fd.append('files', f, f.name);
    busy(submit, true, 'Uploading…');
    try {
      const t = await api<Trace>('POST', `/v1/traces${name.value ? `?name=${encodeURIComponent(name.value)}` : ''}`, fd);
      location.hash = `#/traces/${t.id}`;
    } catch (e) {
      showErrors(form, e);
    } finally {
      busy(submit, false, 'Upload');
    }
  });
  const box = h('div', { class: 'list-errors' });
  const again = async () => {
    root.replaceChildren();
    await tracesView(root);
  };
  root.append(
    h('h1', {}, 'Traces'),
    box,
    list.items.length
      ? table(
          ['name', 'format', 'functions', 'invocations', 'window', 'uploaded at', ''],
          list.items.map((t) => [h('a', { href: `#/traces/${t.id}` }, t.name), t.format, fmtInt(t.stats.functions), fmtInt(t.stats.invocations), windowText(t.window), fmtDate(t.createdAt), deleteButton('trace', t.id, t.name, box, again)]),
        )
      : h('p', { class: 'empty' }, 'No trace yet: upload one below.'),
    form,
  );
}

export async function traceView(root: HTMLElement, id: string): Promise<void> {
  const [t, p] = await Promise.all([api<Trace>('GET', `/v1/traces/${id}`), api<Profile>('GET', `/v1/traces/${id}/profile?top=20`)]);
  root.append(
    h('p', {}, h('a', { href: '#/traces' }, '← Traces')),
    h('h1', {}, `Trace ${t.name}`),
    ...detailDelete('trace', t.id, t.name, '#/traces'),
    table(
      ['format', 'functions', 'apps', 'invocations', 'peak per minute', 'window', 'uploaded at'],
      [[t.format, fmtInt(t.stats.functions), fmtInt(t.stats.apps), fmtInt(t.stats.invocations), fmtInt(t.stats.peakInvocationsPerMinute), windowText(t.window), fmtDate(t.createdAt)]],
    ),
    h('p', {}, h('a', { href: `#/plans?trace=${t.id}` }, 'Plan with this trace →')),
  );
  if (t.warnings?.length) root.append(h('div', { class: 'warnings', 'data-warnings': 'trace' }, h('h3', {}, 'Warnings'), h('ul', {}, ...t.warnings.map((w) => h('li', {}, w)))));
  const grid = h('div', { class: 'charts' });
  root.append(grid);
  chart(grid, 'trace-minutes', {
    title: { text: 'Invocations per minute' },
    xAxis: clockAxis(t.format, p.firstMinuteS / 3600, (p.firstMinuteS + 60 * Math.max(0, p.perMinute.length - 1)) / 3600),
    yAxis: valueAxis('invocations / min'),
    legend: { show: true },
    dataZoom: [{ type: 'inside' }],
    series: [{ type: 'line', name: 'invocations', showSymbol: false, sampling: 'lttb', color: '#0f766e', data: p.perMinute.map((v, i) => [(p.firstMinuteS + 60 * i) / 3600, v]) }],
  });
  chart(grid, 'trace-top', {
    title: { text: `Top ${p.top.length} functions by invocations` },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { left: 140, right: 30, top: 90, bottom: 55 },
    xAxis: valueAxis('invocations', '', { nameLocation: 'middle', nameGap: 30 }),
    yAxis: { type: 'category', name: 'function (app/id)', nameLocation: 'start', inverse: true, data: p.top.map((f) => `${f.app.slice(0, 6)}/${f.id.slice(0, 8)}`), axisLabel: { fontSize: 10 } },
    legend: { show: true },
    series: [{ type: 'bar', name: 'invocations', color: '#0f766e', data: p.top.map((f) => f.invocations) }],
  }, 460);
}
