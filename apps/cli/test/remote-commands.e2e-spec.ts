/**
 * The `upm` commands on a server's stored data, run as the user runs them (main(argv), every command registered)
 * against the real API app listening on a loopback port, on a fresh sqlite database.
 */
import { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ApiClient } from '@upm/client';
import { testDatabases } from '../../../test/support/databases';
import { invitroTrace, REPO_ROOT } from '../../../test/support/shared-dir';
import { appDataSource, createTestApp } from '../../../test/support/test-app';
import { main } from '../src/main';

const HTTP_DUMP = join(REPO_ROOT, 'samples/dumps/http-handler.dump');
const IMAGE_DUMP = join(REPO_ROOT, 'samples/dumps/image-recognition.dump');

interface Run {
  code: number;
  out: string;
  err: string;
}

/** `upm ARGS...` in this process; stdout and stderr captured. */
async function upm(...args: string[]): Promise<Run> {
  let out = '';
  let err = '';
  const capture = (stream: NodeJS.WriteStream, append: (s: string) => void) =>
    jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      append(chunk.toString());
      return true;
    });
  const spies = [capture(process.stdout, (s) => (out += s)), capture(process.stderr, (s) => (err += s))];
  try {
    const code = await main(['node', 'upm', ...args]);
    return { code, out, err };
  } finally {
    for (const s of spies) s.mockRestore();
    process.exitCode = undefined;
  }
}

