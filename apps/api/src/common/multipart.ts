import busboy from 'busboy';
import type { Request } from 'express';
import { PassThrough, Readable } from 'node:stream';
import { UploadTooLargeError } from '@upm/platform';
import { InvalidInputError } from './errors';

export interface UploadedFilePart {
  field: string;
  filename: string;
  stream: Readable;
}

const MAX_FILES = 64;

/**
 * The file parts of a multipart/form-data request, one at a time and streamed: the caller consumes each
 * part's stream before asking for the next (busboy's backpressure pauses the request meanwhile). Total
 * bytes over `maxBytes` abort the upload with UploadTooLargeError.
 */
export async function* multipartFiles(req: Request, maxBytes: number): AsyncGenerator<UploadedFilePart> {
  if (!/^multipart\/form-data/i.test(req.headers['content-type'] ?? '')) {
    throw new InvalidInputError(`expected a multipart/form-data upload, got content-type ${JSON.stringify(req.headers['content-type'] ?? '')}`);
  }
  let parser: busboy.Busboy;
  try {
    parser = busboy({ headers: req.headers, limits: { files: MAX_FILES, fields: 32, fieldSize: 4096 } });
  } catch (e) {
    throw new InvalidInputError(`malformed multipart upload: ${(e as Error).message}`);
  }
  const queue: UploadedFilePart[] = [];
  let done = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  let total = 0;
  parser.on('file', (field, file, info) => {
    const counted = new PassThrough();
    file.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > maxBytes) {
        const err = new UploadTooLargeError(maxBytes);
        counted.destroy(err);
        failure ??= err;
        req.unpipe(parser);
        notify();
      }
    });
    file.pipe(counted);
    queue.push({ field, filename: info.filename || field, stream: counted });
    notify();
  });
  parser.on('filesLimit', () => {
    failure ??= new InvalidInputError(`too many files in one upload (at most ${MAX_FILES})`);
    notify();
  });
  parser.on('error', (e: Error) => {
    failure ??= new InvalidInputError(`malformed multipart upload: ${e.message}`);
    notify();
  });
  parser.on('close', () => {
    done = true;
    notify();
  });
  req.pipe(parser);
  try {
    for (;;) {
      if (failure) throw failure;
      const next = queue.shift();
      if (next) {
        yield next;
        continue;
      }
      if (done) return;
      await new Promise<void>((r) => (wake = r));
    }
  } finally {
    req.unpipe(parser);
    for (const part of queue) part.stream.resume();
  }
}
