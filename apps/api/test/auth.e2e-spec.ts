import { INestApplication } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bull';
import { QUEUES } from '@upm/jobs';
import type { ApiKeyStore } from '@upm/platform';
import type { Queue } from 'bull';
import request from 'supertest';
import { testDatabases } from '../../../test/support/databases';
import { appDataSource, createTestApp, freshApps } from '../../../test/support/test-app';

interface Route {
  method: 'get' | 'post' | 'delete';
  path: string;
}

/** Every /v1 route the app documents (its OpenAPI document), with path parameters filled in. */
async function v1Routes(app: INestApplication): Promise<Route[]> {
  const doc = (await request(app.getHttpServer()).get('/openapi.json').expect(200)).body as { paths: Record<string, Record<string, unknown>> };
  const routes: Route[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    if (!path.startsWith('/v1/')) continue;
    for (const method of Object.keys(ops)) routes.push({ method: method as Route['method'], path: path.replace(/\{[^}]+\}/g, 'x0') });
  }
  return routes;
}

/** Routes a read key may call: GETs, and the two POSTs that compute over stored data and store nothing. */
const READ_POSTS = new Set(['/v1/density', '/v1/analyses']);
const isRead = (r: Route) => r.method === 'get' || (r.method === 'post' && READ_POSTS.has(r.path));

const close = async (app: INestApplication | undefined) => {
  if (!app) return;
  for (const q of Object.values(QUEUES)) await app.get<Queue>(getQueueToken(q)).obliterate({ force: true });
  await app.close();
};

describe.each(testDatabases())('API keys on $name', (db) => {
  let app: INestApplication;
  let drop: () => Promise<void>;
  let store: ApiKeyStore;
  let routes: Route[];
  let readKey: string;
  let writeKey: string;

  beforeAll(async () => {
    const created = await db.create();
    drop = created.drop;
    // No key cache, so a revocation is seen by the next request.
    app = await createTestApp(created.url, { API_KEY_CACHE_MS: '0' });
    // The app's own copy of the library (createTestApp loads the modules afresh), so entities match.
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const platform = require('@upm/platform') as typeof import('@upm/platform');
    store = new platform.ApiKeyStore(appDataSource(app));
    routes = await v1Routes(app);
  });

  afterAll(async () => {
    await close(app);
    await drop?.();
  });

  /**
   * A request of the route's own body type (the content type is checked before the key: a body of the wrong
   * type is 415 for anyone, which says nothing about the data).
   */
  const send = (r: Route, key?: string) => {
    let req = request(app.getHttpServer())[r.method](r.path);
    if (key) req = req.set('authorization', `Bearer ${key}`);
    if (r.method !== 'post') return req.send({});
    if (r.path === '/v1/dumps') return req.set('content-type', 'application/octet-stream').send(Buffer.from('not a dump'));
    if (r.path === '/v1/traces') return req.attach('files', Buffer.from('app,func,end_timestamp,duration\n'), 'trace.csv');
    return req.send({});
  };

  it('documents the routes under test, writes among them', () => {
    expect(routes.length).toBeGreaterThanOrEqual(12);
    expect(routes).toEqual(expect.arrayContaining([{ method: 'post', path: '/v1/plans' }, { method: 'get', path: '/v1/dumps' }]));
  });

  it('is open on loopback while no key exists (quick start)', async () => {
    await request(app.getHttpServer()).get('/v1/dumps').expect(200);
  });

  it('answers 401 problem+json naming the scope on every /v1 route once a key exists, and keeps /health open', async () => {
    readKey = (await store.create('reader', 'read')).key;
    writeKey = (await store.create('ci', 'write')).key;
    for (const r of routes) {
      const res = await send(r);
      expect({ ...r, status: res.status }).toEqual({ ...r, status: 401 });
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer /);
      expect(res.body).toMatchObject({ status: 401, requiredScope: isRead(r) ? 'read' : 'write' });
      expect(res.body.detail).toContain(`with the ${isRead(r) ? 'read' : 'write'} scope`);
    }
    await request(app.getHttpServer()).get('/health').expect(200);
    // A key that does not exist is refused the same way.
    const bad = await request(app.getHttpServer()).get('/v1/dumps').set('authorization', 'Bearer upm_not-a-key').expect(401);
    expect(bad.body.detail).toMatch(/unknown or revoked/);
  });

  it('with a read key: reads pass the guard, every write is 403 naming the write scope', async () => {
    for (const r of routes) {
      const res = await send(r, readKey);
      if (isRead(r)) {
        expect({ ...r, denied: [401, 403].includes(res.status) }).toEqual({ ...r, denied: false });
      } else {
        expect({ ...r, status: res.status }).toEqual({ ...r, status: 403 });
        expect(res.body).toMatchObject({ status: 403, requiredScope: 'write', keyScope: 'read' });
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
    }
  });

  it('with a write key every route passes the guard, and work gets done', async () => {
    for (const r of routes) {
      const res = await send(r, writeKey);
      expect({ ...r, denied: [401, 403].includes(res.status) }).toEqual({ ...r, denied: false });
    }
    const ping = await request(app.getHttpServer()).post('/v1/jobs/ping').set('authorization', `Bearer ${writeKey}`).send({ message: 'k' }).expect(202);
    await request(app.getHttpServer()).get(`/v1/jobs/${ping.body.id}`).set('authorization', `bearer ${readKey}`).expect(200);
  });

  it('stores only a hash of each key, and a revoked key gets 401', async () => {
    const rows: Array<Record<string, unknown>> = await appDataSource(app).query('SELECT * FROM api_keys');
    expect(JSON.stringify(rows)).not.toContain(writeKey);
    expect(JSON.stringify(rows)).not.toContain(readKey);
    const [ci] = (await store.list()).filter((k) => k.name === 'ci');
    await store.revoke(ci.id);
    const res = await request(app.getHttpServer()).get('/v1/dumps').set('authorization', `Bearer ${writeKey}`).expect(401);
    expect(res.body.detail).toMatch(/unknown or revoked/);
    await request(app.getHttpServer()).get('/v1/dumps').set('authorization', `Bearer ${readKey}`).expect(200);
  });
});

