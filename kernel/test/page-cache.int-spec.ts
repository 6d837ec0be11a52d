/**
 * The planner's models against the real kernel's page cache: processes of upm-scenario map one file privately
 * and read it, upm-probe dumps them with their frame numbers, and the plan models (libs/upm-model/src/plan)
 * must charge the file's page-cache pages once for all the containers made from those processes, as the
 * kernel does (the same PFN in every process), under none, KSM and UPM alike. Root only (PFNs).
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { loadDump, PageFlag, type ProcessPages } from '../../libs/upm-model/src/dump';
import { densityPerHost } from '../../libs/upm-model/src/plan';
import { vmaClassOf, VmaClass } from '../../libs/upm-model/src/sharing/world';

const KERNEL_DIR = path.resolve(__dirname, '..');
const BUILD = path.join(KERNEL_DIR, 'build');
const isRoot = process.getuid?.() === 0;
const rootIt = isRoot ? it : it.skip;
const FILE_PAGES = 2048;

let tmpDir: string;
let child: ChildProcess | null = null;

beforeAll(() => {
  execFileSync('make', ['-C', KERNEL_DIR, '-j2'], { stdio: ['ignore', 'pipe', 'pipe'] });
  tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'upm-page-cache-'));
}, 180_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child!.on('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
});

function start(args: string[]): Promise<{ pids: number[]; regions: { pid: number; kind: string; start: string; pages: number }[] }> {
  child = spawn(path.join(BUILD, 'upm-scenario'), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child!.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child!.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(JSON.parse(out.slice(0, nl)));
    });
    child!.on('exit', (code) => reject(new Error(`upm-scenario exited (${code}) before it was ready: ${err}`)));
  });
}

/** Page-cache pages of a process (present file pages of file VMAs): their PFNs. */
function pageCachePfns(p: ProcessPages): number[] {
  const cls = p.info.vmas.map(vmaClassOf);
  const out: number[] = [];
  for (let k = 0; k < p.count; k++) {
    const f = p.flags[k];
    if (f & PageFlag.Present && !(f & PageFlag.ZeroPage) && f & PageFlag.File && cls[p.vmaOf[k]] & VmaClass.FileVma)
      out.push((p.pfn as Float64Array)[k]);
  }
  return out;
}

/** Distinct frames of a process's other pages (a frame it maps twice counts once, as the kernel has it). */
function ownFrames(p: ProcessPages): number {
  const cls = p.info.vmas.map(vmaClassOf);
  const seen = new Set<number>();
  let n = 0;
  for (let k = 0; k < p.count; k++) {
    const f = p.flags[k];
    if (!(f & PageFlag.Present) || f & PageFlag.ZeroPage) continue;
    if (f & PageFlag.File && cls[p.vmaOf[k]] & VmaClass.FileVma) continue;
    const pfn = (p.pfn as Float64Array)[k];
    if (pfn > 0 && !(f & PageFlag.Exclusive)) {
      if (seen.has(pfn)) continue;
      seen.add(pfn);
    }
    n++;
  }
  return n;
}

describe('page-cache pages shared by frame (real kernel)', () => {
  rootIt('a file mapped by 3 processes costs its frames once under none, KSM and UPM', async () => {
    const file = path.join(tmpDir, 'weights.bin');
    fs.writeFileSync(file, randomBytes(FILE_PAGES * 4096)); // distinct content on every page
    const s = await start(['--processes', '3', '--pages', '512', '--identical', '0', '--seed', '21', '--file', file]);
    const out = path.join(tmpDir, 'file.dump');
    const run = spawnSync(path.join(BUILD, 'upm-probe'), ['-o', out, ...s.pids.flatMap((p) => ['--pid', String(p)])], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(run.stderr.toString()).toBe('');
    expect(run.status).toBe(0);
    const dump = await loadDump(out);
    expect(dump.header.host.pfnReadable).toBe(true);
    const procs = dump.snapshots[0].processes.filter((p) => p.info.status === 'ok' && p.count > 0);
    expect(procs).toHaveLength(3);

    // the kernel: the file's pages are the same frames in every process
    const fileRegions = s.regions.filter((r) => r.kind === 'file');
    expect(fileRegions).toHaveLength(3);
    const frameSets = procs.map((p) => {
      const start = Number(BigInt(fileRegions.find((r) => r.pid === p.info.pid)!.start));
      const vma = p.info.vmas.findIndex((v) => v.start === start);
      const pfns = new Set<number>();
      for (let k = 0; k < p.count; k++) if (p.vmaOf[k] === vma && p.flags[k] & PageFlag.Present) pfns.add(p.pfn![k]);
      return pfns;
    });
    expect(frameSets[0].size).toBe(FILE_PAGES);
    for (const fs1 of frameSets.slice(1)) expect([...fs1].sort()).toEqual([...frameSets[0]].sort());

    // what the 3 processes occupy on the real host: their own frames, and each page-cache frame once
    const cacheFrames = new Set(procs.flatMap(pageCachePfns));
    const realPages = procs.reduce((a, p) => a + ownFrames(p), 0) + cacheFrames.size;
    const chargedEach = procs.reduce((a, p) => a + ownFrames(p) + new Set(pageCachePfns(p)).size, 0);
    expect(chargedEach - realPages).toBeGreaterThanOrEqual(2 * FILE_PAGES);

    // a host of exactly that memory holds the 3 containers under every model (and no 4th under none)
    const r = densityPerHost({
      profiles: new Map([['f', [dump]]]),
      hostMemoryGiB: (realPages * 4096) / 1073741824,
    });
    const row = r.functions[0];
    expect(row.containers.none).toBe(3);
    expect(row.bytesPerContainer.none! * 3).toBe(realPages * 4096);
    expect(row.containers.ksm).toBeGreaterThanOrEqual(3);
    expect(row.containers.upm).toBeGreaterThanOrEqual(3);
  });
});
