/**
 * Golden files in test/fixtures/dumps: a dump written by the real upm-probe (C) of `env -i /bin/sleep 120`,
 * and a synthetic sample with its NDJSON rendering. They pin the codec against the probe and against itself:
 * a change to the writer's bytes or to the NDJSON shape shows up here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DumpEncoder, decodeDump, dumpToNdjson, loadDump, readDumpFile, summarizeDump, synthesizeDump, type DumpEvent } from './index';
import { sampleDumpSpec } from './test-dumps';

const DIR = join(__dirname, '../../../../test/fixtures/dumps');

function reencode(events: DumpEvent[]): Buffer {
  const e = new DumpEncoder();
  const parts: Uint8Array[] = [];
  for (const ev of events) {
    if (ev.kind === 'header') parts.push(e.header(ev.header));
    if (ev.kind === 'snapshot') parts.push(e.snapshot(ev.snapshot));
    if (ev.kind === 'process') parts.push(e.process(ev.process));
    if (ev.kind === 'pages') parts.push(...e.pages(ev.block));
    if (ev.kind === 'end') parts.push(e.end());
  }
  return Buffer.concat(parts);
}

const withoutOffsets = (events: DumpEvent[]): unknown[] => events.map(({ offset: _offset, ...rest }) => ({ ...rest, bytes: undefined }));

describe('golden dumps', () => {
  it('reads a dump written by upm-probe', async () => {
    const path = join(DIR, 'probe-sleep.dump');
    const summary = await summarizeDump(readDumpFile(path));
    expect(summary).toMatchObject({
      snapshots: 1,
      processes: 1,
      vmas: 23,
      pages: 356,
      residentPages: 356,
      hash: { algorithm: 'xxh3-64-secret', keyId: '944a5fbc13234cbb', defaultKey: true },
      labels: { fixture: 'probe-sleep' },
      host: { pfnReadable: true, pageFlagsReadable: true },
    });
    const dump = await loadDump(path);
    const sleep = dump.snapshots[0].processes[0];
    expect(sleep.info).toMatchObject({ comm: 'sleep', cmdline: ['/bin/sleep', '120'], status: 'ok' });
    expect(sleep.info.vmas.some((v) => v.path === '/usr/bin/sleep' && v.kind === 'file')).toBe(true);
    expect(sleep.pfn!.every((p) => p > 0)).toBe(true); // captured as root: frames known
  });

  it('re-encodes the probe dump to an equivalent dump', () => {
    const events = decodeDump(readFileSync(join(DIR, 'probe-sleep.dump')));
    expect(withoutOffsets(decodeDump(reencode(events)))).toEqual(withoutOffsets(events));
  });

  it('writes the sample dump byte for byte as before', () => {
    const golden = readFileSync(join(DIR, 'sample.dump'));
    expect(Buffer.compare(synthesizeDump(sampleDumpSpec()), golden)).toBe(0);
    expect(Buffer.compare(reencode(decodeDump(golden)), golden)).toBe(0);
  });

  it('renders the sample dump to the golden NDJSON', async () => {
    let text = '';
    for await (const chunk of dumpToNdjson(readDumpFile(join(DIR, 'sample.dump')))) text += chunk;
    expect(text).toBe(readFileSync(join(DIR, 'sample.ndjson'), 'utf8'));
  });
});
