import { Writable } from 'node:stream';
import {
  DumpEncoder,
  DumpFormatError,
  DumpWriter,
  PageFlag,
  contentHash,
  contentHashHex,
  decodeDump,
  loadDumpBytes,
  synthesizeDump,
  syntheticHeader,
  type PageBlock,
  type ProcessInfo,
} from './index';
import { syntheticProcessInfo } from './synthesize';
import { sampleDumpSpec } from './test-dumps';

const header = syntheticHeader();
const proc = (vmaPages = 64, overrides: Partial<ProcessInfo> = {}): ProcessInfo => ({
  pid: 1,
  ...syntheticProcessInfo(1, 0),
  vmas: [{ start: 0x10000, end: 0x10000 + vmaPages * 4096, perms: 'rw-p', shared: false, kind: 'anon', pgoff: 0, flags: [], path: '' }],
  ...overrides,
});

function started(name = 'out.dump'): DumpEncoder {
  const e = new DumpEncoder({ name });
  e.header(header);
  e.snapshot({ timeMs: 10 });
  e.process(proc());
  return e;
}

function hashesOf(n: number): Uint32Array {
  const h = new Uint32Array(2 * n);
  for (let i = 0; i < n; i++) h[2 * i] = i + 1;
  return h;
}

/** A Writable that takes `delayMs` per chunk and records them. */
class SlowSink extends Writable {
  readonly chunks: Buffer[] = [];
  constructor(private readonly delayMs: number) {
    super({ highWaterMark: 16 });
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    this.chunks.push(chunk);
    setTimeout(done, this.delayMs);
  }
}

