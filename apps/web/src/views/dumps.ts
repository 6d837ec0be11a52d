import { api } from '../api';
import { chart, MODEL_COLORS, MODEL_LABELS, type Model, valueAxis } from '../charts';
import { deleteButton, detailDelete } from '../delete';
import { fmtDate, fmtInt, h, MIB, table } from '../dom';
import { busy, clearErrors, field, showErrors } from '../forms';

export interface Dump {
  id: string;
  name: string;
  bytes: number;
  labels: Record<string, string>;
  summary: { snapshots: number; processes: number; residentPages: number; distinctHashes: number; zeroPages: number; pageSize: number; capturedAt: string };
  createdAt: string;
}

/** The paper's "memory percentage over RSS" categories, in the order the stack is drawn, with their colours. */
export const SHARING_CATEGORIES: [string, string, string][] = [
  ['alreadyShared', 'already shared', '#94a3b8'],
  ['sharedMapping', 'shared mapping', '#cbd5e1'],
  ['notMergeable', 'not mergeable', '#fca5a5'],
  ['zeroFilled', 'zero-filled', '#fde68a'],
  ['duplicateWithinProcess', 'duplicate within process', '#86efac'],
  ['duplicateSameFunction', 'duplicate, same function', '#22c55e'],
  ['duplicateCrossFunction', 'duplicate, other function', '#15803d'],
  ['retainedCopy', 'retained copy', '#a78bfa'],
  ['unique', 'unique', '#e5e7eb'],
];

interface SharingRow {
  residentPages: number;
  residentMiB: number;
  categories: Record<string, { pages: number; mib: number; percentOfRss: number }>;
}
interface Sharing {
  processes: (SharingRow & { pid: number; comm: string; function: string })[];
  total: SharingRow & { savedBytes: number };
  warnings: string[];
}

export async function dumpsView(root: HTMLElement): Promise<void> {
  const list = await api<{ items: Dump[]; total: number }>('GET', '/v1/dumps?limit=100');
  const files = h('input', { type: 'file', name: 'file', multiple: true, 'data-field': 'file', accept: '.dump,.upmd,*' });
  const name = h('input', { type: 'text', name: 'name', placeholder: 'default: its function label', 'data-field': 'name' });
  const submit = h('button', { type: 'submit' }, 'Upload');
  const form = h('form', { class: 'card', id: 'dump-upload' }, h('h2', {}, 'Upload page-hash dumps'), field('Dump files', files, 'upm-probe output; each file is one dump'), field('Name', name), submit);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    busy(submit, true, 'Uploading…');
    try {
      const chosen = [...(files.files ?? [])];
      if (!chosen.length) throw new Error('choose at least one dump file');
      for (const f of chosen) await api('POST', `/v1/dumps${name.value ? `?name=${encodeURIComponent(name.value)}` : ''}`, f);
      await rerender(root, dumpsView);
    } catch (e) {
      showErrors(form, e);
    } finally {
      busy(submit, false, 'Upload');
    }
  });
  const box = h('div', { class: 'list-errors' });
  root.append(
    h('h1', {}, 'Dumps'),
    box,
    list.items.length
      ? table(
          ['name', 'function', 'processes', 'resident pages', 'distinct pages', 'MiB resident', 'captured at', ''],
          list.items.map((d) => [
            h('a', { href: `#/dumps/${d.id}` }, d.name),
            d.labels.function ?? '-',
            fmtInt(d.summary.processes),
            fmtInt(d.summary.residentPages),
            fmtInt(d.summary.distinctHashes),
            ((d.summary.residentPages * d.summary.pageSize) / MIB).toFixed(1),
            fmtDate(d.summary.capturedAt),
            deleteButton('dump', d.id, d.name, box, () => rerender(root, dumpsView)),
          ]),
        )
      : h('p', { class: 'empty' }, 'No dump yet: upload one below.'),
    form,
  );
}

async function rerender(root: HTMLElement, view: (r: HTMLElement) => Promise<void>): Promise<void> {
  root.replaceChildren();
  await view(root);
}

export async function dumpView(root: HTMLElement, id: string): Promise<void> {
  // All at once: the API answers them in parallel (none / KSM / UPM predictions are answered at once up to
  // ANALYSIS_SYNC_MAX_PAGES resident pages).
  const [d, sharing, ...preds] = await Promise.all([
    api<Dump>('GET', `/v1/dumps/${id}`),
    api<Sharing>('GET', `/v1/dumps/${id}/sharing`),
    ...(['none', 'ksm', 'upm'] as Model[]).map((model) =>
      api<{ state: string; result?: { model: string; physicalPagesAfter: number; physicalPagesBefore: number; pageSize: number; savedBytes: number } }>('POST', '/v1/analyses', { dumps: [id], model }),
    ),
  ]);
  root.append(
    h('p', {}, h('a', { href: '#/dumps' }, '← Dumps')),
    h('h1', {}, `Dump ${d.name}`),
    ...detailDelete('dump', d.id, d.name, '#/dumps'),
    table(
      ['processes', 'snapshots', 'resident pages', 'distinct pages', 'zero pages', 'page size', 'captured at'],
      [[fmtInt(d.summary.processes), d.summary.snapshots, fmtInt(d.summary.residentPages), fmtInt(d.summary.distinctHashes), fmtInt(d.summary.zeroPages), `${d.summary.pageSize} B`, fmtDate(d.summary.capturedAt)]],
    ),
  );
  const grid = h('div', { class: 'charts' });
  root.append(grid);
  const rows = [...sharing.processes.map((p) => `${p.comm || 'pid'} ${p.pid}`), 'whole dump'];
  const all = [...sharing.processes, sharing.total];
  chart(grid, 'sharing', {
    title: { text: 'Sharing opportunities: memory percentage over RSS' },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { left: 10, right: 10 },
    grid: { left: 150, right: 30, top: 105, bottom: 55 },
    xAxis: valueAxis('share of RSS (%)', '%', { nameLocation: 'middle', nameGap: 30, max: 100 }),
    yAxis: { type: 'category', name: 'process', data: rows, inverse: true },
    series: SHARING_CATEGORIES.map(([key, label, color]) => ({ type: 'bar', stack: 'rss', name: label, color, data: all.map((r) => r.categories[key]?.percentOfRss ?? 0) })),
  }, Math.max(360, 160 + 34 * rows.length));
  const ok = preds.filter((p) => p.result);
  const models = ok.map((p) => p.result!.model as Model);
  chart(grid, 'predicted', {
    title: { text: 'Predicted memory of these processes under none, KSM and UPM' },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    xAxis: { type: 'category', name: 'model', nameLocation: 'middle', nameGap: 30, data: models.map((m) => MODEL_LABELS[m]) },
    yAxis: valueAxis('physical memory (MiB)', ' MiB'),
    legend: { show: true },
    series: [
      {
        type: 'bar',
        name: 'physical memory after merging',
        colorBy: 'data',
        data: ok.map((p) => ({ value: (p.result!.physicalPagesAfter * p.result!.pageSize) / MIB, itemStyle: { color: MODEL_COLORS[p.result!.model as Model] } })),
        label: { show: true, position: 'top', formatter: (x: { value: number }) => `${x.value.toFixed(1)} MiB` },
      },
    ],
  });
  if (preds.some((p) => !p.result)) root.append(h('p', { class: 'note' }, 'Large dump: some predictions run as worker jobs; see /v1/jobs.'));
  if (sharing.warnings.length) root.append(h('div', { class: 'warnings' }, h('h3', {}, 'Warnings'), h('ul', {}, ...sharing.warnings.map((w) => h('li', {}, w)))));
}
