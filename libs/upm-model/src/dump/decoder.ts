/**
 * Push decoder of the dump format: feed it chunks as they arrive, it emits one event per section. It holds
 * only the current section and validates everything docs/dump-format.md says a reader checks. A section's
 * PAGE columns view the chunk it came in when it lies within one chunk, 4-byte aligned (a pushed chunk's
 * memory must not be reused afterwards); otherwise the body is copied once. Synchronous, so it also serves
 * buffers and upload streams without async overhead.
 */
import { Xxh64Stream } from './checksum';
import { DumpFormatError, InvalidSection, type DumpLocation } from './errors';
import {
  CHECKSUMMED_HEADER_BYTES,
  FLAG_SKIPPABLE,
  MAX_JSON_SECTION_BYTES,
  MAX_PAGE_SECTION_BYTES,
  PREAMBLE_BYTES,
  PREAMBLE_MAGIC,
  SECTION_HEADER_BYTES,
  describeTypeCode,
  hex64,
  padTo8,
  sectionTypeOf,
  type SectionType,
} from './format';
import { decodePageBlock, type PageBlockContext } from './page-block';
import { validateHeader, validateProcess, validateSnapshot, validateTail } from './section-json';
import { DUMP_MAJOR_VERSION, type DumpEvent, type DumpHeader, type ProcessInfo } from './types';
import { xxh64Section } from './xxh64';

export interface DumpDecoderOptions {
  /** Name of the file or stream in error messages. */
  name?: string;
  /** Largest section body accepted, in bytes; bounds memory. Default and maximum: the format's limits. */
  maxSectionBytes?: number;
}

const Phase = {
  Preamble: 0,
  Header: 1,
  Body: 2,
  Skip: 3,
  Padding: 4,
  Done: 5,
} as const;
type Phase = (typeof Phase)[keyof typeof Phase];

/** PAGE sections up to this size share slabs of SLAB_BYTES; larger ones get a buffer of their own. */
const SLAB_BYTES = 1 << 20;
const SLAB_MAX_SECTION = 64 * 1024;

/**
 * Memory for PAGE sections, whose column views outlive the section. Small sections are carved from shared
 * slabs (8-aligned, never reused) instead of costing an ArrayBuffer each: most PAGE sections hold one small
 * VMA's pages. A retained block keeps its slab alive.
 */
class SectionMemory {
  private slab = new ArrayBuffer(0);
  private used = 0;
  /** Result of reserve(): where the section goes. */
  buffer = this.slab;
  offset = 0;

