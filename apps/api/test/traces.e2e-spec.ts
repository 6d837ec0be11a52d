import { INestApplication } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import request from 'supertest';
import { testDatabases } from '../../../test/support/databases';
import { appDataSource, createTestApp } from '../../../test/support/test-app';
import { invitroTrace } from '../../../test/support/shared-dir';

/** Exact invocation total of an Azure 2019 invocations file, summed naively (independent of the readers). */
function naiveInvocationTotal(csv: string): number {
  const lines = csv.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines[0].split(',');
  const minuteCols = header.map((h, i) => (/^\d+$/.test(h) ? i : -1)).filter((i) => i >= 0);
  let total = 0;
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    for (const i of minuteCols) total += Number(cells[i] || 0);
  }
  return total;
}

describe.each(testDatabases())('traces API on $name', (db) => {
  let app: INestApplication;
  let drop: () => Promise<void>;
  const file500 = (f: string) => invitroTrace('500', f);
  const file2021 = invitroTrace('example', 'Azure2021', 'Azure2021_200.csv');

  const rowCount = async () => {
    const [r] = await appDataSource(app).query('SELECT COUNT(*) AS n FROM traces');
    return Number(r.n);
  };

  beforeAll(async () => {
    const created = await db.create();
    drop = created.drop;
    app = await createTestApp(created.url, { UPLOAD_MAX_BYTES: String(4 << 20) });
  });
  afterAll(async () => {
    await app?.close();
    await drop?.();
  });

  it('ingests the 500-function Azure 2019 sample with 500 functions and its exact invocation total', async () => {
    const expected = naiveInvocationTotal(readFileSync(file500('invocations.csv'), 'utf8'));
    const res = await request(app.getHttpServer())
      .post('/v1/traces?name=invitro-500')
      .attach('files', file500('invocations.csv'))
      .attach('files', file500('durations.csv'))
      .attach('files', file500('memory.csv'))
      .expect(201);
    expect(res.body).toMatchObject({ name: 'invitro-500', format: 'azure2019' });
    expect(res.body.stats.functions).toBe(500);
    expect(res.body.stats.invocations).toBe(expected);
    expect(res.body.stats.peakInvocationsPerMinute).toBeGreaterThan(0);
    expect(res.body.joinReport).toBeTruthy();
    const got = await request(app.getHttpServer()).get(`/v1/traces/${res.body.id}`).expect(200);
    expect(got.body.stats).toEqual(res.body.stats);
  });

  it('says how many functions a partial Azure 2019 upload leaves to default durations and memory', async () => {
    const res = await request(app.getHttpServer()).post('/v1/traces').attach('files', file500('invocations.csv')).expect(201);
    expect(res.body.warnings).toEqual([
      expect.stringMatching(/^500 of 500 functions have no durations row \(no durations file was given\): their invocations get a default duration/),
      expect.stringMatching(/^500 of 500 functions have no memory row \(no memory file was given\): plans size them at profiles\.fallback\.defaultMemoryMiB/),
    ]);
    // durations of another sample: its functions are not these
    const other = invitroTrace('10', 'durations.csv');
    const mixed = await request(app.getHttpServer())
      .post('/v1/traces')
      .attach('files', file500('invocations.csv'))
      .attach('files', other)
      .attach('files', file500('memory.csv'))
      .expect(201);
    expect(mixed.body.warnings).toHaveLength(1);
    expect(mixed.body.warnings[0]).toMatch(/^\d+ of 500 functions have no durations row \(the durations file is of another day or lacks them\)/);
    const full = (await request(app.getHttpServer()).get('/v1/traces?limit=500').expect(200)).body.items.find(
      (t: { name: string }) => t.name === 'invitro-500',
    );
    expect(full.warnings).toEqual([]);
  });

  it('stores the same files once, in any order', async () => {
    const before = await rowCount();
    const res = await request(app.getHttpServer())
      .post('/v1/traces')
      .attach('files', file500('memory.csv'))
      .attach('files', file500('invocations.csv'))
      .attach('files', file500('durations.csv'))
      .expect(201);
    expect(res.body.deduplicated).toBe(true);
    expect(res.body.name).toBe('invitro-500');
    expect(await rowCount()).toBe(before);
  });

  it('ingests the Azure 2021 sample: 199 invocations in 31 (app, func) pairs', async () => {
    const res = await request(app.getHttpServer()).post('/v1/traces').attach('files', file2021).expect(201);
    expect(res.body.format).toBe('azure2021');
    expect(res.body.stats.invocations).toBe(199);
    expect(res.body.stats.functions).toBe(31);
    expect(res.body.stats.apps).toBe(13);
  });

  it('rejects a file that is mostly bad with 422 naming the file, and stores nothing', async () => {
    const before = await rowCount();
    const bad = 'app,func,end_timestamp,duration\n' + Array.from({ length: 50 }, (_, i) => `a${i},f,notanumber,1\n`).join('');
    const res = await request(app.getHttpServer()).post('/v1/traces').attach('files', Buffer.from(bad), 'bad.csv').expect(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.detail).toMatch(/bad\.csv/);
    expect(await rowCount()).toBe(before);
  });

  it('rejects an upload without files, and a non-multipart body', async () => {
    await request(app.getHttpServer()).post('/v1/traces').field('x', 'y').expect(422);
    const res = await request(app.getHttpServer()).post('/v1/traces').send({ a: 1 }).expect(415); // the wrong content type: 415 naming the expected one
    expect(res.body.detail).toMatch(/multipart\/form-data/);
  });

  it('answers 413 beyond UPLOAD_MAX_BYTES and stores nothing', async () => {
    const before = await rowCount();
    const big = Buffer.alloc(5 << 20, 'a');
    const res = await request(app.getHttpServer()).post('/v1/traces').attach('files', big, 'big.csv');
    expect(res.status).toBe(413);
    expect(await rowCount()).toBe(before);
  });

  it('lists traces', async () => {
    const res = await request(app.getHttpServer()).get('/v1/traces').expect(200);
    expect(res.body.total).toBe(4);
    await request(app.getHttpServer()).get('/v1/traces/00000000-0000-0000-0000-000000000000').expect(404);
  });
});
