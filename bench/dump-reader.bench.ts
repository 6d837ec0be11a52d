/**
 * Reader throughput from a file: pages/s of loadDump (the path the CLI, API and worker use: decode, validate,
 * checksum, flat per-process columns) and of the readDumpFile event stream, beside plain reads of the same file
 * (fs.readFile into one Buffer, and an fs.createReadStream pass): the I/O floor, measured in the same run.
 * The passes interleave, their order rotating every repetition, so load on the shared machine falls on all
 * alike; page cache and JIT are warm. Wall and CPU time (process.cpuUsage) are both reported, as medians, with
 * each pass's median ratio to the plain read of the same repetition. Run from dist/ (npm run bench:dump-reader),
 * not ts-node. Prints one JSON line.
 *
 *   npm run bench:dump-reader -- [--pages N] [--runs N] [--summary] [--keep | --file DUMP]
 *
 * --file benchmarks an existing dump instead of writing the synthetic one.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { cpus, loadavg, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DumpSummarizer, DumpWriter, PageFlag, loadDump, readDumpFile, syntheticHeader, type VmaInfo } from '@upm/model';
import { xorshift32 } from '@upm/model/traces/prng';

const PAGE_SIZE = 4096;
const CHUNK = 1 << 18; // the chunk size readDumpFile reads

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

/** Deterministic uniform [0, 1) (xorshift32), so every run benchmarks the same file. */
function rng(seed: number): () => number {
  const next = xorshift32(seed);
  return () => next() / 0x1_0000_0000;
}

function scramble(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return x ^ (x >>> 16);
}

interface VmaPlan {
  vma: VmaInfo;
  /** Share of the VMA's pages that are resident. */
  residency: number;
}

/**
 * The address space of one runtime process, the same for every process (as for instances of one function):
 * ~60 shared libraries of four segments each, a heap, malloc arenas, small anonymous mappings, a stack.
 * About 300 VMAs and 25 k resident pages, so PAGE sections hold ~80 pages on average, as in real dumps.
 */
function planVmas(random: () => number): VmaPlan[] {
  const plans: VmaPlan[] = [];
  let address = 0x5555_0000_0000;
  const add = (pages: number, file: boolean, perms: string, path: string, residency: number): void => {
    plans.push({
      vma: { start: address, end: address + pages * PAGE_SIZE, perms, shared: false, kind: file ? 'file' : 'anon', pgoff: 0, flags: ['rd', 'mr', 'mw', 'me'], path },
      residency,
    });
    address += (pages + 1 + Math.floor(random() * 64)) * PAGE_SIZE;
  };
  const size = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
  for (let lib = 0; lib < 60; lib++) {
    const path = `/usr/lib/x86_64-linux-gnu/lib${lib}.so`;
    add(size(1, 8), true, 'r--p', path, 0.9);
    add(size(2, 300), true, 'r-xp', path, 0.6);
    add(size(1, 16), true, 'r--p', path, 0.9);
    add(size(1, 4), true, 'rw-p', path, 1);
  }
  add(6000, false, 'rw-p', '[heap]', 0.97);
  for (let a = 0; a < 12; a++) add(size(256, 2048), false, 'rw-p', '', 0.9);
  for (let a = 0; a < 40; a++) add(size(1, 32), false, 'rw-p', '', 0.8);
  add(33, false, 'rw-p', '[stack]', 0.5);
  return plans;
}

/**
 * A plausible serverless host: instances of one runtime sharing library pages (same hashes everywhere),
 * heaps of mostly unique pages with some zero-filled ones, a few swapped pages, holes between resident runs.
 */
