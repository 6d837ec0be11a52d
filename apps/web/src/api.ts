import { problemFieldErrors, type FieldError, type Problem } from '@upm/client/problem';

const KEY = 'upm.apiKey';

/** The API key typed in the header (kept in localStorage), sent as a bearer token when set. */
export function apiKey(): string | null {
  try {
    return localStorage.getItem(KEY) || null;
  } catch {
    return null;
  }
}

export function setApiKey(key: string): void {
  if (key) localStorage.setItem(KEY, key);
  else localStorage.removeItem(KEY);
}

/** An API answer that is not 2xx, with its problem details and the fields they name. */
export class ApiProblem extends Error {
  readonly fields: FieldError[];
  constructor(readonly problem: Problem) {
    super(problem.detail || problem.title);
    this.fields = problemFieldErrors(problem);
  }
}

/** One request to the public REST API (same origin, /v1...). JSON in and out; FormData and Blob sent as is. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
  const key = apiKey();
  if (key) headers.authorization = `Bearer ${key}`;
  let payload: BodyInit | undefined;
  if (body instanceof FormData) payload = body;
  else if (body instanceof Blob) {
    payload = body;
    headers['content-type'] = 'application/octet-stream';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(path, { method, headers, body: payload });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON */
  }
  if (!res.ok) {
    const p = (typeof parsed === 'object' && parsed !== null ? parsed : { title: res.statusText, detail: text }) as Problem;
    throw new ApiProblem({ ...p, status: res.status, title: p.title ?? res.statusText, detail: p.detail ?? text });
  }
  return parsed as T;
}

/** Downloads an API resource (with the key) as a file. */
export async function download(path: string, filename: string): Promise<void> {
  const headers: Record<string, string> = {};
  const key = apiKey();
  if (key) headers.authorization = `Bearer ${key}`;
  const res = await fetch(path, { headers });
  if (!res.ok) throw new ApiProblem({ title: res.statusText, status: res.status, detail: await res.text() });
  saveBlob(await res.blob(), filename);
}

export function saveBlob(blob: Blob, filename: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}
