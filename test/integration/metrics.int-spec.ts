import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiClient } from '@upm/client';
import { REPO_ROOT } from '../../scripts/lib/services';
import { invitroTrace } from '../support/shared-dir';
import { Stack, startStack } from '../support/stack';

/** One sample of a metric (exact label set) from a Prometheus text exposition; 0 when absent. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/** GET /metrics on a real API and worker: the counters move after a plan, and worker log lines name the plan. */
describe('GET /metrics across API and worker', () => {
  let stack: Stack;
  let base: string;
  const key = 'k'.repeat(40);
  const metricsToken = 'm'.repeat(24);

  const scrape = async (token = metricsToken) => {
    const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    return res.text();
  };

  beforeAll(async () => {
    stack = await startStack('metrics', { BOOTSTRAP_API_KEY: key, METRICS_TOKEN: metricsToken });
    base = stack.base;
  }, 120_000);

  afterAll(() => stack?.stop());

  it('needs a read key or METRICS_TOKEN', async () => {
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    expect((await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status).toBe(401);
    await scrape(key);
  });

  it('counts HTTP requests, upload bytes, worker jobs and plan points, and the worker logs the plan id', async () => {
    const before = await scrape();
    const client = new ApiClient(base, key);
    const dumpPath = join(REPO_ROOT, 'samples/dumps/http-handler.dump');
    const trace = await client.uploadTrace([invitroTrace('example', 'Azure2021', 'Azure2021_200.csv')]);
    const dump = await client.uploadDump(dumpPath);
    const spec = {
      trace: trace.id,
      host: { memoryGiB: 0.25 },
      policy: { kind: 'ttl', ttlMinutes: 5 },
      models: ['none', 'upm'],
      sweep: { ttlMinutes: [5, 10] },
      profiles: { default: [dump.id] },
    };
    const created = (await client.request('POST', '/v1/plans', spec)).body as { id: string; points: number };
    expect(created.points).toBe(2);
    for (const until = Date.now() + 120_000; ; await sleep(250)) {
      const p = (await client.request('GET', `/v1/plans/${created.id}`)).body as { state: string };
      if (p.state === 'completed') break;
      if (p.state === 'failed' || Date.now() > until) throw new Error(`plan ${p.state}`);
    }
    // The worker records a job's end right after Bull's completed event: give it a moment.
    let after = '';
    for (const until = Date.now() + 10_000; Date.now() < until; await sleep(200)) {
      after = await scrape();
      if (sample(after, 'upm_plan_points_done_total') - sample(before, 'upm_plan_points_done_total') >= 2) break;
    }
    const delta = (series: string) => sample(after, series) - sample(before, series);
    expect(delta('upm_plan_points_done_total')).toBe(2);
    expect(delta('upm_worker_jobs_total{queue="plan-points",name="plan-point",outcome="completed"}')).toBe(2);
    expect(delta('upm_worker_jobs_total{queue="plans",name="plan",outcome="completed"}')).toBe(1);
    expect(delta('upm_worker_job_duration_seconds_count{queue="plans"}')).toBe(1);
    expect(delta('upm_worker_job_duration_seconds_count{queue="plan-points"}')).toBe(2);
    expect(delta('upm_http_requests_total{method="POST",route="/v1/plans",status="202"}')).toBe(1);
    expect(delta('upm_http_requests_total{method="POST",route="/v1/dumps",status="201"}')).toBe(1);
    expect(sample(after, 'upm_http_request_duration_seconds_count{method="POST",route="/v1/plans",status="202"}')).toBeGreaterThanOrEqual(1);
    expect(delta('upm_upload_bytes_total{kind="dump",status="201"}')).toBeGreaterThanOrEqual(readFileSync(dumpPath).length);
    expect(after).toMatch(/^upm_queue_jobs\{queue="plans",state="waiting"\} \d+$/m);
    // Structured worker logs: every line about one of this plan's jobs carries its plan and job id.
    const lines = readFileSync(join(stack.dir, 'worker.log'), 'utf8').split('\n').filter((l) => l.includes(created.id));
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const l of lines) expect(JSON.parse(l)).toMatchObject({ planId: created.id, jobId: expect.any(String) });
  }, 180_000);
});
