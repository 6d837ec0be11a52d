/**
 * Analysing, for the node-heap validation: per memory region of the probed processes, what the dumps show
 * (resident, zero-filled, changed, KSM duplicate candidates; after the real ksmd run the KSM-flagged pages and
 * what changed meanwhile), and step timelines sampled at chosen times.
 */
import { Dump, PageFlag, ProcessPages, VmaInfo } from '@upm/model/dump/types';
import { VmaClass, vmaClassOf } from '@upm/model/sharing';
import { MiB } from './common';

export const REGIONS = [
  'file data (Buffer + Uint8Array)',
  'other anonymous (V8 heap, code, stacks, arenas)',
  '[heap] (brk)',
  '[stack]',
  'file-backed (node, libraries)',
] as const;
export type Region = (typeof REGIONS)[number];

export function regionOf(v: VmaInfo, fileBytes: number): Region {
  if (v.kind === 'file') return 'file-backed (node, libraries)';
  if (v.path === '[heap]') return '[heap] (brk)';
  if (v.path === '[stack]') return '[stack]';
  // a copy of the file: glibc's own mmap for the 64 MiB malloc, one page more than the data (chunk header);
  // not V8's PROT_NONE reservations, which can be larger
  const size = v.end - v.start;
  if (!v.shared && v.perms.startsWith('rw') && size >= fileBytes && size <= fileBytes + 2 * MiB)
    return 'file data (Buffer + Uint8Array)';
  return 'other anonymous (V8 heap, code, stacks, arenas)';
}

export interface RegionRow {
  resident: number;
  thp: number;
  zeroFilled: number;
  /** present in every snapshot with a different hash in the last than in the first */
  changed: number;
  /** present in the last snapshot only / in the first only */
  appeared: number;
  disappeared: number;
  /** KSM-eligible pages (anonymous, mergeable VMA) whose content has another eligible copy anywhere */
  duplicateCandidates: number;
  /** after the real ksmd run: pages with the KSM flag, and pages whose hash differs from the pre-run dump */
  ksmMerged?: number;
  changedDuringRun?: number;
  /** the changedDuringRun pages that were duplicate candidates before the run */
  candidatesChangedDuringRun?: number;
}

const emptyRow = (): RegionRow => ({
  resident: 0,
  thp: 0,
  zeroFilled: 0,
  changed: 0,
  appeared: 0,
  disappeared: 0,
  duplicateCandidates: 0,
});

export type PageKey = string;
const hkey = (p: ProcessPages, i: number): PageKey => `${p.hashHi[i].toString(16)}:${p.hashLo[i].toString(16)}`;
const addrOf = (p: ProcessPages, i: number, pageSize: number) =>
  p.info.vmas[p.vmaOf[i]].start + p.pageIndex[i] * pageSize;

/** What ksmd visits: present anonymous pages (not page cache, not the zero page) of mergeable, compatible VMAs. */
export function eligibleForKsm(p: ProcessPages, i: number): boolean {
  const f = p.flags[i];
  if (!(f & PageFlag.Present) || f & (PageFlag.File | PageFlag.ZeroPage)) return false;
  const c = vmaClassOf(p.info.vmas[p.vmaOf[i]]);
  if (c & (VmaClass.Shared | VmaClass.Special)) return false;
  return p.info.ksm?.ksm_merge_any === 'yes' || !!(c & VmaClass.Mergeable);
}

export interface Evidence {
  regions: Record<Region, RegionRow>;
  /**
   * Pages of KSM-compatible VMAs that lack smaps `mg` (VM_MERGEABLE) in processes with ksm_merge_any: the
   * models count them as mergeable (merge_any), ksmd only visits VM_MERGEABLE VMAs. Per VMA name.
   */
  notMg: Record<string, { vmas: number; resident: number; duplicateCandidates: number }>;
  /** last pre-run snapshot: address → hash per pid (for the post-run comparison) */
  lastHash: Map<number, Map<number, PageKey>>;
  candidateAddrs: Map<number, Set<number>>;
  thpPages: number;
  snapshotTimesMs: number[];
}

