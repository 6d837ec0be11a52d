/**
 * NDJSON rendering of a dump (docs/dump-format.md, "NDJSON rendering"): one JSON object a line in file
 * order, one line per page. Output comes in chunks of whole lines, so a consumer can write each as it comes.
 */
import { hex64 } from './format';
import { PAGE_FLAG_NAMES, type DumpEvent, type ProcessInfo } from './types';

/** `["present","exclusive"]` for each flags byte, built once. */
const FLAG_LISTS: readonly string[] = Array.from({ length: 256 }, (_, f) =>
  JSON.stringify(PAGE_FLAG_NAMES.filter((_, bit) => (f >> bit) & 1)),
);

const CHUNK_CHARS = 1 << 16;

/** Renders events to NDJSON lines; holds the context a page line needs (snapshot, process, page size). */
export class NdjsonRenderer {
  private pageSize = 4096;
  private snapshot = -1;
  private process: ProcessInfo | null = null;

  /** The lines of one event, each ending in "\n", in chunks of about 64 KiB. */
  *render(event: DumpEvent): Generator<string, void, undefined> {
    switch (event.kind) {
      case 'header':
        this.pageSize = event.header.pageSize;
        yield JSON.stringify({ type: 'header', ...event.header }) + '\n';
        return;
      case 'snapshot':
        this.snapshot = event.snapshot.index;
        yield JSON.stringify({ type: 'snapshot', ...event.snapshot }) + '\n';
        return;
      case 'process':
        this.process = event.process;
        yield JSON.stringify({ type: 'process', snapshot: this.snapshot, ...event.process }) + '\n';
        return;
      case 'end':
        yield JSON.stringify({ type: 'end', ...event.tail }) + '\n';
        return;
      case 'pages': {
        const process = this.process!;
        const { block } = event;
        const vma = process.vmas[block.vmaIndex];
        const prefix = `{"type":"page","snapshot":${this.snapshot},"pid":${process.pid},"vma":${block.vmaIndex},"address":"0x`;
        const { runs, hashes, pfns, flags } = block;
        let out = '';
        let i = 0;
        for (let r = 0; r < runs.length; r += 2) {
          const first = block.baseIndex + runs[r];
          const end = first + runs[r + 1];
          for (let index = first; index < end; index++, i++) {
            const address = (vma.start + index * this.pageSize).toString(16);
            const pfn = pfns === null ? 'null' : String(pfns[i]);
            out += `${prefix}${address}","index":${index},"hash":"${hex64(hashes[2 * i], hashes[2 * i + 1])}","pfn":${pfn},"flags":${FLAG_LISTS[flags[i]]}}\n`;
            if (out.length >= CHUNK_CHARS) {
              yield out;
              out = '';
            }
          }
        }
        if (out.length > 0) yield out;
        return;
      }
    }
  }
}

/** NDJSON of a whole event stream, in chunks of whole lines. */
export async function* dumpToNdjson(events: AsyncIterable<DumpEvent> | Iterable<DumpEvent>): AsyncGenerator<string, void, undefined> {
  const renderer = new NdjsonRenderer();
  for await (const event of events) yield* renderer.render(event);
}