describe('DumpEncoder', () => {
  it('builds runs from page indices and splits blocks', () => {
    const e = started();
    const sections = e.pages({ vmaIndex: 0, pageIndex: [0, 1, 2, 5, 6, 9], hashes: hashesOf(6), flags: new Uint8Array(6).fill(1) });
    expect(sections).toHaveLength(1);
    const split = new DumpEncoder({ maxPagesPerBlock: 4 });
    split.header(header);
    split.snapshot({ timeMs: 10 });
    split.process(proc());
    expect(split.pages({ vmaIndex: 0, pageIndex: [0, 1, 2, 5, 6, 9], hashes: hashesOf(6), flags: [1, 1, 1, 1, 1, 1] })).toHaveLength(2);
    const bytes = Buffer.concat([...[split.end()]]);
    expect(bytes.length).toBeGreaterThan(0);
    expect(split.totals).toEqual({ snapshots: 1, processes: 1, pageSections: 2, pages: 6 });
  });

  it('writes what the reader reads back, block by block', () => {
    const e = new DumpEncoder();
    const parts = [e.header(header), e.snapshot({ timeMs: 10 }), e.process(proc())];
    parts.push(
      ...e.pages({ vmaIndex: 0, pageIndex: [3, 4, 10], hashes: new Uint32Array([1, 2, 0, 0, 5, 6]), flags: [1, PageFlag.Swapped, 1], pfns: [7, 0, 2 ** 33] }),
      e.end(),
    );
    const events = decodeDump(Buffer.concat(parts));
    const block = events.find((ev) => ev.kind === 'pages') as { block: PageBlock };
    expect(block.block.baseIndex).toBe(3);
    expect(Array.from(block.block.runs)).toEqual([0, 2, 7, 1]);
    expect(block.block.pfns).toBeInstanceOf(Float64Array); // 2^33 needs 8 bytes
    expect(Array.from(block.block.pfns!)).toEqual([7, 0, 2 ** 33]);
    // hashes of a swapped page were written as given (0): the reader accepted them
    expect(events[events.length - 1]).toMatchObject({ kind: 'end', tail: { pages: 3, pageSections: 1 } });
  });

  it('splits a block whose pages span more than 2^32 indices (run offsets are u32)', () => {
    const e = new DumpEncoder();
    const big = { ...proc(), vmas: [{ ...proc().vmas[0], end: 0x10000 + 2 ** 33 * 4096 }] };
    const parts = [e.header(header), e.snapshot({ timeMs: 1 }), e.process(big)];
    parts.push(...e.pages({ vmaIndex: 0, pageIndex: [1, 2 ** 32 + 5], hashes: hashesOf(2), flags: [1, 1] }), e.end());
    const blocks = decodeDump(Buffer.concat(parts)).flatMap((ev) => (ev.kind === 'pages' ? [ev.block] : []));
    expect(blocks.map((b) => b.baseIndex)).toEqual([1, 2 ** 32 + 5]);
  });

  it('rejects input the reader would reject, with the reader-style location', () => {
    const expectRejects = (fn: (e: DumpEncoder) => unknown, message: string): void => {
      const e = started();
      expect(() => fn(e)).toThrow(DumpFormatError);
      expect(() => fn(started())).toThrow(message);
    };
    const page = { vmaIndex: 0, pageIndex: [0, 1], hashes: hashesOf(2), flags: [1, 1] };
    const at = started().bytesWritten;
    expectRejects((e) => e.pages({ ...page, pageIndex: [1, 1] }), `out.dump: PAGE section #4 at byte ${at}: pageIndex[1] is 1: page indices must be integers increasing from 0`);
    expectRejects((e) => e.pages({ ...page, pageIndex: [0, 64] }), `out.dump: PAGE section #4 at byte ${at}: run 1 ends at page 65 beyond the VMA's 64 pages`);
    expectRejects((e) => e.pages({ ...page, hashes: new Uint32Array(2) }), 'hashes must be a Uint32Array of 2 × 2 words');
    expectRejects((e) => e.pages({ ...page, flags: [1] }), 'flags has 1 entries for 2 pages');
    expectRejects((e) => e.pages({ ...page, flags: [1, 256] }), 'flags[1] is 256, not a byte');
    expectRejects((e) => e.pages({ ...page, flags: [1, PageFlag.Present | PageFlag.Swapped] }), 'page 1 (VMA page 1) is flagged both present and swapped');
    expectRejects((e) => e.pages({ ...page, pfns: [1, -1] }), 'pfns[1] is -1, not an integer in [0, 9007199254740991]');
    expectRejects((e) => e.pages({ ...page, pfns: [1, 2 ** 32], pfnWidth: 4 }), 'pfns[1] is 4294967296, not an integer in [0, 4294967295]');
    expectRejects((e) => e.pages({ ...page, vmaIndex: 1 }), 'vmaIndex 1 is out of range: the process has 1 VMA');
    expectRejects((e) => e.process(proc(64, { pid: -1 })), `out.dump: PROC section #4 at byte ${at}: pid: expected an integer in [1, 2147483647], got -1`);
    expectRejects((e) => e.process(proc(64, { comm: undefined as unknown as string })), 'comm: missing');
    expectRejects((e) => e.process(proc(64, { rollup: { Rss: NaN } })), 'rollup.Rss: expected a number of kB in [0, 2^53), got NaN');
    expectRejects((e) => e.process(proc(64, { rollup: { Rss: 1n as unknown as number } })), 'rollup.Rss: expected a number of kB in [0, 2^53), got 1');
    expectRejects((e) => e.header(header), 'HEAD must be the first section and appear once');
    expectRejects((e) => e.snapshot({ timeMs: 5 }), 'elapsedMs: expected a number in [0, 2^53), got -5'); // before the first snapshot
  });

  it('rejects a PAGE section with no process before it', () => {
    const e = new DumpEncoder({ name: 'o' });
    e.header(header);
    e.snapshot({ timeMs: 1 });
    expect(() => e.pages({ vmaIndex: 0, pageIndex: [0], hashes: hashesOf(1), flags: [1] })).toThrow(
      `o: PAGE section #3 at byte ${e.bytesWritten}: PAGE without a preceding PROC in its snapshot`,
    );
  });

  it('re-encodes a loaded dump byte for byte', () => {
    const bytes = synthesizeDump(sampleDumpSpec());
    const dump = loadDumpBytes(bytes);
    const e = new DumpEncoder();
    const parts = [e.header(dump.header)];
    for (const s of dump.snapshots) {
      parts.push(e.snapshot(s.info));
      for (const p of s.processes) parts.push(...e.processPages(p));
    }
    parts.push(e.end());
    expect(Buffer.compare(Buffer.concat(parts), bytes)).toBe(0);
  });

  it('writes PageBlocks as they are', () => {
    const bytes = synthesizeDump(sampleDumpSpec());
    const e = new DumpEncoder();
    const parts: Uint8Array[] = [];
    for (const ev of decodeDump(bytes)) {
      if (ev.kind === 'header') parts.push(e.header(ev.header));
      if (ev.kind === 'snapshot') parts.push(e.snapshot(ev.snapshot));
      if (ev.kind === 'process') parts.push(e.process(ev.process));
      if (ev.kind === 'pages') parts.push(...e.pages(ev.block));
      if (ev.kind === 'end') parts.push(e.end());
    }
    expect(Buffer.compare(Buffer.concat(parts), bytes)).toBe(0);
  });
});

