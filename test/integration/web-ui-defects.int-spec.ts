import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import type { ApiClient } from '@upm/client';
import type { PlanResult, PlanTimeseries } from '@upm/model';
import { REPO_ROOT, type ServiceProcess } from '../../scripts/lib/services';
import { startBrowserStack, type BrowserStack } from '../support/browser-stack';
import { invitroTrace } from '../support/shared-dir';

const run = promisify(execFile);
const SHOTS = join(REPO_ROOT, 'reports', 'screenshots');

/** The page's globals the tests read (the test program has no DOM types). */
interface InPage {
  upmCharts: { option(id: string): unknown; labels(id: string, axis: 'x' | 'y'): string[] };
  document: { body: { dataset: Record<string, string> } };
}
interface Option {
  title: { text: string; subtext?: string }[];
  xAxis: { name: string; min?: number; max?: number }[];
  yAxis: { name: string }[];
  series: { name: string; data: unknown[]; markLine?: { data: { yAxis: number }[] } }[];
}

/**
 * The newcomer's defects of the web UI (issue 21, item 9), each checked in the Debian chromium against a real
 * API and worker (sqlite, Redis): a short, memory-less Azure 2019 trace (10 functions, 10 minutes at 8:00) and
 * the committed dumps, uploaded and planned through the page's forms. Screenshots go to reports/screenshots/.
 */
