import { Command } from 'commander';
import { ApiClient, CliError, submitPlan, watchPlan } from '@upm/client';
import { buildSpec, PlanRunOptions } from './plan.command';
import { apiKeyOption, apiOption, deleteRemote, remote, RemoteOptions as ApiOptions } from './remote';
import { traceFiles } from './trace.command';

interface RemoteOptions extends ApiOptions {
  json?: boolean;
  timeout: string;
}

/**
 * `upm plan submit`, `upm plan watch` and `upm plan delete`: the same plan as `upm plan run`, run by a server's
 * workers. Submit takes run's options (files are uploaded first, then the plan refers to their ids).
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
      const client = new ApiClient(opts.api, opts.apiKey);
      const spec = buildSpec(opts);
      // a directory, as `plan run` takes it, uploads the trace files in it
      const status = await submitPlan(client, { ...spec, trace: traceFiles(spec.trace.split(',')).join(',') });
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
      process.stdout.write(await watchPlan(new ApiClient(opts.api, opts.apiKey), id, opts));
    });

  remote(
    plan
      .command('delete')
      .description('delete a finished plan and its results from a server (refused while it is queued or running)')
      .argument('<id>', 'the plan id, or a unique prefix of 8 or more of its hex digits (as upm plan submit prints it)'),
  ).action(async (id: string, opts: ApiOptions) => {
    // the API takes a prefix of 8+ digits; a shorter one would only be "not found"
    if (!/^[0-9a-f]{8,64}$/i.test(id)) throw new CliError(`a plan id is 64 hex digits or a unique prefix of 8 or more, got '${id}'`, 2);
    process.stdout.write(await deleteRemote(opts, 'plan', id));
  });
}