describe('DumpWriter', () => {
  it('waits for drain and keeps call order even without awaiting', async () => {
    const sink = new SlowSink(1);
    const writer = new DumpWriter(sink, { name: 'slow' });
    const calls = [writer.writeHeader(header), writer.writeSnapshot({ timeMs: 1 }), writer.writeProcess(proc())];
    for (let v = 0; v < 20; v++) calls.push(writer.writePages({ vmaIndex: 0, pageIndex: [v], hashes: hashesOf(1), flags: [1] }));
    await Promise.all(calls);
    const tail = await writer.end();
    expect(tail).toEqual({ snapshots: 1, processes: 1, pageSections: 20, pages: 20 });
    expect(sink.writableFinished).toBe(true);
    const events = decodeDump(Buffer.concat(sink.chunks));
    expect(events).toHaveLength(24);
    expect(writer.bytesWritten).toBe(Buffer.concat(sink.chunks).length);
  });

  it('can leave the stream open', async () => {
    const sink = new SlowSink(0);
    const writer = new DumpWriter(sink, { endStream: false });
    await writer.writeHeader(header);
    await writer.writeSnapshot({ timeMs: 1 });
    await writer.end();
    expect(sink.writableEnded).toBe(false);
  });

  it('rejects with the stream error', async () => {
    const failing = new Writable({
      highWaterMark: 1,
      write(_chunk, _enc, done) {
        done(new Error('disk full'));
      },
    });
    const writer = new DumpWriter(failing);
    await writer.writeHeader(header).catch(() => undefined);
    await expect(writer.writeSnapshot({ timeMs: 1 })).rejects.toThrow('disk full');
  });

  it('rejects invalid input without writing it', async () => {
    const sink = new SlowSink(0);
    const writer = new DumpWriter(sink, { name: 'w.dump' });
    await writer.writeHeader(header);
    const before = writer.bytesWritten;
    await expect(writer.writeProcess(proc())).rejects.toThrow(`w.dump: PROC section #2 at byte ${before}: PROC before any SNAP: processes belong to a snapshot`);
    expect(writer.bytesWritten).toBe(before);
  });
});

describe('synthesizeDump', () => {
  it('gives each content id one deterministic, non-zero hash, and 0 the zero-page hash', () => {
    expect(contentHash(42)).toEqual(contentHash(42));
    expect(contentHash('lib:1')).toEqual(contentHash('lib:1'));
    expect(contentHashHex(0)).toBe(syntheticHeader().hash.zeroPageHash);
    const seen = new Set<string>();
    for (let id = 0; id < 5000; id++) seen.add(contentHashHex(id));
    for (let id = 0; id < 5000; id++) seen.add(contentHashHex(`s${id}`));
    expect(seen.size).toBe(10000);
    expect(contentHashHex(7)).toMatch(/^[0-9a-f]{16}$/);
    expect(() => contentHash(-1)).toThrow(RangeError);
  });

  it('lays out pages, flags and PFNs as described', () => {
    const dump = loadDumpBytes(
      synthesizeDump({
        processes: [
          {
            pid: 9,
            vmas: [
              { pages: [5, null, { index: 7, content: 5, pfn: 3 }] },
              { kind: 'file', pages: ['x'] },
            ],
          },
        ],
      }),
    );
    const p = dump.snapshots[0].processes[0];
    expect(Array.from(p.pageIndex)).toEqual([0, 1, 7, 0]);
    expect(Array.from(p.flags)).toEqual([PageFlag.Present, PageFlag.Swapped, PageFlag.Present, PageFlag.Present | PageFlag.File]);
    expect(Array.from(p.pfn!)).toEqual([0, 0, 3, 0]);
    expect([p.hashLo[0], p.hashHi[0]]).toEqual([p.hashLo[2], p.hashHi[2]]);
    expect([p.hashLo[1], p.hashHi[1]]).toEqual([0, 0]);
    expect(p.info.vmas[0].end - p.info.vmas[0].start).toBe(8 * 4096);
    expect(p.info.vmas[1].start).toBe(p.info.vmas[0].end + 4096);
  });

  it('reports an impossible description as a DumpFormatError', () => {
    expect(() => synthesizeDump({ processes: [{ pid: 1, vmas: [{ sizePages: 2, pages: [{ index: 5, content: 1 }] }] }] })).toThrow(
      /synthetic dump: PAGE section #4 at byte \d+: run 0 ends at page 6 beyond the VMA's 2 pages/,
    );
  });
});
