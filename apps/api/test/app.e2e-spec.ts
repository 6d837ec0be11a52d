import { INestApplication } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bull';
import { QUEUES } from '@upm/jobs';
import type { Queue } from 'bull';
import request from 'supertest';
import { testDatabases } from '../../../test/support/databases';
import { createTestApp } from '../../../test/support/test-app';

describe.each(testDatabases())('API e2e on $name', (db) => {
  let app: INestApplication;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const created = await db.create();
    drop = created.drop;
    app = await createTestApp(created.url);
  });

  afterAll(async () => {
    if (app) {
      await app.get<Queue>(getQueueToken(QUEUES.system)).obliterate({ force: true });
      await app.close();
    }
    await drop?.();
  });

  it('GET /health is 200 with database and redis up', async () => {
    const res = await request(app.getHttpServer()).get('/health').expect(200);
    expect(res.body).toEqual({ status: 'ok', database: { status: 'up' }, redis: { status: 'up' }, down: [] });
  });

  it('POST /v1/jobs/ping enqueues a job and returns its status DTO, not a Bull job', async () => {
    const res = await request(app.getHttpServer()).post('/v1/jobs/ping').send({ message: 'hi', holdMs: 10 }).expect(202);
    expect(Object.keys(res.body).sort()).toEqual(
      ['attempts', 'createdAt', 'failedReason', 'finishedAt', 'id', 'maxAttempts', 'name', 'progress', 'queue', 'result', 'startedAt', 'state'].sort(),
    );
    expect(res.body).toMatchObject({ queue: 'system', name: 'ping', state: 'waiting', progress: 0, attempts: 0 });
    const status = await request(app.getHttpServer()).get(`/v1/jobs/${res.body.id}`).expect(200);
    expect(status.body.id).toBe(res.body.id);
    // No worker runs in this suite: the job waits.
    expect(status.body.state).toBe('waiting');
  });

  it('rejects unknown and invalid fields with problem+json naming them', async () => {
    const res = await request(app.getHttpServer()).post('/v1/jobs/ping').send({ holdMs: -5, extra: true }).expect(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.status).toBe(400);
    expect(res.body.errors).toEqual(expect.arrayContaining(['property extra should not exist', 'holdMs must not be less than 0']));
  });

  it('rejects malformed JSON with problem+json 400', async () => {
    const res = await request(app.getHttpServer())
      .post('/v1/jobs/ping')
      .set('content-type', 'application/json')
      .send('{"holdMs": ')
      .expect(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers['x-request-id']).toBe(res.body.requestId);
  });

  it('answers 415 naming the expected content type for a body of the wrong type', async () => {
    const dump = await request(app.getHttpServer())
      .post('/v1/dumps')
      .set('content-type', 'application/json')
      .send(JSON.stringify({ x: 'y'.repeat(200_000) }))
      .expect(415);
    expect(dump.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(dump.body.detail).toMatch(/^POST \/v1\/dumps takes application\/octet-stream: .*; got application\/json$/);
    expect(dump.body.requestId).toBeDefined();
    const form = await request(app.getHttpServer()).post('/v1/plans').type('form').send('trace=x&models=none').expect(415);
    expect(form.body).toMatchObject({ status: 415, expected: 'application/json' });
    const trace = await request(app.getHttpServer()).post('/v1/traces').set('content-type', 'text/csv').send('a,b\n').expect(415);
    expect(trace.body.detail).toContain('takes multipart/form-data');
  });

  it('answers 404 problem+json for an unknown job', async () => {
    const res = await request(app.getHttpServer()).get('/v1/jobs/system:does-not-exist').expect(404);
    expect(res.body).toMatchObject({ status: 404, title: 'Not Found' });
    expect(res.body.detail).toContain('system:does-not-exist');
  });

  it('carries the caller request id through to the response and the problem body', async () => {
    const res = await request(app.getHttpServer()).get('/v1/jobs/nope').set('x-request-id', 'req-abc-123').expect(404);
    expect(res.headers['x-request-id']).toBe('req-abc-123');
    expect(res.body.requestId).toBe('req-abc-123');
  });

  it('serves the OpenAPI document generated from the DTOs, and Swagger UI', async () => {
    const res = await request(app.getHttpServer()).get('/openapi.json').expect(200);
    expect(res.body.paths['/v1/jobs/ping'].post).toBeDefined();
    expect(res.body.paths['/v1/jobs/{id}'].get).toBeDefined();
    expect(res.body.components.schemas.JobStatusDto.properties.state.enum).toContain('completed');
    await request(app.getHttpServer()).get('/docs').expect(200);
  });

  it('documents every operation: a summary, its 4xx responses as problem+json (503 for /health), a tag', async () => {
    const doc = (await request(app.getHttpServer()).get('/openapi.json').expect(200)).body;
    const ops = Object.entries(doc.paths as Record<string, Record<string, { summary?: string; tags?: string[]; responses: Record<string, { content?: Record<string, unknown> }> }>>)
      .flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));
    expect(ops.length).toBeGreaterThanOrEqual(17);
    const missing: string[] = [];
    for (const { path, method, op } of ops) {
      const name = `${method.toUpperCase()} ${path}`;
      const errors = Object.keys(op.responses).filter((c) => /^[45]\d\d$/.test(c));
      const wanted = path === '/health' ? ['503'] : errors.filter((c) => c.startsWith('4'));
      if (wanted.length === 0) missing.push(`${name}: no ${path === '/health' ? '503' : '4xx'} response`);
      for (const c of errors) if (!op.responses[c].content?.['application/problem+json']) missing.push(`${name}: ${c} is not problem+json`);
      if (!op.summary) missing.push(`${name}: no summary`);
      if (!op.tags?.length) missing.push(`${name}: no tag`);
    }
    expect(missing).toEqual([]);
    expect(doc.components.schemas.ProblemDetailsDto.properties.detail).toBeDefined();
    // the results returned as the domain makes them have schemas too
    const ok = (path: string, method: string) => doc.paths[path][method].responses['200'].content['application/json'].schema.$ref;
    expect(ok('/v1/dumps/{id}/sharing', 'get')).toBe('#/components/schemas/SharingReportDto');
    expect(ok('/v1/plans/{id}/timeseries', 'get')).toBe('#/components/schemas/PlanTimeseriesDto');
    expect(ok('/v1/density', 'post')).toBe('#/components/schemas/DensityResultDto');
    expect(doc.components.schemas.SharingTotalDto.properties.categories.properties.unique.$ref).toBe('#/components/schemas/CategoryAmountDto');
    expect(doc.components.schemas.CategoryAmountDto.properties.percentOfRss).toBeDefined();
  });
});
