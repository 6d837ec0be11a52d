/**
 * Streaming writer of page-hash dumps. DumpEncoder turns calls into section bytes synchronously; DumpWriter
 * sends them to a Writable with backpressure. Every section the encoder makes is passed through the reader's
 * own decoder before it is handed out, so the writer cannot produce a dump the reader rejects, and its errors
 * read like the reader's (a DumpFormatError naming the section and byte offset it would have had).
 */
import { finished } from 'node:stream/promises';
import { Xxh64Stream } from './checksum';
import { DumpDecoder } from './decoder';
import { DumpFormatError, InvalidSection } from './errors';
import {
  CHECKSUMMED_HEADER_BYTES,
  PAGE_BLOCK_HEADER_BYTES,
  PREAMBLE_BYTES,
  PREAMBLE_MAGIC,
  SECTION_CODE,
  SECTION_HEADER_BYTES,
  TWO_POW_32,
  padTo8,
  type SectionType,
} from './format';
import { pageBodyLength } from './page-block';
import { validateHeader, validateProcess, validateSnapshot } from './section-json';
import {
  DUMP_MAJOR_VERSION,
  DUMP_MINOR_VERSION,
  type DumpEvent,
  type DumpHeader,
  type DumpTail,
  type PageBlock,
  type ProcessInfo,
  type ProcessPages,
  type SnapshotInfo,
} from './types';

/** Pages of one VMA as columns, for DumpEncoder.pages. */
export interface PageColumns {
  vmaIndex: number;
  /** Page index within the VMA of each page, strictly increasing. */
  pageIndex: ArrayLike<number>;
  /** Two words a page: low then high 32 bits of its 64-bit hash; 0/0 = not hashed. */
  hashes: Uint32Array;
  /** PageFlag bits of each page. */
  flags: ArrayLike<number>;
  /** Frame number of each page (0 = unknown), or null/absent for no PFN column. */
  pfns?: ArrayLike<number> | null;
  /** PFN column width; default 4 when every PFN is below 2^32, else 8 (0 when there are no pfns). */
  pfnWidth?: 0 | 4 | 8;
}

/** A snapshot to write; index and elapsedMs default to the next index and the time since the first. */
export type SnapshotInput = Pick<SnapshotInfo, 'timeMs'> & Partial<SnapshotInfo>;

export interface DumpEncoderOptions {
  /** Name of the output in error messages. */
  name?: string;
  /** Split PAGE sections above this many pages (bounds the reader's memory per section). Default 1 Mi. */
  maxPagesPerBlock?: number;
}

const DEFAULT_MAX_PAGES_PER_BLOCK = 1 << 20;
/** Run offsets are u32, so a block spans fewer than 2^32 pages from its base. */
const MAX_BLOCK_SPAN = TWO_POW_32 - 1;

function isPageBlock(input: PageColumns | PageBlock): input is PageBlock {
  return (input as PageBlock).runs !== undefined;
}

export class DumpEncoder {
  readonly name: string;
  private readonly maxPagesPerBlock: number;
  /** The reader's validation, run over everything this encoder emits. */
  private readonly check: DumpDecoder;
  private readonly checkEvents: DumpEvent[] = [];
  private readonly hasher = new Xxh64Stream();
  private position = 0;
  private ordinal = 0;
  private snapshotCount = 0;
  private processCount = 0;
  private pageSectionCount = 0;
  private pageCount = 0;
  private firstSnapshotTimeMs = 0;
  private pageSize: number | null = null;

  constructor(opts: DumpEncoderOptions = {}) {
    this.name = opts.name ?? 'dump';
    this.maxPagesPerBlock = opts.maxPagesPerBlock ?? DEFAULT_MAX_PAGES_PER_BLOCK;
    if (!Number.isInteger(this.maxPagesPerBlock) || this.maxPagesPerBlock < 1) {
      throw new RangeError(`maxPagesPerBlock must be a positive integer, got ${opts.maxPagesPerBlock}`);
    }
    this.check = new DumpDecoder({ name: this.name });
  }

  /** Bytes emitted so far. */
  get bytesWritten(): number {
    return this.position;
  }

