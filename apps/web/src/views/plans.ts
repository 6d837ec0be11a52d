import type { PlanResult, PlanTimeseries } from '@upm/model/plan/result';
import type { PlanWithResult } from '@upm/client/api-schemas';
import { api, download, saveBlob } from '../api';
import { fmtDate, h, table } from '../dom';
import { busy, clearErrors, field, FormFieldError, showErrors } from '../forms';
import { deleteButton, detailDelete } from '../delete';
import { renderPlan, renderSweepPlan } from '../plan-charts';
import type { Dump } from './dumps';

type PlanStatus = PlanWithResult;

const numbers = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean).map(Number);

export async function plansView(root: HTMLElement, query: URLSearchParams): Promise<void> {
  const [plans, traces, dumps] = await Promise.all([
    api<{ items: PlanStatus[] }>('GET', '/v1/plans?limit=100'),
    api<{ items: { id: string; name: string; stats: { functions: number } }[] }>('GET', '/v1/traces?limit=100'),
    api<{ items: Dump[] }>('GET', '/v1/dumps?limit=500'),
  ]);
  const trace = h('select', { name: 'trace', 'data-field': 'trace' }, ...traces.items.map((t) => h('option', { value: t.id, selected: query.get('trace') === t.id }, `${t.name} (${t.stats.functions} functions)`)));
  const defaults = h('select', { name: 'default', multiple: true, size: Math.min(6, Math.max(2, dumps.items.length)), 'data-field': 'profiles' }, ...dumps.items.map((d) => h('option', { value: d.id }, `${d.name}`)));
  const perFn = h('textarea', { name: 'functions', rows: 2, placeholder: 'app/function = dumpId, dumpId (one per line)', 'data-field': 'profiles.functions' });
  const policy = h('select', { name: 'policy', 'data-field': 'policy' }, ...['ttl', 'hybrid-histogram', 'greedy-dual'].map((p) => h('option', { value: p }, p)));
  const ttl = h('input', { type: 'number', name: 'ttlMinutes', value: '10', step: 'any', 'data-field': 'policy.ttlMinutes' });
  const mem = h('input', { type: 'number', name: 'memoryGiB', value: '2', step: 'any', placeholder: 'unlimited', 'data-field': 'host.memoryGiB' });
  const count = h('input', { type: 'number', name: 'count', value: '1', 'data-field': 'host.count' });
  // a percentage here, a fraction in the spec: the form converts, and checks the range in % itself so that
  // the message speaks the form's unit rather than the API's fraction (no min/max attributes: the browser's
  // own check would block the submit without a message of ours)
  const target = h('input', { type: 'number', name: 'targetColdStartRate', value: '1', step: 'any', placeholder: 'no sizing', 'data-field': 'sizing.targetColdStartRate' });
  const maxHosts = h('input', { type: 'number', name: 'maxHosts', value: '64', 'data-field': 'sizing.maxHosts' });
  const sweepMem = h('input', { type: 'text', name: 'sweepMem', placeholder: 'e.g. 1, 2, 4', 'data-field': 'sweep.hostMemoryGiB' });
  const sweepTtl = h('input', { type: 'text', name: 'sweepTtl', placeholder: 'e.g. 5, 10, 20', 'data-field': 'sweep.ttlMinutes' });
  const step = h('input', { type: 'number', name: 'timeseriesStepS', value: '60', 'data-field': 'timeseriesStepS' });
  const warmup = h('input', { type: 'number', name: 'warmupMinutes', min: '0', step: 'any', placeholder: '0', 'data-field': 'warmupMinutes' });
  const submit = h('button', { type: 'submit' }, 'Submit plan');
  const form = h(
    'form',
    { class: 'card', id: 'plan-form' },
    h('h2', {}, 'Submit a plan'),
    h('div', { class: 'cols' },
      field('Trace', trace),
      field('Default dumps', defaults, 'every function without its own dumps; none picked (ctrl-click unpicks): app memory percentiles'),
      field('Dumps per function', perFn),
      field('Keep-alive policy', policy),
      field('TTL (min)', ttl),
      field('Host memory (GiB)', mem, 'empty: unlimited'),
      field('Hosts', count),
      field('Sizing target cold-start rate (%)', h('span', { class: 'with-unit' }, target, h('span', { class: 'unit' }, '%')), 'a percentage, e.g. 1 for 1 % of invocations; empty: no sizing'),
      field('Sizing max hosts', maxHosts),
      field('Sweep host memory (GiB)', sweepMem),
      field('Sweep TTL (min)', sweepTtl),
      field('Time series step (s)', step),
      field('Warm-up (min)', warmup, 'the first minutes of the trace fill the hosts and count in no rate'),
    ),
    submit,
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const functions: Record<string, string[]> = {};
    for (const lineText of perFn.value.split('\n').map((l) => l.trim()).filter(Boolean)) {
      const [k, v = ''] = lineText.split('=');
      functions[k.trim()] = v.split(',').map((x) => x.trim()).filter(Boolean);
    }
    const pol = policy.value === 'ttl' ? { kind: 'ttl', ttlMinutes: Number(ttl.value) } : { kind: policy.value };
    const memGiB = mem.value === '' ? null : Number(mem.value);
    const spec: Record<string, unknown> = {
      trace: trace.value,
      // no default dumps picked: leave `default` out (functions without dumps are modelled from their app's
      // memory percentiles); the spec refuses an empty list
      profiles: { ...(defaults.selectedOptions.length && { default: [...defaults.selectedOptions].map((o) => o.value) }), ...(Object.keys(functions).length && { functions }) },
      host: { memoryGiB: memGiB, count: Number(count.value) },
      policy: pol,
      models: ['none', 'ksm', 'upm'],
      timeseriesStepS: Number(step.value),
    };
    if (warmup.value !== '') spec.warmupMinutes = Number(warmup.value);
    if (target.value !== '') {
      const pct = Number(target.value);
      if (!(pct >= 0 && pct <= 100)) {
        showErrors(form, new FormFieldError('sizing.targetColdStartRate', `the sizing target cold-start rate is a percentage from 0 to 100 %, got ${target.value} %`));
        return;
      }
      spec.sizing = { targetColdStartRate: pct / 100, maxHosts: Number(maxHosts.value) }; // hosts of the plan's (or each sweep point's) memory
    }
    if (sweepMem.value || sweepTtl.value) spec.sweep = { ...(sweepMem.value && { hostMemoryGiB: numbers(sweepMem.value) }), ...(sweepTtl.value && { ttlMinutes: numbers(sweepTtl.value) }) };
    busy(submit, true, 'Submitting…');
    try {
      const p = await api<PlanStatus>('POST', '/v1/plans', spec);
      location.hash = `#/plans/${p.id}`;
    } catch (e) {
      showErrors(form, e);
    } finally {
      busy(submit, false, 'Submit plan');
    }
  });
  const box = h('div', { class: 'list-errors' });
  const again = async () => {
    root.replaceChildren();
    await plansView(root, query);
  };
  root.append(
    h('h1', {}, 'Plans'),
    box,
    plans.items.length
      ? table(
          ['plan', 'state', 'progress', 'points', 'trace', 'submitted', 'completed', ''],
          plans.items.map((p) => [h('a', { href: `#/plans/${p.id}` }, p.id.slice(0, 12)), h('span', { class: `state state-${p.state}` }, p.state), `${p.progress}%`, `${p.pointsDone}/${p.points}`, h('a', { href: `#/traces/${p.trace}` }, p.trace.slice(0, 8)), fmtDate(p.createdAt), p.completedAt ? fmtDate(p.completedAt) : '-', deleteButton('plan', p.id, p.id.slice(0, 12), box, again)]),
        )
      : h('p', { class: 'empty' }, 'No plan yet.'),
    traces.items.length ? form : h('p', { class: 'empty' }, 'Upload a trace first to submit a plan.'),
  );
}