describe.each(testDatabases())('upm remote commands against the API on $name', (db) => {
  let app: INestApplication;
  let drop: () => Promise<void>;
  let api: string[];
  let base: string;

  beforeAll(async () => {
    const created = await db.create();
    drop = created.drop;
    app = await createTestApp(created.url);
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    api = ['--api', base];
  });
  afterAll(async () => {
    // the plans these tests submit stay queued (no worker runs here): drop their jobs with the app's queue
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    await app?.get(require('@nestjs/bull').getQueueToken('plans')).obliterate({ force: true });
    await app?.close();
    await drop?.();
  });

  const get = (path: string) => fetch(new URL(path, base));

  describe('upm trace upload / list / show', () => {
    // invocations and durations of the 10-function day, without its memory file: the trace has a warning
    const files = [invitroTrace('10', 'invocations.csv'), invitroTrace('10', 'durations.csv')];
    let id: string;

    it('upload prints the stored trace as inspect prints the files, warnings included', async () => {
      const up = await upm('trace', 'upload', ...files, '--name', 'ten', ...api);
      expect(up).toMatchObject({ code: 0, err: '' });
      const m = /^uploaded trace ([0-9a-f-]{36})\n/.exec(up.out);
      expect(m).not.toBeNull();
      id = m![1];
      const stored = await (await get(`/v1/traces/${id}`)).json();
      expect(stored).toMatchObject({ id, name: 'ten', format: 'azure2019' });
      expect(up.out).toMatch(/^warning: {5}10 of 10 functions have no memory row \(no memory file was given\)/m);

      // the same files again: the server answers with the stored trace
      const again = await upm('trace', 'upload', ...files, ...api);
      expect(again.out).toContain(`uploaded trace ${id} (these files were already uploaded: the stored trace)`);
    });

    it('show prints what upm trace inspect prints for the same files, and the API warnings', async () => {
      const shown = await upm('trace', 'show', id, ...api);
      expect(shown).toMatchObject({ code: 0, err: '' });
      expect(shown.out).toMatch(new RegExp(`^id: {10}${id}\nname: {8}ten\nuploaded: {4}\\S+ \\(\\d+ bytes\\)\n`));
      const local = await upm('trace', 'inspect', ...files);
      // every line but the file names (the server keeps the base names) is the same
      const body = (s: string) => s.split('\n').filter((l) => !/^(id|name|uploaded|files):/.test(l) && !/^ {13}\S/.test(l));
      expect(body(shown.out)).toEqual(body(local.out));
      expect(body(shown.out)).toContainEqual(expect.stringMatching(/^warning: {5}10 of 10 functions have no memory row/));

      const json = JSON.parse((await upm('trace', 'show', id, '--json', ...api)).out);
      expect(json.warnings).toEqual([expect.stringMatching(/^10 of 10 functions have no memory row/)]);
    });

    it('list prints the stored traces, and --json the API page', async () => {
      const other = await upm('trace', 'upload', invitroTrace('example', 'Azure2021', 'Azure2021_200.csv'), '--format', 'azure2021', ...api);
      expect(other.code).toBe(0);
      const listed = await upm('trace', 'list', ...api);
      expect(listed.code).toBe(0);
      const lines = listed.out.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^id\s+format\s+functions\s+invocations\s+warnings\s+created\s+name$/);
      expect(lines.find((l) => l.startsWith(id))).toMatch(/^\S+\s+azure2019\s+10\s+\d+\s+1\s+\S+\s+ten$/);
      expect(lines.find((l) => / azure2021 /.test(l))).toMatch(/\s31\s+199\s+0\s/);
      expect(lines.at(-1)).toBe('2 of 2 traces');

      const page = JSON.parse((await upm('trace', 'list', '--limit', '1', '--json', ...api)).out);
      expect(page.total).toBe(2);
      expect(page.items).toHaveLength(1);
      expect((await upm('trace', 'list', '--limit', '1', ...api)).out).toMatch(/\n1 of 2 traces \(next: --offset 1\)\n$/);
    });

    it('bad input is one clear line: an unknown id, a bad id, a bad flag', async () => {
      const unknown = '00000000-0000-4000-8000-000000000000';
      expect(await upm('trace', 'show', unknown, ...api)).toMatchObject({ code: 1, out: '', err: `upm: no trace ${unknown} on ${base}\n` });
      expect(await upm('trace', 'show', 'abc', ...api)).toMatchObject({ code: 2, err: expect.stringMatching(/^upm: a trace id is a UUID .*got 'abc'\n$/) });
      expect(await upm('trace', 'list', '--limit', '0', ...api)).toMatchObject({ code: 2, err: "upm: --limit must be a whole number in 1..500, got '0'\n" });
      expect(await upm('trace', 'upload', '/nonexistent.csv', ...api)).toMatchObject({ code: 1, err: 'upm: cannot read /nonexistent.csv: no such file or directory\n' });
    });
  });

  describe('upm density', () => {
    it('uploads dump files, takes dump ids, and prints what POST /v1/density answers', async () => {
      const image = (await new ApiClient(base).uploadDump(IMAGE_DUMP)).id;
      const json = await upm('density', '--dumps', `http-handler=${HTTP_DUMP}`, '--dumps', `image=${image}`, '--host-mem-gib', '2', '--json', ...api);
      expect(json).toMatchObject({ code: 0, err: '' });
      const got = JSON.parse(json.out);
      // the file was uploaded: its id is a stored dump's
      const dumps = (await (await get('/v1/dumps')).json()) as { items: { id: string; name: string }[] };
      const http = dumps.items.find((d) => d.id !== image)!.id;
      const direct = await fetch(new URL('/v1/density', base), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ dumps: { 'http-handler': [http], image: [image] }, hostMemoryGiB: 2 }),
      });
      expect(got).toEqual(await direct.json());
      expect(got.functions.map((f: { function: string }) => f.function)).toEqual(['http-handler', 'image']);
      expect(got.functions[0].containers.upm).toBeGreaterThan(got.functions[0].containers.none);

      const text = await upm('density', '--dumps', `http-handler=${http}`, `image=${IMAGE_DUMP}`, '--host-mem-gib', '2', ...api);
      expect(text).toMatchObject({ code: 0, err: '' });
      const lines = text.out.trimEnd().split('\n');
      expect(lines[0]).toBe('containers per host of 2.00 GiB (MiB/model: host memory per container)');
      expect(lines[1].split(/\s+/)).toEqual(['function', 'processes', 'none', 'ksm', 'upm', 'MiB/none', 'MiB/ksm', 'MiB/upm', 'ksm/none', 'upm/none']);
      for (const [i, f] of got.functions.entries()) {
        const mib = (m: string) => (f.bytesPerContainer[m] / 1048576).toFixed(1);
        const cells = [f.function, String(f.processes), ...['none', 'ksm', 'upm'].map((m) => `${f.containers[m]}${f.capped[m] ? '+' : ''}`)];
        expect(lines[2 + i].trim().split(/\s+/)).toEqual([...cells, mib('none'), mib('ksm'), mib('upm'), `x${f.densityVsNone.ksm.toFixed(2)}`, `x${f.densityVsNone.upm.toFixed(2)}`]);
      }

      const upmOnly = JSON.parse((await upm('density', '--dumps', `image=${image}`, '--host-mem-gib', '1', '--models', 'none,upm', '--json', ...api)).out);
      expect(Object.keys(upmOnly.functions[0].containers).sort()).toEqual(['none', 'upm']);
    });

    it('bad flags exit 2 naming the flag; an unknown dump id is the API answer, exit 1', async () => {
      const image = `image=${IMAGE_DUMP}`;
      expect(await upm('density', '--dumps', image, '--host-mem-gib', '-1', ...api)).toMatchObject({ code: 2, err: "upm: --host-mem-gib must be a positive number of GiB, got '-1'\n" });
      expect(await upm('density', '--dumps', image, ...api)).toMatchObject({ code: 2, err: expect.stringContaining("required option '--host-mem-gib <n>' not specified") });
      expect(await upm('density', '--dumps', 'image', '--host-mem-gib', '1', ...api)).toMatchObject({ code: 2, err: "upm: --dumps expects FUNCTION=DUMP[,DUMP...], got 'image'\n" });
      expect(await upm('density', '--dumps', 'image=./nope.dump', '--host-mem-gib', '1', ...api)).toMatchObject({
        code: 2,
        err: "upm: --dumps image: './nope.dump' is neither a dump file nor a dump id (a UUID)\n",
      });
      expect(await upm('density', '--dumps', image, '--host-mem-gib', '1', '--models', 'none,zram', ...api)).toMatchObject({ code: 2, err: expect.stringMatching(/^upm: --models must be a comma-separated subset of none,ksm,upm, got 'none,zram'\n$/) });
      const unknown = '00000000-0000-4000-8000-000000000000';
      const r = await upm('density', '--dumps', `image=${unknown}`, '--host-mem-gib', '1', ...api);
      expect(r).toMatchObject({ code: 1, out: '' });
      expect(r.err).toMatch(new RegExp(`^upm: POST /v1/density failed with 422: No dump ${unknown}\\n$`));
    });
  });

  describe('upm plan delete, dump delete, trace delete', () => {
    it('refuses (409) while a queued plan uses the input, naming the plan; deletes once it has finished', async () => {
      const client = new ApiClient(base);
      const trace = (await client.uploadTrace([invitroTrace('example', 'Azure2021', 'Azure2021_200.csv')])).id;
      const dump = (await client.uploadDump(HTTP_DUMP)).id;
      const spec = { trace, profiles: { default: [dump] }, host: { memoryGiB: 2 }, policy: { kind: 'ttl', ttlMinutes: 3 }, models: ['none', 'upm'] };
      const plan = (await client.request('POST', '/v1/plans', spec)).body as { id: string; state: string };
      expect(plan.state).toBe('queued');
      const prefix = plan.id.slice(0, 12);

      const usedDump = await upm('dump', 'delete', dump, ...api);
      expect(usedDump).toEqual({
        code: 1,
        out: '',
        err: `upm: cannot delete dump ${dump}: dump ${dump} is used by 1 queued or running plan(s): delete it once they finish (used by plan ${plan.id})\n`,
      });
      expect((await get(`/v1/dumps/${dump}`)).status).toBe(200);
      const usedTrace = await upm('trace', 'delete', trace, ...api);
      expect(usedTrace).toMatchObject({ code: 1, err: expect.stringContaining(`upm: cannot delete trace ${trace}: trace ${trace} is used by 1 queued`) });
      expect(usedTrace.err).toContain(`(used by plan ${plan.id})`);
      expect((await get(`/v1/traces/${trace}`)).status).toBe(200);
      expect(await upm('plan', 'delete', prefix, ...api)).toEqual({
        code: 1,
        out: '',
        err: `upm: cannot delete plan ${prefix}: plan ${plan.id} is queued: delete it once it has finished\n`,
      });
      expect((await get(`/v1/plans/${plan.id}`)).status).toBe(200);

      // No worker runs here: the plan finishes the way a worker marks it (failed: it has no result).
      await appDataSource(app).query(`UPDATE plans SET state = 'failed', error = 'stopped by the test' WHERE id = '${plan.id}'`);
      expect(await upm('plan', 'delete', prefix, ...api)).toEqual({ code: 0, out: `deleted plan ${prefix}\n`, err: '' });
      expect((await get(`/v1/plans/${plan.id}`)).status).toBe(404);
      expect(await upm('dump', 'delete', dump, ...api)).toEqual({ code: 0, out: `deleted dump ${dump}\n`, err: '' });
      expect((await get(`/v1/dumps/${dump}`)).status).toBe(404);
      expect(await upm('trace', 'delete', trace, ...api)).toEqual({ code: 0, out: `deleted trace ${trace}\n`, err: '' });
      expect((await get(`/v1/traces/${trace}`)).status).toBe(404);

      // gone: one line, exit 1
      expect(await upm('trace', 'delete', trace, ...api)).toEqual({ code: 1, out: '', err: `upm: no trace ${trace} on ${base}\n` });
      expect(await upm('plan', 'delete', plan.id, ...api)).toEqual({ code: 1, out: '', err: `upm: no plan ${plan.id} on ${base}\n` });
    });

    it('a malformed id exits 2 without asking the server', async () => {
      expect(await upm('plan', 'delete', 'abc', ...api)).toMatchObject({ code: 2, err: "upm: a plan id is 64 hex digits or a unique prefix of 8 or more, got 'abc'\n" });
      expect(await upm('dump', 'delete', 'abc', ...api)).toMatchObject({ code: 2, err: "upm: a dump id is a UUID, got 'abc'\n" });
    });
  });
});

