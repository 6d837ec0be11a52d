/**
 * Binary container of a normalized trace, so the API can store it and the worker can load it.
 *
 *   offset 0   8 bytes  magic "UPMTRACE"
 *          8   u32 LE   container version (1)
 *         12   u32 LE   H = header length in bytes
 *         16   H bytes  header: UTF-8 JSON (metadata, functions in columns, section table)
 *              padding to a multiple of 8
 *              sections: little-endian typed arrays (u32 / f64), each at an 8-aligned offset
 *        end-8 u32 LE   CRC-32 (IEEE) of every byte before it
 *        end-4 4 bytes  "TEND"
 *
 * decodeTrace validates everything it returns (magic, version, CRC, section bounds, JSON shapes, CSR and
 * timestamp invariants, and the invocation total) and throws TraceError('BAD_SERIALIZATION') otherwise.
 */
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import { isCount, isFiniteNumber, isObject } from '../validation';
import { TraceError } from './errors';
import { computeTraceStats } from './stats';
import {
  Arrivals,
  DURATION_PERCENTILES,
  DurationFigures,
  FileReadSummary,
  JoinReport,
  MEMORY_PERCENTILES,
  MemoryFigures,
  NormalizedTrace,
  TRACE_FORMATS,
  TraceFormat,
  TraceFunction,
  isTrigger,
} from './types';

export const TRACE_MAGIC = 'UPMTRACE';
export const TRACE_CONTAINER_VERSION = 1;
const TRAILER = 'TEND';

type SectionType = 'u32' | 'f64';
interface Section {
  name: string;
  type: SectionType;
  offset: number;
  length: number;
}

/** Durations row: [averageMs, count, minimumMs, maximumMs, p0, p1, p25, p50, p75, p99, p100]. */
type DurationTuple = (number | null)[];
/** Memory row: [scope (0 app, 1 function), sampleCount, averageMb, p1, p5, p25, p50, p75, p95, p99, p100]. */
type MemoryTuple = (number | null)[];

interface Header {
  schemaVersion: 1;
  format: TraceFormat;
  window: { startS: number; endS: number };
  functions: {
    id: string[];
    app: string[];
    owner: string[];
    trigger: string[];
    durations: (DurationTuple | null)[];
    memory: (MemoryTuple | null)[];
  };
  files: FileReadSummary[];
  joinReport: JoinReport | null;
  unjoined: number;
  arrivalsKind: Arrivals['kind'];
  sections: Section[];
}

function assertLittleEndian(): void {
  if (os.endianness() !== 'LE')
    throw new TraceError(
      'BAD_SERIALIZATION',
      'the trace container is little-endian; big-endian hosts are not supported',
    );
}

