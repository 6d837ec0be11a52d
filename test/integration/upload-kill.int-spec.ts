import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { synthesizeDump } from '@upm/model/dump/synthesize';
import { buildDataSourceOptions } from '@upm/platform';
import { DataSource } from 'typeorm';
import { freePort } from '../../scripts/lib/net';
import { ServiceProcess, waitForHttp } from '../../scripts/lib/services';

/**
 * An API process SIGKILLed in the middle of a dump upload leaves nothing anyone can see, and after a restart
 * nothing at all: the chunks it had written are swept (UPLOAD_ORPHAN_MS), the database and data directory hold
 * no trace of the upload, and the same upload then succeeds.
 */
describe('an upload killed mid-way leaves nothing behind', () => {
  let dir: string;
  let db: DataSource;
  let api: ServiceProcess | undefined;
  let env: Record<string, string>;
  let base: string;
  const count = async (table: string) => Number((await db.query(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'upm-upload-kill-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    env = {
      PORT: String(port),
      DATABASE_URL: join(dir, 'db', 'upm.sqlite'),
      QUEUE_PREFIX: `upm-int-upload-kill-${process.pid}`,
      UPLOAD_ORPHAN_MS: '1000',
      LOG_LEVEL: 'info',
    };
  });
  afterAll(async () => {
    await api?.stop();
    if (db?.isInitialized) await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('SIGKILL mid-upload, restart: no dump, no blob, no chunk, no file; then the upload succeeds', async () => {
    // A valid dump of 1.6 million distinct pages (14 MB): several 4 MiB chunks, so some are written before the kill.
    const dump = synthesizeDump({ processes: [{ pid: 1, vmas: [{ pages: Array.from({ length: 1_600_000 }, (_, i) => i + 1) }] }] });
    expect(dump.length).toBeGreaterThan(12 << 20);

    api = new ServiceProcess('api', env, { fromSource: true, logFile: join(dir, 'api-1.log') });
    await waitForHttp(`${base}/health`);
    db = new DataSource(buildDataSourceOptions(env.DATABASE_URL));
    await db.initialize();

    const req = httpRequest(`${base}/v1/dumps`, { method: 'POST', headers: { 'content-type': 'application/octet-stream', 'content-length': dump.length } });
    req.on('error', () => undefined); // the server dies under it
    const half = Math.floor(dump.length * 0.7);
    for (let off = 0; off < half; off += 1 << 20) req.write(dump.subarray(off, Math.min(half, off + (1 << 20))));
    for (const until = Date.now() + 60_000; (await count('blob_chunks')) === 0; await sleep(50))
      if (Date.now() > until) throw new Error('no chunk was written');
    await api.stop('SIGKILL');
    req.destroy();

    // Killed: chunks of the unfinished upload remain, but no blob and no dump refer to them.
    expect(await count('blob_chunks')).toBeGreaterThan(0);
    expect(await count('blobs')).toBe(0);
    expect(await count('dumps')).toBe(0);

    await sleep(1100); // older than UPLOAD_ORPHAN_MS
    api = new ServiceProcess('api', env, { fromSource: true, logFile: join(dir, 'api-2.log') });
    await waitForHttp(`${base}/health`);
    for (const until = Date.now() + 30_000; (await count('blob_chunks')) > 0; await sleep(100))
      if (Date.now() > until) throw new Error('the orphaned chunks were not swept after the restart');
    expect(await count('blobs')).toBe(0);
    expect(((await (await fetch(`${base}/v1/dumps`)).json()) as { total: number }).total).toBe(0);
    // Nothing was ever stored as a file: uploads live in the database only.
    expect(readdirSync(dir).sort()).toEqual(['api-1.log', 'api-2.log', 'db']);

    const res = await fetch(`${base}/v1/dumps`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: dump });
    expect(res.status).toBe(201);
    expect(await count('dumps')).toBe(1);
    expect(await count('blobs')).toBe(1);
  }, 240_000);
});
