/**
 * Converts the UPM kernel probe's text (/sys/kernel/debug/upm/scan and /entries, as upm-test's `conform`
 * scenario records them) into a page-hash dump, format v1 (docs/dump-format.md), and the madvise calls,
 * counters and final observation of the run.
 *
 *   npx ts-node -r tsconfig-paths/register kernel/upm/convert/scan-to-dump.ts CONFORM.txt OUT.dump
 *
 * Lossless for what the probe records: every VMA (start, end, perms, VmFlags, kind, pgoff), every present
 * page (address, xxh64, frame number, flags: present, file, exclusive, zeroPage, ksm, thp). The probe does
 * not record paths, command lines, cgroups, smaps rollups nor swapped pages: those are empty in the dump.
 * hash.algorithm is `xxh64` (seed 0, no key: keyId 0000000000000000).
 *
 * Input grammar (one record a line):
 *   snapshot INDEX TIME_MS          starts a snapshot; the scans of the processes follow
 *   # upm-scan v1 / proc PID STARTTIME COMM / vma START END PERMS FLAGS KIND PGOFF / page ADDR HASH PFN FLAGS / end
 *   call PID START END TIME_MS      a madvise(MADV_UPM_MERGE) call over [START, END), after the snapshot
 *   counters NAME=VALUE...          /sys/kernel/mm/upm/ after the last call (deltas over the run)
 *   final                           the scans that follow are the observation after the last call
 *   entry HASH PID ADDR PFN KSM MAPCOUNT   the registered pages after the last call
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { DumpEncoder, hex64, loadDumpBytes, PageFlag, type Dump, type DumpHeader, type ProcessInfo, type VmaInfo } from '@upm/model/dump';
import { xxh64 } from '@upm/model/dump/checksum';

export interface ScanPage {
  address: number;
  /** 16 lowercase hex digits. */
  hash: string;
  pfn: number;
  flags: number;
}

export interface ScanProcess {
  pid: number;
  startTime: number;
  comm: string;
  vmas: VmaInfo[];
  pages: ScanPage[];
}

export interface ScanCall {
  pid: number;
  start: number;
  end: number;
  timeMs: number;
}

export interface ScanEntry {
  hash: string;
  pid: number;
  address: number;
  pfn: number;
  ksm: boolean;
  mapcount: number;
}

export interface ConformRun {
  snapshots: { index: number; timeMs: number; processes: ScanProcess[] }[];
  calls: ScanCall[];
  counters: Record<string, number>;
  final: ScanProcess[];
  entries: ScanEntry[];
}

const hexNum = (s: string, what: string, line: number): number => {
  if (!/^[0-9a-f]+$/.test(s)) throw new Error(`line ${line}: ${what} is not hex: ${s}`);
  const v = parseInt(s, 16);
  if (!Number.isSafeInteger(v)) throw new Error(`line ${line}: ${what} is beyond 2^53: ${s}`);
  return v;
};
const decNum = (s: string, what: string, line: number): number => {
  if (!/^-?[0-9]+$/.test(s)) throw new Error(`line ${line}: ${what} is not a number: ${s}`);
  return Number(s);
};

/** Parses the text recorded by upm-test's conform scenario. */
export function parseConform(text: string): ConformRun {
  const run: ConformRun = { snapshots: [], calls: [], counters: {}, final: [], entries: [] };
  let procs: ScanProcess[] | null = null;
  let cur: ScanProcess | null = null;
  text.split('\n').forEach((raw, i) => {
    const n = i + 1;
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const f = line.split(/\s+/);
    switch (f[0]) {
      case 'snapshot':
        procs = [];
        run.snapshots.push({ index: decNum(f[1], 'index', n), timeMs: decNum(f[2], 'time', n), processes: procs });
        break;
      case 'final':
        procs = run.final;
        break;
      case 'proc':
        if (!procs) throw new Error(`line ${n}: proc outside a snapshot`);
        cur = { pid: decNum(f[1], 'pid', n), startTime: decNum(f[2], 'startTime', n), comm: f.slice(3).join(' '), vmas: [], pages: [] };
        procs.push(cur);
        break;
      case 'vma': {
        if (!cur) throw new Error(`line ${n}: vma outside a proc`);
        const perms = f[3];
        cur.vmas.push({
          start: hexNum(f[1], 'start', n),
          end: hexNum(f[2], 'end', n),
          perms,
          shared: perms[3] === 's',
          flags: f[4] === '-' ? [] : f[4].split(','),
          kind: f[5] === 'file' ? 'file' : 'anon',
          pgoff: hexNum(f[6], 'pgoff', n),
          path: '',
        });
        break;
      }
      case 'page':
        if (!cur) throw new Error(`line ${n}: page outside a proc`);
        if (!/^[0-9a-f]{16}$/.test(f[2])) throw new Error(`line ${n}: bad hash ${f[2]}`);
        cur.pages.push({ address: hexNum(f[1], 'address', n), hash: f[2], pfn: hexNum(f[3], 'pfn', n), flags: decNum(f[4], 'flags', n) });
        break;
      case 'end':
        cur = null;
        break;
      case 'call':
        run.calls.push({ pid: decNum(f[1], 'pid', n), start: hexNum(f[2], 'start', n), end: hexNum(f[3], 'end', n), timeMs: decNum(f[4], 'time', n) });
        break;
      case 'counters':
        for (const kv of f.slice(1)) {
          const [k, v] = kv.split('=');
          run.counters[k] = decNum(v, k, n);
        }
        break;
      case 'entry':
        run.entries.push({
          hash: f[1],
          pid: decNum(f[2], 'pid', n),
          address: hexNum(f[3], 'address', n),
          pfn: hexNum(f[4], 'pfn', n),
          ksm: f[5] === '1',
          mapcount: decNum(f[6], 'mapcount', n),
        });
        break;
      default:
        throw new Error(`line ${n}: unknown record ${f[0]}`);
    }
  });
  return run;
}

