import request from 'supertest';
import { freshApps } from '../../../test/support/test-app';

const directives = (csp: string) => Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));

describe('security headers, CORS and body limits', () => {
  const apps = freshApps();
  const make = apps.make;
  afterEach(apps.closeAll);

  it('sends helmet headers with a same-origin CSP without inline scripts, and no CORS headers by default', async () => {
    const app = await make();
    const res = await request(app.getHttpServer()).get('/health').set('origin', 'https://evil.example').expect(200);
    const csp = directives(res.headers['content-security-policy']);
    expect(csp['default-src']).toEqual(["'self'"]);
    expect(csp['script-src']).toEqual(["'self'"]);
    expect(csp['style-src']).toEqual(["'self'"]);
    expect(csp['frame-ancestors']).toEqual(["'none'"]);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const problem = await request(app.getHttpServer()).get('/v1/plans/nope').expect(404);
    expect(problem.headers['content-security-policy']).toBeDefined();
  });

  it('serves Swagger UI at /docs under its CSP: scripts only as same-origin files, inline styles allowed there only', async () => {
    const app = await make();
    const res = await request(app.getHttpServer()).get('/docs/').expect(200);
    const csp = directives(res.headers['content-security-policy']);
    expect(csp['script-src']).toEqual(["'self'"]);
    expect(csp['style-src']).toEqual(["'self'", "'unsafe-inline'"]);
    const scripts = [...res.text.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, body] of scripts) {
      expect(attrs).toMatch(/src="(?!https?:)/);
      expect(body.trim()).toBe('');
    }
    for (const [, attrs] of scripts) {
      const src = /src="([^"]+)"/.exec(attrs)![1];
      await request(app.getHttpServer()).get(new URL(src, 'http://x/docs/').pathname).expect(200);
    }
  });

  it('answers CORS for configured origins only', async () => {
    const app = await make({ CORS_ORIGINS: 'https://ops.example.com' });
    const ok = await request(app.getHttpServer()).get('/health').set('origin', 'https://ops.example.com').expect(200);
    expect(ok.headers['access-control-allow-origin']).toBe('https://ops.example.com');
    const pre = await request(app.getHttpServer())
      .options('/v1/plans')
      .set('origin', 'https://ops.example.com')
      .set('access-control-request-method', 'POST')
      .set('access-control-request-headers', 'authorization,content-type');
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-headers']).toMatch(/authorization/);
    const other = await request(app.getHttpServer()).get('/health').set('origin', 'https://evil.example').expect(200);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses a JSON body over JSON_BODY_MAX_BYTES with 413 problem+json', async () => {
    const app = await make({ JSON_BODY_MAX_BYTES: '2048' });
    const big = { trace: 'x', profiles: { functions: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`fn-${i}`, ['d']])) } };
    const res = await request(app.getHttpServer()).post('/v1/plans').send(big).expect(413);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 413, title: 'Payload Too Large' });
    // Under the limit the body reaches validation (422 for an unknown trace, not 413).
    const small = await request(app.getHttpServer()).post('/v1/plans').send({ trace: 'x' });
    expect(small.status).not.toBe(413);
  });
});
