import { openAsBlob } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { paths } from './api-types';
import { CliError } from './cli-error';

type HttpMethod = 'get' | 'post' | 'delete';
/** The JSON body a response of an operation carries (its 200, 201 or 202), from the generated OpenAPI types. */
type JsonContent<R> = R extends { content: { 'application/json': infer B } } ? B : never;
export type OkBody<Op> = Op extends { responses: infer R } ? JsonContent<R[Extract<keyof R, 200 | 201 | 202>]> : never;
/** The routes of the API (as its OpenAPI document names them, `{id}` templates included) that have `M`. */
export type RouteWith<M extends HttpMethod> = { [P in keyof paths]: paths[P][M] extends { responses: unknown } ? P : never }[keyof paths];
export type ResponseOf<M extends HttpMethod, P extends RouteWith<M>> = OkBody<paths[P][M]>;


export interface JobStatus {
  id: string;
  state: string;
  progress: number;
  failedReason: string | null;
  result: unknown;
}

/**
 * A thin HTTP client for the API (Node's fetch); errors become one-line CliErrors with the problem detail. It
 * sends the API key (`--api-key`, else UPM_API_KEY) as a bearer token.
 */
export class ApiClient {
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string | undefined = process.env.UPM_API_KEY || undefined,
  ) {
    try {
      new URL(baseUrl);
    } catch {
      throw new CliError(`--api must be a URL such as http://127.0.0.1:3000, got '${baseUrl}'`, 2);
    }
  }

  async request(
    method: string,
    path: string,
    body?: unknown,
    opts: { allowStatus?: number[] } = {},
  ): Promise<{ status: number; body: unknown }> {
    if (body === undefined) return this.send(method, path, undefined, undefined, opts.allowStatus);
    return this.send(method, path, JSON.stringify(body), 'application/json', opts.allowStatus);
  }

  /**
   * One operation of the API, typed by its OpenAPI document: `route` as the document names it, its `{name}`
   * segments filled from `params` (URL-encoded), `query` appended. The body is the operation's success JSON.
   */
  async call<M extends HttpMethod, P extends RouteWith<M>>(
    method: M,
    route: P,
    opts: { params?: Record<string, string>; query?: Record<string, string | number | undefined>; body?: unknown; allowStatus?: number[] } = {},
  ): Promise<{ status: number; body: ResponseOf<M, P> }> {
    const path = route.replace(/\{(\w+)\}/g, (_, name: string) => {
      const v = opts.params?.[name];
      if (v === undefined) throw new Error(`${route}: no value for {${name}}`);
      return encodeURIComponent(v);
    });
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) q.set(k, String(v));
    const full = q.size > 0 ? `${path}?${q}` : path;
    const res = await this.request(method.toUpperCase(), full, opts.body, { allowStatus: opts.allowStatus });
    return res as { status: number; body: ResponseOf<M, P> };
  }

  /** Uploads a dump file (streamed from disk); identical content is deduplicated by the server. */
  async uploadDump(path: string, name?: string): Promise<{ id: string; deduplicated: boolean }> {
    await assertReadable(path);
    const query = name ? `?name=${encodeURIComponent(name)}` : '';
    const { body } = await this.send('POST', `/v1/dumps${query}`, await openAsBlob(path), 'application/octet-stream');
    return body as { id: string; deduplicated: boolean };
  }

  /**
   * Uploads trace files as one multipart request (the three Azure 2019 files of a day, or one 2021 file);
   * `format` is the API's `format` query (default: detected by header).
   */
  async uploadTrace(paths: string[], name?: string, format?: string): Promise<{ id: string; stats: Record<string, unknown> }> {
    const form = new FormData();
    for (const p of paths) {
      await assertReadable(p);
      form.append('files', await openAsBlob(p), basename(p));
    }
    const params = new URLSearchParams();
    if (name) params.set('name', name);
    if (format) params.set('format', format);
    const query = params.size > 0 ? `?${params}` : '';
    const { body } = await this.send('POST', `/v1/traces${query}`, form);
    return body as { id: string; stats: Record<string, unknown> };
  }

  /** One HTTP exchange; a failure becomes a one-line CliError with the problem detail. */
  private async send(
    method: string,
    path: string,
    payload: string | Blob | FormData | undefined,
    contentType?: string,
    allowStatus: number[] = [],
  ): Promise<{ status: number; body: unknown }> {
    let res: Response;
    try {
      res = await fetch(new URL(path, this.baseUrl), {
        method,
        headers: {
          ...(contentType && { 'content-type': contentType }),
          ...(this.apiKey && { authorization: `Bearer ${this.apiKey}` }),
        },
        body: payload,
      });
    } catch (e) {
      throw new CliError(`cannot reach the API at ${this.baseUrl}: ${(e as Error).cause ?? (e as Error).message}`);
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON: keep the text */
    }
    if ((res.status === 401 || res.status === 403) && !allowStatus.includes(res.status)) {
      const hint = this.apiKey ? 'check the key given by --api-key or UPM_API_KEY' : 'give a key with --api-key or UPM_API_KEY';
      throw new CliError(`${method} ${path} failed with ${res.status}: ${(parsed as { detail?: string })?.detail ?? text} (${hint})`);
    }
    if (!res.ok && !allowStatus.includes(res.status)) {
      throw new CliError(`${method} ${path} failed with ${res.status}: ${(parsed as { detail?: string })?.detail ?? text}`);
    }
    return { status: res.status, body: parsed };
  }

  async waitForJob(id: string, timeoutMs: number, onProgress?: (job: JobStatus) => void): Promise<JobStatus> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { body } = await this.request('GET', `/v1/jobs/${encodeURIComponent(id)}`);
      const job = body as JobStatus;
      onProgress?.(job);
      if (job.state === 'completed') return job;
      if (job.state === 'failed') throw new CliError(`job ${id} failed: ${job.failedReason}`);
      if (Date.now() > deadline) throw new CliError(`job ${id} still ${job.state} after ${timeoutMs / 1000} s`);
      await sleep(250);
    }
  }

  async enqueueAndWait(path: string, body: unknown, timeoutMs: number): Promise<JobStatus> {
    const { body: job } = await this.request('POST', path, body);
    return this.waitForJob((job as JobStatus).id, timeoutMs);
  }
}

async function assertReadable(path: string): Promise<void> {
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new CliError(`${path} is not a file`);
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
