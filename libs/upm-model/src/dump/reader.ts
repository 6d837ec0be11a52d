/** Streaming reader of page-hash dumps, and loaders that build the flat per-process columns. */
import { createReadStream } from 'node:fs';
import { DumpDecoder, type DumpDecoderOptions } from './decoder';
import type { Dump, DumpEvent, DumpHeader, PageBlock, ProcessInfo, ProcessPages, Snapshot } from './types';

export type ReadDumpOptions = DumpDecoderOptions;

export type DumpSource = AsyncIterable<Uint8Array> | NodeJS.ReadableStream;

/**
 * File reads of 256 KiB: sections are decoded in place while the chunk read() just filled is still in cache
 * (bench:dump-reader: 15-25% less CPU than 1 MiB chunks, and 4 MiB ones cost twice as much).
 */
const FILE_CHUNK_BYTES = 1 << 18;

function sourceName(source: unknown): string | undefined {
  const path = (source as { path?: unknown }).path;
  return typeof path === 'string' ? path : undefined;
}

/**
 * Stream the sections of a dump as events, validating as it goes. Holds one section at a time. Throws a
 * DumpFormatError (after yielding every event before the problem) when the input is not a valid dump.
 * Page blocks may view the chunks they came in (no copy), so a source must not reuse a chunk's memory after
 * yielding it (Node streams never do); a retained block keeps its chunk alive.
 */
export async function* readDump(source: DumpSource, opts: ReadDumpOptions = {}): AsyncGenerator<DumpEvent, void, undefined> {
  const decoder = new DumpDecoder({ ...opts, name: opts.name ?? sourceName(source) });
  const events: DumpEvent[] = [];
  for await (const chunk of source as AsyncIterable<Uint8Array | string>) {
    let failure: unknown = null;
    try {
      decoder.push(binaryChunk(chunk), events);
    } catch (e) {
      failure = e;
    }
    for (let k = 0; k < events.length; k++) yield events[k];
    events.length = 0;
    if (failure !== null) throw failure;
  }
  decoder.end();
}

function binaryChunk(chunk: Uint8Array | string): Uint8Array {
  if (typeof chunk === 'string') throw new TypeError('readDump needs binary chunks; the stream has a text encoding set');
  return chunk;
}

/**
 * Feed every event of a stream to `add`, a chunk's events at a time: what readDump does without an await per
 * event (tens of thousands of PAGE sections make that a measurable cost of loadDump).
 */
async function forEachEvent(source: DumpSource, opts: ReadDumpOptions, add: (event: DumpEvent) => void): Promise<void> {
  const decoder = new DumpDecoder({ ...opts, name: opts.name ?? sourceName(source) });
  const events: DumpEvent[] = [];
  for await (const chunk of source as AsyncIterable<Uint8Array | string>) {
    decoder.push(binaryChunk(chunk), events);
    for (let k = 0; k < events.length; k++) add(events[k]);
    events.length = 0;
  }
  decoder.end();
}

/** readDump over a file; the path names it in error messages unless opts.name is given. */
export function readDumpFile(path: string, opts: ReadDumpOptions = {}): AsyncGenerator<DumpEvent, void, undefined> {
  return readDump(openFile(path), { ...opts, name: opts.name ?? path });
}

function openFile(path: string): NodeJS.ReadableStream {
  return createReadStream(path, { highWaterMark: FILE_CHUNK_BYTES });
}

/** All events of a dump held in memory (tests, small uploads); page blocks may view `bytes`. */
export function decodeDump(bytes: Uint8Array, opts: ReadDumpOptions = {}): DumpEvent[] {
  const decoder = new DumpDecoder(opts);
  const events: DumpEvent[] = [];
  decoder.push(bytes, events);
  decoder.end();
  return events;
}

/** Builds a Dump from events: concatenates each process's blocks into flat columns. */
export class DumpAssembler {
  private header: DumpHeader | null = null;
  private readonly snapshots: Snapshot[] = [];
  private process: ProcessInfo | null = null;
  private blocks: PageBlock[] = [];
  private bytes = 0;

  add(event: DumpEvent): void {
    switch (event.kind) {
      case 'header':
        this.header = event.header;
        break;
      case 'snapshot':
        this.flushProcess();
        this.snapshots.push({ info: event.snapshot, processes: [] });
        break;
      case 'process':
        this.flushProcess();
        this.process = event.process;
        break;
      case 'pages':
        this.blocks.push(event.block);
        break;
      case 'end':
        this.flushProcess();
        this.bytes = event.bytes ?? 0;
        break;
    }
  }

  result(): Dump {
    this.flushProcess();
    if (this.header === null) throw new Error('DumpAssembler: no header event');
    return { header: this.header, snapshots: this.snapshots, bytes: this.bytes };
  }

  private flushProcess(): void {
    if (this.process === null) return;
    const snapshot = this.snapshots[this.snapshots.length - 1];
    snapshot.processes.push(flattenProcess(this.process, this.blocks));
    this.process = null;
    this.blocks = [];
  }
}

/** Concatenate a process's blocks into the flat columns of ProcessPages. */
export function flattenProcess(info: ProcessInfo, blocks: readonly PageBlock[]): ProcessPages {
  let count = 0;
  let withPfns = false;
  for (const b of blocks) {
    count += b.count;
    if (b.pfns !== null) withPfns = true;
  }
  const vmaOf = new Uint32Array(count);
  const pageIndex = new Float64Array(count);
  const hashLo = new Uint32Array(count);
  const hashHi = new Uint32Array(count);
  const pfn = withPfns ? new Float64Array(count) : null;
  const flags = new Uint8Array(count);
  let at = 0;
  for (const b of blocks) {
    vmaOf.fill(b.vmaIndex, at, at + b.count);
    let k = at;
    for (let r = 0; r < b.runs.length; r += 2) {
      const first = b.baseIndex + b.runs[r];
      const end = first + b.runs[r + 1];
      for (let p = first; p < end; p++) pageIndex[k++] = p;
    }
    const h = b.hashes;
    for (let i = 0; i < b.count; i++) {
      hashLo[at + i] = h[2 * i];
      hashHi[at + i] = h[2 * i + 1];
    }
    if (pfn !== null && b.pfns !== null) pfn.set(b.pfns, at);
    flags.set(b.flags, at);
    at += b.count;
  }
  return { info, count, vmaOf, pageIndex, hashLo, hashHi, pfn, flags };
}

/**
 * Load a whole dump for analysis: a file path, bytes in memory, or a stream. Pages become flat typed-array
 * columns per process (memory: about 30 bytes a page).
 */
export async function loadDump(source: string | Uint8Array | DumpSource, opts: ReadDumpOptions = {}): Promise<Dump> {
  if (source instanceof Uint8Array) return loadDumpBytes(source, opts);
  const assembler = new DumpAssembler();
  if (typeof source === 'string') await forEachEvent(openFile(source), { ...opts, name: opts.name ?? source }, (e) => assembler.add(e));
  else await forEachEvent(source, opts, (e) => assembler.add(e));
  return assembler.result();
}

/** loadDump of bytes already in memory, synchronously. */
export function loadDumpBytes(bytes: Uint8Array, opts: ReadDumpOptions = {}): Dump {
  const assembler = new DumpAssembler();
  for (const event of decodeDump(bytes, opts)) assembler.add(event);
  return assembler.result();
}
