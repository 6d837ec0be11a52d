/**
 * Inputs, options and per-file row bookkeeping shared by the readers.
 * Readers take Node Readable streams (so the API can feed an upload straight through) or file paths.
 */
import * as fs from 'node:fs';
import { Readable } from 'node:stream';
import { CellError, RowError, TraceError, formatLocation, headerColumnError } from './errors';
import type { FileReadSummary, NormalizedTrace, TraceFileKind } from './types';

/** A named byte stream. `name` is what error messages and reports call the file. */
export interface TraceSource {
  name: string;
  stream: Readable;
}

/** A file path, or a named stream. */
export type TraceInput = string | TraceSource;

export interface ReadOptions {
  /** Row errors kept per file (the count continues beyond). Default 100. */
  maxRowErrors?: number;
  /**
   * A file whose share of malformed data rows exceeds this is rejected as a whole (TOO_MANY_BAD_ROWS).
   * Default 0.1. 0 = strict: the first malformed row throws (BAD_ROW) with its location.
   */
  maxBadRowFraction?: number;
  /** Longest accepted line in bytes; beyond it the file is rejected (LINE_TOO_LONG). Default 16 MiB. */
  maxLineBytes?: number;
}

export const DEFAULT_MAX_ROW_ERRORS = 100;
export const DEFAULT_MAX_BAD_ROW_FRACTION = 0.1;
export const DEFAULT_MAX_LINE_BYTES = 16 << 20;

export function toSource(input: TraceInput): TraceSource {
  if (typeof input === 'string') {
    return { name: input, stream: fs.createReadStream(input, { highWaterMark: 1 << 20 }) };
  }
  return input;
}

/** A source over bytes already in memory (tests, small uploads). */
export function sourceFromBytes(name: string, bytes: Uint8Array | string, chunkSize?: number): TraceSource {
  const buf =
    typeof bytes === 'string'
      ? Buffer.from(bytes, 'utf8')
      : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!chunkSize || chunkSize >= buf.length) return { name, stream: Readable.from([buf], { objectMode: false }) };
  const chunks: Buffer[] = [];
  for (let i = 0; i < buf.length; i += chunkSize) chunks.push(buf.subarray(i, i + chunkSize));
  return { name, stream: Readable.from(chunks, { objectMode: false }) };
}

