import { Command } from 'commander';
import { ApiClient, CliError } from '@upm/client';
import { registerServerKeyCommands } from './server-keys.command';

/** `upm server ...`: talk to a running API. */
export function registerServerCommands(program: Command): void {
  const server = program.command('server').description('talk to a running upm-planner API');

  server
    .command('health')
    .description('database and Redis status of the API')
    .option('--api <url>', 'API base URL', process.env.UPM_API_URL ?? 'http://127.0.0.1:3000')
    .option('--api-key <key>', 'API key (default: $UPM_API_KEY)')
    .option('--json', 'print JSON')
    .action(async (opts: { api: string; apiKey?: string; json?: boolean }) => {
      const api = new ApiClient(opts.api, opts.apiKey);
      const { status, body } = await api.request('GET', '/health', undefined, { allowStatus: [503] });
      const health = body as { status: string; down: string[] };
      if (opts.json) process.stdout.write(JSON.stringify(health) + '\n');
      else process.stdout.write(status === 200 ? 'ok: database and redis are up\n' : `degraded: down: ${health.down.join(', ')}\n`);
      if (status !== 200) process.exitCode = 1;
    });

  server
    .command('ping')
    .description('run a ping job through API → Redis → worker → database and wait for it')
    .option('--api <url>', 'API base URL', process.env.UPM_API_URL ?? 'http://127.0.0.1:3000')
    .option('--api-key <key>', 'API key (default: $UPM_API_KEY)')
    .option('--timeout <seconds>', 'how long to wait', '60')
    .action(async (opts: { api: string; apiKey?: string; timeout: string }) => {
      const timeoutS = Number(opts.timeout);
      if (!Number.isFinite(timeoutS) || timeoutS <= 0) throw new CliError(`--timeout must be a positive number of seconds, got '${opts.timeout}'`, 2);
      const api = new ApiClient(opts.api, opts.apiKey);
      const job = await api.enqueueAndWait('/v1/jobs/ping', { message: 'upm server ping' }, timeoutS * 1000);
      process.stdout.write(JSON.stringify(job.result) + '\n');
    });

  registerServerKeyCommands(server);
}
