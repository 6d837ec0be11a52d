import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ApiClient } from '@upm/client';
import { REPO_ROOT } from '../../scripts/lib/services';
import { invitroTrace } from '../support/shared-dir';
import { Stack, startStack } from '../support/stack';

const run = promisify(execFile);

/** `upm plan submit --watch` against a real API and worker prints what `upm plan run` prints locally. */
describe('upm plan submit / watch against a server', () => {
  let stack: Stack;
  let base: string;

  const upm = async (...args: string[]) =>
    run(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'apps/cli/src/main.ts', ...args], {
      cwd: REPO_ROOT,
      maxBuffer: 1 << 28,
      env: { ...process.env, TS_NODE_PROJECT: join(REPO_ROOT, 'tsconfig.json') },
    });

  beforeAll(async () => {
    // Every analysis is "large" here, so the worker's sandboxed analysis job is exercised.
    stack = await startStack('cli', { ANALYSIS_SYNC_MAX_PAGES: '0' });
    base = stack.base;
  }, 120_000);

  afterAll(() => stack?.stop());

  it('submits (uploading trace and dumps), watches to completion, and matches the local run', async () => {
    const plan = [
      '--trace', invitroTrace('example', 'Azure2021', 'Azure2021_200.csv'),
      '--policy', 'ttl', '--ttl-min', '5', '--models', 'none,upm', '--host-mem-gib', '0.25',
      '--default-dumps', join(REPO_ROOT, 'samples/dumps/http-handler.dump'),
    ];
    const remote = JSON.parse((await upm('plan', 'submit', ...plan, '--api', base, '--watch', '--json')).stdout);
    const local = JSON.parse((await upm('plan', 'run', ...plan, '--json')).stdout);
    expect(remote.models).toEqual(local.models);
    expect(remote.timeseries).toEqual(local.timeseries);
    expect(remote.models.map((m: { model: string }) => m.model)).toEqual(['none', 'upm']);

    // Submitting the same plan again runs nothing new: the server answers with the stored plan.
    const again = JSON.parse((await upm('plan', 'submit', ...plan, '--api', base, '--json')).stdout);
    expect(again).toMatchObject({ state: 'completed', created: false });
    const watched = (await upm('plan', 'watch', again.id, '--api', base)).stdout;
    expect(watched).toMatch(/cold starts/);
  }, 180_000);

  it('runs a large analysis as a worker job whose result equals upm analyze', async () => {
    const dump = join(REPO_ROOT, 'samples/dumps/image-recognition.dump');
    const client = new ApiClient(base);
    const { id } = await client.uploadDump(dump);
    const { status, body } = await client.request('POST', '/v1/analyses', { dumps: [id], model: 'ksm', ksm: { pagesToScan: 5000, sleepMs: 10 } });
    expect(status).toBe(202);
    const queued = body as { state: string; jobId: string };
    expect(queued.state).toBe('queued');
    const job = await client.waitForJob(queued.jobId, 120_000);
    const local = JSON.parse((await upm('analyze', dump, '--model', 'ksm', '--pages-to-scan', '5000', '--sleep-ms', '10', '--json')).stdout);
    expect((job.result as { result: unknown }).result).toEqual(local);
  }, 180_000);

  it('fails with one clear line when the server is unreachable', async () => {
    await expect(upm('plan', 'watch', 'x'.repeat(64), '--api', 'http://127.0.0.1:9')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^upm: cannot reach the API at http:\/\/127\.0\.0\.1:9/),
    });
  });
});
