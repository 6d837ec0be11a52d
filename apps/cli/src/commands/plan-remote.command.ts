import { Command, Option } from 'commander';
import { Presets, SingleBar } from 'cli-progress';
import { mapProfileRefs, type PlanResult, type PlanSpec } from '@upm/model';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiClient } from '../api-client';
import { CliError } from '../cli-error';
import { buildSpec, PlanRunOptions, renderPlan } from './plan.command';

interface RemoteOptions {
  api: string;
  apiKey?: string;
  json?: boolean;
  timeout: string;
}

interface PlanStatus {
  id: string;
  state: string;
  progress: number;
  points: number;
  pointsDone: number;
  error: string | null;
  result?: PlanResult | null;
}

const apiOption = () => new Option('--api <url>', 'API base URL').default(process.env.UPM_API_URL ?? 'http://127.0.0.1:3000');
const apiKeyOption = () => new Option('--api-key <key>', 'API key (default: $UPM_API_KEY)');

/**
 * `upm plan submit` and `upm plan watch`: the same plan as `upm plan run`, run by a server's workers. Submit
 * takes run's options (files are uploaded first, then the plan refers to their ids).
 */
export function registerPlanRemoteCommands(plan: Command): void {
  const run = plan.commands.find((c) => c.name() === 'run');
  if (!run) throw new Error('registerPlanCommands must run first');
  const submit = plan.command('submit').description("upload the trace and dumps, submit the plan to a server, and print its id (or --watch it)");
  for (const o of run.options) if (o.long !== '--json') submit.addOption(o);
  submit
    .addOption(apiOption())
    .addOption(apiKeyOption())
    .option('--watch', 'wait for the result, with a progress bar')
    .option('--json', 'print JSON (the plan status, or with --watch the PlanResult)')
    .option('--timeout <seconds>', 'with --watch: how long to wait', '3600')
    .action(async (opts: PlanRunOptions & RemoteOptions & { watch?: boolean }) => {
      const client = new ApiClient(opts.api, opts.apiKey ?? process.env.UPM_API_KEY);
      const status = await submitPlan(client, buildSpec(opts));
      if (!opts.watch) {
        process.stdout.write(opts.json ? `${JSON.stringify(status)}\n` : `plan ${status.id} ${status.state}${status.created === false ? ' (already submitted: not run again)' : ''}\n`);
        return;
      }
      process.stdout.write(await watchPlan(client, status.id, opts));
    });

  plan
    .command('watch')
    .description('follow a plan on a server with a progress bar, then print its result')
    .argument('<id>', 'the plan id printed by submit')
    .addOption(apiOption())
    .addOption(apiKeyOption())
    .option('--json', 'print the PlanResult JSON')
    .option('--timeout <seconds>', 'how long to wait', '3600')
    .action(async (id: string, opts: RemoteOptions) => {
      process.stdout.write(await watchPlan(new ApiClient(opts.api, opts.apiKey ?? process.env.UPM_API_KEY), id, opts));
    });
}

/** Uploads the spec's trace files and dump files, then submits the plan with their ids. */
export async function submitPlan(client: ApiClient, spec: PlanSpec): Promise<PlanStatus & { created?: boolean }> {
  const trace = await client.uploadTrace(spec.trace.split(','));
  const ids = new Map<string, string>();
  const idOf = async (path: string) => {
    if (!ids.has(path)) ids.set(path, (await client.uploadDump(path)).id);
    return ids.get(path)!;
  };
  const remote = { ...spec, trace: trace.id, profiles: await mapProfileRefs(spec.profiles, idOf) };
  return (await client.request('POST', '/v1/plans', remote)).body as PlanStatus & { created?: boolean };
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
      const p = (await client.request('GET', `/v1/plans/${encodeURIComponent(id)}`)).body as PlanStatus;
      if (bar) {
        if (!started) bar.start(100, 0, { state: p.state, done: p.pointsDone, points: p.points });
        started = true;
        bar.update(p.progress, { state: p.state, done: p.pointsDone, points: p.points });
      }
      if (p.state === 'completed') {
        const result = p.result as PlanResult;
        if (!opts.json) return renderPlan(result);
        // The full result with its time series, as `upm plan run --json` prints it.
        const timeseries = (await client.request('GET', `/v1/plans/${encodeURIComponent(id)}/timeseries`)).body;
        return `${JSON.stringify({ ...result, timeseries })}\n`;
      }
      if (p.state === 'failed') throw new CliError(`plan ${id} failed: ${p.error}`);
      if (Date.now() > deadline) throw new CliError(`plan ${id} still ${p.state} (${p.progress}%) after ${timeoutS} s`);
      await sleep(500);
    }
  } finally {
    if (started) bar?.stop();
  }
}
