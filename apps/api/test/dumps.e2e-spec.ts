import { INestApplication } from '@nestjs/common';
import { synthesizeDump } from '@upm/model';
import { sampleDumpSpec } from '@upm/model/dump/test-dumps';
import request from 'supertest';
import { testDatabases } from '../../../test/support/databases';
import { appDataSource, createTestApp } from '../../../test/support/test-app';

const UPLOAD_LIMIT = 64 * 1024;

describe.each(testDatabases())('dumps API on $name', (db) => {
  let app: INestApplication;
  let drop: () => Promise<void>;
  const dump = synthesizeDump(sampleDumpSpec());

  const counts = async () => {
    const ds = appDataSource(app);
    const [[d], [b], [c]] = await Promise.all([
      ds.query('SELECT COUNT(*) AS n FROM dumps'),
      ds.query('SELECT COUNT(*) AS n FROM blobs'),
      ds.query('SELECT COUNT(*) AS n FROM blob_chunks'),
    ]);
    return { dumps: Number(d.n), blobs: Number(b.n), chunks: Number(c.n) };
  };
  const upload = (bytes: Buffer, query = '') =>
    request(app.getHttpServer()).post(`/v1/dumps${query}`).set('content-type', 'application/octet-stream').send(bytes);

  beforeAll(async () => {
    const created = await db.create();
    drop = created.drop;
    app = await createTestApp(created.url, { UPLOAD_MAX_BYTES: String(UPLOAD_LIMIT) });
  });
  afterAll(async () => {
    await app?.close();
    await drop?.();
  });

  it('stores a valid dump with the summary computed while it streamed', async () => {
    const res = await upload(dump, '?name=sample').expect(201);
    expect(res.body).toMatchObject({ name: 'sample', bytes: dump.length, deduplicated: false, labels: { function: 'image-recognition' } });
    expect(res.body.summary.snapshots).toBeGreaterThan(0);
    expect(res.body.summary.residentPages).toBeGreaterThan(0);
    expect(res.body.sha256).toMatch(/^[0-9a-f]{64}$/);
    const got = await request(app.getHttpServer()).get(`/v1/dumps/${res.body.id}`).expect(200);
    expect(got.body).toEqual({ ...res.body, deduplicated: undefined, createdAt: res.body.createdAt });
  });

  it('deduplicates an identical upload by content hash', async () => {
    const before = await counts();
    const res = await upload(dump).expect(201);
    expect(res.body.deduplicated).toBe(true);
    expect(await counts()).toEqual(before);
  });

  it('rejects a corrupt dump with 422 naming section and offset, and keeps nothing of it', async () => {
    const before = await counts();
    const bad = Buffer.from(dump);
    bad[bad.length - 3] ^= 0xff; // inside TAIL
    const res = await upload(bad).expect(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.detail).toMatch(/invalid dump: .*TAIL section #\d+ at byte \d+/);
    expect(await counts()).toEqual(before);
  });

  it('rejects a truncated dump with 422', async () => {
    const res = await upload(dump.subarray(0, dump.length - 40)).expect(422);
    expect(res.body.detail).toMatch(/invalid dump/);
  });

  it('answers 413 beyond UPLOAD_MAX_BYTES and keeps nothing', async () => {
    const before = await counts();
    const big = Buffer.concat([dump, Buffer.alloc(UPLOAD_LIMIT)]);
    const res = await upload(big).expect(413);
    expect(res.body.detail).toMatch(/exceeds the limit of 65536 bytes/);
    expect(await counts()).toEqual(before);
  });

  it('lists dumps with a total', async () => {
    const res = await request(app.getHttpServer()).get('/v1/dumps?limit=10').expect(200);
    expect(res.body.total).toBe(1);
    expect(res.body.items).toHaveLength(1);
    await request(app.getHttpServer()).get('/v1/dumps?limit=0').expect(422);
  });

  it('answers the sharing breakdown of a stored dump, categories adding up to RSS', async () => {
    const list = await request(app.getHttpServer()).get('/v1/dumps').expect(200);
    const res = await request(app.getHttpServer()).get(`/v1/dumps/${list.body.items[0].id}/sharing`).expect(200);
    const total = res.body.total;
    const sum = Object.values(total.categories as Record<string, { pages: number }>).reduce((a, c) => a + c.pages, 0);
    expect(total.residentPages).toBeGreaterThan(0);
    expect(sum).toBe(total.residentPages);
  });

  it('honours ?snapshot and ?mergeability of /sharing, and answers 4xx naming a bad one (also in POST /v1/analyses)', async () => {
    const list = await request(app.getHttpServer()).get('/v1/dumps').expect(200);
    const { id, summary } = list.body.items[0];
    const get = (q: string) => request(app.getHttpServer()).get(`/v1/dumps/${id}/sharing${q}`);
    const upm = (await get('').expect(200)).body;
    const ksm = (await get('?mergeability=ksm').expect(200)).body;
    expect([upm.mergeability, ksm.mergeability]).toEqual(['upm', 'ksm']);
    const first = (await get('?snapshot=0').expect(200)).body;
    expect(first.snapshot).toBe(0);
    const n = summary.snapshots as number;
    const past = await get(`?snapshot=${n}`).expect(422);
    expect(past.body.detail).toContain(`snapshot must be less than ${n}`);
    expect((await get('?mergeability=zram').expect(422)).body.errors[0].path).toBe('mergeability');
    expect((await get('?snapshot=middle').expect(422)).body.detail).toMatch(/snapshot/);
    const analysis = await request(app.getHttpServer())
      .post('/v1/analyses')
      .send({ dumps: [id], model: 'sharing', snapshot: n + 4 })
      .expect(422);
    expect(analysis.body.detail).toContain(`snapshot must be less than ${n}`);
  });

  it('answers 404 for an unknown dump', async () => {
    await request(app.getHttpServer()).get('/v1/dumps/00000000-0000-0000-0000-000000000000').expect(404);
    await request(app.getHttpServer()).get('/v1/dumps/not-a-uuid').expect(404);
  });
});
