/**
 * The one error type every trace reader, builder and codec throws. Callers (API, CLI, fuzz test) can rely on
 * `instanceof TraceError` to tell bad input from a bug: anything else escaping a reader is a defect.
 */

export type TraceErrorCode =
  /** The file has no header line at all. */
  | 'EMPTY_FILE'
  /** A required column is absent from the header (the message names it). */
  | 'MISSING_COLUMN'
  /** A column name appears twice where that would be ambiguous. */
  | 'DUPLICATE_COLUMN'
  /** A header cell is invalid for the format (e.g. minute column 0 or 1441, no minute columns at all). */
  | 'BAD_HEADER'
  /** The header does not look like any accepted format (auto-detection failed). */
  | 'UNKNOWN_FORMAT'
  /** One malformed row, in strict mode (maxBadRowFraction = 0). */
  | 'BAD_ROW'
  /** Too many malformed rows: the file is rejected as a whole. */
  | 'TOO_MANY_BAD_ROWS'
  /** The CSV tokenizer itself failed (e.g. an unterminated quote). */
  | 'MALFORMED_CSV'
  /** A line longer than the reader's bound (garbage without newlines). */
  | 'LINE_TOO_LONG'
  /** The input stream failed (missing file, aborted upload). */
  | 'IO'
  /** Files that cannot form one trace (e.g. two invocation files for one day, 2019 mixed with 2021). */
  | 'INCONSISTENT_INPUT'
  /** A serialized trace failed validation on load. */
  | 'BAD_SERIALIZATION'
  /** A caller passed an invalid option. */
  | 'BAD_ARGUMENT';

/** One rejected row: where, and why. `message` already carries `file:line:column`. */
export interface RowError {
  file: string;
  /** 1-based physical line number in the file. */
  line: number;
  /** 1-based cell index in the row (the header's column position). */
  column: number;
  /** Header name of that column, when the column exists in the header. */
  columnName: string | null;
  message: string;
}

export class TraceError extends Error {
  readonly code: TraceErrorCode;
  readonly file: string | null;
  readonly line: number | null;
  readonly column: number | null;
  /** The collected row errors that led to a TOO_MANY_BAD_ROWS / BAD_ROW rejection (bounded). */
  readonly rowErrors: readonly RowError[];

  constructor(
    code: TraceErrorCode,
    message: string,
    where: { file?: string | null; line?: number | null; column?: number | null; rowErrors?: readonly RowError[] } = {},
  ) {
    super(message);
    this.name = 'TraceError';
    this.code = code;
    this.file = where.file ?? null;
    this.line = where.line ?? null;
    this.column = where.column ?? null;
    this.rowErrors = where.rowErrors ?? [];
  }
}

/** `file:line:column (name): reason` — the one place the location format is defined. */
export function formatLocation(file: string, line: number, column?: number | null, columnName?: string | null): string {
  let s = `${file}:${line}`;
  if (column != null) s += `:${column}`;
  if (columnName) s += ` (column "${columnName}")`;
  return s;
}

/** A header cell's error: "FILE:1:COLUMN: what", located at that cell (column 1-based). */
export function headerColumnError(code: TraceErrorCode, file: string, column: number, what: string): TraceError {
  return new TraceError(code, `${formatLocation(file, 1, column)}: ${what}`, { file, line: 1, column });
}

/** Thrown inside a row handler to reject that row at a given cell; the reader turns it into a RowError. */
export class CellError extends Error {
  constructor(
    /** 0-based cell index. */
    readonly cellIndex: number,
    message: string,
  ) {
    super(message);
    this.name = 'CellError';
  }
}