/** The trace container, in pieces whose concatenation is encodeTrace's bytes; array data is not copied. */
// Long: the container's sections written in the order decodeTrace reads them; kept side by side with it.
export function encodeTraceChunks(trace: NormalizedTrace): Uint8Array[] {
  assertLittleEndian();
  const arrays: { name: string; type: SectionType; data: Uint32Array | Float64Array }[] =
    trace.arrivals.kind === 'minute-counts'
      ? [
          { name: 'rowPtr', type: 'u32', data: trace.arrivals.rowPtr },
          { name: 'slot', type: 'u32', data: trace.arrivals.slot },
          { name: 'count', type: 'u32', data: trace.arrivals.count },
        ]
      : [
          { name: 'fn', type: 'u32', data: trace.arrivals.fn },
          { name: 'startS', type: 'f64', data: trace.arrivals.startS },
          { name: 'durationMs', type: 'f64', data: trace.arrivals.durationMs },
        ];
  const fns = trace.functions;
  const header: Header = {
    schemaVersion: 1,
    format: trace.format,
    window: trace.window,
    functions: {
      id: fns.map((f) => f.id),
      app: fns.map((f) => f.app),
      owner: fns.map((f) => f.owner),
      trigger: fns.map((f) => f.trigger),
      durations: fns.map((f) =>
        f.durations
          ? [
              f.durations.averageMs,
              f.durations.count,
              f.durations.minimumMs,
              f.durations.maximumMs,
              ...f.durations.percentilesMs,
            ]
          : null,
      ),
      memory: fns.map((f) =>
        f.memory
          ? [f.memory.scope === 'function' ? 1 : 0, f.memory.sampleCount, f.memory.averageMb, ...f.memory.percentilesMb]
          : null,
      ),
    },
    files: trace.files,
    joinReport: trace.joinReport,
    unjoined: trace.stats.unjoined,
    arrivalsKind: trace.arrivals.kind,
    sections: [],
  };
  // Section offsets depend on the header length, which depends on the offsets' digits: iterate to a fixpoint.
  let json = '';
  let headerLen = 0;
  for (let guess = 0; ;) {
    let off = align8(16 + guess);
    header.sections = arrays.map((a) => {
      const s: Section = { name: a.name, type: a.type, offset: off, length: a.data.length };
      off = align8(off + a.data.byteLength);
      return s;
    });
    json = JSON.stringify(header);
    headerLen = Buffer.byteLength(json, 'utf8');
    if (headerLen === guess) break;
    guess = headerLen;
  }
  // The container as a list of pieces: the header, then views over the trace's own arrays (no copy), so a
  // large trace can be stored without a second copy of its arrivals in memory.
  const prefixLen = align8(16 + headerLen);
  const prefix = Buffer.alloc(prefixLen);
  prefix.write(TRACE_MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(TRACE_CONTAINER_VERSION, 8);
  prefix.writeUInt32LE(headerLen, 12);
  prefix.write(json, 16, 'utf8');
  const pieces: Uint8Array[] = [prefix];
  let at = prefixLen;
  arrays.forEach((a, i) => {
    const s = header.sections[i];
    if (s.offset > at) pieces.push(new Uint8Array(s.offset - at));
    pieces.push(new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength));
    at = s.offset + a.data.byteLength;
  });
  const dataEnd = align8(at);
  if (dataEnd > at) pieces.push(new Uint8Array(dataEnd - at));
  let crc = CRC_INIT;
  for (const piece of pieces) crc = crc32Update(crc, piece);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32Final(crc), 0);
  trailer.write(TRAILER, 4, 'latin1');
  pieces.push(trailer);
  return pieces;
}

/** The trace container as one buffer (see encodeTraceChunks). */
export function encodeTrace(trace: NormalizedTrace): Buffer {
  return Buffer.concat(encodeTraceChunks(trace));
}