export function dumpEvidence(dump: Dump, fileBytes: number): Evidence {
  const ps = dump.header.pageSize;
  const zero = dump.header.hash.zeroPageHash;
  const zeroKey = `${parseInt(zero.slice(0, 8), 16).toString(16)}:${parseInt(zero.slice(8), 16).toString(16)}`;
  const first = dump.snapshots[0];
  const last = dump.snapshots[dump.snapshots.length - 1];
  const regions = Object.fromEntries(REGIONS.map((r) => [r, emptyRow()])) as Record<Region, RegionRow>;
  // content copies among eligible pages of the last snapshot
  const copies = new Map<PageKey, number>();
  for (const p of last.processes)
    for (let i = 0; i < p.count; i++)
      if (eligibleForKsm(p, i) && (p.hashLo[i] || p.hashHi[i]))
        copies.set(hkey(p, i), (copies.get(hkey(p, i)) ?? 0) + 1);
  const firstByPid = new Map(first.processes.map((p) => [p.info.pid, p]));
  const lastHash = new Map<number, Map<number, PageKey>>();
  const candidateAddrs = new Map<number, Set<number>>();
  let thpPages = 0;
  const notMg: Evidence['notMg'] = {};
  for (const p of last.processes) {
    if (p.info.ksm?.ksm_merge_any === 'yes')
      for (const v of p.info.vmas) {
        const c = vmaClassOf(v);
        if (!(c & (VmaClass.Shared | VmaClass.Special)) && !(c & VmaClass.Mergeable)) {
          const name = v.path || '(anonymous)';
          (notMg[name] ??= { vmas: 0, resident: 0, duplicateCandidates: 0 }).vmas++;
        }
      }
  }
  for (const p of last.processes) {
    const h = new Map<number, PageKey>();
    const cand = new Set<number>();
    lastHash.set(p.info.pid, h);
    candidateAddrs.set(p.info.pid, cand);
    const before = new Map<number, PageKey>();
    const f = firstByPid.get(p.info.pid);
    if (f)
      for (let i = 0; i < f.count; i++) if (f.flags[i] & PageFlag.Present) before.set(addrOf(f, i, ps), hkey(f, i));
    const seen = new Set<number>();
    for (let i = 0; i < p.count; i++) {
      if (!(p.flags[i] & PageFlag.Present)) continue;
      const r = regions[regionOf(p.info.vmas[p.vmaOf[i]], fileBytes)];
      const a = addrOf(p, i, ps);
      const k = hkey(p, i);
      h.set(a, k);
      r.resident++;
      if (p.flags[i] & PageFlag.Thp) {
        r.thp++;
        thpPages++;
      }
      if (k === zeroKey) r.zeroFilled++;
      const dup = eligibleForKsm(p, i) && (copies.get(k) ?? 0) > 1;
      if (dup) {
        r.duplicateCandidates++;
        cand.add(a);
      }
      const v = p.info.vmas[p.vmaOf[i]];
      if (eligibleForKsm(p, i) && !v.flags.includes('mg')) {
        const n = notMg[v.path || '(anonymous)'];
        if (n) {
          n.resident++;
          if (dup) n.duplicateCandidates++;
        }
      }
      if (f && dump.snapshots.length > 1) {
        seen.add(a);
        const b = before.get(a);
        if (b === undefined) r.appeared++;
        else if (b !== k) r.changed++;
      }
    }
    if (f && dump.snapshots.length > 1)
      for (let i = 0; i < f.count; i++) {
        const a = addrOf(f, i, ps);
        if (f.flags[i] & PageFlag.Present && !seen.has(a))
          regions[regionOf(f.info.vmas[f.vmaOf[i]], fileBytes)].disappeared++;
      }
  }
  return {
    regions,
    notMg,
    lastHash,
    candidateAddrs,
    thpPages,
    snapshotTimesMs: dump.snapshots.map((s) => s.info.elapsedMs),
  };
}

/** Adds the post-run dump's KSM flags and the pages changed since the pre-run dump, per region. */
export function postRunEvidence(ev: Evidence, post: Dump, fileBytes: number): { ksmPages: number; ksmFrames: number } {
  const ps = post.header.pageSize;
  for (const r of REGIONS)
    Object.assign(ev.regions[r], { ksmMerged: 0, changedDuringRun: 0, candidatesChangedDuringRun: 0 });
  const frames = new Set<number>();
  let ksmPages = 0;
  const snap = post.snapshots[post.snapshots.length - 1];
  for (const p of snap.processes) {
    const before = ev.lastHash.get(p.info.pid);
    const cand = ev.candidateAddrs.get(p.info.pid);
    for (let i = 0; i < p.count; i++) {
      if (!(p.flags[i] & PageFlag.Present)) continue;
      const r = ev.regions[regionOf(p.info.vmas[p.vmaOf[i]], fileBytes)];
      if (p.flags[i] & PageFlag.Ksm) {
        r.ksmMerged!++;
        ksmPages++;
        if (p.pfn) frames.add(p.pfn[i]);
      }
      const a = addrOf(p, i, ps);
      const b = before?.get(a);
      if (b !== undefined && b !== hkey(p, i)) {
        r.changedDuringRun!++;
        if (cand?.has(a)) r.candidatesChangedDuringRun!++;
      }
    }
  }
  return { ksmPages, ksmFrames: frames.size };
}

/** pages_sharing (and shared, full scans) at chosen times, from a step timeline. */
export function sampleAt<T extends { t: number }>(points: T[], times: number[]): (T | null)[] {
  return times.map((t) => {
    let best: T | null = null;
    for (const p of points) if (p.t <= t + 1e-9) best = p;
    return best;
  });
}
