import { INestApplication } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bull';
import { QUEUES } from '@upm/jobs';
import type { Queue } from 'bull';
import request from 'supertest';
import { PLAN_POLICY_KINDS, validateAnalysisRequest, validatePlanSpec } from '@upm/model';
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
    const res = await request(app.getHttpServer()).post('/v1/jobs/ping').send({ holdMs: -5, extra: true }).expect(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.status).toBe(422);
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        { path: 'extra', detail: 'is not a known field' },
        { path: 'holdMs', detail: 'must not be less than 0' },
      ]),
    );
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

  it('documents 401, 403 and 429 on every /v1 operation (the guard and the limiter are global), and /metrics 200 as text', async () => {
    const doc = (await request(app.getHttpServer()).get('/openapi.json').expect(200)).body;
    const lacking: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>>)) {
      if (!path.startsWith('/v1/')) continue;
      for (const [method, op] of Object.entries(methods))
        for (const s of ['401', '403', '429']) if (!op.responses[s]?.content?.['application/problem+json']) lacking.push(`${method.toUpperCase()} ${path} ${s}`);
    }
    expect(lacking).toEqual([]);
    expect(doc.paths['/v1/plans'].post.responses['429'].headers['Retry-After']).toBeDefined();
    expect(doc.paths['/metrics'].get.responses['200'].content['text/plain']).toBeDefined();
    expect(doc.paths['/health'].get.responses['401']).toBeUndefined();
  });

  it('types the plan submission schema all the way down, with examples the domain accepts and its defaults', async () => {
    const doc = (await request(app.getHttpServer()).get('/openapi.json').expect(200)).body;
    type Schema = Record<string, unknown> & { $ref?: string; allOf?: Schema[]; properties?: Record<string, Schema>; items?: Schema; oneOf?: Schema[]; additionalProperties?: Schema | boolean };
    // a $ref, or an allOf of one $ref (how a described or nullable reference is written), is its target
    const resolve = (s: Schema): Schema => {
      if (s.allOf?.length === 1 && !s.properties) return resolve(s.allOf[0]);
      if (!s.$ref) return s;
      const target = doc.components.schemas[s.$ref.replace('#/components/schemas/', '')] as Schema | undefined;
      if (!target) throw new Error(`dangling ${s.$ref}`);
      return target;
    };
    const body = doc.paths['/v1/plans'].post.requestBody.content['application/json'];
    // every object says what it holds: properties, a oneOf, or a schema for its values (not `true`)
    const untyped: string[] = [];
    const seen = new Set<Schema>();
    const walk = (raw: Schema, at: string): void => {
      const s = resolve(raw);
      if (seen.has(s)) return;
      seen.add(s);
      if (s.allOf) untyped.push(`${at}: allOf of ${s.allOf.length}`);
      const isObject = s.type === 'object' || (s.type === undefined && !s.oneOf && !s.enum);
      const hasProps = s.properties && Object.keys(s.properties).length > 0;
      const hasValues = typeof s.additionalProperties === 'object';
      if (isObject && !hasProps && !s.oneOf && !hasValues) untyped.push(at);
      for (const [k, p] of Object.entries(s.properties ?? {})) walk(p, `${at}.${k}`);
      if (s.items) walk(s.items, `${at}[]`);
      if (hasValues) walk(s.additionalProperties as Schema, `${at}{}`);
      for (const [i, o] of (s.oneOf ?? []).entries()) walk(o, `${at}|${i}`);
    };
    walk(body.schema, 'body');
    expect(untyped).toEqual([]);
    const plan = resolve(body.schema);
    for (const k of ['host', 'policy', 'profiles', 'sizing', 'sweep', 'modelParams', 'window', 'coldStartMs']) expect(plan.properties?.[k]).toBeDefined();
    // the policy is one of the domain's kinds, told apart by kind
    const policy = plan.properties!.policy as Schema & { discriminator: { propertyName: string; mapping: Record<string, string> } };
    expect(policy.discriminator.propertyName).toBe('kind');
    expect(Object.keys(policy.discriminator.mapping).sort()).toEqual([...PLAN_POLICY_KINDS].sort());
    for (const [kind, ref] of Object.entries(policy.discriminator.mapping))
      expect((resolve({ $ref: ref }).properties!.kind as Schema).enum).toEqual([kind]);

    // the examples are plans the domain accepts, and use only documented fields
    const undocumented: string[] = [];
    const fields = (raw: Schema, v: unknown, at: string): void => {
      const s = resolve(raw);
      if (Array.isArray(v)) return v.forEach((x, i) => s.items && fields(s.items, x, `${at}[${i}]`));
      if (v === null || typeof v !== 'object') return;
      const o = v as Record<string, unknown>;
      const branch = s.oneOf && (s.discriminator as { mapping: Record<string, string> }).mapping[String(o.kind)];
      if (branch) return fields({ $ref: branch }, v, at);
      for (const [k, x] of Object.entries(o)) {
        const p = s.properties?.[k] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
        if (!p) undocumented.push(`${at}.${k}`);
        else fields(p, x, `${at}.${k}`);
      }
    };
    const examples = Object.entries(body.examples as Record<string, { value: unknown }>);
    expect(examples.length).toBeGreaterThanOrEqual(1);
    for (const [name, ex] of examples) {
      expect(() => validatePlanSpec({ version: 1, ...(ex.value as object) })).not.toThrow();
      fields(body.schema, ex.value, name);
    }
    expect(undocumented).toEqual([]);

    // the documented defaults are the ones validatePlanSpec applies
    const wrong: string[] = [];
    let compared = 0;
    const defaults = (raw: Schema, v: unknown, at: string): void => {
      const s = resolve(raw);
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return;
      const o = v as Record<string, unknown>;
      const branch = s.oneOf && (s.discriminator as { mapping: Record<string, string> }).mapping[String(o.kind)];
      if (branch) return defaults({ $ref: branch }, v, at);
      for (const [k, p] of Object.entries(s.properties ?? {})) {
        if (!(k in o)) continue;
        if (p.default !== undefined) compared++;
        if (p.default !== undefined && JSON.stringify(p.default) !== JSON.stringify(o[k])) wrong.push(`${at}.${k}: documented ${JSON.stringify(p.default)}, applied ${JSON.stringify(o[k])}`);
        defaults(p, o[k], `${at}.${k}`);
      }
    };
    let checked = 0;
    for (const kind of PLAN_POLICY_KINDS) {
      const normalized = validatePlanSpec({ version: 1, trace: 't', profiles: { fallback: {} }, policy: { kind }, models: ['upm'], sizing: { targetColdStartRate: 0.1, hostMemoryGiB: 2 } });
      defaults(body.schema, normalized, kind);
      checked++;
    }
    expect(checked).toBe(3);
    expect(compared).toBeGreaterThan(3 * 25);
    expect(wrong).toEqual([]);

    // the documented bounds are the ones validatePlanSpec enforces: the maximum is accepted, one more refused
    const at = (path: string[]): Schema => path.reduce((s: Schema, k) => resolve(s).properties![k], body.schema as Schema);
    const base = { version: 1, trace: 't', profiles: { fallback: {} }, policy: { kind: 'ttl' }, models: ['ksm'] };
    const cases: Array<[string, Schema, (n: number) => Record<string, unknown>, 'maximum' | 'maxItems']> = [
      ['host.count', at(['host', 'count']), (n) => ({ host: { count: n } }), 'maximum'],
      ['sizing.maxHosts', at(['sizing', 'maxHosts']), (n) => ({ sizing: { targetColdStartRate: 0.1, hostMemoryGiB: 2, maxHosts: n } }), 'maximum'],
      ['modelParams.ksm.hz', at(['modelParams', 'ksm', 'hz']), (n) => ({ modelParams: { ksm: { hz: n } } }), 'maximum'],
      ['sweep.ttlMinutes', at(['sweep', 'ttlMinutes']), (n) => ({ sweep: { ttlMinutes: Array.from({ length: n }, (_, i) => i + 1) } }), 'maxItems'],
      ['profiles.rules', at(['profiles', 'rules']), (n) => ({ profiles: { fallback: {}, rules: Array.from({ length: n }, () => ({ match: { name: 'x' }, dumps: ['d'] })) } }), 'maxItems'],
    ];
    for (const [path, schema, make, key] of cases) {
      const max = schema[key] as number;
      expect(typeof max).toBe('number');
      expect(() => validatePlanSpec({ ...base, ...make(max) })).not.toThrow();
      expect(() => validatePlanSpec({ ...base, ...make(max + 1) })).toThrow(path);
    }
  });

  it('gives every JSON POST body an example, and a few responses one', async () => {
    const doc = (await request(app.getHttpServer()).get('/openapi.json').expect(200)).body;
    const missing: string[] = [];
    let bodies = 0;
    for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, { requestBody?: { content: Record<string, { schema?: { $ref?: string }; example?: unknown; examples?: object }> } }>>)) {
      const json = methods.post?.requestBody?.content['application/json'];
      if (!json) continue;
      bodies++;
      const schema = json.schema?.$ref ? doc.components.schemas[json.schema.$ref.replace('#/components/schemas/', '')] : json.schema;
      if (json.example === undefined && !Object.keys(json.examples ?? {}).length && schema?.example === undefined) missing.push(`POST ${path}`);
    }
    expect(bodies).toBeGreaterThanOrEqual(4);
    expect(missing).toEqual([]);
    // the analyses examples are requests the domain accepts
    const analyses = Object.values(doc.paths['/v1/analyses'].post.requestBody.content['application/json'].examples as Record<string, { value: Record<string, unknown> }>);
    expect(analyses.length).toBeGreaterThanOrEqual(1);
    for (const { value } of analyses) {
      const { dumps, ...rest } = value;
      expect(Array.isArray(dumps)).toBe(true);
      expect(() => validateAnalysisRequest(rest)).not.toThrow();
    }
    // response examples have exactly the fields of their schema, one level down too
    const schemaOf = (ref: string) => doc.components.schemas[ref.replace('#/components/schemas/', '')];
    const shape = (path: string, method: string, status: string, name: string) => {
      const content = doc.paths[path][method].responses[status].content['application/json'];
      const schema = schemaOf(content.schema.$ref);
      expect(content.schema.$ref).toBe(`#/components/schemas/${name}`);
      expect(Object.keys(content.example).sort()).toEqual(Object.keys(schema.properties).filter((k) => k !== 'deduplicated').sort());
      for (const [k, p] of Object.entries(schema.properties as Record<string, { $ref?: string; allOf?: { $ref: string }[] }>)) {
        const ref = p.$ref ?? p.allOf?.[0]?.$ref;
        if (ref) expect([k, Object.keys(content.example[k]).sort()]).toEqual([k, Object.keys(schemaOf(ref).properties).sort()]);
      }
      return content.example;
    };
    expect(shape('/v1/plans', 'post', '202', 'PlanStatusDto').state).toBe('queued');
    shape('/v1/traces/{id}', 'get', '200', 'TraceDto');
    shape('/v1/dumps/{id}', 'get', '200', 'DumpDto');
  });
});
