/**
 * The pages of one or more dumps arranged as processes over time: the common input of the sharing
 * analysis and the merge models. Content hashes are interned into dense content ids and frame numbers
 * into dense frame ids, so the models work on Int32Arrays and never on strings or objects per page.
 *
 * Time: milliseconds relative to the earliest snapshot of all dumps (t = 0).
 * A process is identified by (host, pid, startTime). It "exits" at the time of the first snapshot of
 * its dump taken after its last appearance (or at the snapshot where its status is `exited`).
 */
import type { Dump, ProcessInfo, ProcessPages, VmaInfo } from '../dump/types';
import { PageFlag } from '../dump/types';
import { HashIndex64, hexToWords } from './hash-index';

/** Per-VMA class bits (see vmaClassOf). */
export const VmaClass = {
  /** MAP_SHARED / may-share: never merged by KSM nor UPM. */
  Shared: 1,
  /** PFNMAP, IO, DONTEXPAND, HUGETLB, MIXEDMAP ([vvar], [vsyscall], device maps): skipped by UPM. */
  Special: 2,
  /** VM_MERGEABLE (smaps `mg`). */
  Mergeable: 4,
  /** File-backed mapping. */
  FileVma: 8,
  /** The dump carries the VMA's VmFlags, so `mg` (or its absence) is the kernel's own word. */
  FlagsKnown: 16,
} as const;

export function vmaClassOf(vma: VmaInfo): number {
  const f = vma.flags;
  let c = 0;
  if (vma.shared || f.includes('sh') || f.includes('ms')) c |= VmaClass.Shared;
  if (
    f.includes('pf') ||
    f.includes('io') ||
    f.includes('de') ||
    f.includes('ht') ||
    f.includes('mm') ||
    vma.path === '[vvar]' ||
    vma.path === '[vvar_vclock]' ||
    vma.path === '[vsyscall]'
  )
    c |= VmaClass.Special;
  if (f.includes('mg')) c |= VmaClass.Mergeable;
  if (f.length > 0) c |= VmaClass.FlagsKnown;
  if (vma.kind === 'file') c |= VmaClass.FileVma;
  return c;
}

/** One process as captured by one snapshot. */
export interface ProcState {
  timeMs: number;
  dumpIndex: number;
  snapshotIndex: number;
  pages: ProcessPages;
  /** Content id per page, -1 when not hashed (swapped or unreadable). */
  content: Int32Array;
  /** Frame id per page: same id = same physical frame. */
  frame: Int32Array;
  /** Slot (index into the track's address list) of each page; null = identity (single-state tracks). */
  slotOfPage: Int32Array | null;
  /** Page index of each slot, -1 when the slot has no page in this state; null = identity. */
  pageOfSlot: Int32Array | null;
  /** vmaClassOf per VMA of this state. */
  vmaClass: Uint8Array;
}

export interface ProcTrack {
  index: number;
  pid: number;
  startTime: number;
  host: string;
  fn: string;
  info: ProcessInfo;
  states: ProcState[];
  firstTimeMs: number;
  /** Infinity when still alive at the end of the observation. */
  exitTimeMs: number;
  /** PR_SET_MEMORY_MERGE (ksm_stat `ksm_merge_any: yes`). */
  mergeAny: boolean;
  slotCount: number;
  /** Virtual address of each slot, ascending (empty for single-state tracks: slot = page index). */
  slotAddr: Float64Array;
}

export interface World {
  pageSize: number;
  hashAlgorithm: string;
  hashKeyId: string;
  contents: HashIndex64;
  /** Content id of a zero-filled page (interned even if absent). */
  zeroContent: number;
  frameCount: number;
  procs: ProcTrack[];
  /** Distinct snapshot times, ascending. */
  times: number[];
  endTimeMs: number;
  /** Absolute wall clock (ms) of t = 0. */
  t0WallMs: number;
  warnings: string[];
  /** KSM sysfs values of the first dump's header. */
  ksmHeader: Record<string, string>;
}

