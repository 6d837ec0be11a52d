import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Command } from 'commander';
import { CliError } from '@upm/client';
import { registerPlanReportCommand } from './plan-report.command';

describe('upm plan report PLAN_ID', () => {
  let server: Server;
  let url: string;
  const seen: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    // answers as the API does for a failed plan, so the command stops after one authorised GET
    server = createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 'a'.repeat(64), state: 'failed', progress: 0, points: 1, pointsDone: 0, error: 'boom' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  const report = (args: string[]) => {
    const program = new Command('upm').exitOverride();
    registerPlanReportCommand(program.command('plan'));
    return program.parseAsync(['plan', 'report', ...args], { from: 'user' });
  };

  it('sends --api-key as the bearer token (the 401 it would get says to use one)', async () => {
    seen.length = 0;
    await expect(report(['aaaaaaaaaaaa', '-o', '/tmp/never.html', '--api', url, '--api-key', 'upm_k_1'])).rejects.toEqual(
      new CliError('plan aaaaaaaaaaaa failed: boom'),
    );
    expect(seen.map((h) => h.authorization)).toEqual(['Bearer upm_k_1']);
  });

  it('falls back to $UPM_API_KEY', async () => {
    seen.length = 0;
    const old = process.env.UPM_API_KEY;
    process.env.UPM_API_KEY = 'upm_k_env';
    try {
      await expect(report(['aaaaaaaaaaaa', '-o', '/tmp/never.html', '--api', url])).rejects.toBeInstanceOf(CliError);
    } finally {
      if (old === undefined) delete process.env.UPM_API_KEY;
      else process.env.UPM_API_KEY = old;
    }
    expect(seen.map((h) => h.authorization)).toEqual(['Bearer upm_k_env']);
  });
});
