/**
 * Throughput of the merge models: 16 dumps (one container each of the same function) of 250,000
 * resident pages, synthesized in memory with realistic duplicate ratios (55% identical across the
 * containers: runtime, libraries, model weights; 10% zero-filled; 5% duplicated within a container in
 * groups of 4; 30% unique), every page with its own frame number.
 *
 * Measures, in one run, for the UPM model:
 *  - "model": runUpmModel on a World built beforehand (the model's own work on the pages: the replay of
 *    the madvise calls and the accounting). The World build is NOT included in this figure;
 *  - "world": buildWorld alone (interning the 64-bit content hashes, frame ids);
 *  - "from dumps": runUpmModel(dumps), i.e. world build + model, what a caller with dumps pays;
 * the KSM model from dumps (defaults: 100 pages / 20 ms, simulated until converged), and a
 * straightforward Map<string, ...>-based implementation of the same UPM analysis (written here, from
 * dumps), checking that both UPM implementations agree. Times are medians of --repeat runs, wall clock
 * and CPU time of the process (all its threads, the GC's helpers too: "per core"; on a machine shared
 * with other work CPU time is the steadier figure); memory is bytes per page of the World's and the
 * model's typed arrays (what they keep, not the dumps).
 *
 * With --baseline DIR (a copy of an older libs/upm-model/src, e.g.
 *   mkdir -p /tmp/upm-base && git archive COMMIT libs/upm-model/src | tar -x -C /tmp/upm-base
 * then --baseline /tmp/upm-base/libs/upm-model/src) every measurement is also made with that
 * implementation, alternating run by run, and the ratios are printed; its results must be equal.
 *
 *   npm run build:ts && node dist/bench/merge-models.bench.js \
 *     [--pages N] [--dumps N] [--repeat N] [--baseline DIR] [--no-straightforward]
 *
 * Goals: UPM >= 30 M pages/s per core, >= 10x the straightforward one, < 64 bytes of memory per page.
 */
import { performance } from 'perf_hooks';
import * as path from 'path';
import type { Dump, ProcessPages, VmaInfo } from '@upm/model/dump/types';
import { PageFlag } from '@upm/model/dump/types';
import * as merge from '@upm/model/merge';
import * as sharing from '@upm/model/sharing';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const argStr = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const PAGES = arg('--pages', 250_000);
const DUMPS = arg('--dumps', 16);
const REPEAT = arg('--repeat', 5);
const BASELINE = argStr('--baseline');
const STRAIGHTFORWARD = !process.argv.includes('--no-straightforward');

function splitmix(x: number): [number, number] {
  // 64-bit-ish mix in two 32-bit halves (deterministic content hashes)
  let a = Math.imul(x ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  let b = Math.imul((x + 0x632be5ab) ^ (a >>> 13), 0xc2b2ae35) >>> 0;
  a ^= b >>> 16;
  b ^= a >>> 15;
  return [a >>> 0 || 1, b >>> 0];
}

const ZERO = splitmix(-1);
const hex = (w: number) => w.toString(16).padStart(8, '0');

function synthDump(d: number, pages = PAGES): Dump {
  const n = pages;
  const ident = Math.floor(n * 0.55);
  const zero = Math.floor(n * 0.1);
  const dup = Math.floor(n * 0.05);
  const hashLo = new Uint32Array(n);
  const hashHi = new Uint32Array(n);
  const pfn = new Float64Array(n);
  const flags = new Uint8Array(n).fill(PageFlag.Present | PageFlag.Exclusive);
  const vmaOf = new Uint32Array(n);
  const pageIndex = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let h: [number, number];
    if (i < ident) h = splitmix(i);
    else if (i < ident + zero) h = ZERO;
    else if (i < ident + zero + dup) h = splitmix(10_000_000 + d * 1_000_000 + ((i - ident - zero) >> 2));
    else h = splitmix(100_000_000 + d * 1_000_000 + i);
    hashLo[i] = h[0];
    hashHi[i] = h[1];
    pfn[i] = 1_000_000 + d * n + i;
    pageIndex[i] = i;
  }
  const vma: VmaInfo = {
    start: 0x7f0000000000,
    end: 0x7f0000000000 + n * 4096,
    perms: 'rw-p',
    shared: false,
    kind: 'anon',
    pgoff: 0,
    flags: ['rd', 'wr', 'mr', 'mw', 'me', 'ac', 'mg'],
    path: '',
  };
  const proc: ProcessPages = {
    info: {
      pid: 1000 + d,
      startTime: 1000 + d,
      comm: 'python3',
      cmdline: ['python3', 'handler.py'],
      cgroup: `/fn/c${d}`,
      labels: {},
      snapshotTimeMs: 0,
      status: 'ok',
      ksm: null,
      rollup: {},
      vmas: [vma],
    },
    count: n,
    vmaOf,
    pageIndex,
    hashLo,
    hashHi,
    pfn,
    flags,
  };
  return {
    header: {
      formatVersion: 1,
      pageSize: 4096,
      hash: {
        algorithm: 'bench',
        keyId: '0000000000000000',
        defaultKey: true,
        zeroPageHash: hex(ZERO[1]) + hex(ZERO[0]),
      },
      host: { hostname: 'bench', kernelRelease: '6.18', pfnReadable: true, pageFlagsReadable: true },
      captureTimeMs: 0,
      ksm: {},
      thp: {},
      labels: { function: 'image-recognition' },
      tool: { name: 'bench', version: '1' },
    },
    snapshots: [{ info: { index: 0, timeMs: d * 1000, elapsedMs: 0 }, processes: [proc] }],
    bytes: 0,
  };
}