  /** Reserve `bytes`, a multiple of 8. */
  reserve(bytes: number): void {
    if (bytes > SLAB_MAX_SECTION) {
      this.buffer = new ArrayBuffer(bytes);
      this.offset = 0;
      return;
    }
    if (this.used + bytes > this.slab.byteLength) {
      this.slab = new ArrayBuffer(SLAB_BYTES);
      this.used = 0;
    }
    this.buffer = this.slab;
    this.offset = this.used;
    this.used += bytes;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export class DumpDecoder {
  readonly name: string;
  private readonly maxSectionBytes: number;

  private state: Phase = Phase.Preamble;
  /** Bytes consumed so far: the file offset of the next byte. */
  private position = 0;
  private failure: DumpFormatError | null = null;

  /** Preamble or section header being assembled. */
  private readonly head = new Uint8Array(SECTION_HEADER_BYTES);
  private readonly headView = new DataView(this.head.buffer);
  private readonly checksummedHead = this.head.subarray(0, CHECKSUMMED_HEADER_BYTES);
  private headFill = 0;

  // the current section
  private ordinal = 0;
  private sectionStart = 0;
  private sectionType: SectionType | null = null;
  private sectionLabel: string | null = null;
  private bodyLength = 0;
  private bodyFill = 0;
  private bodyPieces: Uint8Array[] = [];
  private paddingLeft = 0;
  private pending: DumpEvent | null = null;
  private skipHash: Xxh64Stream | null = null;
  private readonly memory = new SectionMemory();
  /** JSON bodies are decoded to strings at once, so one buffer serves them all. */
  private scratch = new ArrayBuffer(4096);

  // what the sections so far say
  private header: DumpHeader | null = null;
  private snapshots = 0;
  private lastElapsedMs = 0;
  private processes = 0;
  private pageSections = 0;
  private pages = 0;
  private process: ProcessInfo | null = null;
  private processKeys = new Set<string>();
  private readonly blockContext: PageBlockContext = {
    vmaPages: new Float64Array(0),
    pfnReadable: false,
    pageFlagsReadable: false,
    prevVma: -1,
    prevEnd: 0,
  };

  constructor(opts: DumpDecoderOptions = {}) {
    this.name = opts.name ?? 'dump';
    const max = opts.maxSectionBytes ?? MAX_PAGE_SECTION_BYTES;
    if (!(max >= 0)) throw new RangeError(`maxSectionBytes must be a non-negative number, got ${max}`);
    this.maxSectionBytes = max;
  }

  /** Bytes consumed so far. */
  get bytesRead(): number {
    return this.position;
  }

  /** True once the TAIL section has been read. */
  get complete(): boolean {
    return this.state === Phase.Done;
  }

  /**
   * Consume a chunk, appending the events of every section it completes to `out`. On a format error, `out`
   * holds the events completed before it and the error is thrown (and rethrown by every later call).
   */
  push(chunk: Uint8Array, out: DumpEvent[]): void {
    if (this.failure) throw this.failure;
    // views of a plain Uint8Array are cheaper to make than a Buffer's (FastBuffer) ones, and there is one a section
    if (chunk.constructor !== Uint8Array) chunk = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    try {
      this.consume(chunk, out);
    } catch (e) {
      if (e instanceof DumpFormatError) this.failure = e;
      throw e;
    }
  }

  /** Declare the end of input: throws unless the dump ended with its TAIL section. */
  end(): void {
    if (this.failure) throw this.failure;
    let problem: string | null = null;
    switch (this.state) {
      case Phase.Done:
        return;
      case Phase.Preamble:
        problem = this.headFill === 0 ? 'the input is empty' : `input ends after ${this.headFill} of the ${PREAMBLE_BYTES} preamble bytes (truncated)`;
        break;
      case Phase.Header:
        if (this.headFill === 0) {
          this.ordinal++;
          this.sectionStart = this.position;
          this.sectionLabel = null;
          problem = 'input ends without a TAIL section (truncated)';
        } else {
          this.ordinal++;
          this.sectionStart = this.position - this.headFill;
          this.sectionLabel = this.headFill >= 4 ? describeTypeCode(this.headView.getUint32(0, true)) : null;
          problem = `input ends after ${this.headFill} of the ${SECTION_HEADER_BYTES} section header bytes (truncated)`;
        }
        break;
      case Phase.Body:
      case Phase.Skip:
        problem = `input ends after ${this.bodyFill} of the ${this.bodyLength} body bytes (truncated)`;
        break;
      case Phase.Padding:
        problem = `input ends inside the padding after the body (truncated)`;
        break;
    }
    this.failure = new DumpFormatError(this.location(), problem);
    throw this.failure;
  }

  private location(): DumpLocation {
    if (this.state === Phase.Preamble) return { source: this.name, section: null, ordinal: 0, offset: 0 };
    return { source: this.name, section: this.sectionLabel, ordinal: this.ordinal, offset: this.sectionStart };
  }

  private fail(detail: string): never {
    throw new DumpFormatError(this.location(), detail);
  }

  private consume(chunk: Uint8Array, out: DumpEvent[]): void {
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      switch (this.state) {
        case Phase.Preamble:
        case Phase.Header: {
          const want = (this.state === Phase.Preamble ? PREAMBLE_BYTES : SECTION_HEADER_BYTES) - this.headFill;
          const take = Math.min(want, n - i);
          for (let k = 0; k < take; k++) this.head[this.headFill + k] = chunk[i + k]; // at most 24 bytes: no view
          this.headFill += take;
          i += take;
          this.position += take;
          if (take === want) {
            if (this.state === Phase.Preamble) this.checkPreamble();
            else this.startSection(out);
          }
          break;
        }
        case Phase.Body: {
          const want = this.bodyLength - this.bodyFill;
          const take = Math.min(want, n - i);
          const piece = chunk.subarray(i, i + take);
          i += take;
          this.position += take;
          this.bodyFill += take;
          if (take === want && this.bodyPieces.length === 0) {
            this.finishBody(piece, out);
          } else {
            // keep a reference, not a copy: stream chunks are not reused by their producers
            this.bodyPieces.push(piece);
            if (take === want) this.finishBody(null, out);
          }
          break;
        }
        case Phase.Skip: {
          const take = Math.min(this.bodyLength - this.bodyFill, n - i);
          this.skipHash!.update(chunk.subarray(i, i + take));
          i += take;
          this.position += take;
          this.bodyFill += take;
          if (this.bodyFill === this.bodyLength) {
            this.verifyChecksum(this.skipHash!.digest());
            this.startPadding(out);
          }
          break;
        }
        case Phase.Padding: {
          while (this.paddingLeft > 0 && i < n) {
            if (chunk[i] !== 0) this.fail(`padding byte at ${this.position} is ${chunk[i]}, not 0`);
            i++;
            this.position++;
            this.paddingLeft--;
          }
          if (this.paddingLeft === 0) this.completeSection(out);
          break;
        }
        case Phase.Done:
          this.ordinal++;
          this.sectionStart = this.position;
          this.sectionLabel = null;
          this.fail('data after the TAIL section, which must be last');
      }
    }
  }

  private checkPreamble(): void {
    for (let k = 0; k < PREAMBLE_MAGIC.length; k++) {
      if (this.head[k] !== PREAMBLE_MAGIC[k]) this.fail('bad magic: not a UPM page-hash dump');
    }
    const major = this.headView.getUint16(8, true);
    if (major !== DUMP_MAJOR_VERSION) this.fail(`format major version ${major} is not supported (this reader reads version ${DUMP_MAJOR_VERSION})`);
    const reserved = this.headView.getUint32(12, true);
    if (reserved !== 0) this.fail(`reserved preamble field is 0x${reserved.toString(16)}, not 0`);
    this.state = Phase.Header;
    this.headFill = 0;
  }

  /** A section header is complete: check framing and order before reading (or allocating for) the body. */
  private startSection(out: DumpEvent[]): void {
    const code = this.headView.getUint32(0, true);
    const flags = this.headView.getUint32(4, true);
    this.ordinal++;
    this.sectionStart = this.position - SECTION_HEADER_BYTES;
    const type = sectionTypeOf(code) ?? null;
    this.sectionType = type;
    this.sectionLabel = describeTypeCode(code);

    if ((flags & ~FLAG_SKIPPABLE) !== 0) this.fail(`reserved flag bits are set (flags 0x${flags.toString(16)})`);
    if (type === null) {
      if ((flags & FLAG_SKIPPABLE) === 0) this.fail('unknown section type, not marked skippable');
      if (this.header === null) this.fail('the first section must be HEAD');
    } else {
      if ((flags & FLAG_SKIPPABLE) !== 0) this.fail('a core section must not be marked skippable');
      this.checkOrder(type);
    }

    const lengthLo = this.headView.getUint32(8, true);
    const lengthHi = this.headView.getUint32(12, true);
    const formatLimit = type === 'PAGE' || type === null ? MAX_PAGE_SECTION_BYTES : MAX_JSON_SECTION_BYTES;
    if (lengthHi !== 0 || lengthLo > formatLimit) {
      const what = type === null ? 'any section' : type === 'PAGE' ? 'PAGE sections' : 'JSON sections';
      this.fail(`body length ${this.headView.getBigUint64(8, true)} exceeds the ${formatLimit} byte limit of ${what}`);
    }
    if (lengthLo > this.maxSectionBytes) this.fail(`body length ${lengthLo} exceeds the reader's limit of ${this.maxSectionBytes} bytes`);

    this.bodyLength = lengthLo;
    this.bodyFill = 0;
    this.bodyPieces = [];
    this.headFill = 0;
    if (type === null) {
      this.skipHash = (this.skipHash ?? new Xxh64Stream()).reset().update(this.head.subarray(0, CHECKSUMMED_HEADER_BYTES));
      this.state = Phase.Skip;
      if (lengthLo === 0) {
        this.verifyChecksum(this.skipHash.digest());
        this.startPadding(out);
      }
    } else {
      this.state = Phase.Body;
      if (lengthLo === 0) this.finishBody(new Uint8Array(0), out);
    }
  }

  private checkOrder(type: SectionType): void {
    if (type === 'HEAD') {
      if (this.header !== null || this.ordinal !== 1) this.fail('HEAD must be the first section and appear once');
      return;
    }
    if (this.header === null) this.fail('the first section must be HEAD');
    if (type === 'PROC' && this.snapshots === 0) this.fail('PROC before any SNAP: processes belong to a snapshot');
    if (type === 'PAGE' && this.process === null) this.fail('PAGE without a preceding PROC in its snapshot');
    if (type === 'TAIL' && this.snapshots === 0) this.fail('TAIL before any SNAP: a dump holds at least one snapshot');
  }

  private verifyChecksum(actual: { lo: number; hi: number }): void {
    const lo = this.headView.getUint32(16, true);
    const hi = this.headView.getUint32(20, true);
    if (actual.lo !== lo || actual.hi !== hi) {
      this.fail(`checksum mismatch: header says ${hex64(lo, hi)}, content hashes to ${hex64(actual.lo, actual.hi)}`);
    }
  }

  /**
   * The whole body is here (in `whole`, or in bodyPieces). A body inside one chunk at a 4-byte aligned
   * address (any chunk of a file stream: sections are 8-aligned in the file) is checked and decoded where it
   * is, its PAGE columns viewing the chunk, which readDump's contract says is never reused. Otherwise it is
   * copied once, 8-aligned: PAGE bodies to memory their column views keep, JSON bodies to scratch. The
   * checksum covers the header's first 16 bytes, then the body (xxh64Section joins them).
   */
  private finishBody(whole: Uint8Array | null, out: DumpEvent[]): void {
    const length = this.bodyLength;
    let body: Uint8Array;
    if (whole !== null && (whole.byteOffset & 3) === 0) {
      body = whole;
    } else {
      const size = length + padTo8(length);
      let buffer: ArrayBuffer;
      let base: number;
      if (this.sectionType === 'PAGE') {
        this.memory.reserve(size);
        buffer = this.memory.buffer;
        base = this.memory.offset;
      } else {
        if (this.scratch.byteLength < size) this.scratch = new ArrayBuffer(Math.max(size, 2 * this.scratch.byteLength));
        buffer = this.scratch;
        base = 0;
      }
      body = new Uint8Array(buffer, base, length);
      if (whole !== null) {
        body.set(whole);
      } else {
        let at = 0;
        for (const piece of this.bodyPieces) {
          body.set(piece, at);
          at += piece.length;
        }
        this.bodyPieces = [];
      }
    }
    this.verifyChecksum(xxh64Section(this.checksummedHead, body));
    try {
      this.pending = this.decodeBody(body);
    } catch (e) {
      if (e instanceof InvalidSection) this.fail(e.detail);
      throw e;
    }
    this.startPadding(out);
  }

  private startPadding(out: DumpEvent[]): void {
    this.paddingLeft = padTo8(this.bodyLength);
    this.state = Phase.Padding;
    if (this.paddingLeft === 0) this.completeSection(out);
  }

  private completeSection(out: DumpEvent[]): void {
    if (this.pending !== null) {
      out.push(this.pending);
      this.pending = null;
    }
    this.state = this.sectionType === 'TAIL' ? Phase.Done : Phase.Header;
  }

  private decodeBody(body: Uint8Array): DumpEvent {
    const length = body.length;
    const offset = this.sectionStart;
    if (this.sectionType === 'PAGE') {
      const block = decodePageBlock(body, this.blockContext);
      this.pageSections++;
      this.pages += block.count;
      return { kind: 'pages', block, offset };
    }
    const json = parseJson(body);
    switch (this.sectionType) {
      case 'HEAD': {
        const header = validateHeader(json);
        this.header = header;
        this.blockContext.pfnReadable = header.host.pfnReadable;
        this.blockContext.pageFlagsReadable = header.host.pageFlagsReadable;
        return { kind: 'header', header, offset };
      }
      case 'SNAP': {
        const snapshot = validateSnapshot(json);
        if (snapshot.index !== this.snapshots) throw new InvalidSection(`index is ${snapshot.index}, expected ${this.snapshots}: snapshots are numbered 0, 1, 2, ... in order`);
        if (this.snapshots === 0 && snapshot.elapsedMs !== 0) throw new InvalidSection(`elapsedMs is ${snapshot.elapsedMs}, but the first snapshot is at 0`);
        if (snapshot.elapsedMs < this.lastElapsedMs) throw new InvalidSection(`elapsedMs ${snapshot.elapsedMs} is before the previous snapshot's ${this.lastElapsedMs}`);
        this.snapshots++;
        this.lastElapsedMs = snapshot.elapsedMs;
        this.process = null;
        this.processKeys = new Set();
        return { kind: 'snapshot', snapshot, offset };
      }
      case 'PROC': {
        const pageSize = this.header!.pageSize;
        const process = validateProcess(json, pageSize);
        const key = `${process.pid}/${process.startTime}`;
        if (this.processKeys.has(key)) throw new InvalidSection(`process ${process.pid} (startTime ${process.startTime}) appears twice in snapshot ${this.snapshots - 1}`);
        this.processKeys.add(key);
        this.processes++;
        this.process = process;
        const ctx = this.blockContext;
        ctx.vmaPages = Float64Array.from(process.vmas, (v) => (v.end - v.start) / pageSize);
        ctx.prevVma = -1;
        ctx.prevEnd = 0;
        return { kind: 'process', process, offset };
      }
      case 'TAIL': {
        const tail = validateTail(json);
        const actual = { snapshots: this.snapshots, processes: this.processes, pageSections: this.pageSections, pages: this.pages };
        for (const key of ['snapshots', 'processes', 'pageSections', 'pages'] as const) {
          if (tail[key] !== actual[key]) throw new InvalidSection(`${key} is ${tail[key]} but the dump holds ${actual[key]}`);
        }
        return { kind: 'end', tail, offset, bytes: this.sectionStart + SECTION_HEADER_BYTES + length + padTo8(length) };
      }
      default:
        throw new Error(`unreachable: section type ${String(this.sectionType)}`);
    }
  }
}

function parseJson(bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new InvalidSection('body is not valid UTF-8');
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    // SyntaxError, or RangeError from absurd nesting: both mean a malformed body
    throw new InvalidSection(`body is not valid JSON: ${(e as Error).message}`);
  }
}
