/**
 * RFC 9457 problem details as the API sends them, and the form field each message names. Browser-safe (no
 * Node imports): the web UI uses it to show an error next to the field it is about.
 */
export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  requestId?: string;
  /** 422: each bad field, by its JSON path ('' for the whole body). */
  errors?: Array<{ path: string; detail: string }>;
  /** A stored input named in the body that does not exist. */
  kind?: 'trace' | 'dump';
  id?: string;
  [extension: string]: unknown;
}

export interface FieldError {
  /** The JSON path the message is about ("host.memoryGiB", "sweep.ttlMinutes[1]"), or null. */
  field: string | null;
  message: string;
}

const PREFIX = /^invalid (?:plan|analysis|dump|trace): /;
// segments as joinPath writes them: .name, [3], and ["a key/with any chars"] (a function key of profiles.functions)
const PATH = /^([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*|\[\d+\]|\["(?:[^"\\]|\\.)*"\])*)\s/;

/**
 * One entry per bad field of the problem: its `errors` as the API lists them (path and detail), else the field
 * its detail starts with (a stored trace or dump named by the request: that input).
 */
export function problemFieldErrors(p: Problem): FieldError[] {
  if (p.kind === 'trace') return [{ field: 'trace', message: p.detail }];
  if (p.kind === 'dump') return [{ field: 'dumps', message: p.detail }];
  if (Array.isArray(p.errors) && p.errors.length > 0)
    return p.errors.map((e) => ({ field: e.path || null, message: e.path ? `${e.path} ${e.detail}` : e.detail }));
  const message = String(p.detail).replace(PREFIX, '');
  const m = PATH.exec(message);
  return [{ field: m ? m[1] : null, message }];
}

/** The form field (of `fields`) a message path belongs to: the longest field that is the path or a prefix of it. */
export function matchField(path: string | null, fields: readonly string[]): string | null {
  if (path === null) return null;
  let best: string | null = null;
  for (const f of fields) {
    const boundary = path === f || path.startsWith(`${f}.`) || path.startsWith(`${f}[`);
    if (boundary && (best === null || f.length > best.length)) best = f;
  }
  return best;
}