/**
 * The straightforward implementation of the same UPM replay (one call per process, in order, one
 * snapshot): a Map from the hash as a hex string to the owner, a Map of registrations per
 * "pid:address", a Set of frames at the end.
 */
function straightforwardUpm(dumps: Dump[]): { saved: number; merges: number } {
  const table = new Map<string, { pid: number; addr: number; frame: number; kind: number }>();
  const reg = new Map<string, string>();
  const frameOf = new Map<string, number>();
  let merges = 0;
  const before = new Set<number>();
  for (const d of dumps) {
    for (const p of d.snapshots[0].processes) {
      const pid = p.info.pid;
      for (let k = 0; k < p.count; k++) {
        const f = p.flags[k];
        if (!(f & PageFlag.Present) || f & PageFlag.Thp) continue;
        const v = p.info.vmas[p.vmaOf[k]];
        if (v.shared) continue;
        const hash = hex(p.hashHi[k]) + hex(p.hashLo[k]);
        const addr = v.start + p.pageIndex[k] * 4096;
        const frame = p.pfn![k];
        before.add(frame);
        const key = `${pid}:${addr}`;
        const kind = f & PageFlag.File ? 1 : 0;
        const old = reg.get(key);
        if (old === hash) continue;
        const e = table.get(hash);
        if (e && e.kind === kind) {
          if (e.frame !== frame) {
            frameOf.set(key, e.frame);
            merges++;
          }
          continue;
        }
        if (!e) {
          table.set(hash, { pid, addr, frame, kind });
          reg.set(key, hash);
        }
        frameOf.set(key, frame);
      }
    }
  }
  const after = new Set<number>(frameOf.values());
  return { saved: before.size - after.size, merges };
}

