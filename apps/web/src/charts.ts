import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { DataZoomComponent, GridComponent, LegendComponent, MarkLineComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { EChartsCoreOption } from 'echarts/core';
import type { Model } from './downsample';
export type { Model };

echarts.use([LineChart, BarChart, GridComponent, TooltipComponent, LegendComponent, TitleComponent, MarkLineComponent, DataZoomComponent, CanvasRenderer]);


/** The three models keep these colours in every chart and table. */
export const MODEL_COLORS: Record<Model, string> = { none: '#6b7280', ksm: '#d97706', upm: '#2563eb' };
export const MODEL_LABELS: Record<Model, string> = { none: 'none', ksm: 'KSM', upm: 'UPM' };

export { lttb, MAX_POINTS } from './downsample';

const registry = new Map<string, echarts.ECharts>();
declare global {
  interface Window {
    /** For tests and debugging: the charts on the page by id, and their options (what is drawn). */
    upmCharts?: { ids(): string[]; option(id: string): unknown };
  }
}
window.upmCharts = {
  ids: () => [...registry.keys()],
  option: (id) => registry.get(id)?.getOption(),
};

const resizer = new ResizeObserver((entries) => {
  for (const e of entries) echarts.getInstanceByDom(e.target as HTMLElement)?.resize();
});

/** A chart in `parent`, registered under `id`; the option must carry a title, named axes with units and a legend. */
export function chart(parent: HTMLElement, id: string, option: EChartsCoreOption, height = 340): echarts.ECharts {
  registry.get(id)?.dispose();
  const el = document.createElement('div');
  el.className = 'chart';
  el.dataset.chart = id;
  el.style.height = `${height}px`;
  parent.append(el);
  const c = echarts.init(el, undefined, { renderer: 'canvas' });
  c.setOption({
    animation: false,
    textStyle: { fontFamily: 'system-ui, sans-serif' },
    tooltip: { trigger: 'axis' },
    grid: { left: 70, right: 30, top: 90, bottom: 55, containLabel: false },
    ...option,
    title: { left: 'center', textStyle: { fontSize: 14 }, ...(option.title as object) },
    legend: { top: 28, ...(option.legend as object) },
  });
  registry.set(id, c);
  resizer.observe(el);
  return c;
}

/** Forgets the charts of the previous view. */
export function disposeCharts(): void {
  for (const c of registry.values()) c.dispose();
  registry.clear();
}