  /** Totals of what has been written, as TAIL will state them. */
  get totals(): DumpTail {
    return { snapshots: this.snapshotCount, processes: this.processCount, pageSections: this.pageSectionCount, pages: this.pageCount };
  }

  /** The preamble and the HEAD section. */
  header(header: DumpHeader): Uint8Array {
    if (this.position !== 0) throw this.nextLocationError('HEAD', 'HEAD must be the first section and appear once');
    const preamble = new Uint8Array(PREAMBLE_BYTES);
    preamble.set(PREAMBLE_MAGIC, 0);
    const view = new DataView(preamble.buffer);
    view.setUint16(8, DUMP_MAJOR_VERSION, true);
    view.setUint16(10, DUMP_MINOR_VERSION, true);
    this.emit(preamble);
    const bytes = concat(preamble, this.jsonSection('HEAD', header, validateHeader));
    this.pageSize = header.pageSize;
    return bytes;
  }

  /** A SNAP section. `index` and `elapsedMs` may be left out: they follow from the snapshots before. */
  snapshot(snapshot: SnapshotInput): Uint8Array {
    const info: SnapshotInfo = {
      index: snapshot.index ?? this.snapshotCount,
      timeMs: snapshot.timeMs,
      elapsedMs: snapshot.elapsedMs ?? (this.snapshotCount === 0 ? 0 : snapshot.timeMs - this.firstSnapshotTimeMs),
    };
    const bytes = this.jsonSection('SNAP', info, validateSnapshot);
    if (this.snapshotCount === 0) this.firstSnapshotTimeMs = snapshot.timeMs;
    this.snapshotCount++;
    return bytes;
  }

  /** A PROC section; the process's pages follow with pages(). */
  process(process: ProcessInfo): Uint8Array {
    // before HEAD there is no page size to check against; the reader's order check rejects it anyway
    const pageSize = this.pageSize;
    const bytes = this.jsonSection('PROC', process, pageSize === null ? undefined : (v) => validateProcess(v, pageSize));
    this.processCount++;
    return bytes;
  }

  /**
   * PAGE sections for pages of one VMA: columns (split into blocks of at most maxPagesPerBlock pages), or a
   * PageBlock as the reader produced it (written as is). No pages, no section.
   */
  pages(input: PageColumns | PageBlock): Uint8Array[] {
    if (isPageBlock(input)) return [this.encodeBlock(input)];
    const n = input.pageIndex.length;
    this.checkColumns(input, n);
    const pfnWidth = input.pfnWidth ?? (input.pfns ? widthFor(input.pfns) : 0);
    const sections: Uint8Array[] = [];
    let start = 0;
    while (start < n) {
      const base = input.pageIndex[start];
      let end = start + 1;
      const limit = Math.min(n, start + this.maxPagesPerBlock);
      while (end < limit && input.pageIndex[end] - base <= MAX_BLOCK_SPAN) end++;
      sections.push(this.encodeBlock(blockOf(input, start, end, pfnWidth)));
      start = end;
    }
    return sections;
  }

  /**
   * A PROC section and the PAGE sections of a loaded process: one block per VMA, without a PFN column where
   * every PFN of the VMA is 0 (unknown), as a reader gives no such column.
   */
  processPages(pages: ProcessPages): Uint8Array[] {
    const out = [this.process(pages.info)];
    const n = pages.count;
    let start = 0;
    while (start < n) {
      const vma = pages.vmaOf[start];
      let end = start + 1;
      while (end < n && pages.vmaOf[end] === vma) end++;
      const hashes = new Uint32Array(2 * (end - start));
      for (let i = start; i < end; i++) {
        hashes[2 * (i - start)] = pages.hashLo[i];
        hashes[2 * (i - start) + 1] = pages.hashHi[i];
      }
      out.push(
        ...this.pages({
          vmaIndex: vma,
          pageIndex: pages.pageIndex.subarray(start, end),
          hashes,
          flags: pages.flags.subarray(start, end),
          pfns: pfnsOrNull(pages.pfn, start, end),
        }),
      );
      start = end;
    }
    return out;
  }

  /** The TAIL section, with the totals of everything written. */
  end(): Uint8Array {
    return this.jsonSection('TAIL', this.totals);
  }

