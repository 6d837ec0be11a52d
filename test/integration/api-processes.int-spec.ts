import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../scripts/lib/net';
import { ServiceProcess } from '../../scripts/lib/services';

/**
 * One GET on a connection of its own (no keep-alive), so the cluster hands each to the next process; from
 * `localAddress` (another loopback address is another client for the rate limits).
 */
const fetchFresh = (url: string, localAddress?: string): Promise<{ status: number; body: string }> =>
  new Promise((resolve, reject) => {
    const req = request(url, { agent: false, localAddress, headers: { connection: 'close' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
const getFresh = async (url: string): Promise<number> => (await fetchFresh(url)).status;

/** API_PROCESSES=2 as a real process tree on the real Redis, sqlite in a temporary directory. */
describe('API_PROCESSES: several API processes on one port', () => {
  let dir: string;
  let api: ServiceProcess;
  let base: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'upm-int-cluster-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    api = new ServiceProcess(
      'api',
      {
        PORT: String(port),
        DATABASE_URL: join(dir, 'upm.sqlite'),
        REDIS_URL: process.env.REDIS_URL_TEST ?? 'redis://127.0.0.1:6379',
        QUEUE_PREFIX: `upm-test-${randomBytes(4).toString('hex')}`,
        API_PROCESSES: '2',
        AUTH: 'auto',
        LOG_LEVEL: 'info',
        RATE_LIMIT_PER_ADDRESS: '8',
        RATE_LIMIT_WINDOW_MS: '60000',
      },
      { fromSource: true, logFile: join(dir, 'api.log') },
    );
    await api.waitForOutput(/2 processes listening/, 120_000);
  }, 150_000);

  afterAll(async () => {
    await api?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('both processes serve, and they count against one rate-limit counter', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push(await getFresh(`${base}/v1/plans`));
    // 8 per address over both processes together: each alone would have let all 12 through (6 each).
    expect(statuses).toEqual([...Array(8).fill(200), ...Array(4).fill(429)]);
    const lines = readFileSync(join(dir, 'api.log'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { pid: number; req?: { url?: string }; res?: unknown })
      .filter((l) => l.req?.url === '/v1/plans');
    const servedBy = new Set(lines.map((l) => l.pid));
    expect(servedBy.size).toBe(2);
    // A request's log line gives the response's status, not its (always the same) headers.
    expect(lines[0].res).toEqual({ statusCode: 200 });
    expect(servedBy.has(api.pid)).toBe(false);
  });

  it('answers /metrics for every process: the requests of both, summed, whichever process serves the scrape', async () => {
    const counted = (body: string, status: number) =>
      Number(new RegExp(`^upm_http_requests_total\\{method="GET",route="/v1/plans",status="${status}"\\} (\\d+)$`, 'm').exec(body)?.[1]);
    // two scrapes on two connections: one to each process (the 12 requests above came from 127.0.0.1)
    for (let i = 0; i < 2; i++) {
      const scrape = await fetchFresh(`${base}/metrics`, '127.0.0.2');
      expect(scrape.status).toBe(200);
      expect([counted(scrape.body, 200), counted(scrape.body, 429)]).toEqual([8, 4]);
      // read once from Redis, not once per process
      expect(scrape.body.match(/^upm_queue_jobs\{queue="plans",state="waiting"\} /gm)).toHaveLength(1);
    }
  });

  it('stops every process on SIGTERM, exiting 0', async () => {
    const exited = new Promise<number | null>((resolve) => api.child.once('exit', (code) => resolve(code)));
    api.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await expect(getFresh(`${base}/health`)).rejects.toThrow();
  });
});