describe('web UI: the newcomer defects (issue 21 item 9)', () => {
  let stack: BrowserStack;
  let dir: string;
  let worker: ServiceProcess;
  let base: string;
  let client: ApiClient;
  let page: Page;
  let errors: string[];

  const option = (id: string) => page.evaluate((i) => (globalThis as unknown as InPage).upmCharts.option(i), id) as Promise<Option>;
  const labels = (id: string, axis: 'x' | 'y') => page.evaluate(([i, a]) => (globalThis as unknown as InPage).upmCharts.labels(i, a as 'x' | 'y'), [id, axis]);
  const notReady = () => stack.notReady();
  const ready = () => stack.ready();
  const go = (hash: string) => stack.go(hash);
  const shot = (name: string) => stack.shot(name);
  const waitPlan = async (id: string) => {
    for (let i = 0; ; i++) {
      const p = (await client.request('GET', `/v1/plans/${id}`)).body as { state: string; error: string | null; result: PlanResult };
      if (p.state === 'completed') return p.result;
      if (p.state === 'failed' || i > 600) throw new Error(`plan ${id}: ${p.state} ${p.error}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  };
  /** Submits the plan form (already filled) and waits for the drawn result; the plan's id. */
  const submitPlan = async () => {
    await notReady();
    await page.click('#plan-form button[type=submit]');
    await page.waitForURL(/#\/plans\/[0-9a-f]+$/, { timeout: 30_000 });
    await page.waitForSelector('body[data-ready="true"]', { timeout: 300_000 });
    expect(await page.locator('#plan-state').textContent()).toMatch(/^completed/);
    return /#\/plans\/(.+)$/.exec(page.url())![1];
  };
  /** A tick label of a value axis: few digits, then the unit. */
  const TICK = (unit: string) => new RegExp(`^-?\\d{1,3}(,\\d{3})*(\\.\\d{1,3})?${unit.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);

  let shortTrace: string;
  beforeAll(async () => {
    stack = await startBrowserStack('web-defects', { shots: SHOTS, acceptDownloads: true });
    ({ dir, worker, base, client, page, errors } = stack);
    // a short trace: the 10-function sample's minutes 481..490 (8:00 to 8:10 of its day), and no memory file
    const rows = readFileSync(invitroTrace('10', 'invocations.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
    const cols = [0, 1, 2, 3, ...Array.from({ length: 10 }, (_, i) => 4 + 480 + i)];
    shortTrace = join(dir, 'invocations.csv');
    writeFileSync(shortTrace, rows.map((r) => cols.map((c) => r[c]).join(',')).join('\n') + '\n');
  }, 240_000);

  afterAll(async () => {
    if (worker?.pid) process.kill(worker.pid, 'SIGCONT');
    await stack?.stop();
  });

  let traceId: string;
  it('shows the trace warnings of the API (i) and ticks a short trace on its clock, without repeats (d)', async () => {
    await go('#/traces');
    await page.setInputFiles('#trace-upload input[type=file]', [shortTrace]);
    await page.fill('#trace-upload input[name=name]', 'short-no-memory');
    await notReady();
    await page.click('#trace-upload button[type=submit]');
    await page.waitForURL(/#\/traces\/[0-9a-f-]{36}$/, { timeout: 60_000 });
    await ready();
    traceId = /#\/traces\/(.+)$/.exec(page.url())![1];
    const t = (await client.request('GET', `/v1/traces/${traceId}`)).body as { warnings: string[] };
    expect(t.warnings.some((w) => /no memory row/.test(w))).toBe(true);
    const shown = await page.locator('[data-warnings=trace] li').allTextContents();
    expect(shown).toEqual(t.warnings);

    const o = await option('trace-minutes');
    expect(o.xAxis[0].name).toBe('time of day in the trace (h:mm)'); // minute columns 481.. are 8:00.. of the day
    const x = await labels('trace-minutes', 'x');
    expect(x.length).toBeGreaterThanOrEqual(4);
    expect(new Set(x).size).toBe(x.length);
    expect(x[0]).toBe('8:00');
    for (const l of x) expect(l).toMatch(/^8:0\d$/);
    for (const l of await labels('trace-minutes', 'y')) expect(l).toMatch(TICK(''));
    await shot('defects-trace-warnings');
  }, 120_000);

  let dumpIds: string[];
  it('submits a plan with no default dumps (a), names the swept parameter (e) and formats the axes (b)', async () => {
    for (const n of ['http-handler', 'image-recognition']) await client.uploadDump(join(REPO_ROOT, 'samples/dumps', `${n}.dump`));
    dumpIds = ((await client.request('GET', '/v1/dumps')).body as { items: { id: string }[] }).items.map((d) => d.id);
    await go(`#/plans?trace=${traceId}`);
    expect(await page.locator('#plan-form select[name=default] option:checked').count()).toBe(0); // no default dumps
    await page.fill('#plan-form input[name=count]', '2');
    await page.fill('#plan-form input[name=targetColdStartRate]', '5');
    await page.fill('#plan-form input[name=maxHosts]', '8');
    await page.fill('#plan-form input[name=sweepMem]', '1, 2');
    const planId = await submitPlan();
    const plan = (await client.request('GET', `/v1/plans/${planId}`)).body as { spec: { profiles: { default: unknown } }; result: PlanResult };
    expect(plan.spec.profiles.default).toBeNull();
    const r = plan.result;
    expect(r.sweep!.ttlMinutes).toEqual([null]); // TTL not swept

    // e: the headline, the table and the point selector name what is swept, and the TTL every point keeps
    const headline = await page.locator('p.headline').first().textContent();
    expect(headline).toContain('a sweep of 2 points over host memory (1 GiB, 2 GiB); TTL 10 min for all');
    expect(headline).not.toMatch(/TTL - min|-\s*min/);
    expect(await page.locator('table.sweep-points tbody td:nth-child(3)').allTextContents()).toEqual(['10 min', '10 min']);
    expect(await page.locator('#sweep-point option').allTextContents()).toEqual(['point 0: 1 GiB, TTL 10 min', 'point 1: 2 GiB, TTL 10 min']);

    // b: every value axis prints few digits and its unit; the sizing maximum is a nice number
    const ts = (await client.request('GET', `/v1/plans/${planId}/timeseries?point=0`)).body as PlanTimeseries;
    for (const [id, unit] of [['memory', ' GiB'], ['saved', ' GiB'], ['containers', ''], ['sizing', '%']] as const) {
      const y = await labels(id, 'y');
      expect(y.length).toBeGreaterThanOrEqual(2);
      for (const l of y) expect(l).toMatch(TICK(unit));
    }
    for (const l of await labels('sweep', 'x')) expect(l).toMatch(TICK(' GiB'));
    // c, in a sweep: no point meets the target within 8 hosts (every table cell says "> 8"), and the chart says so
    expect(r.sweep!.points.every((p) => Object.values(p.sizing!.models).every((z) => z!.hosts === null))).toBe(true);
    expect((await option('sweep')).title[0].subtext).toBe('no point meets the 5% target with at most 8 hosts (see the table)');
    for (const l of await labels('sizing', 'x')) expect(l).toMatch(TICK(''));
    // d: the plan's time axes too: h:mm of the trace's day, distinct, over exactly the sampled window
    for (const id of ['memory', 'saved', 'containers', 'hosts']) {
      const o = await option(id);
      expect(o.xAxis[0].name).toBe('time of day in the trace (h:mm)');
      expect([o.xAxis[0].min, o.xAxis[0].max]).toEqual([ts.t[0] / 3600, ts.t.at(-1)! / 3600]);
      const x = await labels(id, 'x');
      expect(new Set(x).size).toBe(x.length);
      for (const l of x) expect(l).toMatch(/^8:[01]\d$/);
    }
    await shot('defects-plan-sweep');

    // f: the sweep's HTML report has the plan page's downloads: the result JSON and the shown point's CSV
    const out = join(dir, 'report.html');
    await run(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'apps/cli/src/main.ts', 'plan', 'report', planId, '--api', base, '-o', out], {
      cwd: REPO_ROOT,
      maxBuffer: 1 << 28,
      env: { ...process.env, TS_NODE_PROJECT: join(REPO_ROOT, 'tsconfig.json') },
    });
    await page.goto(`file://${out}`);
    await ready();
    await notReady();
    await page.selectOption('#sweep-point', '1');
    await ready();
    const [json] = await Promise.all([page.waitForEvent('download'), page.click('#download-json')]);
    const saved = JSON.parse(readFileSync((await json.path())!, 'utf8')) as PlanResult;
    expect(saved.sweep).toEqual(r.sweep);
    const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#download-csv')]);
    expect(csv.suggestedFilename()).toMatch(/-point1-timeseries\.csv$/);
    const api1 = (await client.request('GET', `/v1/plans/${planId}/timeseries?format=csv&point=1`)).body;
    expect(readFileSync((await csv.path())!, 'utf8')).toBe(api1);
    await shot('defects-sweep-report');
    expect(errors).toEqual([]);
  }, 600_000);

  it('draws the floor when no host count was searched (c), and takes the sizing target in % (j)', async () => {
    await go(`#/plans?trace=${traceId}`);
    expect(await page.locator('#plan-form .with-unit .unit').textContent()).toBe('%');
    await page.fill('#plan-form input[name=targetColdStartRate]', '150');
    await page.click('#plan-form button[type=submit]');
    const err = page.locator('#plan-form [data-error-for="sizing.targetColdStartRate"]');
    await err.waitFor();
    expect(await err.textContent()).toBe('the sizing target cold-start rate is a percentage from 0 to 100 %, got 150 %');
    await shot('defects-target-percent');

    await page.fill('#plan-form input[name=targetColdStartRate]', '0.001');
    const planId = await submitPlan();
    const r = ((await client.request('GET', `/v1/plans/${planId}`)).body as { result: PlanResult }).result;
    const sz = r.sizing!;
    expect(sz.targetColdStartRate).toBeCloseTo(0.00001, 12);
    for (const m of ['none', 'ksm', 'upm'] as const) {
      expect(sz.models[m]!.evaluations).toEqual([]);
      expect(sz.models[m]!.floorColdStartRate).toBeGreaterThan(sz.targetColdStartRate);
      expect(await page.locator(`table[data-table=summary] td[data-model=${m}]`).last().textContent()).toBe(`none (floor ${(100 * sz.models[m]!.floorColdStartRate).toFixed(2)}%)`);
    }
    const o = await option('sizing');
    expect(o.title[0].subtext).toMatch(/the floor \(any number of hosts\) is above the target, so no host count was searched/);
    expect(o.series.slice(0, 3).map((s) => s.markLine!.data[0].yAxis)).toEqual((['none', 'ksm', 'upm'] as const).map((m) => 100 * sz.models[m]!.floorColdStartRate));
    expect(o.xAxis[0].min).toBe(1);
    expect(o.xAxis[0].max).toBe(sz.maxHosts);
    await shot('defects-sizing-floor');
    expect(errors).toEqual([]);
  }, 300_000);

  it('keeps a long unknown-function error inside its box (h)', async () => {
    await go(`#/plans?trace=${traceId}`);
    const key = `${'a'.repeat(64)}/${'b'.repeat(64)}`;
    await page.fill('#plan-form textarea[name=functions]', `${key} = ${dumpIds[0]}`);
    await page.click('#plan-form button[type=submit]');
    const err = page.locator('#plan-form [data-error-for="profiles.functions"]');
    await err.waitFor();
    expect(await err.textContent()).toMatch(/names no function of the trace .*closest: /);
    const box = await page.evaluate(() => {
      const d = (globalThis as unknown as { document: { querySelector(s: string): { getBoundingClientRect(): { left: number; right: number }; closest(s: string): unknown } } }).document;
      const e = d.querySelector('[data-error-for="profiles.functions"]');
      const f = e.closest('.field') as { getBoundingClientRect(): { left: number; right: number } };
      const form = d.querySelector('#plan-form');
      const next = d.querySelector('#plan-form .cols > :nth-child(4)');
      return { err: e.getBoundingClientRect(), field: f.getBoundingClientRect(), form: form.getBoundingClientRect(), next: next.getBoundingClientRect() };
    });
    expect(box.err.right).toBeLessThanOrEqual(box.field.right + 0.5);
    expect(box.field.right).toBeLessThanOrEqual(box.next.left); // its grid cell did not grow over the next field
    expect(box.err.right).toBeLessThanOrEqual(box.form.right);
    await shot('defects-unknown-function');
  }, 60_000);

  it('clears the previous density result when the next one fails (g)', async () => {
    await go('#/density');
    for (const cb of await page.locator('#density-form input[type=checkbox]').all()) await cb.check();
    await page.click('#density-form button[type=submit]');
    await page.waitForSelector('[data-chart=density] canvas');
    await page.fill('#density-form input[name=hostMemoryGiB]', '-1');
    await page.click('#density-form button[type=submit]');
    await page.waitForSelector('#density-form .field-error, #density-form .form-error');
    expect(await page.locator('#density-out').innerHTML()).toBe('');
    await shot('defects-density-error');
  }, 60_000);

  it('deletes plans, dumps and traces from their lists, after a confirm, and shows a 409 in words (k)', async () => {
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.accept();
    });
    // the worker is paused, so the plan stays queued: its trace and dump are in use
    process.kill(worker.pid, 'SIGSTOP');
    const { id: planId } = (await client.request('POST', '/v1/plans', { trace: traceId, profiles: { default: [dumpIds[0]] }, host: { memoryGiB: 2, count: 1 }, policy: { kind: 'ttl', ttlMinutes: 10 }, models: ['none', 'ksm', 'upm'] })).body as { id: string };
    try {
      await go('#/traces');
      await page.click(`[data-delete="${traceId}"]`);
      const conflict = page.locator('.list-errors [data-conflict=trace]');
      await conflict.waitFor();
      expect(dialogs.at(-1)).toBe('Delete trace short-no-memory? This cannot be undone.');
      expect(await conflict.textContent()).toBe(`Cannot delete trace short-no-memory: it is still used by plan ${planId.slice(0, 12)} (queued or running). Delete it once it has finished.`);
      expect(await conflict.locator('a').getAttribute('href')).toBe(`#/plans/${planId}`);
      await shot('defects-delete-409');
      await go('#/dumps');
      await page.click(`[data-delete="${dumpIds[0]}"]`);
      await page.locator('.list-errors [data-conflict=dump]').waitFor();
      await go('#/plans');
      await page.click(`[data-delete="${planId}"]`);
      expect(await page.locator('.list-errors [data-conflict=plan]').textContent()).toMatch(/^Cannot delete plan \w+: Conflict \(409\): plan \S+ is queued: delete it once it has finished/);
      // and from the plan's own page, which waits for it
      await page.goto(`${base}/ui/#/plans/${planId}`);
      await page.click(`[data-delete="${planId}"]`);
      expect(await page.locator('.list-errors [data-conflict=plan]').textContent()).toMatch(/is queued: delete it once it has finished/);
    } finally {
      process.kill(worker.pid, 'SIGCONT');
    }
    await waitPlan(planId);
    const plans = ((await client.request('GET', '/v1/plans')).body as { items: unknown[] }).items.length;
    await go('#/plans');
    await page.click(`[data-delete="${planId}"]`);
    await page.waitForFunction((id) => !(globalThis as unknown as { document: { querySelector(s: string): unknown } }).document.querySelector(`[data-delete="${id}"]`), planId);
    expect(((await client.request('GET', '/v1/plans')).body as { items: unknown[] }).items).toHaveLength(plans - 1);
    expect((await client.request('GET', `/v1/plans/${planId}`, undefined, { allowStatus: [404] })).status).toBe(404);
    // the dump and the trace from their own pages, which then go back to the list
    await go(`#/dumps/${dumpIds[0]}`);
    await page.click(`[data-delete="${dumpIds[0]}"]`);
    await page.waitForURL(/#\/dumps$/);
    await ready();
    expect(await page.locator(`[data-delete="${dumpIds[0]}"]`).count()).toBe(0);
    expect((await client.request('GET', `/v1/dumps/${dumpIds[0]}`, undefined, { allowStatus: [404] })).status).toBe(404);
    await go(`#/traces/${traceId}`);
    await page.click(`[data-delete="${traceId}"]`);
    await page.waitForURL(/#\/traces$/);
    await page.waitForSelector('p.empty');
    expect((await client.request('GET', `/v1/traces/${traceId}`, undefined, { allowStatus: [404] })).status).toBe(404);
    // a dismissed confirm deletes nothing
    page.removeAllListeners('dialog');
    page.once('dialog', (d) => void d.dismiss());
    await go('#/dumps');
    await page.click(`[data-delete="${dumpIds[1]}"]`);
    expect((await client.request('GET', `/v1/dumps/${dumpIds[1]}`, undefined, { allowStatus: [404] })).status).toBe(200);
    await shot('defects-deleted');
    expect(errors).toEqual([]);
  }, 300_000);
});
