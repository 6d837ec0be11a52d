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
  const json = () => saveBlob(new Blob([JSON.stringify(result, null, 1)], { type: 'application/json' }), `plan-${name}.json`);
  const csv = (ts: PlanTimeseries, file: string) => saveBlob(new Blob([timeseriesToCsv({ timeseries: ts })], { type: 'text/csv' }), file);
  root.append(h('h1', {}, `Plan ${name}`), h('p', { class: 'note' }, `Report written by upm plan report at ${data.generatedAt}.`));
  if (result.sweep) {
    // a sweep: its summaries, and each point's series when the report carries them (upm plan report ID does);
    // the same downloads as the plan page: the result JSON, and the shown point's time-series CSV
    const points = result.pointTimeseries;
    let point = 0;
    root.append(
      h('div', { class: 'buttons' },
        h('button', { type: 'button', id: 'download-json', onclick: json }, 'Download result JSON'),
        points && h('button', { type: 'button', id: 'download-csv', onclick: () => csv(points[point], `plan-${name}-point${point}-timeseries.csv`) }, "Download the point's timeseries CSV"),
      ),
    );
    void renderSweepPlan(root, result, points ? (i) => Promise.resolve(points[i]) : null, (i) => (point = i)).then(() => (document.body.dataset.ready = 'true'));
    return;
  }
  root.append(
    h('div', { class: 'buttons' },
      h('button', { type: 'button', id: 'download-json', onclick: json }, 'Download result JSON'),
      h('button', { type: 'button', id: 'download-csv', onclick: () => csv(result.timeseries, `plan-${name}-timeseries.csv`) }, 'Download timeseries CSV'),
    ),
  );
  renderPlan(root, result, result.timeseries);
  document.body.dataset.ready = 'true';
}

main();
