/** One-pass summary of a dump, computed from the event stream without holding pages. */
import { parseHex64 } from './format';
import { Hash64Set } from './hash-set';
import { PageFlag, type DumpEvent, type DumpHeader, type PageBlock, type ProcessStatus } from './types';

export interface ProcessSummary {
  snapshot: number;
  pid: number;
  startTime: number;
  comm: string;
  status: ProcessStatus;
  vmas: number;
  residentPages: number;
  swappedPages: number;
  zeroPages: number;
  ksmPages: number;
  filePages: number;
}

export interface DumpSummary {
  snapshots: number;
  /** PROC sections: a process captured in two snapshots counts twice. */
  processes: number;
  vmas: number;
  pageSections: number;
  /** Pages listed (resident and swapped). */
  pages: number;
  /** Present pages (flag bit 0). */
  residentPages: number;
  /** Distinct non-zero hashes of resident pages over the whole dump. */
  distinctHashes: number;
  /** Resident pages whose content is zero-filled: hash == HEAD.hash.zeroPageHash. */
  zeroPages: number;
  /** Resident pages mapping the kernel's zero page (flag bit 4). */
  zeroPageMapped: number;
  ksmPages: number;
  /** Resident pages without the file bit, and with it. */
  anonPages: number;
  filePages: number;
  swappedPages: number;
  thpPages: number;
  /** Resident pages that could not be hashed (hash 0). */
  unhashedPages: number;
  /** Size of the dump in bytes. */
  bytes: number;
  pageSize: number;
  captureTimeMs: number;
  hash: { algorithm: string; keyId: string; defaultKey: boolean };
  host: DumpHeader['host'];
  labels: Record<string, string>;
  perProcess: ProcessSummary[];
}

/** Accumulates a DumpSummary event by event (tee it beside another consumer of readDump). */
export class DumpSummarizer {
  private readonly distinct = new Hash64Set(1 << 12);
  private zeroLo = 0;
  private zeroHi = 0;
  private header: DumpHeader | null = null;
  private current: ProcessSummary | null = null;
  private readonly s = {
    snapshots: 0,
    processes: 0,
    vmas: 0,
    pageSections: 0,
    pages: 0,
    residentPages: 0,
    zeroPages: 0,
    zeroPageMapped: 0,
    ksmPages: 0,
    filePages: 0,
    swappedPages: 0,
    thpPages: 0,
    unhashedPages: 0,
    bytes: 0,
  };
  private readonly perProcess: ProcessSummary[] = [];

  add(event: DumpEvent): void {
    switch (event.kind) {
      case 'header': {
        this.header = event.header;
        ({ lo: this.zeroLo, hi: this.zeroHi } = parseHex64(event.header.hash.zeroPageHash));
        break;
      }
      case 'snapshot':
        this.s.snapshots++;
        break;
      case 'process': {
        const p = event.process;
        this.s.processes++;
        this.s.vmas += p.vmas.length;
        this.current = {
          snapshot: this.s.snapshots - 1,
          pid: p.pid,
          startTime: p.startTime,
          comm: p.comm,
          status: p.status,
          vmas: p.vmas.length,
          residentPages: 0,
          swappedPages: 0,
          zeroPages: 0,
          ksmPages: 0,
          filePages: 0,
        };
        this.perProcess.push(this.current);
        break;
      }
      case 'pages':
        this.addBlock(event.block);
        break;
      case 'end':
        this.s.bytes = event.bytes ?? 0;
        break;
    }
  }

  /** The hot loop: flag bits and the distinct-hash set, no allocation per page. */
  private addBlock(block: PageBlock): void {
    const { flags, hashes, count } = block;
    const zeroLo = this.zeroLo;
    const zeroHi = this.zeroHi;
    const distinct = this.distinct;
    let resident = 0;
    let file = 0;
    let zeroMapped = 0;
    let ksm = 0;
    let thp = 0;
    let swapped = 0;
    let zero = 0;
    let unhashed = 0;
    for (let i = 0; i < count; i++) {
      const f = flags[i];
      if (f & PageFlag.Present) {
        resident++;
        file += (f >> 2) & 1;
        zeroMapped += (f >> 4) & 1;
        ksm += (f >> 5) & 1;
        thp += (f >> 6) & 1;
        const lo = hashes[2 * i];
        const hi = hashes[2 * i + 1];
        if ((lo | hi) === 0) {
          unhashed++;
        } else {
          if (lo === zeroLo && hi === zeroHi) zero++;
          distinct.add(lo, hi);
        }
      } else {
        swapped += (f >> 1) & 1;
      }
    }
    const s = this.s;
    s.pageSections++;
    s.pages += count;
    s.residentPages += resident;
    s.filePages += file;
    s.zeroPageMapped += zeroMapped;
    s.ksmPages += ksm;
    s.thpPages += thp;
    s.swappedPages += swapped;
    s.zeroPages += zero;
    s.unhashedPages += unhashed;
    const p = this.current;
    if (p !== null) {
      p.residentPages += resident;
      p.swappedPages += swapped;
      p.zeroPages += zero;
      p.ksmPages += ksm;
      p.filePages += file;
    }
  }

  result(): DumpSummary {
    const h = this.header;
    if (h === null) throw new Error('DumpSummarizer: no header event');
    const s = this.s;
    return {
      snapshots: s.snapshots,
      processes: s.processes,
      vmas: s.vmas,
      pageSections: s.pageSections,
      pages: s.pages,
      residentPages: s.residentPages,
      distinctHashes: this.distinct.size,
      zeroPages: s.zeroPages,
      zeroPageMapped: s.zeroPageMapped,
      ksmPages: s.ksmPages,
      anonPages: s.residentPages - s.filePages,
      filePages: s.filePages,
      swappedPages: s.swappedPages,
      thpPages: s.thpPages,
      unhashedPages: s.unhashedPages,
      bytes: s.bytes,
      pageSize: h.pageSize,
      captureTimeMs: h.captureTimeMs,
      hash: { algorithm: h.hash.algorithm, keyId: h.hash.keyId, defaultKey: h.hash.defaultKey },
      host: h.host,
      labels: h.labels,
      perProcess: this.perProcess,
    };
  }
}

/** Summarize a dump from its events (e.g. `summarizeDump(readDumpFile(path))`). */
export async function summarizeDump(events: AsyncIterable<DumpEvent> | Iterable<DumpEvent>): Promise<DumpSummary> {
  const summarizer = new DumpSummarizer();
  for await (const event of events) summarizer.add(event);
  return summarizer.result();
}