interface Impl {
  name: string;
  runUpmModel: typeof merge.runUpmModel;
  runKsmModel: typeof merge.runKsmModel;
  buildWorld: typeof sharing.buildWorld;
  worldBytes: typeof sharing.worldBytes;
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

interface Sample {
  wall: number[];
  cpu: number[];
}

function timed<T>(s: Sample, fn: () => T): T {
  const w = performance.now();
  const c = cpuMs();
  const r = fn();
  s.cpu.push((cpuMs() - c) / 1000);
  s.wall.push((performance.now() - w) / 1000);
  return r;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const KSM_OPTS = { params: { pagesToScan: 100, sleepMs: 20 }, timelineResolutionMs: 1000 };

function main(): void {
  const dumps = Array.from({ length: DUMPS }, (_, d) => synthDump(d));
  const total = PAGES * DUMPS;
  const impls: Impl[] = [{ name: 'current', ...merge, ...sharing }];
  if (BASELINE) {
    const dir = path.resolve(BASELINE);
    // from dist/ the baseline's TypeScript sources are compiled on load (before any measurement)
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    if (!require.extensions['.ts']) require('ts-node').register({ transpileOnly: true });
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    impls.unshift({ name: 'baseline', ...require(path.join(dir, 'merge')), ...require(path.join(dir, 'sharing')) });
  }
  console.log(
    `merge-models bench: ${DUMPS} dumps x ${PAGES} pages = ${total} pages (node ${process.version}, 1 thread)` +
      (BASELINE ? `; baseline ${BASELINE}` : ''),
  );

  // warm-up (JIT) on a slice
  for (const im of impls) {
    im.runUpmModel(dumps.slice(0, 2));
    im.runUpmModel(im.buildWorld(dumps.slice(0, 2)));
    im.runKsmModel(dumps.slice(0, 1), KSM_OPTS);
  }
  const worlds = impls.map((im) => im.buildWorld(dumps));
  const S = () => impls.map((): Sample => ({ wall: [], cpu: [] }));
  const sModel = S();
  const sWorld = S();
  const sDumps = S();
  const sKsm = S();
  const upm: merge.UpmResult[] = [];
  const ksm: merge.KsmResult[] = [];
  // alternate the implementations run by run (and the measurements), so that load from other work on
  // the machine falls on both alike
  for (let i = 0; i < REPEAT; i++) {
    impls.forEach((im, j) => {
      upm[j] = timed(sModel[j], () => im.runUpmModel(worlds[j]));
      timed(sWorld[j], () => im.buildWorld(dumps));
      timed(sDumps[j], () => im.runUpmModel(dumps));
    });
  }
  for (let i = 0; i < Math.max(1, Math.ceil(REPEAT / 2)); i++)
    impls.forEach((im, j) => (ksm[j] = timed(sKsm[j], () => im.runKsmModel(dumps, KSM_OPTS))));
  for (let j = 1; j < impls.length; j++) {
    const strip = (r: object) => JSON.stringify(r, (k, v) => (k === 'modelBytes' ? undefined : v));
    if (strip(upm[j]) !== strip(upm[0]))
      throw new Error('UPM results differ between the baseline and the current implementation');
    if (strip(ksm[j]) !== strip(ksm[0]))
      throw new Error('KSM results differ between the baseline and the current implementation');
  }

  let sfSec = NaN;
  if (STRAIGHTFORWARD) {
    straightforwardUpm(dumps.slice(0, 2));
    const t = performance.now();
    const sf = straightforwardUpm(dumps);
    sfSec = (performance.now() - t) / 1000;
    const u = upm[upm.length - 1];
    if (sf.saved !== u.pagesSharing || sf.merges !== u.totalMerges)
      throw new Error(
        `UPM implementations disagree: model saved ${u.pagesSharing} merges ${u.totalMerges}, straightforward saved ${sf.saved} merges ${sf.merges}`,
      );
  }

  const m = (x: number) => (x / 1e6).toFixed(1);
  const rate = (s: Sample, n = total) =>
    `${m(n / median(s.wall)).padStart(6)} M pages/s wall (${(median(s.wall) * 1000).toFixed(0)} ms), ` +
    `${m(n / median(s.cpu)).padStart(6)} M/s CPU (${(median(s.cpu) * 1000).toFixed(0)} ms)`;
  const rows: [string, string][] = [];
  impls.forEach((im, j) => {
    const wb = im.worldBytes(worlds[j]);
    rows.push([
      `[${im.name}] UPM model (world prebuilt)`,
      `${rate(sModel[j])}; ${((wb + upm[j].modelBytes) / total).toFixed(1)} bytes/page (world ${(wb / total).toFixed(1)} + model ${(upm[j].modelBytes / total).toFixed(1)})`,
    ]);
    rows.push([`[${im.name}] world build alone`, rate(sWorld[j])]);
    rows.push([`[${im.name}] UPM from dumps`, rate(sDumps[j])]);
    const k = ksm[j];
    rows.push([
      `[${im.name}] KSM model from dumps`,
      `${rate(sKsm[j])}; ${m(k.converged.pagesScanned / median(sKsm[j].wall))} M simulated page visits/s ` +
        `(${k.converged.fullScans} passes = ${k.simulatedSec.toFixed(0)} s of ksmd); ${((wb + k.modelBytes) / total).toFixed(1)} bytes/page`,
    ]);
  });
  if (impls.length > 1) {
    const r = (s: Sample[]) =>
      `${(median(s[0].wall) / median(s[1].wall)).toFixed(1)}x wall, ${(median(s[0].cpu) / median(s[1].cpu)).toFixed(1)}x CPU`;
    rows.push(['current / baseline: UPM model', r(sModel)]);
    rows.push(['current / baseline: world build', r(sWorld)]);
    rows.push(['current / baseline: UPM from dumps', r(sDumps)]);
    rows.push(['current / baseline: KSM from dumps', r(sKsm)]);
  }
  const cur = impls.length - 1;
  if (STRAIGHTFORWARD) {
    rows.push([
      'straightforward Map-based UPM',
      `${m(total / sfSec)} M pages/s wall (${(sfSec * 1000).toFixed(0)} ms, from dumps, 1 run)`,
    ]);
    rows.push([
      'UPM from dumps / straightforward',
      `${(sfSec / median(sDumps[cur].wall)).toFixed(1)}x (model alone ${(sfSec / median(sModel[cur].wall)).toFixed(1)}x)`,
    ]);
  }
  const u = upm[cur];
  const k = ksm[cur];
  rows.push([
    'result',
    `UPM saves ${u.pagesSharing} pages (${((100 * u.pagesSharing) / total).toFixed(1)}%), KSM ${k.pagesSharing} (${((100 * k.pagesSharing) / total).toFixed(1)}%)`,
  ]);
  for (const [key, v] of rows) console.log(`${key.padEnd(42)} ${v}`);
  const wb = impls[cur].worldBytes(worlds[cur]);
  const goals: [string, boolean][] = [
    ['UPM model (world prebuilt) >= 30 M pages/s, wall', total / median(sModel[cur].wall) >= 30e6],
    ['UPM model (world prebuilt) >= 30 M pages/s, CPU', total / median(sModel[cur].cpu) >= 30e6],
    ['UPM from dumps >= 30 M pages/s, wall', total / median(sDumps[cur].wall) >= 30e6],
    ['UPM from dumps >= 30 M pages/s, CPU', total / median(sDumps[cur].cpu) >= 30e6],
    ['UPM < 64 bytes/page', (wb + u.modelBytes) / total < 64],
    ['KSM < 64 bytes/page', (wb + k.modelBytes) / total < 64],
  ];
  if (STRAIGHTFORWARD)
    goals.splice(4, 0, ['UPM from dumps >= 10x straightforward', sfSec / median(sDumps[cur].wall) >= 10]);
  for (const [g, ok] of goals) console.log(`${ok ? 'met ' : 'MISS'} ${g}`);
}

if (require.main === module) main();
export { synthDump };