  private nextLocationError(type: SectionType, detail: string): DumpFormatError {
    return new DumpFormatError({ source: this.name, section: type, ordinal: this.ordinal + 1, offset: this.position }, detail);
  }

  /**
   * Serialize a JSON section. `normalize` (the reader's validator) checks the object first and returns its
   * known keys in a fixed order, so equal content always makes equal bytes.
   */
  private jsonSection(type: SectionType, value: unknown, normalize?: (v: unknown) => unknown): Uint8Array {
    if (normalize) {
      try {
        value = normalize(value);
      } catch (e) {
        if (e instanceof InvalidSection) throw this.nextLocationError(type, e.detail);
        throw e;
      }
    }
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch (e) {
      throw this.nextLocationError(type, `cannot serialize the ${type} object: ${(e as Error).message}`);
    }
    if (text === undefined) throw this.nextLocationError(type, `cannot serialize the ${type} object: ${String(value)}`);
    const body = Buffer.from(text, 'utf8');
    const section = new Uint8Array(SECTION_HEADER_BYTES + body.length + padTo8(body.length));
    section.set(body, SECTION_HEADER_BYTES);
    return this.seal(type, section, body.length);
  }

  /** Fill in the header of a section whose body is already in place at byte 24, check it, emit it. */
  private seal(type: SectionType, section: Uint8Array, bodyLength: number): Uint8Array {
    const view = new DataView(section.buffer, section.byteOffset, section.byteLength);
    view.setUint32(0, SECTION_CODE[type], true);
    view.setUint32(4, 0, true);
    view.setUint32(8, bodyLength % TWO_POW_32, true);
    view.setUint32(12, Math.floor(bodyLength / TWO_POW_32), true);
    const sum = this.hasher
      .reset()
      .update(section.subarray(0, CHECKSUMMED_HEADER_BYTES))
      .update(section.subarray(SECTION_HEADER_BYTES, SECTION_HEADER_BYTES + bodyLength))
      .digest();
    view.setUint32(16, sum.lo, true);
    view.setUint32(20, sum.hi, true);
    this.emit(section);
    this.ordinal++;
    return section;
  }

  /** Validate bytes with the reader and account for them. */
  private emit(bytes: Uint8Array): void {
    this.check.push(bytes, this.checkEvents);
    this.checkEvents.length = 0;
    this.position += bytes.length;
  }

  private checkColumns(c: PageColumns, n: number): void {
    const fail = (detail: string): never => {
      throw this.nextLocationError('PAGE', detail);
    };
    if (!(c.hashes instanceof Uint32Array) || c.hashes.length !== 2 * n) fail(`hashes must be a Uint32Array of 2 × ${n} words`);
    if (c.flags.length !== n) fail(`flags has ${c.flags.length} entries for ${n} pages`);
    if (c.pfns && c.pfns.length !== n) fail(`pfns has ${c.pfns.length} entries for ${n} pages`);
    if (c.pfnWidth !== undefined && c.pfnWidth !== 0 && c.pfnWidth !== 4 && c.pfnWidth !== 8) fail(`pfnWidth ${c.pfnWidth} is not 0, 4 or 8`);
    if (c.pfnWidth === 0 && c.pfns) fail('pfns given with pfnWidth 0');
    if (c.pfnWidth && !c.pfns) fail(`pfnWidth ${c.pfnWidth} without pfns`);
    if (!Number.isInteger(c.vmaIndex) || c.vmaIndex < 0 || c.vmaIndex >= TWO_POW_32) fail(`vmaIndex ${c.vmaIndex} is not a u32`);
    let prev = -1;
    for (let i = 0; i < n; i++) {
      const p = c.pageIndex[i];
      if (!Number.isSafeInteger(p) || p <= prev) fail(`pageIndex[${i}] is ${p}: page indices must be integers increasing from 0`);
      prev = p;
    }
    if (!(c.flags instanceof Uint8Array)) {
      for (let i = 0; i < n; i++) {
        const f = c.flags[i];
        if (!Number.isInteger(f) || f < 0 || f > 255) fail(`flags[${i}] is ${f}, not a byte`);
      }
    }
    if (c.pfns) {
      const max = c.pfnWidth === 4 ? TWO_POW_32 - 1 : Number.MAX_SAFE_INTEGER;
      for (let i = 0; i < n; i++) {
        const p = c.pfns[i];
        if (!Number.isInteger(p) || p < 0 || p > max) fail(`pfns[${i}] is ${p}, not an integer in [0, ${max}]`);
      }
    }
  }

