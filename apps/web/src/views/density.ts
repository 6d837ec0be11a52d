import { api } from '../api';
import { chart, disposeChart, MODEL_COLORS, MODEL_LABELS, type Model, valueAxis } from '../charts';
import { h, table } from '../dom';
import { busy, clearErrors, field, showErrors } from '../forms';
import type { Dump } from './dumps';

interface DensityResult {
  hostMemoryBytes: number;
  functions: { function: string; processes: number; containers: Partial<Record<Model, number>>; capped: Partial<Record<Model, boolean>>; densityVsNone: Partial<Record<Model, number>> }[];
}

export async function densityView(root: HTMLElement): Promise<void> {
  const dumps = (await api<{ items: Dump[] }>('GET', '/v1/dumps?limit=500')).items;
  const boxes = dumps.map((d) => h('input', { type: 'checkbox', name: 'dump', value: d.id, 'data-name': d.labels.function ?? d.name }));
  const mem = h('input', { type: 'number', name: 'hostMemoryGiB', value: '2', step: 'any', 'data-field': 'hostMemoryGiB' });
  const submit = h('button', { type: 'submit' }, 'Compute density');
  const picker = h('fieldset', { class: 'field', 'data-field': 'dumps' }, h('legend', {}, 'Dumps (one function each; the same function name groups its dumps)'), ...dumps.map((d, i) => h('label', { class: 'check' }, boxes[i], ` ${d.name} (${d.labels.function ?? 'no function label'})`)));
  const form = h('form', { class: 'card', id: 'density-form' }, picker, field('Host memory (GiB)', mem), submit);
  const out = h('div', { id: 'density-out' });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const byFn: Record<string, string[]> = {};
    boxes.filter((b) => b.checked).forEach((b) => (byFn[b.dataset.name!] ??= []).push(b.value));
    busy(submit, true, 'Computing…');
    try {
      const r = await api<DensityResult>('POST', '/v1/density', { dumps: byFn, hostMemoryGiB: mem.value === '' ? null : Number(mem.value) });
      out.replaceChildren();
      renderDensity(out, r);
    } catch (e) {
      // the previous result is not the answer to this form: leave only the error on screen
      disposeChart('density');
      out.replaceChildren();
      showErrors(form, e);
    } finally {
      busy(submit, false, 'Compute density');
    }
  });
  root.append(h('h1', {}, 'Density'), h('p', {}, 'How many containers of each function fit on one host under none, KSM and UPM.'), form, out);
}

function renderDensity(out: HTMLElement, r: DensityResult): void {
  const models: Model[] = (['none', 'ksm', 'upm'] as Model[]).filter((m) => r.functions.some((f) => f.containers[m] !== undefined));
  const grid = h('div', { class: 'charts' });
  out.append(grid);
  chart(grid, 'density', {
    title: { text: `Containers per ${(r.hostMemoryBytes / 1073741824).toFixed(2)} GiB host` },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    xAxis: { type: 'category', name: 'function', nameLocation: 'middle', nameGap: 30, data: r.functions.map((f) => f.function) },
    yAxis: valueAxis('containers per host', '', { minInterval: 1 }),
    series: models.map((m) => ({
      type: 'bar',
      name: MODEL_LABELS[m],
      color: MODEL_COLORS[m],
      data: r.functions.map((f) => f.containers[m] ?? 0),
      label: { show: true, position: 'top', formatter: (x: { dataIndex: number }) => `×${(r.functions[x.dataIndex].densityVsNone[m] ?? 0).toFixed(2)}` },
    })),
  });
  out.append(
    table(
      ['function', 'processes', ...models.map((m) => `${MODEL_LABELS[m]} containers`), ...models.filter((m) => m !== 'none').map((m) => `${MODEL_LABELS[m]} / none`)],
      r.functions.map((f) => [
        f.function,
        f.processes,
        ...models.map((m) => `${f.containers[m] ?? '-'}${f.capped[m] ? '+' : ''}`),
        ...models.filter((m) => m !== 'none').map((m) => `×${(f.densityVsNone[m] ?? 0).toFixed(2)}`),
      ]),
    ),
  );
}