function processInfo(p: ScanProcess, timeMs: number): ProcessInfo {
  return {
    pid: p.pid,
    startTime: p.startTime,
    comm: p.comm,
    cmdline: [],
    cgroup: '',
    labels: {},
    snapshotTimeMs: timeMs,
    status: 'ok',
    ksm: null,
    rollup: {},
    vmas: p.vmas,
  };
}

function header(): DumpHeader {
  const zero = xxh64(new Uint8Array(4096));
  return {
    formatVersion: 1,
    pageSize: 4096,
    hash: { algorithm: 'xxh64', keyId: '0000000000000000', defaultKey: false, zeroPageHash: hex64(zero.lo, zero.hi) },
    host: { hostname: 'qemu', kernelRelease: '6.12-upm', pfnReadable: true, pageFlagsReadable: true },
    captureTimeMs: 0,
    ksm: {},
    thp: {},
    labels: { source: 'upm-kernel-probe' },
    tool: { name: 'upm-scan-to-dump', version: '1.0.0' },
  };
}

export interface EncodeOptions {
  /**
   * Keep flag bit 3 (exclusive: the page is mapped once). Default true (lossless). The conformance replay
   * clears it: the planner's world gives an exclusive page a frame id of its own and a shared page the id of
   * its PFN, so a page that a merge turns from exclusive to shared keeps its PFN but would change identity
   * between snapshots. With every PFN known, PFN identity alone is exact.
   */
  keepExclusive?: boolean;
}

/** The snapshots of a run as dump v1 bytes (the final observation is not part of it: see ConformRun.final). */
export function encodeDump(run: ConformRun, opts: EncodeOptions = {}): Uint8Array {
  const flagMask = opts.keepExclusive === false ? 0xff & ~PageFlag.Exclusive : 0xff;
  const enc = new DumpEncoder({ name: 'upm-kernel-probe' });
  const parts: Uint8Array[] = [enc.header(header())];
  for (const s of run.snapshots) {
    parts.push(enc.snapshot({ index: s.index, timeMs: s.timeMs, elapsedMs: s.timeMs - run.snapshots[0].timeMs }));
    for (const p of s.processes) {
      parts.push(enc.process(processInfo(p, s.timeMs)));
      p.vmas.forEach((v, vi) => {
        const pages = p.pages.filter((pg) => pg.address >= v.start && pg.address < v.end);
        if (!pages.length) return;
        const hashes = new Uint32Array(2 * pages.length);
        pages.forEach((pg, k) => {
          const hi = parseInt(pg.hash.slice(0, 8), 16) >>> 0;
          let lo = parseInt(pg.hash.slice(8), 16) >>> 0;
          if (hi === 0 && lo === 0) lo = 1; // 0 means "not hashed" in the format
          hashes[2 * k] = lo;
          hashes[2 * k + 1] = hi;
        });
        parts.push(
          ...enc.pages({
            vmaIndex: vi,
            pageIndex: pages.map((pg) => (pg.address - v.start) / 4096),
            hashes,
            flags: pages.map((pg) => pg.flags & flagMask),
            pfns: pages.map((pg) => pg.pfn),
          }),
        );
      });
    }
  }
  parts.push(enc.end());
  const out = new Uint8Array(parts.reduce((a, b) => a + b.length, 0));
  let off = 0;
  for (const b of parts) {
    out.set(b, off);
    off += b.length;
  }
  return out;
}

/** Parse, encode and read back through the planner's own reader. */
export function conformToDump(text: string, opts: EncodeOptions = {}): { run: ConformRun; bytes: Uint8Array; dump: Dump } {
  const run = parseConform(text);
  const bytes = encodeDump(run, opts);
  return { run, bytes, dump: loadDumpBytes(bytes) };
}

/** Distinct frames and present pages of an observation (the kernel's real result). */
export function observedFrames(procs: ScanProcess[]): { residentPages: number; physicalPages: number } {
  const frames = new Set<number>();
  let resident = 0;
  for (const p of procs)
    for (const pg of p.pages)
      if (pg.flags & PageFlag.Present) {
        resident++;
        frames.add(pg.pfn);
      }
  return { residentPages: resident, physicalPages: frames.size };
}

if (require.main === module) {
  const [input, output] = process.argv.slice(2);
  if (!input || !output) {
    process.stderr.write('usage: scan-to-dump CONFORM.txt OUT.dump\n');
    process.exit(2);
  }
  const { run, bytes } = conformToDump(readFileSync(input, 'utf8'));
  writeFileSync(output, bytes);
  process.stdout.write(
    JSON.stringify({ snapshots: run.snapshots.length, calls: run.calls.length, bytes: bytes.length, counters: run.counters }) + '\n',
  );
}