describe('BOOTSTRAP_API_KEY, AUTH=on and rate limits (sqlite)', () => {
  const bootstrap = 'b'.repeat(40);
  const apps = freshApps(close);
  const make = apps.make;
  afterEach(apps.closeAll);

  it('a bootstrap key has the write scope; with it set, no key means 401', async () => {
    const app = await make({ BOOTSTRAP_API_KEY: bootstrap });
    await request(app.getHttpServer()).get('/v1/plans').expect(401);
    await request(app.getHttpServer()).post('/v1/jobs/ping').set('authorization', `Bearer ${bootstrap}`).send({}).expect(202);
  });

  it('AUTH=on requires a key even when none exists; AUTH=off requires none', async () => {
    const on = await make({ AUTH: 'on' });
    await request(on.getHttpServer()).get('/v1/plans').expect(401);
    const off = await make({ AUTH: 'off', BOOTSTRAP_API_KEY: bootstrap });
    await request(off.getHttpServer()).get('/v1/plans').expect(200);
  });

  it('answers 429 problem+json with Retry-After past the per-address limit of a bounded burst', async () => {
    const app = await make({ RATE_LIMIT_PER_ADDRESS: '5', RATE_LIMIT_WINDOW_MS: '60000' });
    const statuses: number[] = [];
    let last: request.Response | undefined;
    for (let i = 0; i < 8; i++) {
      last = await request(app.getHttpServer()).get('/v1/plans');
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    expect(last!.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Number(last!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(last!.body).toMatchObject({ status: 429, limit: 5, windowMs: 60000 });
    expect(last!.body.detail).toMatch(/per client address/);
    // /health is never limited.
    await request(app.getHttpServer()).get('/health').expect(200);
  });

  it('limits per key separately from the address', async () => {
    const app = await make({ BOOTSTRAP_API_KEY: bootstrap, RATE_LIMIT_PER_ADDRESS: '100', RATE_LIMIT_PER_KEY: '3' });
    const statuses: number[] = [];
    const first = await request(app.getHttpServer()).get('/v1/plans').set('authorization', `Bearer ${bootstrap}`);
    // Both counters, counted in one Redis round trip, each reported in its own headers.
    expect(first.headers).toMatchObject({ 'x-ratelimit-limit-address': '100', 'x-ratelimit-remaining-address': '99', 'x-ratelimit-limit-key': '3', 'x-ratelimit-remaining-key': '2' });
    statuses.push(first.status);
    for (let i = 1; i < 4; i++) statuses.push((await request(app.getHttpServer()).get('/v1/plans').set('authorization', `Bearer ${bootstrap}`)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const res = await request(app.getHttpServer()).get('/v1/plans').set('authorization', `Bearer ${bootstrap}`).expect(429);
    expect(res.body.detail).toMatch(/per API key/);
    // Without the key, the address still has room (and gets 401, not 429).
    await request(app.getHttpServer()).get('/v1/plans').expect(401);
  });
});