export function ioError(file: string, e: unknown): TraceError {
  if (e instanceof TraceError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new TraceError('IO', `${file}: cannot read: ${msg}`, { file });
}

export function validateReadOptions(opts: ReadOptions): Required<ReadOptions> {
  const r = {
    maxRowErrors: opts.maxRowErrors ?? DEFAULT_MAX_ROW_ERRORS,
    maxBadRowFraction: opts.maxBadRowFraction ?? DEFAULT_MAX_BAD_ROW_FRACTION,
    maxLineBytes: opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
  };
  if (!Number.isInteger(r.maxRowErrors) || r.maxRowErrors < 0) {
    throw new TraceError('BAD_ARGUMENT', `maxRowErrors must be a non-negative integer, got ${r.maxRowErrors}`);
  }
  if (!(r.maxBadRowFraction >= 0 && r.maxBadRowFraction <= 1)) {
    throw new TraceError('BAD_ARGUMENT', `maxBadRowFraction must be in [0, 1], got ${r.maxBadRowFraction}`);
  }
  if (!Number.isInteger(r.maxLineBytes) || r.maxLineBytes < 1024) {
    throw new TraceError('BAD_ARGUMENT', `maxLineBytes must be an integer >= 1024, got ${r.maxLineBytes}`);
  }
  return r;
}

/**
 * Counts data rows, records rejected ones (bounded), enforces strict mode and the bad-row fraction.
 * One per file.
 */
export class RowLog {
  rows = 0;
  badRows = 0;
  readonly errors: RowError[] = [];
  header: readonly string[] = [];

  constructor(
    readonly file: string,
    readonly kind: TraceFileKind,
    private readonly opts: Required<ReadOptions>,
  ) {}

  accept(): void {
    this.rows++;
  }

  /** Record a malformed row. `cellIndex` is 0-based. In strict mode this throws BAD_ROW. */
  reject(line: number, cellIndex: number, reason: string): void {
    this.rows++;
    this.badRows++;
    const columnName = this.header[cellIndex] ?? null;
    const message = `${formatLocation(this.file, line, cellIndex + 1, columnName)}: ${reason}`;
    const err: RowError = { file: this.file, line, column: cellIndex + 1, columnName, message };
    if (this.errors.length < this.opts.maxRowErrors) this.errors.push(err);
    if (this.opts.maxBadRowFraction === 0) {
      throw new TraceError('BAD_ROW', message, { file: this.file, line, column: cellIndex + 1, rowErrors: [err] });
    }
  }

  rejectCell(line: number, e: CellError): void {
    this.reject(line, e.cellIndex, e.message);
  }

  /** Checks the cell count against the header; returns false (and records the error) on a mismatch. */
  checkWidth(line: number, cells: number): boolean {
    const want = this.header.length;
    if (cells === want) return true;
    this.reject(
      line,
      Math.min(cells, want),
      cells < want
        ? `row has ${cells} cells, the header has ${want}`
        : `row has ${cells} cells, the header has only ${want}`,
    );
    return false;
  }

  /** End of file: reject the file if too much of it was bad; otherwise its summary. */
  finish(): FileReadSummary {
    if (this.header.length === 0) {
      throw new TraceError('EMPTY_FILE', `${this.file}: the file is empty (no header line)`, { file: this.file });
    }
    if (this.badRows > 0 && this.badRows > this.opts.maxBadRowFraction * this.rows) {
      const shown = this.errors.slice(0, 3).map((e) => e.message);
      const pct = ((100 * this.badRows) / this.rows).toFixed(1);
      throw new TraceError(
        'TOO_MANY_BAD_ROWS',
        `${this.file}: rejected: ${this.badRows} of ${this.rows} data rows (${pct}%) are malformed, more than ` +
          `${(this.opts.maxBadRowFraction * 100).toFixed(1)}%; first: ${shown.join('; ')}`,
        {
          file: this.file,
          line: this.errors[0]?.line ?? null,
          column: this.errors[0]?.column ?? null,
          rowErrors: this.errors,
        },
      );
    }
    return {
      file: this.file,
      kind: this.kind,
      rows: this.rows,
      badRows: this.badRows,
      errors: this.errors,
      errorsTruncated: this.badRows > this.errors.length,
    };
  }
}

/** Header names → index, rejecting duplicates of the names a reader relies on. */
export function indexHeader(
  file: string,
  names: readonly string[],
  required: readonly string[],
  optional: readonly string[] = [],
): Map<string, number> {
  const idx = new Map<string, number>();
  const watched = new Set([...required, ...optional]);
  names.forEach((n, i) => {
    if (watched.has(n) && idx.has(n)) {
      throw headerColumnError('DUPLICATE_COLUMN', file, i + 1, `column "${n}" appears twice in the header`);
    }
    if (!idx.has(n)) idx.set(n, i);
  });
  const missing = required.filter((n) => !idx.has(n));
  if (missing.length > 0) {
    throw new TraceError(
      'MISSING_COLUMN',
      `${file}:1: missing required column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')} in the header`,
      { file, line: 1 },
    );
  }
  return idx;
}

/** Header cells are compared trimmed, unquoted and without a UTF-8 BOM. */
export function cleanHeader(names: readonly string[]): string[] {
  return names.map((n, i) => {
    let s = (i === 0 ? n.replace(/^\uFEFF/, '') : n).trim();
    if (s.length >= 2 && s.startsWith('"') && s.endsWith('"')) s = s.slice(1, -1).trim();
    return s;
  });
}

/** A reader of one kind of file, fed every input in the order given, then finished. */
export async function readEach(
  reader: { add(input: TraceInput): Promise<unknown>; finish(): NormalizedTrace },
  inputs: TraceInput | TraceInput[],
): Promise<NormalizedTrace> {
  for (const i of Array.isArray(inputs) ? inputs : [inputs]) await reader.add(i);
  return reader.finish();
}