  private encodeBlock(block: PageBlock): Uint8Array {
    const { count, runs, hashes, flags, pfns } = block;
    const runCount = runs.length >> 1;
    const fail = (detail: string): never => {
      throw this.nextLocationError('PAGE', detail);
    };
    if (runs.length % 2 !== 0) fail('runs must hold (offset, length) pairs');
    if (hashes.length !== 2 * count || flags.length !== count || (pfns !== null && pfns.length !== count)) {
      fail(`column lengths do not match count ${count}`);
    }
    if (!Number.isSafeInteger(block.baseIndex) || block.baseIndex < 0) fail(`baseIndex ${block.baseIndex} is not an integer in [0, 2^53)`);
    if (!Number.isInteger(block.vmaIndex) || block.vmaIndex < 0 || block.vmaIndex >= TWO_POW_32) fail(`vmaIndex ${block.vmaIndex} is not a u32`);
    const pfnWidth = pfns === null ? 0 : pfns instanceof Uint32Array ? 4 : 8;
    const bodyLength = pageBodyLength(count, runCount, pfnWidth);
    const section = new Uint8Array(SECTION_HEADER_BYTES + bodyLength + padTo8(bodyLength));
    const buffer = section.buffer;
    const body = SECTION_HEADER_BYTES;
    const view = new DataView(buffer);
    view.setUint32(body, block.vmaIndex, true);
    view.setUint32(body + 4, count, true);
    view.setUint32(body + 8, block.baseIndex % TWO_POW_32, true);
    view.setUint32(body + 12, Math.floor(block.baseIndex / TWO_POW_32), true);
    view.setUint32(body + 16, runCount, true);
    view.setUint8(body + 20, pfnWidth);
    const runsAt = body + PAGE_BLOCK_HEADER_BYTES;
    new Uint32Array(buffer, runsAt, 2 * runCount).set(runs);
    const hashesAt = runsAt + 8 * runCount;
    new Uint32Array(buffer, hashesAt, 2 * count).set(hashes);
    const pfnAt = hashesAt + 8 * count;
    if (pfns !== null && pfnWidth === 4) {
      new Uint32Array(buffer, pfnAt, count).set(pfns);
    } else if (pfns !== null) {
      const words = new Uint32Array(buffer, pfnAt, 2 * count);
      for (let i = 0; i < count; i++) {
        const p = pfns[i];
        if (!Number.isSafeInteger(p) || p < 0) fail(`PFN of page ${i} is ${p}, not an integer in [0, 2^53)`);
        words[2 * i] = p % TWO_POW_32;
        words[2 * i + 1] = Math.floor(p / TWO_POW_32);
      }
    }
    new Uint8Array(buffer, pfnAt + pfnWidth * count, count).set(flags);
    const sealed = this.seal('PAGE', section, bodyLength);
    this.pageSectionCount++;
    this.pageCount += count;
    return sealed;
  }
}

function pfnsOrNull(pfn: Float64Array | null, start: number, end: number): Float64Array | null {
  if (pfn === null) return null;
  for (let i = start; i < end; i++) if (pfn[i] !== 0) return pfn.subarray(start, end);
  return null;
}

function widthFor(pfns: ArrayLike<number>): 4 | 8 {
  for (let i = 0; i < pfns.length; i++) if (pfns[i] >= TWO_POW_32) return 8;
  return 4;
}