async function writeBenchDump(path: string, targetPages: number): Promise<{ pages: number; sections: number }> {
  const random = rng(0x5eed);
  const plans = planVmas(random);
  const vmas = plans.map((p) => p.vma);
  const writer = new DumpWriter(createWriteStream(path, { highWaterMark: CHUNK }));
  const header = syntheticHeader({ header: { labels: { bench: 'dump-reader' } } });
  await writer.writeHeader(header);
  await writer.writeSnapshot({ timeMs: header.captureTimeMs });
  const zero = { lo: parseInt(header.hash.zeroPageHash.slice(8), 16), hi: parseInt(header.hash.zeroPageHash.slice(0, 8), 16) };
  let uniqueId = 1;
  let written = 0;
  let sections = 0;
  for (let pid = 1000; written < targetPages; pid++) {
    await writer.writeProcess({
      pid, startTime: pid * 7, comm: 'python3', cmdline: ['python3', 'handler.py'], cgroup: `/fn/${pid}`, labels: {},
      snapshotTimeMs: header.captureTimeMs, status: 'ok', ksm: null, rollup: { Rss: 100_000 }, vmas,
    });
    for (let v = 0; v < plans.length && written < targetPages; v++) {
      const { vma, residency } = plans[v];
      const file = vma.kind === 'file';
      const size = (vma.end - vma.start) / PAGE_SIZE;
      const pageIndex: number[] = [];
      for (let p = 0; p < size; p++) if (random() < residency) pageIndex.push(p); // holes: non-resident pages
      const n = Math.min(pageIndex.length, targetPages - written);
      if (n === 0) continue;
      const hashes = new Uint32Array(2 * n);
      const flags = new Uint8Array(n);
      const pfns = new Uint32Array(n);
      for (let i = 0; i < n; i++) {
        const r = random();
        if (!file && r > 0.99) {
          flags[i] = PageFlag.Swapped; // hash and PFN stay 0
          continue;
        }
        let lo: number, hi: number;
        if (file) {
          lo = scramble(v * 1_000_003 + pageIndex[i]) >>> 0; // same library page, same content, in every process
          hi = scramble(v) >>> 0;
        } else if (r < 0.1) {
          ({ lo, hi } = zero);
        } else {
          // content hashes look random: scramble a counter
          lo = scramble(uniqueId) >>> 0;
          hi = scramble(uniqueId ^ 0x5bd1e995) >>> 0;
          uniqueId++;
        }
        hashes[2 * i] = lo;
        hashes[2 * i + 1] = hi;
        flags[i] = PageFlag.Present | (file ? PageFlag.File : PageFlag.Exclusive);
        pfns[i] = 0x10000 + written + i;
      }
      await writer.writePages({ vmaIndex: v, pageIndex: pageIndex.slice(0, n), hashes, flags, pfns });
      written += n;
      sections++;
    }
  }
  await writer.end();
  return { pages: written, sections };
}

/** The I/O floor: the whole file into one Buffer. Returns its byte count. */
async function readFilePass(path: string): Promise<number> {
  return (await readFile(path)).length;
}

/** A plain stream pass in 256 KiB chunks, as readDumpFile reads. Returns the byte count. */
async function streamPass(path: string): Promise<number> {
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK })) bytes += (chunk as Buffer).length;
  return bytes;
}

/** loadDump(path): what `upm analyze`/`upm plan` and the node-heap validation run. Returns the page count. */
async function loadPass(path: string): Promise<number> {
  const dump = await loadDump(path);
  let pages = 0;
  for (const snapshot of dump.snapshots) for (const p of snapshot.processes) pages += p.count;
  return pages;
}

/** The readDumpFile event stream (`upm dump cat|summary`), counting pages. */
async function eventsPass(path: string): Promise<number> {
  let pages = 0;
  for await (const event of readDumpFile(path)) if (event.kind === 'pages') pages += event.block.count;
  return pages;
}

async function summaryPass(path: string): Promise<number> {
  const summarizer = new DumpSummarizer();
  for await (const event of readDumpFile(path)) summarizer.add(event);
  return summarizer.result().pages;
}

interface Timing {
  seconds: number;
  /** CPU seconds of this process (user + system): steadier than wall time on a shared machine. */
  cpuSeconds: number;
  value: number;
}

async function timed(fn: () => Promise<number>): Promise<Timing> {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const value = await fn();
  const c = process.cpuUsage(c0);
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, cpuSeconds: (c.user + c.system) / 1e6, value };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

