/**
 * Small hand-made dumps for the unit tests of the sharing analysis and the merge models.
 * Page content is an integer label (equal label = equal content), 'zero' for a zero-filled page,
 * null for a resident page without hash.
 */
import type { Dump, ProcessInfo, ProcessPages, VmaInfo } from '../../dump/types';
import { PageFlag } from '../../dump/types';

export const ZERO_HASH_HEX = '00000000deadbeef';

export interface PageSpec {
  c: number | 'zero' | null;
  file?: boolean;
  thp?: boolean;
  pfn?: number;
  zeroPage?: boolean;
  present?: boolean;
}
export type PageLike = PageSpec | number | 'zero';

export interface VmaSpec {
  pages: PageLike[];
  shared?: boolean;
  kind?: 'anon' | 'file';
  /** VM_MERGEABLE (`mg`); default true. */
  mergeable?: boolean;
  flags?: string[];
  path?: string;
}

export interface ProcSpec {
  pid: number;
  startTime?: number;
  fn?: string;
  mergeAny?: boolean;
  vmas: VmaSpec[];
}

export interface DumpSpec {
  fn?: string;
  /** true: frame numbers are known (auto-assigned unless a page gives one). Default true. */
  pfns?: boolean;
  ksm?: Record<string, string>;
  hostname?: string;
  snapshots: { timeMs: number; procs: ProcSpec[] }[];
}

let autoPfn = 1000;
/** Frame numbers stay the same across snapshots while a page keeps its content (a write = a new frame). */
const pfnOf = new Map<string, number>();

export function contentWords(c: number | 'zero'): [number, number] {
  if (c === 'zero') return [0xdeadbeef, 0];
  return [(Math.imul(c + 1, 0x9e3779b1) ^ 0x5bd1e995) >>> 0, (c + 7) >>> 0];
}

export function buildDump(spec: DumpSpec): Dump {
  const pfns = spec.pfns ?? true;
  const t0 = 1_700_000_000_000;
  const snapshots = spec.snapshots.map((s, si) => ({
    info: { index: si, timeMs: t0 + s.timeMs, elapsedMs: s.timeMs },
    processes: s.procs.map((p) => buildProc(p, pfns, t0 + s.timeMs)),
  }));
  return {
    header: {
      formatVersion: 1,
      pageSize: 4096,
      hash: { algorithm: 'test', keyId: '0000000000000001', defaultKey: true, zeroPageHash: ZERO_HASH_HEX },
      host: { hostname: spec.hostname ?? 'test', kernelRelease: '6.18', pfnReadable: pfns, pageFlagsReadable: true },
      captureTimeMs: t0,
      ksm: spec.ksm ?? {},
      thp: {},
      labels: { function: spec.fn ?? 'fn' },
      tool: { name: 'test', version: '0' },
    },
    snapshots,
    bytes: 0,
  };
}

function buildProc(p: ProcSpec, pfns: boolean, timeMs: number): ProcessPages {
  const vmas: VmaInfo[] = [];
  let addr = 0x10000000;
  let n = 0;
  for (const v of p.vmas) n += v.pages.length;
  const vmaOf = new Uint32Array(n);
  const pageIndex = new Float64Array(n);
  const hashLo = new Uint32Array(n);
  const hashHi = new Uint32Array(n);
  const pfn = pfns ? new Float64Array(n) : null;
  const flags = new Uint8Array(n);
  let k = 0;
  p.vmas.forEach((v, vi) => {
    const flagsV = v.flags ?? ['rd', 'wr', 'mr', 'mw', 'me', 'ac'];
    if (v.mergeable ?? true) flagsV.push('mg');
    if (v.shared) flagsV.push('sh', 'ms');
    vmas.push({
      start: addr,
      end: addr + Math.max(1, v.pages.length) * 4096,
      perms: v.shared ? 'rw-s' : 'rw-p',
      shared: !!v.shared,
      kind: v.kind ?? 'anon',
      pgoff: 0,
      flags: flagsV,
      path: v.path ?? (v.kind === 'file' ? '/lib/x.so' : ''),
    });
    v.pages.forEach((pl, i) => {
      const ps: PageSpec = typeof pl === 'object' ? pl : { c: pl };
      vmaOf[k] = vi;
      pageIndex[k] = i;
      const present = ps.present ?? true;
      let f = present ? PageFlag.Present : PageFlag.Swapped;
      if (ps.file || v.shared || (v.kind === 'file' && ps.file !== false)) f |= PageFlag.File;
      if (ps.thp) f |= PageFlag.Thp;
      if (ps.zeroPage) f |= PageFlag.ZeroPage;
      flags[k] = f;
      if (present && ps.c !== null) {
        const [lo, hi] = contentWords(ps.c);
        hashLo[k] = lo;
        hashHi[k] = hi;
      }
      if (pfn) {
        const key = `${p.pid}:${vi}:${i}:${String(ps.c)}`;
        let auto = pfnOf.get(key);
        if (auto === undefined) pfnOf.set(key, (auto = autoPfn++));
        pfn[k] = ps.pfn ?? (ps.zeroPage ? 7 : auto);
      }
      k++;
    });
    addr += (v.pages.length + 16) * 4096;
  });
  const info: ProcessInfo = {
    pid: p.pid,
    startTime: p.startTime ?? p.pid,
    comm: 'test',
    cmdline: ['test'],
    cgroup: '/',
    labels: p.fn ? { function: p.fn } : {},
    snapshotTimeMs: timeMs,
    status: 'ok',
    ksm: { ksm_merge_any: p.mergeAny ? 'yes' : 'no' },
    rollup: {},
    vmas,
  };
  return { info, count: n, vmaOf, pageIndex, hashLo, hashHi, pfn, flags };
}

/** Pages with contents from..to-1. */
export function range(from: number, to: number): number[] {
  const r: number[] = [];
  for (let i = from; i < to; i++) r.push(i);
  return r;
}

export function repeat<T>(x: T, n: number): T[] {
  return new Array(n).fill(x);
}
