/**
 * Sharing analysis: where the resident pages of a set of processes go, in categories that partition
 * them exactly (every resident page is in exactly one category), per process, per function and in total.
 *
 * Pages are taken in a canonical order: processes by (function, first seen, start time, pid), pages by
 * address. Each resident page gets the FIRST category of this precedence list that applies:
 *
 *  1. alreadyShared          its frame (same non-zero PFN) is mapped by an earlier page of the order:
 *                            it costs nothing already (fork, page cache, the kernel zero page, KSM).
 *  2. sharedMapping          in a MAP_SHARED / may-share VMA: neither KSM nor UPM merges it.
 *  3. notMergeable           cannot merge under the chosen model (`mergeability`): unhashed page, the
 *                            kernel zero page, special VMA (PFNMAP/IO/...); for `ksm` also page-cache
 *                            (file) pages; for `upm` also THP pages.
 *  4. zeroFilled             content is all zeroes (hash == HEAD.hash.zeroPageHash).
 *  5. duplicateWithinProcess an earlier page of the same process has the same content.
 *  6. duplicateSameFunction  an earlier process of the same function has the same content.
 *  7. duplicateCrossFunction an earlier process (of another function) has the same content.
 *  8. retainedCopy           first page of a content that has later duplicates (the copy merging keeps).
 *  9. unique                 the only page with that content.
 *
 * "Same content" means equal hash and, for `upm`, the same kind (anonymous vs page cache), since UPM
 * merges only anon with anon and file with file.
 *
 * PSS: before = sum over pages of 1 / (mappings of its frame in the set). After ideal merging, every
 * content group of categories 4-9 collapses into one frame mapped by all mappings of the group's frames.
 * physicalPagesAfter = physicalPagesBefore - (frames of the groups - number of groups).
 */
import type { Dump } from '../dump/types';
import { PageFlag } from '../dump/types';
import { buildWorld, ProcState, ProcTrack, throwIfAborted, VmaClass, World } from './world';

export const SHARING_CATEGORIES = [
  'alreadyShared',
  'sharedMapping',
  'notMergeable',
  'zeroFilled',
  'duplicateWithinProcess',
  'duplicateSameFunction',
  'duplicateCrossFunction',
  'retainedCopy',
  'unique',
] as const;
export type SharingCategory = (typeof SHARING_CATEGORIES)[number];

export interface CategoryAmount {
  pages: number;
  mib: number;
  /** Percent of the row's resident pages. */
  percentOfRss: number;
}

export interface SharingRow {
  residentPages: number;
  residentMiB: number;
  categories: Record<SharingCategory, CategoryAmount>;
  /** PSS in pages before merging (already-shared frames split between their mappers). */
  pssBeforePages: number;
  /** PSS in pages after ideal merging of categories 4-9. */
  pssAfterPages: number;
  pssBeforeMiB: number;
  pssAfterMiB: number;
}

export interface ProcessSharingRow extends SharingRow {
  pid: number;
  startTime: number;
  comm: string;
  function: string;
}

export interface SharingReport {
  pageSize: number;
  mergeability: 'ksm' | 'upm';
  snapshot: 'first' | 'last' | number;
  precedence: readonly SharingCategory[];
  processes: ProcessSharingRow[];
  functions: (SharingRow & { function: string; processes: number })[];
  total: SharingRow & { physicalPagesBefore: number; physicalPagesAfter: number; savedBytes: number };
  warnings: string[];
}

