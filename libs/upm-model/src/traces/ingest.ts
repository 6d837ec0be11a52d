/**
 * Format detection by header, and the one entry point for files arriving one after another (an HTTP upload's
 * parts, the CLI's arguments): `TraceIngest`. Each file is sniffed, checked against the format chosen so far,
 * and consumed completely before the next one is needed.
 */
import { Readable } from 'node:stream';
import { Azure2019Options, Azure2019Reader } from './azure2019';
import { Azure2021Reader } from './azure2021';
import { TraceError } from './errors';
import { Huawei2023Reader } from './huawei2023';
import { ReadOptions, TraceInput, TraceSource, cleanHeader, ioError, toSource } from './input';
import { NormalizedTrace, TraceFileKind, TraceFormat, TRACE_FORMATS } from './types';

const FORMAT_OF_KIND: Record<TraceFileKind, TraceFormat> = {
  'azure2019-invocations': 'azure2019',
  'azure2019-durations': 'azure2019',
  'azure2019-memory': 'azure2019',
  azure2021: 'azure2021',
  'huawei2023-requests': 'huawei2023',
};

export function formatOfKind(kind: TraceFileKind): TraceFormat {
  return FORMAT_OF_KIND[kind];
}

/** Classifies a header line (names, in any order). null when it matches no accepted file. */
export function detectTraceFileKind(headerLine: string): TraceFileKind | null {
  const names = new Set(cleanHeader(headerLine.replace(/\r?\n?$/, '').split(',')));
  const has = (...n: string[]): boolean => n.every((x) => names.has(x));
  if (has('HashOwner', 'HashApp', 'HashFunction', 'Trigger') && [...names].some((n) => /^\d+$/.test(n)))
    return 'azure2019-invocations';
  if (has('HashOwner', 'HashApp', 'HashFunction', 'Average', 'Count')) return 'azure2019-durations';
  if (has('HashOwner', 'HashApp', 'AverageAllocatedMb')) return 'azure2019-memory';
  if (has('app', 'func', 'end_timestamp', 'duration')) return 'azure2021';
  if (has('time') && names.size >= 2 && !names.has('HashOwner')) return 'huawei2023-requests';
  return null;
}

const SNIFF_LIMIT = 4 << 20;

/**
 * Reads just enough of a source to see its header line, and returns the kind plus a source that replays the
 * bytes read (the original stream continues behind them).
 */
export async function sniffTraceFile(
  input: TraceInput,
): Promise<{ kind: TraceFileKind; source: TraceSource; header: string }> {
  const src = toSource(input);
  const it = src.stream[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  const head: Buffer[] = [];
  let bytes = 0;
  let done = false;
  let headerLine: string | null = null;
  try {
    while (headerLine === null) {
      const r = await it.next();
      if (r.done) {
        done = true;
        break;
      }
      const b = typeof r.value === 'string' ? Buffer.from(r.value, 'utf8') : r.value;
      head.push(b);
      bytes += b.length;
      // Only look again once a newline has arrived (tiny chunks would make repeated concats quadratic).
      if (b.indexOf(10) >= 0) headerLine = firstLine(Buffer.concat(head, bytes), false);
      if (headerLine === null && bytes > SNIFF_LIMIT) {
        throw new TraceError('LINE_TOO_LONG', `${src.name}:1: no header line within the first ${SNIFF_LIMIT} bytes`, {
          file: src.name,
          line: 1,
        });
      }
    }
  } catch (e) {
    if (!src.stream.destroyed) src.stream.destroy();
    throw e instanceof TraceError ? e : ioError(src.name, e);
  }
  if (headerLine === null) headerLine = firstLine(Buffer.concat(head, bytes), true) ?? '';
  if (headerLine.trim() === '') {
    throw new TraceError('EMPTY_FILE', `${src.name}: the file is empty (no header line)`, { file: src.name });
  }
  const kind = detectTraceFileKind(headerLine);
  if (kind === null) {
    if (!src.stream.destroyed) src.stream.destroy();
    // eslint-disable-next-line no-control-regex -- control characters are what marks a binary file
    const binary = /[\u0000-\u0008\u000e-\u001f\u007f\ufffd]/.test(headerLine);
    const shown = headerLine.length > 120 ? headerLine.slice(0, 117) + '...' : headerLine;
    throw new TraceError(
      'UNKNOWN_FORMAT',
      binary
        ? `${src.name}: a binary file, not a CSV trace (Azure 2019, Azure 2021, Huawei 2023)`
        : `${src.name}:1: header matches no accepted trace file (Azure 2019, Azure 2021, Huawei 2023): ${shown}`,
      {
        file: src.name,
        line: 1,
      },
    );
  }
  async function* replay(): AsyncGenerator<Buffer> {
    for (const b of head) yield b;
    if (done) return;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield typeof r.value === 'string' ? Buffer.from(r.value, 'utf8') : r.value;
    }
  }
  const stream = Readable.from(replay(), { objectMode: false });
  // Destroying the replay stream must release the original (file descriptor, upload part).
  stream.once('close', () => {
    if (!src.stream.destroyed) src.stream.destroy();
  });
  return { kind, source: { name: src.name, stream }, header: headerLine };
}