interface Pass {
  name: string;
  run: (path: string) => Promise<number>;
  /** What the pass must return: the file's bytes or its pages. */
  expect: 'bytes' | 'pages';
}

async function main(): Promise<void> {
  const targetPages = arg('pages', 4_200_000);
  const runs = arg('runs', 7);
  const passes: Pass[] = [
    { name: 'readFile', run: readFilePass, expect: 'bytes' },
    { name: 'stream', run: streamPass, expect: 'bytes' },
    { name: 'loadDump', run: loadPass, expect: 'pages' },
    { name: 'readDumpFile', run: eventsPass, expect: 'pages' },
  ];
  if (process.argv.includes('--summary')) passes.push({ name: 'readDumpFile+summary', run: summaryPass, expect: 'pages' });
  const fileArg = process.argv.indexOf('--file');
  const dir = fileArg > 0 ? null : await mkdtemp(join(tmpdir(), 'upm-bench-'));
  const path = dir === null ? process.argv[fileArg + 1] : join(dir, 'bench.dump');
  try {
    const loadAtStart = loadavg().map((x) => +x.toFixed(2));
    let layout = { pages: 0, sections: 0 };
    const w =
      dir === null
        ? await timed(async () => {
            for await (const e of readDumpFile(path)) if (e.kind === 'end') layout = { pages: e.tail.pages, sections: e.tail.pageSections };
            return layout.pages;
          })
        : await timed(async () => (layout = await writeBenchDump(path, targetPages)).pages);
    const pages = w.value;
    const bytes = (await stat(path)).size;
    const expected = { bytes, pages };
    const timings = new Map<string, Timing[]>(passes.map((p) => [p.name, []]));
    for (let warm = 0; warm < 2; warm++) for (const p of passes) await p.run(path); // page cache and JIT on every path
    for (let r = 0; r < runs; r++) {
      for (let k = 0; k < passes.length; k++) {
        const p = passes[(k + r) % passes.length]; // rotate the order each repetition
        const t = await timed(() => p.run(path));
        if (t.value !== expected[p.expect]) throw new Error(`${p.name} gave ${t.value} ${p.expect}, expected ${expected[p.expect]}`);
        timings.get(p.name)!.push(t);
      }
    }
    const base = timings.get('readFile')!;
    const stats = (ts: Timing[]) => {
      const seconds = median(ts.map((t) => t.seconds));
      const cpuSeconds = median(ts.map((t) => t.cpuSeconds));
      return {
        seconds: +seconds.toFixed(4),
        cpuSeconds: +cpuSeconds.toFixed(4),
        pagesPerSec: Math.round(pages / seconds),
        pagesPerCpuSec: Math.round(pages / cpuSeconds),
        bestPagesPerSec: Math.round(pages / Math.min(...ts.map((t) => t.seconds))),
        mbPerSec: Math.round(bytes / seconds / 1e6),
        // time of this pass over the plain readFile of the same repetition, median over repetitions
        wallRatioToReadFile: +median(ts.map((t, r) => t.seconds / base[r].seconds)).toFixed(2),
        cpuRatioToReadFile: +median(ts.map((t, r) => t.cpuSeconds / Math.max(base[r].cpuSeconds, 1e-6))).toFixed(2),
      };
    };
    const result = {
      bench: 'dump-reader',
      date: new Date().toISOString(),
      pages,
      pageSections: layout.sections,
      pagesPerSection: +(pages / layout.sections).toFixed(1),
      bytes,
      runs,
      file: dir === null ? path : 'synthetic',
      writeSeconds: +w.seconds.toFixed(3),
      passes: Object.fromEntries(passes.map((p) => [p.name, stats(timings.get(p.name)!)])),
      loadAverage: { start: loadAtStart, end: loadavg().map((x) => +x.toFixed(2)) },
      machine: { kernel: release(), cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version },
    };
    process.stdout.write(JSON.stringify(result) + '\n');
  } finally {
    if (dir !== null && !process.argv.includes('--keep')) await rm(dir, { recursive: true, force: true });
    else if (dir !== null) process.stderr.write(`kept ${path}\n`);
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exitCode = 1;
});
