/**
 * A real API and worker (sqlite, Redis; from the sources, in a temp directory) and the Debian chromium driven by
 * playwright-core on its web UI: what the browser specs share. Page errors and console errors (but the 4xx
 * answers the specs provoke on purpose) are collected in `errors`.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ApiClient } from '@upm/client';
import { freePort } from '../../scripts/lib/net';
import { REPO_ROOT, ServiceProcess, waitForHttp } from '../../scripts/lib/services';

export const CHROMIUM = '/usr/bin/chromium';

export interface BrowserStack {
  dir: string;
  base: string;
  api: ServiceProcess;
  worker: ServiceProcess;
  client: ApiClient;
  ctx: BrowserContext;
  page: Page;
  errors: string[];
  /** Opens `#/…` of the UI and waits until the view says it is drawn. */
  go(hash: string): Promise<void>;
  ready(): Promise<unknown>;
  /** Marks the page not drawn, before an action whose result is waited for with ready(). */
  notReady(): Promise<unknown>;
  /** A full-page screenshot into `shots`. */
  shot(name: string): Promise<unknown>;
  /** Closes the browser, stops the services, removes the directory. */
  stop(): Promise<void>;
}

/** The body's data-ready flag, read and set in the page (functions, not strings: the UI's CSP forbids eval). */
interface InPage {
  document: { body: { dataset: Record<string, string> } };
}

export async function startBrowserStack(name: string, opts: { shots: string; acceptDownloads?: boolean }): Promise<BrowserStack> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
  if (!existsSync(join(REPO_ROOT, 'dist/web/index.html')) || !existsSync(join(REPO_ROOT, 'dist/web-report/report.js')))
    await promisify(execFile)('npm', ['run', 'build:web'], { cwd: REPO_ROOT });
  mkdirSync(opts.shots, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), `upm-${name}-`));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = { PORT: String(port), DATABASE_URL: join(dir, 'upm.sqlite'), QUEUE_PREFIX: `upm-int-${name}-${process.pid}`, LOG_LEVEL: 'info' };
  const api = new ServiceProcess('api', env, { fromSource: true, logFile: join(dir, 'api.log') });
  await waitForHttp(`${base}/health`); // the API migrates the fresh database before the worker opens it
  const worker = new ServiceProcess('worker', env, { fromSource: true, logFile: join(dir, 'worker.log') });
  await worker.waitForOutput(/worker \S+ ready/);
  const ctx = await chromium.launchPersistentContext(join(dir, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1360, height: 900 },
    acceptDownloads: opts.acceptDownloads ?? false,
  });
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // The 4xx answers the tests provoke on purpose are logged by the browser too; anything else is an error.
    if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) errors.push(`console: ${m.text()}`);
  });
  const ready = () => page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  return {
    dir,
    base,
    api,
    worker,
    client: new ApiClient(base),
    ctx,
    page,
    errors,
    ready,
    notReady: () => page.evaluate(() => ((globalThis as unknown as InPage).document.body.dataset.ready = 'false')),
    go: async (hash) => {
      await page.goto(`${base}/ui/${hash}`);
      await ready();
    },
    shot: (shotName) => page.screenshot({ path: join(opts.shots, `${shotName}.png`), fullPage: true }),
    stop: async () => {
      await ctx.close();
      await Promise.all([api.stop(), worker.stop()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
