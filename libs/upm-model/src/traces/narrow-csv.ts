/**
 * Record-at-a-time reading of the narrow files (durations, memory, Azure 2021, Huawei) with csv-parse, which is
 * fast enough for them (they are a few to a few hundred MB of short rows). The wide 2019 invocations file has
 * its own tokenizer (wide-csv.ts): see docs/traces.md for the measurement behind that split.
 */
import { parse } from 'csv-parse';
import { CellError, TraceError } from './errors';
import { RowLog, TraceSource, cleanHeader, ioError } from './input';

export interface CsvRowHandler {
  /** Called once with the cleaned header; throws TraceError (missing/duplicate columns). */
  header(names: string[]): void;
  /** Called per data row whose width matches the header; throws CellError to reject the row. */
  row(cells: string[], line: number): void;
}

/** Skip reasons after which csv-parse has consumed the rest of the file: the loss must not pass silently. */
const FATAL_SKIPS = new Set(['CSV_MAX_RECORD_SIZE', 'CSV_QUOTE_NOT_CLOSED']);

interface CsvParseError extends Error {
  code?: string;
  lines?: number;
}

// Long: the csv-parse stream, its per-record callback and its error handling share the reader's counters.
export async function readNarrowCsv(
  src: TraceSource,
  log: RowLog,
  maxLineBytes: number,
  handler: CsvRowHandler,
): Promise<void> {
  let fatal: TraceError | null = null;
  const skipped: { line: number; message: string }[] = [];
  const parser = parse({
    bom: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    info: true,
    max_record_size: maxLineBytes,
    skip_records_with_error: true,
  });
  parser.on('skip', (err: CsvParseError | undefined) => {
    if (!err || fatal) return;
    const line = err.lines ?? 0;
    if (err.code && FATAL_SKIPS.has(err.code)) {
      const tooLong = err.code === 'CSV_MAX_RECORD_SIZE';
      const what = tooLong ? `a record longer than ${maxLineBytes} bytes` : 'an unterminated quoted field';
      fatal = new TraceError(
        tooLong ? 'LINE_TOO_LONG' : 'MALFORMED_CSV',
        `${src.name}:${line}: ${what}; the rest of the file cannot be read`,
        {
          file: src.name,
          line,
        },
      );
    } else {
      // Recorded from the loop below: throwing (strict mode) inside csv-parse's callback would escape it.
      skipped.push({ line, message: `malformed CSV: ${err.message}` });
    }
  });
  const flushSkipped = (): void => {
    for (const s of skipped.splice(0)) log.reject(s.line, 0, s.message);
  };
  const onSourceError = (e: unknown): void => {
    parser.destroy(ioError(src.name, e));
  };
  src.stream.on('error', onSourceError);
  src.stream.pipe(parser);
  let headerSeen = false;
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (fatal) break;
      flushSkipped();
      const { record, info } = item;
      if (!headerSeen) {
        headerSeen = true;
        const names = cleanHeader(record);
        log.header = names;
        handler.header(names);
        continue;
      }
      const line = info.lines;
      if (!log.checkWidth(line, record.length)) continue;
      try {
        handler.row(record, line);
        log.accept();
      } catch (e) {
        if (e instanceof CellError) log.rejectCell(line, e);
        else throw e;
      }
    }
    flushSkipped();
  } catch (e) {
    if (e instanceof TraceError) throw e;
    const pe = e as CsvParseError;
    throw new TraceError(
      'MALFORMED_CSV',
      `${src.name}${pe.lines ? `:${pe.lines}` : ''}: malformed CSV: ${pe.message}`,
      {
        file: src.name,
        line: pe.lines ?? null,
      },
    );
  } finally {
    src.stream.off('error', onSourceError);
    src.stream.unpipe(parser);
    if (!src.stream.destroyed) src.stream.destroy();
  }
  if (fatal) throw fatal;
}