export interface SharingOptions {
  /** Which model's merge rules decide `notMergeable`. Default `upm`. */
  mergeability?: 'ksm' | 'upm';
  /** Snapshot of every dump to analyse. Default `last`. */
  snapshot?: 'first' | 'last' | number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

const CAT = {
  alreadyShared: 0,
  sharedMapping: 1,
  notMergeable: 2,
  zeroFilled: 3,
  duplicateWithinProcess: 4,
  duplicateSameFunction: 5,
  duplicateCrossFunction: 6,
  retainedCopy: 7,
  unique: 8,
} as const;
const NCAT = SHARING_CATEGORIES.length;

export function analyzeSharing(dumps: Dump[], options: SharingOptions = {}): SharingReport {
  const snapshot = options.snapshot ?? 'last';
  const world = buildWorld(dumps, { snapshot, signal: options.signal });
  return analyzeWorldSharing(world, { ...options, snapshot });
}

// Long: one pass over the world's pages classifying each (SHARING_CATEGORIES) into per-process and
// per-group tallies that the later steps read; the steps are marked by comments.
export function analyzeWorldSharing(world: World, options: SharingOptions = {}): SharingReport {
  const mergeability = options.mergeability ?? 'upm';
  const upm = mergeability === 'upm';
  const ps = world.pageSize;
  // one state per process: the latest
  const tracks = [...world.procs].sort(
    (a, b) =>
      (a.fn < b.fn ? -1 : a.fn > b.fn ? 1 : 0) || a.firstTimeMs - b.firstTimeMs || a.startTime - b.startTime || a.pid - b.pid,
  );
  const states: ProcState[] = tracks.map((t) => t.states[t.states.length - 1]);
  const totalPages = states.reduce((s, st) => s + st.pages.count, 0);

  // pass 1: mappings per frame and occurrences per content key
  const mapcount = new Int32Array(world.frameCount);
  const nKeys = world.contents.size * 2;
  const keyCount = new Int32Array(nKeys);
  const frameSeen = new Uint8Array(world.frameCount);
  const mergeableKey = (st: ProcState, k: number): number => {
    const p = st.pages;
    const fl = p.flags[k];
    const vc = st.vmaClass[p.vmaOf[k]];
    if (vc & VmaClass.Shared) return -2;
    const c = st.content[k];
    if (c < 0 || fl & PageFlag.ZeroPage || vc & VmaClass.Special) return -1;
    const isFile = (fl & PageFlag.File) !== 0;
    if (upm) {
      if (fl & PageFlag.Thp) return -1;
      return c * 2 + (isFile ? 1 : 0);
    }
    if (isFile) return -1;
    return c * 2;
  };
  for (const st of states) {
    const p = st.pages;
    for (let k = 0; k < p.count; k++) {
      if (!(p.flags[k] & PageFlag.Present)) continue;
      const f = st.frame[k];
      mapcount[f]++;
      if (frameSeen[f]) continue;
      frameSeen[f] = 1;
      const key = mergeableKey(st, k);
      if (key >= 0) keyCount[key]++;
    }
  }
  // pass 2: classify
  frameSeen.fill(0);
  const lastProc = new Int32Array(nKeys).fill(-1);
  const lastFn = new Int32Array(nKeys).fill(-1);
  const frameGroup = new Int32Array(world.frameCount).fill(-1);
  const groupMappings = new Float64Array(nKeys);
  const fnIds = new Map<string, number>();
  const perProc: Float64Array[] = [];
  const zeroKey0 = world.zeroContent * 2;
  let physicalBefore = 0;
  let groupFrames = 0;
  let groups = 0;
  const signal = options.signal;
  let done = 0;
  tracks.forEach((tr, pi) => {
    throwIfAborted(signal);
    let fid = fnIds.get(tr.fn);
    if (fid === undefined) fnIds.set(tr.fn, (fid = fnIds.size));
    const st = states[pi];
    const p = st.pages;
    const counts = new Float64Array(NCAT);
    for (let k = 0; k < p.count; k++) {
      if (!(p.flags[k] & PageFlag.Present)) continue;
      const f = st.frame[k];
      if (frameSeen[f]) {
        counts[CAT.alreadyShared]++;
        continue;
      }
      frameSeen[f] = 1;
      physicalBefore++;
      const key = mergeableKey(st, k);
      if (key === -2) {
        counts[CAT.sharedMapping]++;
        continue;
      }
      if (key === -1) {
        counts[CAT.notMergeable]++;
        continue;
      }
      if (frameGroup[f] === -1) {
        frameGroup[f] = key;
        groupFrames++;
        if (groupMappings[key] === 0) groups++;
        groupMappings[key] += mapcount[f];
      }
      if (key === zeroKey0 || key === zeroKey0 + 1) {
        counts[CAT.zeroFilled]++;
      } else if (lastProc[key] === pi) {
        counts[CAT.duplicateWithinProcess]++;
      } else if (lastFn[key] === fid) {
        counts[CAT.duplicateSameFunction]++;
      } else if (lastProc[key] !== -1) {
        counts[CAT.duplicateCrossFunction]++;
      } else if (keyCount[key] > 1) {
        counts[CAT.retainedCopy]++;
      } else counts[CAT.unique]++;
      lastProc[key] = pi;
      lastFn[key] = fid;
    }
    perProc.push(counts);
    done += p.count;
    options.onProgress?.(done, totalPages);
  });
  // pass 3: PSS
  const pssB = new Float64Array(tracks.length);
  const pssA = new Float64Array(tracks.length);
  states.forEach((st, pi) => {
    const p = st.pages;
    let b = 0;
    let a = 0;
    for (let k = 0; k < p.count; k++) {
      if (!(p.flags[k] & PageFlag.Present)) continue;
      const f = st.frame[k];
      const w = 1 / mapcount[f];
      b += w;
      const g = frameGroup[f];
      a += g >= 0 ? 1 / groupMappings[g] : w;
    }
    pssB[pi] = b;
    pssA[pi] = a;
  });

  const mib = (pages: number) => (pages * ps) / 1048576;
  const row = (counts: Float64Array, before: number, after: number): SharingRow => {
    let rss = 0;
    for (let c = 0; c < NCAT; c++) rss += counts[c];
    const categories = {} as Record<SharingCategory, CategoryAmount>;
    SHARING_CATEGORIES.forEach((name, c) => {
      categories[name] = { pages: counts[c], mib: mib(counts[c]), percentOfRss: rss ? (100 * counts[c]) / rss : 0 };
    });
    return {
      residentPages: rss,
      residentMiB: mib(rss),
      categories,
      pssBeforePages: before,
      pssAfterPages: after,
      pssBeforeMiB: mib(before),
      pssAfterMiB: mib(after),
    };
  };
  const processes: ProcessSharingRow[] = tracks.map((tr: ProcTrack, pi) => ({
    pid: tr.pid,
    startTime: tr.startTime,
    comm: tr.info.comm,
    function: tr.fn,
    ...row(perProc[pi], pssB[pi], pssA[pi]),
  }));
  const functions: SharingReport['functions'] = [];
  for (const [fn] of fnIds) {
    const acc = new Float64Array(NCAT);
    let b = 0;
    let a = 0;
    let n = 0;
    tracks.forEach((tr, pi) => {
      if (tr.fn !== fn) return;
      n++;
      for (let c = 0; c < NCAT; c++) acc[c] += perProc[pi][c];
      b += pssB[pi];
      a += pssA[pi];
    });
    functions.push({ function: fn, processes: n, ...row(acc, b, a) });
  }
  const tot = new Float64Array(NCAT);
  perProc.forEach((c) => c.forEach((v, i) => (tot[i] += v)));
  const physicalAfter = physicalBefore - (groupFrames - groups);
  return {
    pageSize: ps,
    mergeability,
    snapshot: options.snapshot ?? 'last',
    precedence: SHARING_CATEGORIES,
    processes,
    functions,
    total: {
      ...row(
        tot,
        pssB.reduce((s, v) => s + v, 0),
        pssA.reduce((s, v) => s + v, 0),
      ),
      physicalPagesBefore: physicalBefore,
      physicalPagesAfter: physicalAfter,
      savedBytes: (physicalBefore - physicalAfter) * ps,
    },
    warnings: world.warnings,
  };
}
