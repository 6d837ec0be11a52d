import { REQUEST_ID_HEADER, requestIdOf } from '@upm/platform';
import type { NextFunction, Request, Response } from 'express';
import { PROBLEM_CONTENT_TYPE } from './problem-details.filter';

/** The body each POST route takes: any other content type is 415 naming the expected one. */
const EXPECTED: { path: RegExp; type: string; what: string }[] = [
  { path: /^\/v1\/dumps\/?$/, type: 'application/octet-stream', what: "the dump's raw bytes (curl --data-binary @x.dump -H 'content-type: application/octet-stream')" },
  { path: /^\/v1\/traces\/?$/, type: 'multipart/form-data', what: 'the trace files as file parts (curl -F files=@invocations.csv ...)' },
  { path: /^\/v1\/(plans|analyses|density|jobs\/ping)\/?$/, type: 'application/json', what: 'a JSON object' },
];

/**
 * Runs before the body parsers: a body of the wrong type gets 415 saying what the route takes, instead of
 * whatever the parser of that type makes of it (413 for a dump sent as JSON, validator messages for a form).
 */
export function requireContentType(req: Request, res: Response, next: NextFunction): void {
  if (req.method !== 'POST') return next();
  const path = req.path;
  const rule = EXPECTED.find((r) => r.path.test(path));
  const given = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (!rule || given === rule.type || (!hasBody && given === '')) return next();
  const id = requestIdOf(req);
  res.setHeader(REQUEST_ID_HEADER, id);
  res
    .status(415)
    .type(PROBLEM_CONTENT_TYPE)
    .send(
      JSON.stringify({
        type: 'about:blank',
        title: 'Unsupported Media Type',
        status: 415,
        detail: `POST ${path} takes ${rule.type}: ${rule.what}; got ${given === '' ? 'no content type' : given}`,
        instance: req.originalUrl,
        requestId: id,
        expected: rule.type,
      }),
    );
}
