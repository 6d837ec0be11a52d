/**
 * Throughput of the merge models: 16 dumps (one container each of the same function) of 250,000
 * resident pages, synthesized in memory with realistic duplicate ratios (55% identical across the
 * containers: runtime, libraries, model weights; 10% zero-filled; 5% duplicated within a container in
 * groups of 4; 30% unique), every page with its own frame number.
 *
 * Measures, in one run: the UPM model, the KSM model (defaults: 100 pages / 20 ms, simulated until
 * converged) and a straightforward Map<string, ...>-based implementation of the same UPM analysis
 * (written here), checks that both UPM implementations agree, and reports pages/s, the ratio, and bytes
 * of memory per page.
 *
 *   TS_NODE_TRANSPILE_ONLY=1 npx ts-node -r tsconfig-paths/register bench/merge-models.bench.ts [--pages N] [--dumps N]
 *
 * Goals: UPM >= 30 M pages/s per core, >= 10x the straightforward one, < 64 bytes of memory per page.
 */
import { performance } from 'perf_hooks';
import type { Dump, ProcessPages, VmaInfo } from '@upm/model/dump/types';
import { PageFlag } from '@upm/model/dump/types';
import { runKsmModel, runUpmModel } from '@upm/model/merge';
import { buildWorld, worldBytes } from '@upm/model/sharing';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const PAGES = arg('--pages', 250_000);
const DUMPS = arg('--dumps', 16);
const REPEAT = arg('--repeat', 5);

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

function synthDump(d: number): Dump {
  const n = PAGES;
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
      hash: { algorithm: 'bench', keyId: '0000000000000000', defaultKey: true, zeroPageHash: hex(ZERO[1]) + hex(ZERO[0]) },
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

function time<T>(fn: () => T): [T, number] {
  const t = performance.now();
  const r = fn();
  return [r, (performance.now() - t) / 1000];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function main(): void {
  const dumps = Array.from({ length: DUMPS }, (_, d) => synthDump(d));
  const total = PAGES * DUMPS;
  console.log(`merge-models bench: ${DUMPS} dumps x ${PAGES} pages = ${total} pages (node ${process.version}, 1 thread)`);

  // warm-up (JIT) on a slice
  runUpmModel(dumps.slice(0, 2));
  straightforwardUpm(dumps.slice(0, 2));

  const upmTimes: number[] = [];
  let upm = runUpmModel(dumps);
  for (let i = 0; i < REPEAT; i++) {
    const [r, s] = time(() => runUpmModel(dumps));
    upm = r;
    upmTimes.push(s);
  }
  const upmSec = median(upmTimes);
  const world = buildWorld(dumps);
  const upmBytes = worldBytes(world) + upm.modelBytes;

  const sfTimes: number[] = [];
  let sf = straightforwardUpm(dumps);
  for (let i = 0; i < 1; i++) {
    const [r, s] = time(() => straightforwardUpm(dumps));
    sf = r;
    sfTimes.push(s);
  }
  const sfSec = median(sfTimes);
  if (sf.saved !== upm.pagesSharing || sf.merges !== upm.totalMerges)
    throw new Error(`UPM implementations disagree: model saved ${upm.pagesSharing} merges ${upm.totalMerges}, straightforward saved ${sf.saved} merges ${sf.merges}`);

  const [ksm, ksmSec] = time(() => runKsmModel(dumps, { params: { pagesToScan: 100, sleepMs: 20 }, timelineResolutionMs: 1000 }));
  const ksmBytes = worldBytes(world) + ksm.modelBytes;

  const m = (x: number) => (x / 1e6).toFixed(1);
  const rows: [string, string][] = [
    ['UPM model', `${m(total / upmSec)} M pages/s (${(upmSec * 1000).toFixed(0)} ms, median of ${REPEAT}); ${(upmBytes / total).toFixed(1)} bytes/page`],
    ['straightforward Map-based UPM', `${m(total / sfSec)} M pages/s (${(sfSec * 1000).toFixed(0)} ms)`],
    ['UPM model / straightforward', `${(sfSec / upmSec).toFixed(1)}x`],
    [
      'KSM model (100 pages / 20 ms)',
      `${m(total / ksmSec)} M dump pages/s, ${m(ksm.converged.pagesScanned / ksmSec)} M simulated page visits/s ` +
        `(${(ksmSec * 1000).toFixed(0)} ms for ${ksm.converged.fullScans} passes = ${ksm.simulatedSec.toFixed(0)} s of ksmd); ${(ksmBytes / total).toFixed(1)} bytes/page`,
    ],
    ['result', `UPM saves ${upm.pagesSharing} pages (${((100 * upm.pagesSharing) / total).toFixed(1)}%), KSM ${ksm.pagesSharing} (${((100 * ksm.pagesSharing) / total).toFixed(1)}%)`],
  ];
  for (const [k, v] of rows) console.log(`${k.padEnd(32)} ${v}`);
  const goals = [
    ['UPM >= 30 M pages/s', total / upmSec >= 30e6],
    ['UPM >= 10x straightforward', sfSec / upmSec >= 10],
    ['UPM < 64 bytes/page', upmBytes / total < 64],
    ['KSM < 64 bytes/page', ksmBytes / total < 64],
  ] as const;
  for (const [g, ok] of goals) console.log(`${ok ? 'met ' : 'MISS'} ${g}`);
}

if (require.main === module) main();
export { synthDump };