/** The plan page: live progress while it runs (polled every second), then the result. */
export async function planView(root: HTMLElement, id: string, alive: () => boolean): Promise<void> {
  const head = h('div', {});
  const bar = h('progress', { max: 100, value: 0, id: 'plan-progress' });
  const state = h('span', { id: 'plan-state' }, '');
  root.append(h('p', {}, h('a', { href: '#/plans' }, '← Plans')), h('h1', {}, `Plan ${id.slice(0, 12)}`), ...detailDelete('plan', id, id.slice(0, 12), '#/plans'), h('p', { class: 'progress' }, bar, ' ', state), head);
  let p: PlanStatus;
  for (;;) {
    p = await api<PlanStatus>('GET', `/v1/plans/${id}`);
    bar.value = p.progress;
    state.textContent = `${p.state}: ${p.progress}% (${p.pointsDone}/${p.points} points)`;
    state.className = `state state-${p.state}`;
    if (p.state === 'completed' || p.state === 'failed' || !alive()) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  if (!alive()) return;
  if (p.state === 'failed') {
    head.append(h('div', { class: 'form-error', role: 'alert' }, `The plan failed: ${p.error}`));
    return;
  }
  const r = p.result as PlanResult;
  if (r.sweep) {
    // a sweep: its summaries, then one point at a time (each point's series is its own download)
    let point = 0;
    head.append(
      h('div', { class: 'buttons' },
        h('button', { type: 'button', id: 'download-json', onclick: () => saveBlob(new Blob([JSON.stringify(r, null, 1)], { type: 'application/json' }), `plan-${id.slice(0, 12)}.json`) }, 'Download result JSON'),
        h('button', { type: 'button', id: 'download-csv', onclick: () => void download(`/v1/plans/${id}/timeseries?format=csv&point=${point}`, `plan-${id.slice(0, 12)}-point${point}-timeseries.csv`) }, "Download the point's timeseries CSV"),
      ),
    );
    await renderSweepPlan(head, r, (i) => api<PlanTimeseries>('GET', `/v1/plans/${id}/timeseries?point=${i}`), (i) => (point = i));
    return;
  }
  const ts = await api<PlanTimeseries>('GET', `/v1/plans/${id}/timeseries`);
  head.append(
    h('div', { class: 'buttons' },
      h('button', { type: 'button', id: 'download-json', onclick: () => saveBlob(new Blob([JSON.stringify({ ...r, timeseries: ts }, null, 1)], { type: 'application/json' }), `plan-${id.slice(0, 12)}.json`) }, 'Download result JSON'),
      h('button', { type: 'button', id: 'download-csv', onclick: () => void download(`/v1/plans/${id}/timeseries?format=csv`, `plan-${id.slice(0, 12)}-timeseries.csv`) }, 'Download timeseries CSV'),
    ),
  );
  renderPlan(head, r, ts);
}