export interface BuildWorldOptions {
  /** Only this snapshot index of every dump (the sharing analysis uses one point in time). */
  snapshot?: number | 'first' | 'last';
  signal?: AbortSignal;
}

export function functionOf(header: Dump['header'], info: ProcessInfo): string {
  return info.labels?.function ?? header.labels?.function ?? 'unknown';
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) {
    const e = new Error('aborted');
    e.name = 'AbortError';
    throw e;
  }
}

// Long: one pass over dumps, snapshots and processes building the shared tables (contents, frames,
// process tracks) in place; the steps are marked by comments.
export function buildWorld(dumps: Dump[], options: BuildWorldOptions = {}): World {
  if (dumps.length === 0) throw new Error('no dump given');
  const h0 = dumps[0].header;
  for (const d of dumps) {
    if (d.header.hash.algorithm !== h0.hash.algorithm || d.header.hash.keyId !== h0.hash.keyId)
      throw new Error(
        `dumps hashed differently cannot be compared: ${h0.hash.algorithm}/${h0.hash.keyId} vs ` +
          `${d.header.hash.algorithm}/${d.header.hash.keyId}`,
      );
    if (d.header.pageSize !== h0.pageSize) throw new Error(`page sizes differ: ${h0.pageSize} vs ${d.header.pageSize}`);
  }
  let total = 0;
  for (const d of dumps) for (const s of d.snapshots) for (const p of s.processes) total += p.count;
  // sized for a quarter of the pages being distinct, up to 1 M contents (21 MB); grows beyond
  const contents = new HashIndex64(Math.min(total, 1 << 22) / 4);
  const [zl, zh] = hexToWords(h0.hash.zeroPageHash);
  const zeroContent = contents.intern(zl, zh);
  let frameCount = 0;
  const hostFrames = new Map<string, HashIndex64>();
  const warnings: string[] = [];

  let t0 = Infinity;
  for (const d of dumps) if (d.snapshots.length) t0 = Math.min(t0, d.snapshots[0].info.timeMs);
  if (!Number.isFinite(t0)) t0 = 0;

  const tracks = new Map<string, ProcTrack>();
  const times = new Set<number>();
  let anyZeroPage = false;

  dumps.forEach((dump, di) => {
    const host = dump.header.host.hostname;
    const pfnOk = dump.header.host.pfnReadable;
    let hf = hostFrames.get(host);
    if (!hf) hostFrames.set(host, (hf = new HashIndex64(1024)));
    let snaps = dump.snapshots.map((s, i) => ({ s, i }));
    if (options.snapshot !== undefined) {
      const idx =
        options.snapshot === 'first' ? 0 : options.snapshot === 'last' ? dump.snapshots.length - 1 : options.snapshot;
      if (idx < 0 || idx >= dump.snapshots.length)
        throw new Error(`snapshot ${options.snapshot} not in a dump of ${dump.snapshots.length} snapshots`);
      snaps = [snaps[idx]];
    }
    const lastSeen = new Map<string, number>();
    for (const { s, i: si } of snaps) {
      throwIfAborted(options.signal);
      const tMs = s.info.timeMs - t0;
      times.add(tMs);
      for (const p of s.processes) {
        if (p.info.status === 'denied') {
          warnings.push(`pid ${p.info.pid}: not readable (${p.info.error ?? 'denied'}), left out`);
          continue;
        }
        const key = `${host}:${p.info.pid}:${p.info.startTime}`;
        let tr = tracks.get(key);
        if (!tr) {
          tr = {
            index: -1,
            pid: p.info.pid,
            startTime: p.info.startTime,
            host,
            fn: functionOf(dump.header, p.info),
            info: p.info,
            states: [],
            firstTimeMs: tMs,
            exitTimeMs: Infinity,
            mergeAny: String(p.info.ksm?.ksm_merge_any ?? 'no') === 'yes',
            slotCount: 0,
            slotAddr: new Float64Array(0),
          };
          tracks.set(key, tr);
        }
        if (String(p.info.ksm?.ksm_merge_any ?? 'no') === 'yes') tr.mergeAny = true;
        const content = new Int32Array(p.count);
        const frame = new Int32Array(p.count);
        contents.internMany(p.hashLo, p.hashHi, p.count, content);
        if (pageFrames(p.flags, pfnOk ? p.pfn : null, p.count, frame, hf)) anyZeroPage = true;
        const vmaClass = new Uint8Array(p.info.vmas.length);
        p.info.vmas.forEach((v, vi) => (vmaClass[vi] = vmaClassOf(v)));
        const st: ProcState = {
          timeMs: tMs,
          dumpIndex: di,
          snapshotIndex: si,
          pages: p,
          content,
          frame,
          slotOfPage: null,
          pageOfSlot: null,
          vmaClass,
        };
        tr.states.push(st);
        tr.info = p.info;
        lastSeen.set(key, si);
        if (p.info.status === 'exited') tr.exitTimeMs = Math.min(tr.exitTimeMs, tMs);
      }
    }
    // exits: absent from a later snapshot of the same dump
    if (options.snapshot === undefined) {
      for (const [key, si] of lastSeen) {
        if (si < dump.snapshots.length - 1) {
          const tr = tracks.get(key)!;
          tr.exitTimeMs = Math.min(tr.exitTimeMs, dump.snapshots[si + 1].info.timeMs - t0);
        }
      }
    }
  });

  // global frame ids: host-local interned ids are offset per host, then the kernel zero page (one frame,
  // if mapped anywhere), then a fresh id per exclusively mapped or unknown frame, in track order; such a
  // frame is carried over from the previous state while the page is unchanged
  const hostBase = new Map<string, number>();
  for (const [host, hf] of hostFrames) {
    hostBase.set(host, frameCount);
    frameCount += hf.size;
  }
  const zeroFrame = anyZeroPage ? frameCount++ : -1;
  const procs = [...tracks.values()].sort(
    (a, b) => a.firstTimeMs - b.firstTimeMs || a.startTime - b.startTime || a.pid - b.pid,
  );
  for (let i = 0; i < procs.length; i++) {
    const tr = procs[i];
    tr.index = i;
    tr.states.sort((a, b) => a.timeMs - b.timeMs);
    layoutSlots(tr, dumps[tr.states[0].dumpIndex].header.pageSize);
    const base = hostBase.get(tr.host)!;
    let prev: ProcState | null = null;
    for (const st of tr.states) {
      const f = st.frame;
      if (!prev) frameCount = globalFrames(f, base, zeroFrame, frameCount);
      else {
        for (let k = 0; k < f.length; k++) {
          const v = f[k];
          if (v >= 0) f[k] = v + base;
          else if (v === -2) f[k] = zeroFrame;
          else {
            const c = carriedFrame(prev, st, k);
            f[k] = c >= 0 ? c : frameCount++;
          }
        }
      }
      prev = st;
    }
  }
  const tl = [...times].sort((a, b) => a - b);
  return {
    pageSize: h0.pageSize,
    hashAlgorithm: h0.hash.algorithm,
    hashKeyId: h0.hash.keyId,
    contents,
    zeroContent,
    frameCount,
    procs,
    times: tl,
    endTimeMs: tl.length ? tl[tl.length - 1] : 0,
    t0WallMs: t0,
    warnings,
    ksmHeader: h0.ksm ?? {},
  };
}

