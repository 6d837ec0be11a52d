import type { PlanResult } from './result';

/** One CSV row per (model, host, time step): the columns an operator pastes into a spreadsheet. */
export function timeseriesToCsv(result: Pick<PlanResult, 'timeseries'>): string {
  const lines = ['model,host,t_s,memory_used_bytes,memory_peak_bytes,memory_saved_bytes,containers'];
  for (const series of result.timeseries.series) {
    const { model, host, memoryUsedBytes, memoryPeakBytes, memorySavedBytes, containers } = series;
    for (let i = 0; i < result.timeseries.t.length; i++) {
      lines.push(`${model},${host},${result.timeseries.t[i]},${memoryUsedBytes[i]},${memoryPeakBytes[i]},${memorySavedBytes[i]},${containers[i]}`);
    }
  }
  return lines.join('\n') + '\n';
}