/** pages [start, end) of validated columns as a block: runs relative to the first page. */
function blockOf(c: PageColumns, start: number, end: number, pfnWidth: 0 | 4 | 8): PageBlock {
  const base = c.pageIndex[start];
  let runCount = 1;
  for (let i = start + 1; i < end; i++) if (c.pageIndex[i] !== c.pageIndex[i - 1] + 1) runCount++;
  const runs = new Uint32Array(2 * runCount);
  let r = 0;
  runs[0] = 0;
  runs[1] = 1;
  for (let i = start + 1; i < end; i++) {
    if (c.pageIndex[i] === c.pageIndex[i - 1] + 1) {
      runs[2 * r + 1]++;
    } else {
      r++;
      runs[2 * r] = c.pageIndex[i] - base;
      runs[2 * r + 1] = 1;
    }
  }
  const count = end - start;
  let pfns: Uint32Array | Float64Array | null = null;
  if (pfnWidth === 4) pfns = Uint32Array.from({ length: count }, (_, i) => c.pfns![start + i]);
  else if (pfnWidth === 8) pfns = Float64Array.from({ length: count }, (_, i) => c.pfns![start + i]);
  const flags = c.flags instanceof Uint8Array ? c.flags.subarray(start, end) : Uint8Array.from({ length: count }, (_, i) => c.flags[start + i]);
  return { vmaIndex: c.vmaIndex, baseIndex: base, count, runs, hashes: c.hashes.subarray(2 * start, 2 * end), pfns, flags };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

export interface DumpWriterOptions extends DumpEncoderOptions {
  /** End the output stream when the dump is complete. Default true. */
  endStream?: boolean;
}

/** Writes a dump to a Writable, waiting for 'drain' when the stream's buffer is full. */
export class DumpWriter {
  private readonly encoder: DumpEncoder;
  private readonly endStream: boolean;
  private streamError: Error | null = null;
  private drain: Promise<void> | null = null;

  constructor(
    private readonly out: NodeJS.WritableStream,
    opts: DumpWriterOptions = {},
  ) {
    this.encoder = new DumpEncoder(opts);
    this.endStream = opts.endStream ?? true;
    // keep an output error from crashing the process; the next call rejects with it
    out.on('error', (e: Error) => {
      this.streamError ??= e;
    });
  }

  get bytesWritten(): number {
    return this.encoder.bytesWritten;
  }

  writeHeader(header: DumpHeader): Promise<void> {
    return this.send(() => [this.encoder.header(header)]);
  }

  writeSnapshot(snapshot: SnapshotInput): Promise<void> {
    return this.send(() => [this.encoder.snapshot(snapshot)]);
  }

  writeProcess(process: ProcessInfo): Promise<void> {
    return this.send(() => [this.encoder.process(process)]);
  }

  writePages(pages: PageColumns | PageBlock): Promise<void> {
    return this.send(() => this.encoder.pages(pages));
  }

  writeProcessPages(pages: ProcessPages): Promise<void> {
    return this.send(() => this.encoder.processPages(pages));
  }

  /** Write TAIL (and end the stream unless endStream is false); resolves with the totals once flushed. */
  async end(): Promise<DumpTail> {
    await this.send(() => [this.encoder.end()]);
    if (this.endStream) {
      this.out.end();
      await finished(this.out);
    }
    if (this.streamError) throw this.streamError;
    return this.encoder.totals;
  }

  /**
   * Encode synchronously and write every chunk at once, so calls made without awaiting still land in call
   * order; then wait for 'drain' if the stream asked for it.
   */
  private async send(encode: () => Uint8Array[]): Promise<void> {
    if (this.streamError) throw this.streamError;
    const chunks = encode();
    let ok = true;
    for (const chunk of chunks) ok = this.out.write(chunk) && ok;
    if (!ok) await this.drained();
    if (this.streamError) throw this.streamError;
  }

  /** One shared wait however many calls are blocked on the same full buffer. */
  private drained(): Promise<void> {
    if (this.drain) return this.drain;
    const out = this.out;
    this.drain = new Promise<void>((resolve, reject) => {
      const settle = (error?: Error): void => {
        out.off('drain', onDrain);
        out.off('error', onError);
        out.off('close', onClose);
        this.drain = null;
        if (error) reject(error);
        else resolve();
      };
      const onDrain = (): void => settle();
      const onError = (e: Error): void => settle(e);
      const onClose = (): void => settle(this.streamError ?? new Error(`${this.encoder.name}: output closed before the dump was complete`));
      out.on('drain', onDrain);
      out.on('error', onError);
      out.on('close', onClose);
    });
    return this.drain;
  }
}