// Long: the container's sections read in the order encodeTraceChunks writes them, each checked before use.
export function decodeTrace(bytes: Uint8Array): NormalizedTrace {
  assertLittleEndian();
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (why: string): never => {
    throw new TraceError('BAD_SERIALIZATION', `not a valid serialized trace: ${why}`);
  };
  if (buf.length < 24) fail(`${buf.length} bytes is too short`);
  if (buf.toString('latin1', 0, 8) !== TRACE_MAGIC) fail('bad magic (expected "UPMTRACE")');
  const version = buf.readUInt32LE(8);
  if (version !== TRACE_CONTAINER_VERSION)
    fail(`container version ${version} is not supported (expected ${TRACE_CONTAINER_VERSION})`);
  if (buf.toString('latin1', buf.length - 4) !== TRAILER) fail('missing trailer (truncated?)');
  const dataEnd = buf.length - 8;
  const stored = buf.readUInt32LE(dataEnd);
  const actual = crc32(buf.subarray(0, dataEnd));
  if (stored !== actual) fail(`CRC mismatch (stored ${hex(stored)}, computed ${hex(actual)})`);
  const headerLen = buf.readUInt32LE(12);
  if (16 + headerLen > dataEnd) fail('header length beyond the end');
  let h: Header;
  try {
    h = JSON.parse(buf.toString('utf8', 16, 16 + headerLen)) as Header;
  } catch (e) {
    return fail(`header is not JSON: ${(e as Error).message}`);
  }
  check(isObject(h), 'header is not an object');
  check(h.schemaVersion === 1, `schemaVersion ${String(h.schemaVersion)} is not supported`);
  check((TRACE_FORMATS as readonly unknown[]).includes(h.format), `unknown format ${JSON.stringify(h.format)}`);
  check(
    isObject(h.window) &&
      isFiniteNumber(h.window.startS) &&
      isFiniteNumber(h.window.endS) &&
      h.window.startS <= h.window.endS,
    'bad window',
  );
  check(isCount(h.unjoined), 'bad unjoined count');
  check(h.arrivalsKind === 'minute-counts' || h.arrivalsKind === 'timestamps', 'bad arrivals kind');
  check(Array.isArray(h.files), 'bad files list');
  check(
    h.joinReport === null ||
      (isObject(h.joinReport) && isCount(h.joinReport.unjoined) && isCount(h.joinReport.functions)),
    'bad join report',
  );

  const functions = decodeFunctions(h.functions);
  const n = functions.length;

  check(Array.isArray(h.sections), 'bad section table');
  const sections = new Map<string, Uint32Array | Float64Array>();
  let prevEnd = align8(16 + headerLen);
  for (const s of h.sections) {
    check(isObject(s) && typeof s.name === 'string' && (s.type === 'u32' || s.type === 'f64'), 'bad section entry');
    check(isCount(s.offset) && isCount(s.length) && s.offset % 8 === 0, `bad section ${s.name} placement`);
    const width = s.type === 'u32' ? 4 : 8;
    check(
      s.offset >= prevEnd && s.offset + s.length * width <= dataEnd,
      `section ${s.name} out of bounds or overlapping`,
    );
    check(!sections.has(s.name), `section ${s.name} twice`);
    prevEnd = s.offset + s.length * width;
    const raw = new Uint8Array(s.length * width);
    raw.set(buf.subarray(s.offset, s.offset + s.length * width));
    sections.set(s.name, s.type === 'u32' ? new Uint32Array(raw.buffer) : new Float64Array(raw.buffer));
  }
  const need = <T extends Uint32Array | Float64Array>(name: string, ctor: { new (...a: never[]): T }): T => {
    const a = sections.get(name);
    if (!(a instanceof ctor)) return fail(`missing or mistyped section ${name}`);
    return a;
  };

  let arrivals: Arrivals;
  if (h.arrivalsKind === 'minute-counts') {
    const rowPtr = need('rowPtr', Uint32Array);
    const slot = need('slot', Uint32Array);
    const count = need('count', Uint32Array);
    check(
      rowPtr.length === n + 1 && rowPtr[0] === 0 && rowPtr[n] === slot.length && slot.length === count.length,
      'CSR shape mismatch',
    );
    const lo = h.window.startS / 60;
    const hi = h.window.endS / 60;
    for (let f = 0; f < n; f++) {
      check(rowPtr[f] <= rowPtr[f + 1], `rowPtr decreases at function ${f}`);
      for (let e = rowPtr[f]; e < rowPtr[f + 1]; e++) {
        check(count[e] > 0, `zero count stored at entry ${e}`);
        check(slot[e] >= lo && slot[e] < hi, `slot ${slot[e]} outside the window`);
        check(e === rowPtr[f] || slot[e] > slot[e - 1], `slots not ascending for function ${f}`);
      }
    }
    arrivals = { kind: 'minute-counts', rowPtr, slot, count };
  } else {
    const fn = need('fn', Uint32Array);
    const startS = need('startS', Float64Array);
    const durationMs = need('durationMs', Float64Array);
    check(fn.length === startS.length && fn.length === durationMs.length, 'timestamp columns differ in length');
    for (let i = 0; i < fn.length; i++) {
      check(fn[i] < n, `function index ${fn[i]} out of range`);
      check(Number.isFinite(startS[i]) && (i === 0 || startS[i] >= startS[i - 1]), `start times not sorted at ${i}`);
      check(Number.isFinite(durationMs[i]) && durationMs[i] >= 0, `bad duration at ${i}`);
    }
    arrivals = { kind: 'timestamps', fn, startS, durationMs };
  }
  return {
    schemaVersion: 1,
    format: h.format,
    window: { startS: h.window.startS, endS: h.window.endS },
    functions,
    arrivals,
    files: h.files,
    joinReport: h.joinReport,
    stats: computeTraceStats(functions, arrivals, h.unjoined),
  };
}

