import { Command, Option } from 'commander';
import { ApiClient, submitPlan, watchPlan } from '@upm/client';
import { buildSpec, PlanRunOptions } from './plan.command';
import { traceFiles } from './trace.command';

interface RemoteOptions {
  api: string;
  apiKey?: string;
  json?: boolean;
  timeout: string;
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
}