describe('upm remote commands with API keys (sqlite)', () => {
  const key = 'k'.repeat(40);
  let app: INestApplication;
  let drop: () => Promise<void>;
  let api: string[];

  beforeAll(async () => {
    const created = await testDatabases()[0].create();
    drop = created.drop;
    app = await createTestApp(created.url, { BOOTSTRAP_API_KEY: key });
    await app.listen(0, '127.0.0.1');
    api = ['--api', `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`];
  });
  afterAll(async () => {
    await app?.close();
    await drop?.();
  });

  it('send --api-key, else $UPM_API_KEY; without one, or with a wrong one, say which', async () => {
    expect(await upm('trace', 'list', ...api)).toMatchObject({
      code: 1,
      err: expect.stringMatching(/^upm: GET \/v1\/traces\?limit=50&offset=0 failed with 401: .*\(give a key with --api-key or UPM_API_KEY\)\n$/),
    });
    expect(await upm('trace', 'list', '--api-key', key, ...api)).toMatchObject({ code: 0, out: expect.stringMatching(/^no traces on /) });
    const wrong = await upm('density', '--dumps', `f=${HTTP_DUMP}`, '--host-mem-gib', '1', '--api-key', 'x'.repeat(40), ...api);
    expect(wrong).toMatchObject({ code: 1, err: expect.stringMatching(/failed with 401: .*\(check the key given by --api-key or UPM_API_KEY\)\n$/) });
    process.env.UPM_API_KEY = key;
    try {
      expect(await upm('trace', 'delete', '00000000-0000-4000-8000-000000000000', ...api)).toMatchObject({ code: 1, err: expect.stringMatching(/^upm: no trace 0{8}-/) });
      expect(await upm('density', '--dumps', `f=${HTTP_DUMP}`, '--host-mem-gib', '1', '--json', ...api)).toMatchObject({ code: 0 });
    } finally {
      delete process.env.UPM_API_KEY;
    }
  });
});
