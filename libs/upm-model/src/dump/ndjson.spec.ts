import { PageFlag, contentHashHex, decodeDump, dumpToNdjson, readDump, synthesizeDump } from './index';
import { sampleDumpSpec } from './test-dumps';

async function text(chunks: AsyncIterable<string>): Promise<string> {
  let out = '';
  for await (const c of chunks) {
    expect(c.endsWith('\n')).toBe(true); // chunks hold whole lines
    out += c;
  }
  return out;
}

describe('dumpToNdjson', () => {
  it('renders one line per header, snapshot, process, page and end, in file order', async () => {
    const bytes = synthesizeDump({
      processes: [
        {
          pid: 7,
          vmas: [
            { start: 0x7000_0000, pages: [{ index: 2, content: 5, flags: PageFlag.Present | PageFlag.Exclusive | PageFlag.SoftDirty, pfn: 99 }, null] },
            { kind: 'file', pages: [0] },
          ],
        },
      ],
    });
    const lines = (await text(dumpToNdjson(readDump((async function* () { yield bytes; })())))).trimEnd().split('\n');
    expect(lines).toHaveLength(1 + 1 + 1 + 3 + 1);
    const objects = lines.map((l) => JSON.parse(l));
    expect(objects.map((o) => o.type)).toEqual(['header', 'snapshot', 'process', 'page', 'page', 'page', 'end']);
    expect(objects[0]).toMatchObject({ type: 'header', formatVersion: 1, pageSize: 4096, hash: { zeroPageHash: contentHashHex(0) } });
    expect(objects[1]).toEqual({ type: 'snapshot', index: 0, timeMs: 1795000000000, elapsedMs: 0 });
    expect(objects[2]).toMatchObject({ type: 'process', snapshot: 0, pid: 7, vmas: [{ start: 0x7000_0000 }, { kind: 'file' }] });
    expect(lines[3]).toBe(
      `{"type":"page","snapshot":0,"pid":7,"vma":0,"address":"0x70002000","index":2,"hash":"${contentHashHex(5)}","pfn":99,"flags":["present","exclusive","softDirty"]}`,
    );
    expect(objects[4]).toEqual({ type: 'page', snapshot: 0, pid: 7, vma: 0, address: '0x70003000', index: 3, hash: '0000000000000000', pfn: 0, flags: ['swapped'] });
    expect(objects[5]).toMatchObject({ vma: 1, index: 0, hash: contentHashHex(0), pfn: null, flags: ['present', 'file'] });
    expect(objects[6]).toEqual({ type: 'end', snapshots: 1, processes: 1, pageSections: 2, pages: 3 });
  });

  it('renders every page of a larger dump as valid JSON, in chunks', async () => {
    const bytes = synthesizeDump({ processes: [{ pid: 1, vmas: [{ pages: Array.from({ length: 5000 }, (_, i) => i % 50) }] }] });
    let chunks = 0;
    let lines = 0;
    for await (const c of dumpToNdjson(decodeDump(bytes))) {
      chunks++;
      for (const line of c.trimEnd().split('\n')) {
        JSON.parse(line);
        lines++;
      }
    }
    expect(lines).toBe(5000 + 4);
    expect(chunks).toBeGreaterThan(5);
    expect(chunks).toBeLessThan(100);
  });

  it('keeps the snapshot index of each page', async () => {
    const out = await text(dumpToNdjson(decodeDump(synthesizeDump(sampleDumpSpec()))));
    const pages = out.trimEnd().split('\n').map((l) => JSON.parse(l)).filter((o) => o.type === 'page');
    expect(pages).toHaveLength(19);
    expect(pages.filter((p) => p.snapshot === 1)).toHaveLength(4);
    expect(pages.find((p) => p.pfn === 2 ** 40 + 7)).toMatchObject({ pid: 4242, vma: 1, index: 63 });
    expect(pages.find((p) => p.flags.includes('ksm'))).toMatchObject({ pfn: 0x1234, flags: ['present', 'exclusive', 'ksm'] });
  });
});