function decodeFunctions(fx: Header['functions']): TraceFunction[] {
  check(isObject(fx), 'bad functions table');
  const cols = [fx.id, fx.app, fx.owner, fx.trigger, fx.durations, fx.memory];
  check(cols.every(Array.isArray), 'bad functions columns');
  const n = fx.id.length;
  check(
    cols.every((c) => c.length === n),
    'functions columns differ in length',
  );
  const out = new Array<TraceFunction>(n);
  for (let i = 0; i < n; i++) {
    const [id, app, owner, trigger] = [fx.id[i], fx.app[i], fx.owner[i], fx.trigger[i]];
    check(typeof id === 'string' && typeof app === 'string' && typeof owner === 'string', `bad ids of function ${i}`);
    check(typeof trigger === 'string' && isTrigger(trigger), `bad trigger of function ${i}`);
    const d = fx.durations[i];
    let durations: DurationFigures | null = null;
    if (d !== null) {
      check(isTuple(d, 4 + DURATION_PERCENTILES.length), `bad durations of function ${i}`);
      durations = { averageMs: d[0], count: d[1], minimumMs: d[2], maximumMs: d[3], percentilesMs: d.slice(4) };
    }
    const m = fx.memory[i];
    let memory: MemoryFigures | null = null;
    if (m !== null) {
      check(isTuple(m, 3 + MEMORY_PERCENTILES.length) && (m[0] === 0 || m[0] === 1), `bad memory of function ${i}`);
      memory = {
        scope: m[0] === 1 ? 'function' : 'app',
        sampleCount: m[1],
        averageMb: m[2],
        percentilesMb: m.slice(3),
      };
    }
    out[i] = { id, app, owner, trigger, durations, memory };
  }
  return out;
}

export async function writeTraceFile(path: string, trace: NormalizedTrace): Promise<void> {
  await fsp.writeFile(path, encodeTrace(trace));
}

export async function readTraceFile(path: string): Promise<NormalizedTrace> {
  let bytes: Buffer;
  try {
    bytes = await fsp.readFile(path);
  } catch (e) {
    throw new TraceError('IO', `${path}: cannot read: ${(e as Error).message}`, { file: path });
  }
  return decodeTrace(bytes);
}

function check(cond: unknown, why: string): asserts cond {
  if (!cond) throw new TraceError('BAD_SERIALIZATION', `not a valid serialized trace: ${why}`);
}
/** Parsed JSON is typed by the Header cast; these checks (the shared predicates of ../validation) make it honest. */
/** A duration or memory figure: null, or a finite non-negative number (called for every figure of every function). */
function isFigure(v: unknown): boolean {
  return v === null || (isFiniteNumber(v) && v >= 0);
}
function isTuple(x: unknown, len: number): x is (number | null)[] {
  return Array.isArray(x) && x.length === len && x.every(isFigure);
}
function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}
function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}

let CRC_TABLE: Int32Array | null = null;
const CRC_INIT = -1;

/** Continues a CRC-32 over more bytes; start from CRC_INIT and finish with crc32Final. */
function crc32Update(crc: number, data: Uint8Array): number {
  if (!CRC_TABLE) {
    CRC_TABLE = new Int32Array(256);
    for (let i = 0; i < 256; i++) {
      let c = i;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      CRC_TABLE[i] = c;
    }
  }
  const t = CRC_TABLE;
  for (let i = 0; i < data.length; i++) crc = t[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return crc;
}

function crc32Final(crc: number): number {
  return (crc ^ -1) >>> 0;
}

/** CRC-32 (IEEE 802.3, reflected, as zlib). */
export function crc32(data: Uint8Array): number {
  return crc32Final(crc32Update(CRC_INIT, data));
}
