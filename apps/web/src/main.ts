import './style.css';
import { ApiProblem, apiKey, setApiKey } from './api';
import { disposeCharts } from './charts';
import { h } from './dom';
import { densityView } from './views/density';
import { dumpsView, dumpView } from './views/dumps';
import { planView, plansView } from './views/plans';
import { traceView, tracesView } from './views/traces';

const app = document.getElementById('app')!;
let generation = 0;

/** Hash routes: #/traces, #/traces/:id, #/dumps, #/dumps/:id, #/density, #/plans, #/plans/:id. */
async function route(): Promise<void> {
  const mine = ++generation;
  const alive = () => mine === generation;
  const [path, qs = ''] = (location.hash.replace(/^#/, '') || '/traces').split('?');
  const parts = path.split('/').filter(Boolean);
  const query = new URLSearchParams(qs);
  disposeCharts();
  const root = h('div', { class: 'view', 'data-view': parts.join('/') || 'traces' });
  app.replaceChildren(root);
  document.querySelectorAll<HTMLAnchorElement>('[data-nav]').forEach((a) => a.classList.toggle('active', a.dataset.nav === (parts[0] ?? 'traces')));
  document.body.dataset.ready = 'false';
  try {
    const [section, id] = parts;
    if (section === 'traces' || section === undefined) await (id ? traceView(root, id) : tracesView(root));
    else if (section === 'dumps') await (id ? dumpView(root, id) : dumpsView(root));
    else if (section === 'density') await densityView(root);
    else if (section === 'plans') await (id ? planView(root, id, alive) : plansView(root, query));
    else root.append(h('h1', {}, 'Not found'), h('p', {}, `No page ${location.hash}.`));
  } catch (e) {
    if (!alive()) return;
    const msg = e instanceof ApiProblem ? `${e.problem.title} (${e.problem.status}): ${e.problem.detail}` : (e as Error).message;
    root.append(h('div', { class: 'form-error', role: 'alert' }, msg));
  }
  if (alive()) {
    document.body.dataset.ready = 'true';
    performance.mark('upm-ready');
  }
}

const keyInput = document.getElementById('api-key') as HTMLInputElement;
keyInput.value = apiKey() ?? '';
keyInput.addEventListener('change', () => {
  setApiKey(keyInput.value.trim());
  void route();
});
window.addEventListener('hashchange', () => void route());
void route();