/** First non-blank line, or null if no newline ends it yet (unless `atEnd`). */
function firstLine(b: Buffer, atEnd: boolean): string | null {
  let start = 0;
  for (;;) {
    const nl = b.indexOf(10, start);
    if (nl < 0) return atEnd ? b.toString('utf8', start).replace(/^\uFEFF/, '') : null;
    const line = b.toString('utf8', start, nl).replace(/^\uFEFF/, '');
    if (line.trim() !== '') return line;
    start = nl + 1;
  }
}

export interface IngestOptions extends ReadOptions {
  /** 'auto' (default): detect from the first file's header; otherwise every file must be of this format. */
  format?: TraceFormat | 'auto';
  /** Azure 2019 only: the day (1-based); default from the file name's `dNN`, else 1. */
  day?: number;
  /** Azure 2019 only: join issues kept as examples. */
  maxJoinExamples?: number;
}

/**
 * Ingest files one at a time, in any order, then `finish()`:
 *
 *   const ingest = new TraceIngest({ format: 'auto' });
 *   for (const part of uploadParts) await ingest.addFile({ name: part.filename, stream: part.stream });
 *   const trace = ingest.finish();
 */
export class TraceIngest {
  private format: TraceFormat | null;
  private r2019: Azure2019Reader | null = null;
  private r2021: Azure2021Reader | null = null;
  private rHuawei: Huawei2023Reader | null = null;
  readonly kinds: { file: string; kind: TraceFileKind }[] = [];

  constructor(private readonly options: IngestOptions = {}) {
    const f = options.format ?? 'auto';
    if (f !== 'auto' && !(TRACE_FORMATS as readonly string[]).includes(f)) {
      throw new TraceError(
        'BAD_ARGUMENT',
        `unknown trace format ${JSON.stringify(f)} (expected auto, ${TRACE_FORMATS.join(', ')})`,
      );
    }
    this.format = f === 'auto' ? null : f;
  }

  /** The format fixed so far (by the option or the first file). */
  get detectedFormat(): TraceFormat | null {
    return this.format;
  }

  async addFile(input: TraceInput): Promise<TraceFileKind> {
    const { kind, source } = await sniffTraceFile(input);
    const format = FORMAT_OF_KIND[kind];
    if (this.format !== null && this.format !== format) {
      source.stream.destroy();
      throw new TraceError(
        'INCONSISTENT_INPUT',
        `${source.name}: is a ${format} file (${kind}), but this trace is ${this.format}`,
        { file: source.name },
      );
    }
    this.format = format;
    this.kinds.push({ file: source.name, kind });
    switch (kind) {
      case 'azure2019-invocations':
        await this.azure2019().addInvocations(source);
        break;
      case 'azure2019-durations':
        await this.azure2019().addDurations(source);
        break;
      case 'azure2019-memory':
        await this.azure2019().addMemory(source);
        break;
      case 'azure2021':
        this.r2021 ??= new Azure2021Reader(this.options);
        await this.r2021.add(source);
        break;
      case 'huawei2023-requests':
        this.rHuawei ??= new Huawei2023Reader(this.options);
        await this.rHuawei.add(source);
        break;
    }
    return kind;
  }

  private azure2019(): Azure2019Reader {
    const o: Azure2019Options = { ...this.options };
    this.r2019 ??= new Azure2019Reader(o);
    return this.r2019;
  }

  finish(): NormalizedTrace {
    if (this.r2019) return this.r2019.finish();
    if (this.r2021) return this.r2021.finish();
    if (this.rHuawei) return this.rHuawei.finish();
    throw new TraceError('INCONSISTENT_INPUT', 'no trace files were given');
  }
}

/** Convenience: ingest paths or named streams (consumed in the order given). */
export async function ingestTrace(inputs: TraceInput[], options: IngestOptions = {}): Promise<NormalizedTrace> {
  const ingest = new TraceIngest(options);
  for (const i of inputs) await ingest.addFile(i);
  return ingest.finish();
}
