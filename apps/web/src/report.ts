import './style.css';
import type { PlanResult, PlanTimeseries } from '@upm/model/plan/result';
import { timeseriesToCsv } from '@upm/model/plan/timeseries-csv';
import { saveBlob } from './api';
import { h } from './dom';
import { renderPlan, renderSweepPlan } from './plan-charts';

/**
 * The entry of `upm plan report`: the plan's result sits in the page as JSON (a script element of type
 * application/json), drawn by the same chart code as the web UI's plan page. Works from file://.
 */
function main(): void {
  const data = JSON.parse(document.getElementById('upm-plan-data')!.textContent!) as {
    id: string | null;
    result: PlanResult & { timeseries: PlanTimeseries; pointTimeseries?: PlanTimeseries[] };
    generatedAt: string;
  };
  const { result, id } = data;
  const name = id ? id.slice(0, 12) : result.specHash.slice(0, 12);
  const root = document.getElementById('app')!;
  if (result.sweep) {
    // a sweep: its summaries, and each point's series when the report carries them (upm plan report ID does)
    const points = result.pointTimeseries;
    root.append(h('h1', {}, `Plan ${name}`), h('p', { class: 'note' }, `Report written by upm plan report at ${data.generatedAt}.`));
    void renderSweepPlan(root, result, points ? (i) => Promise.resolve(points[i]) : null).then(() => (document.body.dataset.ready = 'true'));
    return;
  }
  root.append(
    h('h1', {}, `Plan ${name}`),
    h('p', { class: 'note' }, `Report written by upm plan report at ${data.generatedAt}.`),
    h('div', { class: 'buttons' },
      h('button', { type: 'button', id: 'download-json', onclick: () => saveBlob(new Blob([JSON.stringify(result, null, 1)], { type: 'application/json' }), `plan-${name}.json`) }, 'Download result JSON'),
      h('button', { type: 'button', id: 'download-csv', onclick: () => saveBlob(new Blob([timeseriesToCsv(result)], { type: 'text/csv' }), `plan-${name}-timeseries.csv`) }, 'Download timeseries CSV'),
    ),
  );
  renderPlan(root, result, result.timeseries);
  document.body.dataset.ready = 'true';
}

main();
