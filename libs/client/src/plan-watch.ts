import { Presets, SingleBar } from 'cli-progress';
import { setTimeout as sleep } from 'node:timers/promises';
import { mapProfileRefs, type PlanResult, type PlanSpec } from '@upm/model';
import { ApiClient } from './api-client';
import type { PlanWithResult } from './api-schemas';
import { CliError } from './cli-error';
import { renderPlan } from './render';

/** A plan as GET /v1/plans/:id answers it (the API's own schema). */
export type PlanStatus = PlanWithResult;

/** Uploads the spec's trace files and dump files, then submits the plan with their ids. */
export async function submitPlan(client: ApiClient, spec: PlanSpec): Promise<PlanStatus & { created?: boolean }> {
  const trace = await client.uploadTrace(spec.trace.split(','));
  const ids = new Map<string, string>();
  const idOf = async (path: string) => {
    if (!ids.has(path)) ids.set(path, (await client.uploadDump(path)).id);
    return ids.get(path)!;
  };
  const remote = { ...spec, trace: trace.id, profiles: await mapProfileRefs(spec.profiles, idOf) };
  return (await client.call('post', '/v1/plans', { body: remote })).body;
}

/** GET /v1/plans/:id, its result as the domain's PlanResult (the OpenAPI document types it as an object). */
async function getPlan(client: ApiClient, id: string): Promise<PlanStatus> {
  const { body } = await client.call('get', '/v1/plans/{id}', { params: { id } });
  return { ...body, result: body.result as PlanResult | null };
}

/** A plan's time series (of one point of a sweep). */
async function getTimeseries(client: ApiClient, id: string, point?: number) {
  return (await client.call('get', '/v1/plans/{id}/timeseries', { params: { id }, query: { point } })).body;
}

/** Polls the plan until it completes; a progress bar on a terminal, nothing otherwise. */
export async function watchPlan(client: ApiClient, id: string, opts: { json?: boolean; timeout: string }): Promise<string> {
  const timeoutS = Number(opts.timeout);
  if (!Number.isFinite(timeoutS) || timeoutS <= 0) throw new CliError(`--timeout must be a positive number of seconds, got '${opts.timeout}'`, 2);
  const bar = process.stderr.isTTY
    ? new SingleBar({ format: 'plan {state} {bar} {percentage}% | {done}/{points} points', stream: process.stderr, fps: 5 }, Presets.shades_classic)
    : null;
  const deadline = Date.now() + timeoutS * 1000;
  let started = false;
  try {
    for (;;) {
      const p = await getPlan(client, id);
      if (bar) {
        if (!started) bar.start(100, 0, { state: p.state, done: p.pointsDone, points: p.points });
        started = true;
        bar.update(p.progress, { state: p.state, done: p.pointsDone, points: p.points });
      }
      if (p.state === 'completed') {
        const result = p.result!;
        if (!opts.json) return renderPlan(result);
        // The full result with its time series, as `upm plan run --json` prints it (a sweep's has none: its
        // points' are at /timeseries?point=N)
        if (result.sweep) return `${JSON.stringify(result)}\n`;
        return `${JSON.stringify({ ...result, timeseries: await getTimeseries(client, p.id) })}\n`;
      }
      if (p.state === 'failed') throw new CliError(`plan ${id} failed: ${p.error}`);
      if (Date.now() > deadline) throw new CliError(`plan ${id} still ${p.state} (${p.progress}%) after ${timeoutS} s`);
      await sleep(500);
    }
  } finally {
    if (started) bar?.stop();
  }
}

/** A completed plan's PlanResult with its time series, as `upm plan run --json` prints it. */
export async function fetchPlanResult(client: ApiClient, id: string): Promise<PlanResult> {
  const p = await getPlan(client, id);
  if (p.state === 'failed') throw new CliError(`plan ${id} failed: ${p.error}`);
  if (p.state !== 'completed') throw new CliError(`plan ${id} is ${p.state} (${p.progress}%); wait for it with upm plan watch ${id}`);
  const result = p.result!;
  if (result.sweep) {
    // a sweep's points' series are at /timeseries?point=N: all of them, for a report that draws any point
    const pointTimeseries = [];
    for (const pt of result.sweep.points) pointTimeseries.push(await getTimeseries(client, p.id, pt.index));
    return { ...result, pointTimeseries } as PlanResult;
  }
  return { ...result, timeseries: await getTimeseries(client, p.id) } as PlanResult;
}
