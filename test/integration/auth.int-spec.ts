import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../scripts/lib/net';
import { REPO_ROOT, ServiceProcess, waitForHttp } from '../../scripts/lib/services';

const run = promisify(execFile);

/** The real API process and the `upm` command: the start-up refusal, keys made by the CLI, the CLI sending them. */
describe('API keys end to end (processes)', () => {
  let dir: string;
  const upm = (args: string[], env: Record<string, string> = {}) =>
    run(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'apps/cli/src/main.ts', ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, TS_NODE_PROJECT: join(REPO_ROOT, 'tsconfig.json'), UPM_API_KEY: '', ...env },
    }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'upm-auth-int-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses to start on a non-loopback HOST without a key or AUTH=off, naming the variables', async () => {
    const log = join(dir, 'refused.log');
    const api = new ServiceProcess(
      'api',
      { HOST: '0.0.0.0', PORT: String(await freePort()), DATABASE_URL: join(dir, 'refused.sqlite'), QUEUE_PREFIX: `upm-int-auth-${process.pid}`, AUTH: '', BOOTSTRAP_API_KEY: '' },
      { fromSource: true, logFile: log },
    );
    const code = await new Promise<number | null>((r) => api.child.once('exit', (c) => r(c)));
    await api.stop();
    expect(code).toBe(1);
    const out = readFileSync(log, 'utf8');
    expect(out).toMatch(/failed to start: HOST=0\.0\.0\.0 is not a loopback address and no API key is configured/);
    expect(out).toMatch(/BOOTSTRAP_API_KEY/);
    expect(out).toMatch(/AUTH=off/);
  }, 120_000);

  it('a key made by `upm server keys create` is required from then on, and the CLI sends it', async () => {
    const db = join(dir, 'keys.sqlite');
    const created = await upm(['server', 'keys', 'create', '--scope', 'write', '--name', 'ci', '--database', db]);
    expect(created.code).toBe(0);
    const key = created.stdout.trim();
    expect(key).toMatch(/^upm_[A-Za-z0-9_-]{43}$/);
    expect(readFileSync(db).includes(Buffer.from(key))).toBe(false);

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const api = new ServiceProcess('api', { PORT: String(port), DATABASE_URL: db, QUEUE_PREFIX: `upm-int-auth-${process.pid}`, AUTH: '' }, { fromSource: true, logFile: join(dir, 'api.log') });
    try {
      await waitForHttp(`${base}/health`);
      const noKey = await upm(['plan', 'watch', 'nope', '--api', base, '--timeout', '5']);
      expect(noKey.code).toBe(1);
      expect(noKey.stderr).toMatch(/failed with 401: .*read scope.*give a key with --api-key or UPM_API_KEY/);
      const withFlag = await upm(['plan', 'watch', 'nope', '--api', base, '--api-key', key, '--timeout', '5']);
      expect(withFlag.stderr).toMatch(/failed with 404/);
      const withEnv = await upm(['plan', 'watch', 'nope', '--api', base, '--timeout', '5'], { UPM_API_KEY: key });
      expect(withEnv.stderr).toMatch(/failed with 404/);
      const listed = await upm(['server', 'keys', 'list', '--database', db, '--json']);
      const [info] = JSON.parse(listed.stdout) as Array<{ id: string; prefix: string }>;
      expect(key.startsWith(info.prefix)).toBe(true);
      expect(listed.stdout).not.toContain(key);
    } finally {
      await api.stop();
    }
  }, 180_000);
});