/**
 * Host-local frame ids of one state's pages: an interned PFN (possibly shared with another mapping:
 * frames are compared by PFN; remapped to global ids later), -2 for the kernel zero page, -1 for an
 * exclusively mapped page or one without PFN (a frame of its own). True when a zero page was seen.
 */
function pageFrames(fl: Uint8Array, pfn: Float64Array | null, n: number, frame: Int32Array, hf: HashIndex64): boolean {
  let zero = false;
  for (let k = 0; k < n; k++) {
    const f = fl[k];
    if (f & PageFlag.ZeroPage) {
      frame[k] = -2;
      zero = true;
      continue;
    }
    if (f & PageFlag.Exclusive || pfn === null) frame[k] = -1;
    else {
      const v = pfn[k];
      frame[k] = v > 0 ? hf.intern(v >>> 0, Math.floor(v / 4294967296) >>> 0) : -1;
    }
  }
  return zero;
}

/** Global ids of a first state's frames; returns the next free frame id. */
function globalFrames(f: Int32Array, base: number, zeroFrame: number, next: number): number {
  for (let k = 0; k < f.length; k++) {
    const v = f[k];
    if (v >= 0) f[k] = v + base;
    else if (v === -2) f[k] = zeroFrame;
    else f[k] = next++;
  }
  return next;
}

