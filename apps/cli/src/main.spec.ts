import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { invitroTrace } from '../../../test/support/shared-dir';

const ROOT = join(__dirname, '../../..');
// one large write (the PlanResult JSON with a 1 s time series, ~130 KB), as `upm plan watch ID --json` makes
const TRACE = invitroTrace('example', 'Azure2021', 'Azure2021_200.csv');

describe('upm writing to a pipe its reader closed', () => {
  it('`upm plan run ... --json | head -c 200` exits 0 without a stack trace', () => {
    const upm = [process.execPath, '-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'apps/cli/src/main.ts'];
    const cmd = [...upm, 'plan', 'run', '--trace', TRACE, '--policy', 'ttl', '--step', '1', '--json'].map((a) => `'${a}'`).join(' ');
    // stderr of upm to our stdout, after head's 200 bytes; then upm's exit status
    const r = spawnSync('bash', ['-c', `${cmd} 2>/tmp/upm-pipe-$$.err | head -c 200; echo; echo "status=\${PIPESTATUS[0]}"; cat /tmp/upm-pipe-$$.err; rm -f /tmp/upm-pipe-$$.err`], {
      cwd: ROOT,
      env: { ...process.env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') },
      encoding: 'utf8',
    });
    const [head, status, ...err] = r.stdout.split('\n');
    expect(head).toHaveLength(200);
    expect({ status, stderr: err.join('\n').trim() }).toEqual({ status: 'status=0', stderr: '' });
  }, 60_000);
});
