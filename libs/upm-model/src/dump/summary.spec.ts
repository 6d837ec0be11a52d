import { xorshift32 } from '../traces/prng';
import { Hash64Set } from './hash-set';
import { DumpSummarizer, PageFlag, decodeDump, readDump, summarizeDump, synthesizeDump } from './index';
import { sampleDumpSpec } from './test-dumps';

const P = PageFlag.Present;

describe('summarizeDump', () => {
  it('counts pages by kind, distinct hashes over all processes and snapshots, and zero pages', async () => {
    const bytes = synthesizeDump({
      header: { labels: { fn: 'resize' } },
      snapshots: [
        {
          processes: [
            {
              pid: 1,
              vmas: [
                { pages: [1, 2, 0, 0, { content: 0, flags: P | PageFlag.ZeroPage }, null, { content: 3, flags: P | PageFlag.Ksm }] },
                { kind: 'file', pages: ['lib', 'lib2', { content: 7, flags: P | PageFlag.File | PageFlag.Thp }] },
              ],
            },
            { pid: 2, vmas: [{ pages: [1, 2, { content: null, flags: P }] }] },
          ],
        },
        { processes: [{ pid: 1, vmas: [{ pages: [1, 9, null, null] }] }] },
      ],
    });
    const summary = await summarizeDump(decodeDump(bytes));
    expect(summary).toMatchObject({
      snapshots: 2,
      processes: 3,
      vmas: 4,
      pageSections: 4,
      pages: 17,
      residentPages: 14, // pid 1: 6 anon + 3 file; pid 2: 3 (one present but unhashed); snapshot 1: 2
      distinctHashes: 8, // 1 2 0 3 lib lib2 7 9
      zeroPages: 3,
      zeroPageMapped: 1,
      ksmPages: 1,
      filePages: 3,
      anonPages: 11,
      swappedPages: 3,
      thpPages: 1,
      unhashedPages: 1,
      bytes: bytes.length,
      pageSize: 4096,
      hash: { algorithm: 'synthetic-content-id', keyId: '0000000000000000', defaultKey: true },
      labels: { fn: 'resize' },
    });
    expect(summary.perProcess).toEqual([
      { snapshot: 0, pid: 1, startTime: 0, comm: 'proc1', status: 'ok', vmas: 2, residentPages: 9, swappedPages: 1, zeroPages: 3, ksmPages: 1, filePages: 3 },
      { snapshot: 0, pid: 2, startTime: 0, comm: 'proc2', status: 'ok', vmas: 1, residentPages: 3, swappedPages: 0, zeroPages: 0, ksmPages: 0, filePages: 0 },
      { snapshot: 1, pid: 1, startTime: 0, comm: 'proc1', status: 'ok', vmas: 1, residentPages: 2, swappedPages: 2, zeroPages: 0, ksmPages: 0, filePages: 0 },
    ]);
  });

  it('summarizes while streaming, the same as from a list of events', async () => {
    const bytes = synthesizeDump(sampleDumpSpec());
    async function* chunks(): AsyncGenerator<Uint8Array> {
      for (let at = 0; at < bytes.length; at += 100) yield bytes.subarray(at, at + 100);
    }
    const streamed = await summarizeDump(readDump(chunks()));
    expect(streamed).toEqual(await summarizeDump(decodeDump(bytes)));
    expect(streamed).toMatchObject({ processes: 4, residentPages: 17, swappedPages: 2, bytes: bytes.length });
  });

  it('needs a header', () => {
    expect(() => new DumpSummarizer().result()).toThrow('no header');
  });
});

/** Keys as strings, the slow obvious way, for comparison. */
function reference(keys: Uint32Array): number {
  const set = new Set<string>();
  for (let i = 0; i < keys.length; i += 2) if (keys[i] | keys[i + 1]) set.add(`${keys[i]}:${keys[i + 1]}`);
  return set.size;
}

function keySets(): Record<string, Uint32Array> {
  const rand = xorshift32(99);
  const n = 100_000;
  const random = new Uint32Array(2 * n).map(() => rand() % 50_000); // many duplicates and collisions of halves
  const loOnly = new Uint32Array(2 * n).map((_, i) => (i % 2 ? 0 : i)); // differ only in lo
  const hiOnly = new Uint32Array(2 * n).map((_, i) => (i % 2 ? i : 7)); // differ only in hi
  const counters = new Uint32Array(2 * n).map((_, i) => (i % 2 ? (i >> 1) + 1 : Math.imul(i >> 1, 0x9e3779b1)));
  const withZero = new Uint32Array(2 * n).map((_, i) => (i % 4 < 2 ? 0 : rand()));
  return { random, loOnly, hiOnly, counters, withZero };
}

describe('Hash64Set', () => {
  for (const [name, keys] of Object.entries(keySets())) {
    it(`count distinct keys exactly (${name})`, () => {
      const set = new Hash64Set();
      let added = 0;
      for (let i = 0; i < keys.length; i += 2) {
        if ((keys[i] | keys[i + 1]) === 0) continue;
        if (set.add(keys[i], keys[i + 1])) added++;
      }
      const expected = reference(keys);
      expect(set.size).toBe(expected);
      expect(added).toBe(expected);
      for (let i = 0; i < Math.min(keys.length, 2000); i += 2) {
        if (keys[i] | keys[i + 1]) expect(set.has(keys[i], keys[i + 1])).toBe(true);
      }
      expect(set.has(0xdeadbeef, 0xfeedf00d)).toBe(false);
    });
  }

  it('reserves the key 0', () => {
    const set = new Hash64Set();
    expect(() => set.add(0, 0)).toThrow(RangeError);
    expect(set.has(0, 0)).toBe(false);
  });

  it('treats negative int32 and uint32 spellings of a word alike', () => {
    const set = new Hash64Set();
    set.add(-1, 5);
    expect(set.has(0xffffffff, 5)).toBe(true);
    expect(set.add(0xffffffff, 5)).toBe(false);
  });
});
