import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiClient } from './api-client';

/** ApiClient.call against a real HTTP server that records what it was asked. */
describe('ApiClient.call', () => {
  let server: Server;
  let base: string;
  const seen: Array<{ method?: string; url?: string; body: string }> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, body });
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ id: 'p1', state: 'queued', progress: 0, points: 1, pointsDone: 0, trace: 't', createdAt: 'x' }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('fills the route template from params (URL-encoded), appends the defined query values, sends the JSON body', async () => {
    const api = new ApiClient(base, undefined);
    const got = await api.call('get', '/v1/plans/{id}/timeseries', { params: { id: 'a b/c' }, query: { point: 3, format: undefined } });
    expect(seen.at(-1)).toMatchObject({ method: 'GET', url: '/v1/plans/a%20b%2Fc/timeseries?point=3' });
    expect(got.status).toBe(200);
    await api.call('post', '/v1/plans', { body: { trace: 't' } });
    expect(seen.at(-1)).toMatchObject({ method: 'POST', url: '/v1/plans', body: '{"trace":"t"}' });
  });

  it('refuses a route whose template has no value, before sending anything', async () => {
    const api = new ApiClient(base, undefined);
    const before = seen.length;
    await expect(api.call('get', '/v1/plans/{id}', {})).rejects.toThrow('/v1/plans/{id}: no value for {id}');
    expect(seen.length).toBe(before);
  });
});
