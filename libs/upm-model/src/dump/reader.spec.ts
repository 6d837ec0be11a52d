import { createReadStream, createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { XXHash64 } from 'xxhash-addon';
import {
  DumpFormatError,
  DumpWriter,
  PageFlag,
  decodeDump,
  loadDump,
  loadDumpBytes,
  readDump,
  readDumpFile,
  synthesizeDump,
  syntheticHeader,
  type DumpEvent,
  type DumpHeader,
  type ProcessInfo,
} from './index';
import { encodeRawSection, joinSections, splitSections } from './raw';
import { sampleDumpSpec } from './test-dumps';

const NAME = 'x.dump';

/** Chunks of `size` bytes (each a fresh copy, as a stream would deliver). */
async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield Uint8Array.prototype.slice.call(bytes, at, at + size);
}

async function collect(events: AsyncIterable<DumpEvent>): Promise<DumpEvent[]> {
  const out: DumpEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

/** The error of decoding `bytes`, checked to be the same in one piece and streamed in odd chunks. */
async function errorOf(bytes: Uint8Array): Promise<DumpFormatError> {
  let sync: unknown;
  try {
    decodeDump(bytes, { name: NAME });
  } catch (e) {
    sync = e;
  }
  expect(sync).toBeInstanceOf(DumpFormatError);
  let streamed: unknown;
  try {
    await collect(readDump(chunked(bytes, 7), { name: NAME }));
  } catch (e) {
    streamed = e;
  }
  expect(streamed).toBeInstanceOf(DumpFormatError);
  expect((streamed as Error).message).toBe((sync as Error).message);
  return sync as DumpFormatError;
}

async function expectError(bytes: Uint8Array, message: string): Promise<void> {
  expect((await errorOf(bytes)).message).toBe(message);
}

// ---------------------------------------------------------------------------------------------------------
// A dump assembled section by section from JSON objects and raw PAGE bodies, so each test can break one thing.

const PAGE_SIZE = 4096;
const HEAD: DumpHeader = syntheticHeader({ header: { labels: { function: 'f' } } });
const VMA_BASE = 0x5555_0000_0000;

function proc(overrides: Partial<ProcessInfo> = {}): ProcessInfo {
  return {
    pid: 100,
    startTime: 5,
    comm: 'node',
    cmdline: ['node', 'server.js'],
    cgroup: '/fn/a',
    labels: {},
    snapshotTimeMs: 1,
    status: 'ok',
    ksm: null,
    rollup: { Rss: 8 },
    vmas: [
      { start: VMA_BASE, end: VMA_BASE + 512 * PAGE_SIZE, perms: 'rw-p', shared: false, kind: 'anon', pgoff: 0, flags: ['rd', 'wr'], path: '[heap]' },
      { start: VMA_BASE + 1024 * PAGE_SIZE, end: VMA_BASE + 1040 * PAGE_SIZE, perms: 'r-xp', shared: false, kind: 'file', pgoff: 0, flags: ['rd', 'ex'], path: '/lib.so' },
    ],
    ...overrides,
  };
}

interface PageSpec {
  vmaIndex?: number;
  baseIndex?: number;
  runs?: [number, number][];
  count?: number;
  runCount?: number;
  pfnWidth?: number;
  hashes?: [number, number][];
  pfns?: number[];
  flags?: number[];
  reserved?: [number, number, number];
  extraBytes?: number;
}

/** A PAGE body laid out by hand from docs/dump-format.md (independently of the writer). */
function pageBody(spec: PageSpec = {}): Uint8Array {
  const runs = spec.runs ?? [[0, 2]];
  const n = spec.count ?? runs.reduce((s, [, l]) => s + l, 0);
  const width = spec.pfnWidth ?? 0;
  const length = 24 + 8 * runs.length + (8 + width + 1) * n + (spec.extraBytes ?? 0);
  const body = new Uint8Array(Math.max(0, length) + 8 * (n + 1));
  const v = new DataView(body.buffer);
  const base = spec.baseIndex ?? 0;
  v.setUint32(0, spec.vmaIndex ?? 0, true);
  v.setUint32(4, n, true);
  v.setUint32(8, base % 2 ** 32, true);
  v.setUint32(12, Math.floor(base / 2 ** 32), true);
  v.setUint32(16, spec.runCount ?? runs.length, true);
  v.setUint8(20, width);
  (spec.reserved ?? [0, 0, 0]).forEach((b, i) => v.setUint8(21 + i, b));
  let at = 24;
  for (const [offset, len] of runs) {
    v.setUint32(at, offset, true);
    v.setUint32(at + 4, len, true);
    at += 8;
  }
  for (let i = 0; i < n; i++, at += 8) {
    const [lo, hi] = spec.hashes?.[i] ?? [i + 1, 0xabc];
    v.setUint32(at, lo, true);
    v.setUint32(at + 4, hi, true);
  }
  for (let i = 0; i < n; i++, at += width) {
    const pfn = spec.pfns?.[i] ?? 0;
    if (width === 4) v.setUint32(at, pfn, true);
    if (width === 8) v.setBigUint64(at, BigInt(pfn), true);
  }
  for (let i = 0; i < n; i++, at++) v.setUint8(at, spec.flags?.[i] ?? PageFlag.Present);
  return body.subarray(0, Math.max(0, length));
}

type Part = [type: string, body: object | Uint8Array | string, flags?: number];

const json = (o: object | string): Uint8Array => Buffer.from(typeof o === 'string' ? o : JSON.stringify(o), 'utf8');

function preamble(major = 1, minor = 0, reserved = 0, magic = 'UPMDUMP\0'): Uint8Array {
  const p = new Uint8Array(16);
  p.set(Buffer.from(magic, 'latin1'));
  const v = new DataView(p.buffer);
  v.setUint16(8, major, true);
  v.setUint16(10, minor, true);
  v.setUint32(12, reserved, true);
  return p;
}

/** A dump from parts; a TAIL with the right totals is appended unless `tail` says otherwise. */
function build(parts: Part[], tail: object | null | 'auto' = 'auto', pre = preamble()): Uint8Array {
  const sections = parts.map(([type, body, flags]) => ({ type, flags: flags ?? 0, body: body instanceof Uint8Array ? body : json(body) }));
  if (tail !== null) {
    const count = (t: string): number => parts.filter((p) => p[0] === t).length;
    const pages = parts
      .filter((p) => p[0] === 'PAGE' && p[1] instanceof Uint8Array && p[1].length >= 8)
      .reduce((s, p) => s + new DataView((p[1] as Uint8Array).buffer).getUint32(4, true), 0);
    const totals = tail === 'auto' ? { snapshots: count('SNAP'), processes: count('PROC'), pageSections: count('PAGE'), pages } : tail;
    sections.push({ type: 'TAIL', flags: 0, body: json(totals) });
  }
  return joinSections(pre, sections);
}

const SNAP0 = { index: 0, timeMs: 1, elapsedMs: 0 };

/** HEAD, SNAP, PROC, then the given parts. */
function withProcess(parts: Part[], p: ProcessInfo = proc(), head: object = HEAD): Part[] {
  return [['HEAD', head], ['SNAP', SNAP0], ['PROC', p], ...parts];
}

/** Offset of the 1-based n-th section of a dump. */
function offsetOf(bytes: Uint8Array, ordinal: number): number {
  return splitSections(bytes).sections[ordinal - 1].offset;
}

async function expectSectionError(parts: Part[], ordinal: number, type: string, detail: string, tail: object | null | 'auto' = 'auto'): Promise<void> {
  const bytes = build(parts, tail);
  await expectError(bytes, `${NAME}: ${type} section #${ordinal} at byte ${offsetOf(bytes, ordinal)}: ${detail}`);
}

async function expectPageError(page: PageSpec, detail: string, head: object = HEAD, p: ProcessInfo = proc()): Promise<void> {
  await expectSectionError(withProcess([['PAGE', pageBody(page)]], p, head), 4, 'PAGE', detail);
}

// ---------------------------------------------------------------------------------------------------------

describe('readDump: valid dumps', () => {
  it('round-trips every field written by the writer, whatever the chunking', async () => {
    const bytes = synthesizeDump(sampleDumpSpec());
    const reference = decodeDump(bytes);
    for (const size of [1, 3, 8, 24, 1000, bytes.length]) {
      expect(await collect(readDump(chunked(bytes, size)))).toEqual(reference);
    }
    const kinds = reference.map((e) => e.kind).join(' ');
    expect(kinds).toBe('header snapshot process pages pages process process pages snapshot process pages end');
    const end = reference[reference.length - 1];
    expect(end).toEqual({ kind: 'end', tail: { snapshots: 2, processes: 4, pageSections: 4, pages: 19 }, offset: expect.any(Number), bytes: bytes.length });
  });

  it('decodes every field of a hand-built dump (layout pinned independently of the writer)', () => {
    const p = proc();
    const page = pageBody({
      vmaIndex: 0,
      baseIndex: 10,
      runs: [[0, 2], [5, 1]],
      pfnWidth: 8,
      hashes: [[1, 2], [0xffffffff, 0x7fffffff], [0, 0]],
      pfns: [2 ** 40 + 3, 0, 0],
      flags: [PageFlag.Present | PageFlag.Ksm, PageFlag.Present | PageFlag.Thp | PageFlag.SoftDirty, PageFlag.Swapped],
    });
    const bytes = build(withProcess([['PAGE', page]], p));
    const events = decodeDump(bytes);
    expect(events[0]).toEqual({ kind: 'header', header: HEAD, offset: 16 });
    expect(events[1]).toEqual({ kind: 'snapshot', snapshot: SNAP0, offset: offsetOf(bytes, 2) });
    expect(events[2]).toEqual({ kind: 'process', process: p, offset: offsetOf(bytes, 3) });
    const ev = events[3];
    if (ev.kind !== 'pages') throw new Error('expected pages');
    const b = ev.block;
    expect([b.vmaIndex, b.baseIndex, b.count]).toEqual([0, 10, 3]);
    expect(Array.from(b.runs)).toEqual([0, 2, 5, 1]);
    expect(Array.from(b.hashes)).toEqual([1, 2, 0xffffffff, 0x7fffffff, 0, 0]);
    expect(b.pfns).toBeInstanceOf(Float64Array);
    expect(Array.from(b.pfns!)).toEqual([2 ** 40 + 3, 0, 0]);
    expect(Array.from(b.flags)).toEqual([0x21, 0xc1, 0x02]);
    // column views share one 8-aligned copy of the body
    expect(b.hashes.byteOffset % 8).toBe(0);
    expect(b.runs.buffer).toBe(b.hashes.buffer);
    expect(events[4]).toMatchObject({ kind: 'end', tail: { snapshots: 1, processes: 1, pageSections: 1, pages: 3 }, bytes: bytes.length });
  });

  it('verifies the checksum as XXH64 (seed 0) of header bytes 0..15 and the body, stored little-endian', () => {
    const body = json(HEAD);
    const section = encodeRawSection('HEAD', body);
    const digest = XXHash64.hash(Buffer.concat([section.subarray(0, 16), body]));
    expect(Buffer.from(section.subarray(16, 24)).reverse().toString('hex')).toBe(digest.toString('hex'));
    expect(XXHash64.hash(Buffer.from('abc')).toString('hex')).toBe('44bc2cf5ad770999');
  });

  it('exposes 4-byte PFNs as a Uint32Array view and no PFN column as null', () => {
    const bytes = build(withProcess([['PAGE', pageBody({ pfnWidth: 4, pfns: [7, 8] })], ['PAGE', pageBody({ vmaIndex: 1 })]]));
    const blocks = decodeDump(bytes).flatMap((e) => (e.kind === 'pages' ? [e.block] : []));
    expect(blocks[0].pfns).toBeInstanceOf(Uint32Array);
    expect(Array.from(blocks[0].pfns!)).toEqual([7, 8]);
    expect(blocks[1].pfns).toBeNull();
  });

  it('accepts any minor version, ignores unknown JSON keys and skips unknown skippable sections', async () => {
    const bytes = build(
      [
        ['HEAD', { ...HEAD, futureKey: { x: 1 } }],
        ['XTRA', new Uint8Array([1, 2, 3]), 1],
        ['SNAP', { ...SNAP0, extra: true }],
        ['PROC', { ...proc(), newField: [1] }],
        ['XTRA', new Uint8Array(0), 1],
        ['PAGE', pageBody()],
      ],
      'auto',
      preamble(1, 7),
    );
    const events = decodeDump(bytes);
    expect(events.map((e) => e.kind)).toEqual(['header', 'snapshot', 'process', 'pages', 'end']);
    expect(events[0]).toEqual({ kind: 'header', header: HEAD, offset: 16 });
    expect((events[2] as { process: ProcessInfo }).process).toEqual(proc());
  });

  it('keeps "__proto__" label keys as plain data', () => {
    const bytes = build(withProcess([], proc(), { ...HEAD, labels: JSON.parse('{"__proto__":"x","a":"b"}') }));
    const header = (decodeDump(bytes)[0] as { header: DumpHeader }).header;
    expect(Object.getPrototypeOf(header.labels)).toBe(Object.prototype);
    expect(Object.keys(header.labels)).toEqual(['__proto__', 'a']);
  });

  it('reads files and Node streams, and names the file in errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'upm-reader-'));
    try {
      const bytes = synthesizeDump(sampleDumpSpec());
      const path = join(dir, 'a.dump');
      writeFileSync(path, bytes);
      expect(await collect(readDumpFile(path))).toEqual(decodeDump(bytes));
      expect(await collect(readDump(createReadStream(path, { highWaterMark: 100 })))).toEqual(decodeDump(bytes));
      expect(await collect(readDump(Readable.from([Buffer.from(bytes)])))).toEqual(decodeDump(bytes));
      const bad = join(dir, 'bad.dump');
      writeFileSync(bad, bytes.subarray(0, 100));
      await expect(collect(readDumpFile(bad))).rejects.toThrow(`${bad}: HEAD section #1 at byte 16: input ends after 60 of the `);
      await expect(collect(readDump(createReadStream(bad)))).rejects.toThrow(`${bad}: HEAD section #1`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('yields the events before an error, then throws', async () => {
    const bytes = synthesizeDump(sampleDumpSpec());
    const broken = bytes.subarray(0, bytes.length - 30);
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const e of readDump(chunked(broken, 4096), { name: NAME })) seen.push(e.kind);
      })(),
    ).rejects.toThrow(DumpFormatError);
    expect(seen).toEqual(['header', 'snapshot', 'process', 'pages', 'pages', 'process', 'process', 'pages', 'snapshot', 'process', 'pages']);
  });

  it('stops reading (and closes the stream) when the consumer stops early', async () => {
    const stream = Readable.from(
      (function* () {
        const bytes = synthesizeDump(sampleDumpSpec());
        for (let i = 0; i < 1000; i++) yield Buffer.from(bytes);
      })(),
    );
    for await (const e of readDump(stream)) {
      expect(e.kind).toBe('header');
      break;
    }
    expect(stream.destroyed).toBe(true);
  });

  it('rejects text chunks', async () => {
    await expect(collect(readDump(Readable.from(['UPMDUMP'], { objectMode: true })))).rejects.toThrow(TypeError);
  });

  it('loads flat per-process columns', async () => {
    const bytes = synthesizeDump(sampleDumpSpec());
    const dump = await loadDump(chunked(bytes, 100) as AsyncIterable<Uint8Array>);
    expect(dump).toEqual(loadDumpBytes(bytes));
    expect(await loadDump(bytes)).toEqual(dump);
    expect(dump.bytes).toBe(bytes.length);
    expect(dump.snapshots.map((s) => s.processes.map((p) => p.info.pid))).toEqual([[4242, 77, 4243], [4242]]);
    const p = dump.snapshots[0].processes[0];
    expect(p.count).toBe(11);
    expect(Array.from(p.vmaOf)).toEqual([0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(Array.from(p.pageIndex)).toEqual([0, 1, 5, 0, 1, 2, 3, 4, 10, 11, 63]);
    expect(Array.from(p.flags.subarray(3))).toEqual([1, 1, 1, 0x11, 2, 0x29, 0xc1, 1]);
    expect(Array.from(p.pfn!.subarray(3))).toEqual([0, 0, 0, 0, 0, 0x1234, 0x1235, 2 ** 40 + 7]);
    expect(p.hashLo[7]).toBe(0);
    expect(p.hashHi[7]).toBe(0);
    expect(dump.snapshots[0].processes[1]).toMatchObject({ count: 0, pfn: null });
    expect(dump.snapshots[0].processes[2].pfn).toBeNull();
  });

  it('reads what DumpWriter streams to a file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'upm-reader-'));
    try {
      const source = loadDumpBytes(synthesizeDump(sampleDumpSpec()));
      const path = join(dir, 'copy.dump');
      const writer = new DumpWriter(createWriteStream(path, { highWaterMark: 64 }), { name: path });
      await writer.writeHeader(source.header);
      for (const s of source.snapshots) {
        await writer.writeSnapshot(s.info);
        for (const p of s.processes) await writer.writeProcessPages(p);
      }
      await writer.end();
      expect(await loadDump(path)).toEqual({ ...source, bytes: expect.any(Number) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('readDump: preamble and framing', () => {
  const valid = (): Uint8Array => build(withProcess([['PAGE', pageBody()]]));

  it('rejects an empty input', () => expectError(new Uint8Array(0), `${NAME}: preamble at byte 0: the input is empty`));
  it('rejects a short preamble', () =>
    expectError(valid().subarray(0, 10), `${NAME}: preamble at byte 0: input ends after 10 of the 16 preamble bytes (truncated)`));
  it('rejects a bad magic', () =>
    expectError(build([['HEAD', HEAD]], null, preamble(1, 0, 0, 'UPMDUMQ\0')), `${NAME}: preamble at byte 0: bad magic: not a UPM page-hash dump`));
  it('rejects another major version', () =>
    expectError(build([['HEAD', HEAD]], null, preamble(2)), `${NAME}: preamble at byte 0: format major version 2 is not supported (this reader reads version 1)`));
  it('rejects a non-zero reserved preamble field', () =>
    expectError(build([['HEAD', HEAD]], null, preamble(1, 0, 0x10)), `${NAME}: preamble at byte 0: reserved preamble field is 0x10, not 0`));

  it('rejects reserved flag bits', () =>
    expectSectionError([['HEAD', HEAD, 4]], 1, 'HEAD', 'reserved flag bits are set (flags 0x4)'));
  it('rejects an unknown type that is not skippable', () =>
    expectSectionError([['HEAD', HEAD], ['XTRA', new Uint8Array(8)]], 2, '"XTRA"', 'unknown section type, not marked skippable'));
  it('names unprintable types in hex', () =>
    expectSectionError([['HEAD', HEAD], ['\x01\x02AB', new Uint8Array(8)]], 2, '<01024142>', 'unknown section type, not marked skippable'));
  it('rejects a core section marked skippable', () =>
    expectSectionError([['HEAD', HEAD], ['SNAP', SNAP0, 1]], 2, 'SNAP', 'a core section must not be marked skippable'));
  it('checks the checksum of skipped sections too', async () => {
    const bytes = build([['HEAD', HEAD], ['XTRA', new Uint8Array([1, 2, 3]), 1], ['SNAP', SNAP0]]);
    const at = offsetOf(bytes, 2);
    bytes[at + 24] ^= 1;
    const e = await errorOf(bytes);
    expect(e.message).toMatch(new RegExp(`^${NAME}: "XTRA" section #2 at byte ${at}: checksum mismatch: header says [0-9a-f]{16}, content hashes to [0-9a-f]{16}$`));
  });

  it('rejects a checksum mismatch', async () => {
    const bytes = valid();
    const at = offsetOf(bytes, 4);
    bytes[at + 24 + 30] ^= 0x40;
    const e = await errorOf(bytes);
    expect(e).toMatchObject({ section: 'PAGE', ordinal: 4, offset: at, source: NAME });
    expect(e.detail).toMatch(/^checksum mismatch: header says [0-9a-f]{16}, content hashes to [0-9a-f]{16}$/);
  });

  function withLength(bytes: Uint8Array, ordinal: number, lo: number, hi = 0): Uint8Array {
    const at = offsetOf(bytes, ordinal);
    const v = new DataView(bytes.buffer, bytes.byteOffset);
    v.setUint32(at + 8, lo, true);
    v.setUint32(at + 12, hi, true);
    return bytes;
  }

  it('rejects JSON sections over 16 MiB before reading them', () =>
    expectError(withLength(valid(), 2, 16 * 1024 * 1024 + 1), `${NAME}: SNAP section #2 at byte ${offsetOf(valid(), 2)}: body length 16777217 exceeds the 16777216 byte limit of JSON sections`));
  it('rejects PAGE sections over 1 GiB before reading them', () =>
    expectError(withLength(valid(), 4, 2 ** 30 + 1), `${NAME}: PAGE section #4 at byte ${offsetOf(valid(), 4)}: body length 1073741825 exceeds the 1073741824 byte limit of PAGE sections`));
  it('rejects 64-bit lengths', () =>
    expectError(withLength(valid(), 4, 0, 0xffffffff), `${NAME}: PAGE section #4 at byte ${offsetOf(valid(), 4)}: body length 18446744069414584320 exceeds the 1073741824 byte limit of PAGE sections`));
  it('rejects sections over the caller limit', async () => {
    const bytes = valid();
    expect(() => decodeDump(bytes, { name: NAME, maxSectionBytes: 100 })).toThrow(`${NAME}: HEAD section #1 at byte 16: body length ${splitSections(bytes).sections[0].body.length} exceeds the reader's limit of 100 bytes`);
  });
  it('does not allocate for a huge declared length on a short input', () =>
    expectError(withLength(valid(), 4, 2 ** 30), `${NAME}: PAGE section #4 at byte ${offsetOf(valid(), 4)}: input ends after ${valid().length - offsetOf(valid(), 4) - 24} of the 1073741824 body bytes (truncated)`));

  it('rejects non-zero padding', async () => {
    const bytes = valid();
    const head = splitSections(bytes).sections[0];
    expect(head.body.length % 8).not.toBe(0);
    bytes[16 + 24 + head.body.length] = 9;
    await expectError(bytes, `${NAME}: HEAD section #1 at byte 16: padding byte at ${16 + 24 + head.body.length} is 9, not 0`);
  });

  it('reports truncation inside a section header, body and padding, and a missing TAIL', async () => {
    const bytes = valid();
    const sections = splitSections(bytes).sections;
    const page = sections[3];
    await expectError(bytes.subarray(0, page.offset + 10), `${NAME}: PAGE section #4 at byte ${page.offset}: input ends after 10 of the 24 section header bytes (truncated)`);
    await expectError(bytes.subarray(0, page.offset + 3), `${NAME}: section #4 at byte ${page.offset}: input ends after 3 of the 24 section header bytes (truncated)`);
    await expectError(bytes.subarray(0, page.offset + 30), `${NAME}: PAGE section #4 at byte ${page.offset}: input ends after 6 of the ${page.body.length} body bytes (truncated)`);
    const head = sections[0];
    await expectError(bytes.subarray(0, 16 + 24 + head.body.length + 1), `${NAME}: HEAD section #1 at byte 16: input ends inside the padding after the body (truncated)`);
    const tail = sections[4];
    await expectError(bytes.subarray(0, tail.offset), `${NAME}: section #5 at byte ${tail.offset}: input ends without a TAIL section (truncated)`);
  });

  it('reports truncation at every section boundary and inside every section', async () => {
    const bytes = synthesizeDump(sampleDumpSpec());
    const boundaries = new Set(splitSections(bytes).sections.map((s) => s.offset));
    let atBoundary = 0;
    for (let cut = 0; cut < bytes.length; cut++) {
      let error: unknown;
      try {
        decodeDump(bytes.subarray(0, cut), { name: NAME });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(DumpFormatError);
      const message = (error as Error).message;
      if (cut === 0) expect(message).toBe(`${NAME}: preamble at byte 0: the input is empty`);
      else expect(message).toMatch(/ \(truncated\)$/);
      if (boundaries.has(cut)) {
        atBoundary++;
        expect(message).toMatch(new RegExp(`^x\\.dump: section #\\d+ at byte ${cut}: input ends without a TAIL section \\(truncated\\)$`));
      }
    }
    expect(atBoundary).toBe(boundaries.size);
    // and streamed, cut mid-way through a few sections
    for (const cut of [17, 100, 1000, bytes.length - 1]) {
      await expect(collect(readDump(chunked(bytes.subarray(0, cut), 5), { name: NAME }))).rejects.toThrow(/\(truncated\)$/);
    }
  });

  it('rejects data after TAIL', async () => {
    const bytes = valid();
    const more = new Uint8Array(bytes.length + 8);
    more.set(bytes);
    await expectError(more, `${NAME}: section #6 at byte ${bytes.length}: data after the TAIL section, which must be last`);
    const twoTails = joinSections(preamble(), [...splitSections(bytes).sections, splitSections(bytes).sections[4]]);
    await expectError(twoTails, `${NAME}: section #6 at byte ${bytes.length}: data after the TAIL section, which must be last`);
  });

  it('rejects arbitrary bytes with a DumpFormatError', async () => {
    let seed = 7;
    for (let k = 0; k < 200; k++) {
      const garbage = new Uint8Array(k * 3).map(() => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
      if (k % 2) garbage.set(preamble().subarray(0, Math.min(16, garbage.length)));
      await errorOf(garbage);
    }
  });
});

describe('readDump: section order', () => {
  it('requires HEAD first', () => expectSectionError([['SNAP', SNAP0]], 1, 'SNAP', 'the first section must be HEAD', null));
  it('rejects a skippable section before HEAD', () =>
    expectSectionError([['XTRA', new Uint8Array(0), 1], ['HEAD', HEAD]], 1, '"XTRA"', 'the first section must be HEAD'));
  it('rejects a second HEAD', () =>
    expectSectionError([['HEAD', HEAD], ['SNAP', SNAP0], ['HEAD', HEAD]], 3, 'HEAD', 'HEAD must be the first section and appear once'));
  it('rejects PROC before SNAP', () =>
    expectSectionError([['HEAD', HEAD], ['PROC', proc()]], 2, 'PROC', 'PROC before any SNAP: processes belong to a snapshot'));
  it('rejects PAGE before PROC', () =>
    expectSectionError([['HEAD', HEAD], ['SNAP', SNAP0], ['PAGE', pageBody()]], 3, 'PAGE', 'PAGE without a preceding PROC in its snapshot'));
  it('rejects PAGE right after a SNAP', () =>
    expectSectionError(
      [...withProcess([]), ['SNAP', { index: 1, timeMs: 2, elapsedMs: 1 }], ['PAGE', pageBody()]],
      5,
      'PAGE',
      'PAGE without a preceding PROC in its snapshot',
    ));
  it('rejects TAIL before any SNAP', () =>
    expectSectionError([['HEAD', HEAD]], 2, 'TAIL', 'TAIL before any SNAP: a dump holds at least one snapshot'));
  it('numbers snapshots in order', () =>
    expectSectionError([['HEAD', HEAD], ['SNAP', { index: 1, timeMs: 1, elapsedMs: 0 }]], 2, 'SNAP', 'index is 1, expected 0: snapshots are numbered 0, 1, 2, ... in order'));
  it('starts the first snapshot at elapsedMs 0', () =>
    expectSectionError([['HEAD', HEAD], ['SNAP', { index: 0, timeMs: 1, elapsedMs: 5 }]], 2, 'SNAP', 'elapsedMs is 5, but the first snapshot is at 0'));
  it('keeps elapsedMs from going back', () =>
    expectSectionError(
      [['HEAD', HEAD], ['SNAP', SNAP0], ['SNAP', { index: 1, timeMs: 9, elapsedMs: 8 }], ['SNAP', { index: 2, timeMs: 9, elapsedMs: 7 }]],
      4,
      'SNAP',
      "elapsedMs 7 is before the previous snapshot's 8",
    ));
  it('rejects the same process twice in a snapshot, but not in two snapshots', async () => {
    await expectSectionError(withProcess([['PROC', proc()]]), 4, 'PROC', 'process 100 (startTime 5) appears twice in snapshot 0');
    expect(() => decodeDump(build([...withProcess([]), ['SNAP', { index: 1, timeMs: 2, elapsedMs: 1 }], ['PROC', proc()]]))).not.toThrow();
    expect(() => decodeDump(build(withProcess([['PROC', proc({ startTime: 6 })]])))).not.toThrow();
  });
});

describe('readDump: JSON sections', () => {
  const head = (patch: object): Part[] => [['HEAD', { ...HEAD, ...patch }]];
  const headError = (patch: object, detail: string): Promise<void> => expectSectionError(head(patch), 1, 'HEAD', detail, null);

  it('rejects invalid UTF-8', () => expectSectionError([['HEAD', new Uint8Array([0x7b, 0xff, 0x7d])]], 1, 'HEAD', 'body is not valid UTF-8', null));
  it('rejects invalid JSON', async () => {
    const bytes = build([['HEAD', '{"formatVersion":1,']], null);
    expect((await errorOf(bytes)).message).toMatch(/^x\.dump: HEAD section #1 at byte 16: body is not valid JSON: /);
  });
  it('rejects a byte-order mark', async () => {
    const bytes = build([['HEAD', '\ufeff' + JSON.stringify(HEAD)]], null);
    expect((await errorOf(bytes)).detail).toMatch(/^body is not valid JSON/);
  });
  it('rejects absurd nesting without a stack overflow', async () => {
    const bytes = build([['HEAD', '['.repeat(1_000_000)]], null);
    expect((await errorOf(bytes)).detail).toMatch(/^body is not valid JSON/);
  });
  it('requires an object', () => expectSectionError([['HEAD', '[1]']], 1, 'HEAD', 'body: expected a JSON object, got an array', null));
  it('requires every key', async () => {
    const { tool: _tool, ...noTool } = HEAD;
    await expectSectionError([['HEAD', noTool]], 1, 'HEAD', 'tool: missing', null);
    await headError({ hash: { ...HEAD.hash, keyId: undefined } }, 'hash.keyId: missing');
  });
  it('checks HEAD types and ranges', async () => {
    await headError({ formatVersion: 2 }, 'formatVersion: expected an integer in [1, 1], got 2');
    await headError({ pageSize: 4095 }, 'pageSize: expected a power of two, got 4095');
    await headError({ pageSize: 1 << 30 }, 'pageSize: expected an integer in [512, 1048576], got 1073741824');
    await headError({ hash: { ...HEAD.hash, keyId: '9F2C0D1E5A7B3C44' } }, 'hash.keyId: expected 16 lowercase hex digits, got "9F2C0D1E5A7B3C44"');
    await headError({ hash: { ...HEAD.hash, zeroPageHash: '0000000000000000' } }, 'hash.zeroPageHash: expected a non-zero hash, got "0000000000000000"');
    await headError({ hash: { ...HEAD.hash, defaultKey: 'yes' } }, 'hash.defaultKey: expected true or false, got "yes"');
    await headError({ hash: { ...HEAD.hash, algorithm: '' } }, 'hash.algorithm: expected 1 to 64 non-blank characters, got ""');
    await headError({ host: { ...HEAD.host, pfnReadable: 1 } }, 'host.pfnReadable: expected true or false, got 1');
    await headError({ host: null }, 'host: expected a JSON object, got null');
    await headError({ captureTimeMs: -1 }, 'captureTimeMs: expected a number in [0, 2^53), got -1');
    await headError({ labels: { a: 1 } }, 'labels.a: expected a string, got 1');
    await headError({ ksm: [] }, 'ksm: expected a JSON object, got an array');
    await headError({ tool: { name: 'x' } }, 'tool.version: missing');
  });
  it('checks SNAP types', () =>
    expectSectionError([['HEAD', HEAD], ['SNAP', { index: 0, timeMs: '1', elapsedMs: 0 }]], 2, 'SNAP', 'timeMs: expected a number in [0, 2^53), got "1"', null));

  const procError = (p: object, detail: string): Promise<void> => expectSectionError(withProcess([], p as ProcessInfo), 3, 'PROC', detail);
  const vma0 = proc().vmas[0];
  it('checks PROC types and ranges', async () => {
    await procError(proc({ pid: 0 }), 'pid: expected an integer in [1, 2147483647], got 0');
    await procError(proc({ startTime: 1.5 }), 'startTime: expected an integer in [0, 2^53), got 1.5');
    await procError(proc({ cmdline: ['a', 2 as unknown as string] }), 'cmdline[1]: expected a string, got 2');
    await procError(proc({ status: 'zombie' as 'ok' }), 'status: expected "ok", "exited" or "denied", got "zombie"');
    await procError(proc({ status: 'denied' }), 'error: missing, a "denied" process must say why');
    await procError(proc({ ksm: { ksm_merge_any: true } as unknown as Record<string, string> }), 'ksm.ksm_merge_any: expected a number or a string, got true');
    await procError(proc({ rollup: { Rss: -1 } }), 'rollup.Rss: expected a number of kB in [0, 2^53), got -1');
    await procError(proc({ vmas: {} as [] }), 'vmas: expected an array, got an object');
  });
  it('checks VMAs', async () => {
    await procError(proc({ vmas: [{ ...vma0, start: vma0.start + 1 }] }), 'vmas[0].start: expected a multiple of the page size 4096, got 93823560581121');
    await procError(proc({ vmas: [{ ...vma0, end: vma0.start }] }), 'vmas[0].end: expected an address above start 93823560581120, got 93823560581120');
    await procError(proc({ vmas: [{ ...vma0, end: 2 ** 53 }] }), 'vmas[0].end: expected an integer in [0, 2^53), got 9007199254740992');
    await procError(proc({ vmas: [vma0, vma0] }), 'vmas[1]: starts at 93823560581120, before vmas[0] ends at 93823562678272: VMAs must be in address order without overlap');
    await procError(proc({ vmas: [{ ...vma0, perms: 'rwx' }] }), 'vmas[0].perms: expected four characters like "rw-p", got "rwx"');
    await procError(proc({ vmas: [{ ...vma0, perms: 'rw-s' }] }), 'vmas[0].shared: is false but perms "rw-s" say shared');
    await procError(proc({ vmas: [{ ...vma0, kind: 'heap' as 'anon' }] }), 'vmas[0].kind: expected "anon" or "file", got "heap"');
    await procError(proc({ vmas: [{ ...vma0, flags: ['rd', 'WR'] }] }), 'vmas[0].flags[1]: expected a two-letter VmFlags mnemonic, got "WR"');
    await procError(proc({ vmas: [{ ...vma0, path: null as unknown as string }] }), 'vmas[0].path: expected a string, got null');
  });
  it('accepts denied processes with an error and no VMAs', () => {
    expect(() => decodeDump(build(withProcess([], proc({ status: 'denied', error: 'EACCES', vmas: [] }))))).not.toThrow();
  });
  it('checks TAIL types and totals', async () => {
    const parts = withProcess([['PAGE', pageBody()]]);
    await expectSectionError(parts, 5, 'TAIL', 'pages: expected an integer in [0, 2^53), got "2"', { snapshots: 1, processes: 1, pageSections: 1, pages: '2' });
    await expectSectionError(parts, 5, 'TAIL', 'snapshots is 2 but the dump holds 1', { snapshots: 2, processes: 1, pageSections: 1, pages: 2 });
    await expectSectionError(parts, 5, 'TAIL', 'processes is 0 but the dump holds 1', { snapshots: 1, processes: 0, pageSections: 1, pages: 2 });
    await expectSectionError(parts, 5, 'TAIL', 'pageSections is 2 but the dump holds 1', { snapshots: 1, processes: 1, pageSections: 2, pages: 2 });
    await expectSectionError(parts, 5, 'TAIL', 'pages is 3 but the dump holds 2', { snapshots: 1, processes: 1, pageSections: 1, pages: 3 });
  });
});

describe('readDump: PAGE sections', () => {
  it('checks the block header', async () => {
    await expectSectionError(withProcess([['PAGE', new Uint8Array(20)]]), 4, 'PAGE', 'body is 20 bytes, shorter than the 24-byte block header');
    await expectPageError({ reserved: [0, 1, 0] }, 'reserved bytes 21..23 are not 0');
    await expectPageError({ pfnWidth: 3 }, 'pfnWidth is 3, must be 0, 4 or 8');
    await expectPageError({ count: 0, runs: [] }, 'count is 0: a block holds at least one page');
    await expectPageError({ runCount: 0, runs: [] , count: 1 }, 'runCount is 0: a block has at least one run');
    await expectPageError({ runs: [[0, 1], [2, 1], [4, 1]], count: 2 }, 'runCount 3 exceeds count 2: every run holds at least one page');
    await expectPageError({ extraBytes: 1 }, 'body is 51 bytes, but count 2, runCount 1 and pfnWidth 0 make 50');
    await expectPageError({ extraBytes: -1 }, 'body is 49 bytes, but count 2, runCount 1 and pfnWidth 0 make 50');
    await expectPageError({ baseIndex: 2 ** 53 }, 'baseIndex is 2^53 or more');
    await expectPageError({ vmaIndex: 2 }, 'vmaIndex 2 is out of range: the process has 2 VMAs');
  });
  it('checks runs', async () => {
    await expectPageError({ runs: [[0, 1], [3, 0], [5, 2]] }, 'run 1 has length 0');
    await expectPageError({ runs: [[0, 3], [2, 1]] }, 'run 1 starts at offset 2, before run 0 ends at offset 3: runs must increase without overlap');
    await expectPageError({ runs: [[5, 1], [2, 1]] }, 'run 1 starts at offset 2, before run 0 ends at offset 6: runs must increase without overlap');
    await expectPageError({ runs: [[0, 1], [1, 1], [2, 1], [800, 100]] }, "run 3 ends at page 900 beyond the VMA's 512 pages");
    await expectPageError({ baseIndex: 510, runs: [[0, 3]] }, "run 0 ends at page 513 beyond the VMA's 512 pages");
    await expectPageError({ runs: [[0, 2]], count: 3 }, 'runs hold 2 pages but count is 3');
    await expectPageError({ runs: [[0, 2], [4, 1]], count: 4, extraBytes: 0 }, 'runs hold 3 pages but count is 4');
    await expectPageError({ runs: [[0, 0xffffffff], [0xffffffff, 1]], count: 2 }, "run 0 ends at page 4294967295 beyond the VMA's 512 pages");
  });
  it('checks block order within a process', async () => {
    const order = (a: PageSpec, b: PageSpec, detail: string): Promise<void> =>
      expectSectionError(withProcess([['PAGE', pageBody(a)], ['PAGE', pageBody(b)]]), 5, 'PAGE', detail);
    const rule = 'blocks of a process must come in increasing (vmaIndex, page) order without overlap';
    await order({ vmaIndex: 1 }, { vmaIndex: 0 }, `block of VMA 0 pages 0..1 is not after the previous block (VMA 1, up to page 1): ${rule}`);
    await order({ runs: [[10, 5]] }, { runs: [[14, 2]] }, `block of VMA 0 pages 14..15 is not after the previous block (VMA 0, up to page 14): ${rule}`);
    await order({ runs: [[10, 5]] }, { baseIndex: 5, runs: [[0, 1]] }, `block of VMA 0 pages 5..5 is not after the previous block (VMA 0, up to page 14): ${rule}`);
    // adjacent blocks, and a new process starting over, are fine
    expect(() => decodeDump(build(withProcess([['PAGE', pageBody({ runs: [[0, 2]] })], ['PAGE', pageBody({ runs: [[2, 2]] })]])))).not.toThrow();
    expect(() =>
      decodeDump(build(withProcess([['PAGE', pageBody({ vmaIndex: 1 })], ['PROC', proc({ pid: 101 })], ['PAGE', pageBody({ vmaIndex: 0 })]]))),
    ).not.toThrow();
  });
  it('checks flags against hashes and PFNs', async () => {
    const S = PageFlag.Swapped;
    const P = PageFlag.Present;
    await expectPageError({ flags: [P, P | S] }, 'page 1 (VMA page 1) is flagged both present and swapped');
    await expectPageError({ baseIndex: 7, runs: [[0, 1], [3, 1]], flags: [P, PageFlag.File] }, 'page 1 (VMA page 10) is flagged neither present nor swapped');
    await expectPageError({ flags: [S, P] }, 'page 0 (VMA page 0) is swapped but has a hash: only resident pages are hashed');
    await expectPageError({ flags: [S | PageFlag.Ksm, P], hashes: [[0, 0]] }, 'page 0 (VMA page 0) is swapped but has frame flags (zeroPage, ksm or thp)');
    await expectPageError({ pfnWidth: 4, pfns: [0, 9], flags: [P, S], hashes: [[1, 1], [0, 0]] }, 'page 1 (VMA page 1) is swapped but has PFN 9');
    expect(() => decodeDump(build(withProcess([['PAGE', pageBody({ flags: [S | PageFlag.SoftDirty | PageFlag.Exclusive, P], hashes: [[0, 0]] })]])))).not.toThrow();
  });
  it('checks PFNs and flags against what HEAD says is readable', async () => {
    const noFlags = { ...HEAD, host: { ...HEAD.host, pageFlagsReadable: false } };
    const noPfns = { ...HEAD, host: { ...HEAD.host, pfnReadable: false } };
    await expectPageError({ flags: [1, 1 | PageFlag.Thp] }, 'page 1 (VMA page 1) has flag bits 4 to 6 set but HEAD says page flags are not readable', noFlags);
    await expectPageError({ flags: [1 | PageFlag.ZeroPage, 1] }, 'page 0 (VMA page 0) has flag bits 4 to 6 set but HEAD says page flags are not readable', noFlags);
    await expectPageError({ pfnWidth: 8, pfns: [0, 5] }, 'page 1 (VMA page 1) has PFN 5 but HEAD says PFNs are not readable', noPfns);
    expect(() => decodeDump(build(withProcess([['PAGE', pageBody({ pfnWidth: 4, pfns: [0, 0] })]], proc(), noPfns)))).not.toThrow();
    expect(() => decodeDump(build(withProcess([['PAGE', pageBody({ flags: [1 | PageFlag.SoftDirty | PageFlag.Exclusive | PageFlag.File, 1] })]], proc(), noFlags)))).not.toThrow();
  });
  it('rejects 64-bit PFNs beyond 2^53', () =>
    expectPageError({ pfnWidth: 8, pfns: [0, 2 ** 53] }, 'page 1 (VMA page 1): PFN is 2^53 or more'));
});
