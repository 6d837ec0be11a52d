import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { DataZoomComponent, GridComponent, LegendComponent, MarkLineComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { EChartsCoreOption } from 'echarts/core';
import type { Model } from './downsample';
import { clockStepS, fmtClock, fmtTick } from './ticks';
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
    upmCharts?: { ids(): string[]; option(id: string): unknown; labels(id: string, axis: 'x' | 'y'): string[] };
  }
}
window.upmCharts = {
  ids: () => [...registry.keys()],
  option: (id) => registry.get(id)?.getOption(),
  // the tick labels as drawn (formatted): ECharts' axis model, which getOption does not expose
  labels: (id, axis) => {
    const model = (registry.get(id) as unknown as { getModel(): { getComponent(t: string, i: number): { axis: { getViewLabels(): { formattedLabel: string }[] } } } }).getModel();
    return model.getComponent(`${axis}Axis`, 0).axis.getViewLabels().map((l) => l.formattedLabel);
  },
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

/** Forgets one chart (its element is being removed). */
export function disposeChart(id: string): void {
  registry.get(id)?.dispose();
  registry.delete(id);
}

/** Forgets the charts of the previous view. */
export function disposeCharts(): void {
  for (const c of registry.values()) c.dispose();
  registry.clear();
}

/**
 * A value axis whose tick labels carry few digits and the unit (`unit` is appended: '%', ' GiB', ...): ECharts
 * prints a computed minimum or maximum as is (2.484565311475989) without a formatter.
 */
export function valueAxis(name: string, unit = '', extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { axisLabel, ...rest } = extra as { axisLabel?: object };
  return { type: 'value', name, axisLabel: { formatter: (v: number) => `${fmtTick(v)}${unit}`, ...axisLabel }, ...rest };
}

/** The name of a time axis in hours on the trace clock: Azure 2019 minute columns are minutes of the day. */
export const clockAxisName = (format: string) => (format === 'azure2019' ? 'time of day in the trace (h:mm)' : 'time since the trace origin (h:mm)');

/**
 * A time axis over exactly [fromH, toH] hours of the trace clock, ticked at the whole clock steps (1, 2, 5 ...
 * minutes, hours) inside it and labelled h:mm, so that a short trace gets distinct ticks (the window's own
 * ends, rarely on a step, are not labelled: they would crowd the tick next to them).
 */
export function clockAxis(format: string, fromH: number, toH: number): Record<string, unknown> {
  const stepS = clockStepS(Math.max(1, (toH - fromH) * 3600));
  const ticks: number[] = [];
  for (let s = Math.ceil((fromH * 3600) / stepS - 1e-9) * stepS; s <= toH * 3600 + 1e-6; s += stepS) ticks.push(s / 3600);
  return {
    type: 'value',
    name: clockAxisName(format),
    nameLocation: 'middle',
    nameGap: 30,
    min: fromH,
    max: toH,
    axisTick: { customValues: ticks },
    axisLabel: { customValues: ticks, formatter: (v: number) => fmtClock(v, stepS) },
  };
}
