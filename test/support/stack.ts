/**
 * A real API and worker for an integration spec, from the sources, on a free port, with a fresh SQLite
 * database and a Bull queue prefix of their own in a temp directory (which also holds their logs).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../scripts/lib/net';
import { ServiceProcess, waitForHttp } from '../../scripts/lib/services';

export interface Stack {
  dir: string;
  base: string;
  api: ServiceProcess;
  worker: ServiceProcess;
  /** Stops both and removes the directory. */
  stop(): Promise<void>;
}

/** `name` names the temp directory and the queue prefix; `env` adds to (or overrides) the services' environment. */
export async function startStack(name: string, env: Record<string, string> = {}): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), `upm-${name}-`));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const all = {
    PORT: String(port),
    DATABASE_URL: join(dir, 'upm.sqlite'),
    QUEUE_PREFIX: `upm-int-${name}-${process.pid}`,
    LOG_LEVEL: 'info',
    ...env,
  };
  const api = new ServiceProcess('api', all, { fromSource: true, logFile: join(dir, 'api.log') });
  const worker = new ServiceProcess('worker', all, { fromSource: true, logFile: join(dir, 'worker.log') });
  const stop = async () => {
    await Promise.all([api.stop(), worker.stop()]);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.all([waitForHttp(`${base}/health`), worker.waitForOutput(/worker \S+ ready/)]);
  } catch (e) {
    await stop();
    throw e;
  }
  return { dir, base, api, worker, stop };
}