/**
 * Frame of page k of `st`, exclusively mapped or without PFN: the frame of the same slot in the previous
 * state when unchanged (same PFN, or without PFNs the same content), else -1 (a new frame).
 */
function carriedFrame(prev: ProcState, st: ProcState, k: number): number {
  const slot = st.slotOfPage ? st.slotOfPage[k] : k;
  const pk = prev.pageOfSlot ? prev.pageOfSlot[slot] : slot;
  if (pk >= 0 && pk < prev.content.length) {
    const pf = prev.pages.pfn;
    const cf = st.pages.pfn;
    const same = pf && cf && cf[k] > 0 ? pf[pk] === cf[k] : prev.content[pk] === st.content[k] && prev.content[pk] >= 0;
    if (same) return prev.frame[pk];
  }
  return -1;
}

function pageAddresses(p: ProcessPages, pageSize: number): Float64Array {
  const a = new Float64Array(p.count);
  const vmas = p.info.vmas;
  for (let k = 0; k < p.count; k++) a[k] = vmas[p.vmaOf[k]].start + p.pageIndex[k] * pageSize;
  return a;
}

function layoutSlots(tr: ProcTrack, pageSize: number): void {
  if (tr.states.length === 1) {
    // one state: slot = page index; the addresses are not kept (the models do not need them)
    tr.slotAddr = new Float64Array(0);
    tr.slotCount = tr.states[0].pages.count;
    return;
  }
  const addrs = tr.states.map((s) => pageAddresses(s.pages, pageSize));
  // k-way union of ascending address lists
  let union = addrs[0];
  for (let s = 1; s < addrs.length; s++) union = mergeUnion(union, addrs[s]);
  tr.slotAddr = union;
  tr.slotCount = union.length;
  tr.states.forEach((st, s) => {
    const a = addrs[s];
    const sop = new Int32Array(a.length);
    const pos = new Int32Array(union.length).fill(-1);
    let j = 0;
    for (let k = 0; k < a.length; k++) {
      while (union[j] < a[k]) j++;
      sop[k] = j;
      pos[j] = k;
    }
    st.slotOfPage = sop;
    st.pageOfSlot = pos;
  });
}

function mergeUnion(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length || j < b.length) {
    let v: number;
    if (j >= b.length || (i < a.length && a[i] < b[j])) v = a[i++];
    else if (i >= a.length || b[j] < a[i]) v = b[j++];
    else {
      v = a[i++];
      j++;
    }
    out[n++] = v;
  }
  return out.subarray(0, n);
}

/** Bytes of the typed arrays and tables a world holds beyond the dumps themselves. */
export function worldBytes(w: World): number {
  let b = w.contents.bytes;
  for (const t of w.procs) {
    b += t.slotAddr.byteLength;
    for (const st of t.states) {
      b += st.content.byteLength + st.frame.byteLength + st.vmaClass.byteLength;
      b += (st.slotOfPage?.byteLength ?? 0) + (st.pageOfSlot?.byteLength ?? 0);
    }
  }
  return b;
}

/** The state of a track current at time t (latest state with timeMs <= t; the first if t precedes all). */
export function stateAt(tr: ProcTrack, tMs: number): ProcState {
  const s = tr.states;
  let r = s[0];
  for (let i = 1; i < s.length && s[i].timeMs <= tMs; i++) r = s[i];
  return r;
}

export function isAlive(tr: ProcTrack, tMs: number): boolean {
  return tMs >= tr.firstTimeMs && tMs < tr.exitTimeMs;
}
