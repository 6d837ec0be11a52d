/**
 * Container memory profiles: what a container of each function holds, in a form the simulator can merge in a
 * few operations per container instead of one per page.
 *
 * 1. Every process of every dump used becomes a *template* (one container = one process of the function's
 *    dumps, round-robin). Its pages become *units*: distinct frames (pages mapping the same PFN count once per
 *    container; the kernel zero page costs nothing). A unit gets a merge *key* per model when the model could
 *    merge it: UPM, (content, anon|file) of a private, non-special, non-THP, hashed page; KSM, the content of a
 *    private anonymous page in a mergeable VMA (by default every private anonymous VMA: containers opt in with
 *    PR_SET_MEMORY_MERGE).
 * 2. Page contents are interned into integer ids over all profiles once (HashIndex64: typed arrays).
 * 3. Keys are grouped into *classes*: keys with the same signature (the multiset of (template, multiplicity)
 *    they occur in) behave identically under every rule of both models (they are always present, absent,
 *    owned, settled and freed together), so per template the simulator keeps (class, K keys, m copies each)
 *    triples. Real dumps collapse from millions of pages into at most a few thousand classes.
 *
 * Functions without a dump get a synthetic template from the app's memory percentiles: a `sharedFraction` of
 * its pages is one block identical across the containers of that function (distinct from every other
 * function), the rest unique to each container.
 */
import type { Dump, ProcessPages } from '../dump/types';
import { PageFlag } from '../dump/types';
import { HashIndex64, hexToWords } from '../sharing/hash-index';
import { VmaClass, vmaClassOf } from '../sharing/world';
import { fmix32 } from '../traces/prng';
import type { TraceFunction } from '../traces/types';
import { MEMORY_PERCENTILES } from '../traces/types';
import { functionKey, MemoryPercentileName, PlanSpec, PlanSpecError, ResolvedProfiles } from './spec';

export interface ContainerTemplate {
  id: number;
  /** "ref#pid" for a dump process, "fallback:<function key>" for a synthetic one. */
  label: string;
  /** Pages a container of this template occupies unmerged (distinct frames), its page-cache frames included. */
  units: number;
  /**
   * Page-cache frames (present file pages of file VMAs), as (class, K) pairs: a frame is one frame on a host
   * however many resident containers map it, under every model (merge-state.ts PageCacheState).
   */
  fileCls: Int32Array;
  fileK: Int32Array;
  /** Σ fileK: the page-cache frames among `units`. */
  fileUnits: number;
  // UPM: (class, K, m) triples; units covered = Σ K·m
  upmCls: Int32Array;
  upmK: Int32Array;
  upmM: Int32Array;
  upmKeyed: number;
  /**
   * Contents private to each container (found in one process only, of a function with several): their K
   * contents appear m ≥ 2 times in the container (merge within it only): upmSelfK = Σ K, upmSelfKM = Σ K·m.
   */
  upmSelfK: number;
  upmSelfKM: number;
  /** Page addresses walked by one madvise over every private VMA, resident pages hashed, eligible pages that stay unique. */
  upmWalked: number;
  upmHashed: number;
  upmUnique: number;
  // KSM
  ksmCls: Int32Array;
  ksmK: Int32Array;
  ksmM: Int32Array;
  ksmKeyed: number;
  ksmSelfK: number;
  ksmSelfKM: number;
  /** Pages ksmd visits per pass while they are unmerged (keyed or not). */
  ksmScan: number;
}

export type ProfileSource = 'dump' | 'percentile' | 'default';

export interface ProfileSet {
  pageSize: number;
  templates: ContainerTemplate[];
  /** Per function: its templates, used round-robin. */
  fnTemplates: Int32Array[];
  fnSource: ProfileSource[];
  /** Per function: mean unmerged bytes of its templates (the greedy-dual "size"). */
  fnBytes: Float64Array;
  upmClassCount: number;
  ksmClassCount: number;
  /** Classes of page-cache frames (ContainerTemplate.fileCls). */
  fileClassCount: number;
  /** Per KSM class: 1 when its content is a zero-filled page (use_zero_pages). */
  ksmZeroClass: Uint8Array;
  warnings: string[];
}

export interface ProfileBuildOptions {
  assumeMergeable: boolean;
  snapshot: 'first' | 'last';
  fallback: PlanSpec['profiles']['fallback'];
}

interface RawTemplate {
  label: string;
  units: number;
  upmKeys: Int32Array;
  ksmKeys: Int32Array;
  /** Page-cache frame ids (frames.ts of buildProfilesFrom), each once. */
  fileKeys: Int32Array;
  /** keys are content ids (< 2^30); UPM key = content * 2 + (file ? 1 : 0) */
  upmWalked: number;
  upmHashed: number;
  upmUnique: number;
  ksmScan: number;
}

/** Builds the templates of the functions of a trace (byFunction from resolveProfiles). */
export function buildProfiles(
  functions: readonly TraceFunction[],
  resolved: ResolvedProfiles,
  dumps: ReadonlyMap<string, Dump>,
  opts: ProfileBuildOptions,
): ProfileSet {
  const dumpList: { ref: string; dump: Dump }[] = resolved.refs.map((ref) => {
    const d = dumps.get(ref);
    if (!d) throw new PlanSpecError('profiles', `uses dump '${ref}', which was not provided`);
    return { ref, dump: d };
  });
  return buildProfilesFrom(
    functions.map((f, i) => ({ key: functionKey(f), refs: resolved.byFunction[i], fn: f })),
    dumpList,
    opts,
  );
}

export interface ProfileRequest {
  key: string;
  refs: string[] | null;
  fn: TraceFunction | null;
}

/**
 * The profiles of the requested functions: their dumps' processes (or a synthetic fallback) as container
 * templates, with the merge classes of their contents under UPM and KSM and of their page-cache frames.
 */
export function buildProfilesFrom(
  requests: ProfileRequest[],
  dumpList: { ref: string; dump: Dump }[],
  opts: ProfileBuildOptions,
): ProfileSet {
  const warnings: string[] = [];
  const pageSize = commonPageSize(dumpList);
  const { contents, zeroContents, raws, refTemplates, frames } = internDumps(dumpList, opts, pageSize, warnings);
  const { fnTemplates, fnSource, keyWeightUpm, keyWeightKsm, nContents } = fallbackTemplates(
    requests,
    opts,
    pageSize,
    contents.size,
    raws,
    refTemplates,
  );
  const zeroKey = new Uint8Array(nContents);
  for (const z of zeroContents) zeroKey[z] = 1;
  const instanced = instancedTemplates(requests, fnTemplates, raws.length, warnings);
  const upm = classify(
    raws.map((r) => r.upmKeys),
    keyWeightUpm,
    null,
    instanced,
  );
  const ksm = classify(
    raws.map((r) => r.ksmKeys),
    keyWeightKsm,
    zeroKey,
    instanced,
  );
  // page-cache frames: shared by every container that maps them (never private to a container)
  const file = classify(
    raws.map((r) => r.fileKeys),
    new Array<number>(frames.size).fill(1),
    null,
    new Uint8Array(raws.length),
  );
  const templates = containerTemplates(raws, upm, ksm, file);
  const ksmZeroClass = new Uint8Array(ksm.classCount);
  for (let key = 0; key < nContents; key++)
    if (zeroKey[key] && ksm.classOf[key] >= 0) ksmZeroClass[ksm.classOf[key]] = 1;
  const fnBytes = new Float64Array(fnTemplates.length);
  fnTemplates.forEach((ts, f) => {
    let s = 0;
    for (let j = 0; j < ts.length; j++) s += templates[ts[j]].units;
    fnBytes[f] = ts.length ? (s / ts.length) * pageSize : 0;
  });
  return {
    pageSize,
    templates,
    fnTemplates,
    fnSource,
    fnBytes,
    upmClassCount: upm.classCount,
    ksmClassCount: ksm.classCount,
    fileClassCount: file.classCount,
    ksmZeroClass,
    warnings,
  };
}

/** The page size all dumps share (4096 without dumps); different ones are an error. */
function commonPageSize(dumpList: { ref: string; dump: Dump }[]): number {
  let pageSize = 0;
  for (const { ref, dump } of dumpList) {
    if (pageSize === 0) pageSize = dump.header.pageSize;
    else if (dump.header.pageSize !== pageSize)
      throw new PlanSpecError(
        'profiles',
        `dumps have different page sizes (${pageSize} and ${dump.header.pageSize} in '${ref}')`,
      );
  }
  return pageSize === 0 ? 4096 : pageSize;
}

/**
 * Content interning: every dump's processes (of the chosen snapshot) as raw templates over one content
 * index; dumps hashed with different keys live in different namespaces.
 */
function internDumps(
  dumpList: { ref: string; dump: Dump }[],
  opts: ProfileBuildOptions,
  pageSize: number,
  warnings: string[],
) {
  const contents = new HashIndex64(1 << 16);
  const namespaces = new Map<string, number>();
  const zeroContents = new Set<number>();
  const raws: RawTemplate[] = [];
  const refTemplates = new Map<string, number[]>();
  const frames = new HashIndex64(1 << 12);
  for (const { ref, dump } of dumpList) {
    const nsKey = `${dump.header.hash.algorithm}/${dump.header.hash.keyId}`;
    let ns = namespaces.get(nsKey);
    if (ns === undefined) {
      ns = namespaces.size;
      namespaces.set(nsKey, ns);
      if (ns === 1)
        warnings.push(
          `dumps are hashed with different keys (${[...namespaces.keys()].join(', ')}): their pages are never identical to each other`,
        );
    }
    const nsLo = ns === 0 ? 0 : fmix32(ns * 0x9e3779b1);
    const nsHi = ns === 0 ? 0 : fmix32(ns ^ 0x85ebca6b);
    const [zl, zh] = hexToWords(dump.header.hash.zeroPageHash);
    zeroContents.add(contents.intern((zl ^ nsLo) >>> 0, (zh ^ nsHi) >>> 0));
    if (dump.snapshots.length === 0) throw new PlanSpecError('profiles', `dump '${ref}' has no snapshot`);
    const snap = opts.snapshot === 'first' ? dump.snapshots[0] : dump.snapshots[dump.snapshots.length - 1];
    const ids: number[] = [];
    const dumpIndex = refTemplates.size;
    for (const p of snap.processes) {
      if (p.info.status !== 'ok' || p.count === 0) continue;
      ids.push(raws.length);
      const frame = frameIdentity(frames, dumpIndex, raws.length);
      raws.push(rawFromProcess(`${ref}#${p.info.pid}`, p, pageSize, contents, nsLo, nsHi, opts.assumeMergeable, frame));
    }
    if (ids.length === 0)
      throw new PlanSpecError(
        'profiles',
        `dump '${ref}' has no readable process with pages in its ${opts.snapshot} snapshot`,
      );
    refTemplates.set(ref, ids);
  }
  return { contents, zeroContents, raws, refTemplates, frames };
}

/**
 * Each request's templates: its dumps' processes, or else one fallback template (appended to raws) of the
 * function's memory percentile with one synthetic shared content; and the weight of every content key.
 */
function fallbackTemplates(
  requests: ProfileRequest[],
  opts: ProfileBuildOptions,
  pageSize: number,
  internedContents: number,
  raws: RawTemplate[],
  refTemplates: Map<string, number[]>,
) {
  let nextContent = internedContents;
  const keyWeightUpm: number[] = [];
  const keyWeightKsm: number[] = [];
  const fnTemplates: Int32Array[] = [];
  const fnSource: ProfileSource[] = [];
  const pct = percentileIndex(opts.fallback.percentile);
  const syntheticWeight = new Map<number, number>();
  for (const r of requests) {
    if (r.refs !== null) {
      const ids: number[] = [];
      for (const ref of r.refs) ids.push(...(refTemplates.get(ref) as number[]));
      fnTemplates.push(Int32Array.from(ids));
      fnSource.push('dump');
      continue;
    }
    let mib: number | null = null;
    const mem = r.fn?.memory ?? null;
    if (mem) {
      const v = pct < 0 ? mem.averageMb : mem.percentilesMb[pct];
      if (typeof v === 'number' && v > 0) mib = v;
      else if (typeof mem.averageMb === 'number' && mem.averageMb > 0) mib = mem.averageMb;
    }
    fnSource.push(mib === null ? 'default' : 'percentile');
    if (mib === null) mib = opts.fallback.defaultMemoryMiB;
    const pages = Math.max(1, Math.round((mib * 1048576) / pageSize));
    const shared = Math.round(pages * opts.fallback.sharedFraction);
    const content = nextContent++;
    syntheticWeight.set(content, shared);
    raws.push({
      label: `fallback:${r.key}`,
      units: pages,
      upmKeys: shared > 0 ? Int32Array.of(content * 2) : new Int32Array(0),
      ksmKeys: shared > 0 ? Int32Array.of(content) : new Int32Array(0),
      fileKeys: new Int32Array(0),
      upmWalked: pages,
      upmHashed: pages,
      upmUnique: pages - shared,
      ksmScan: pages,
    });
    fnTemplates.push(Int32Array.of(raws.length - 1));
  }
  const nContents = nextContent;
  for (let c = 0; c < nContents; c++) {
    const w = syntheticWeight.get(c) ?? 1;
    keyWeightKsm.push(w);
    keyWeightUpm.push(w, w);
  }
  return { fnTemplates, fnSource, keyWeightUpm, keyWeightKsm, nContents };
}

/**
 * Containers share what the real processes share: in a function with several processes, a content found in
 * one process only is that process's own state, private to every container made from it. Marks the
 * templates of such functions; warns about the functions with a single process.
 */
function instancedTemplates(
  requests: ProfileRequest[],
  fnTemplates: Int32Array[],
  templateCount: number,
  warnings: string[],
): Uint8Array {
  const instanced = new Uint8Array(templateCount);
  const single: string[] = [];
  requests.forEach((r, f) => {
    const ts = fnTemplates[f];
    if (r.refs === null) return;
    if (ts.length >= 2) for (let j = 0; j < ts.length; j++) instanced[ts[j]] = 1;
    else single.push(r.key);
  });
  if (single.length > 0) {
    warnings.push(
      `${single.length} function(s) have a single process in their dumps (${single.slice(0, 5).join(', ')}${single.length > 5 ? ', ...' : ''}): ` +
        'their containers are modelled as identical copies of it (every page can merge across containers); dump two or more concurrent containers to measure what they really share',
    );
  }
  return instanced;
}

/** The raw templates with their merge classes under UPM, KSM and the page cache. */
function containerTemplates(raws: RawTemplate[], upm: Classes, ksm: Classes, file: Classes): ContainerTemplate[] {
  return raws.map((r, i) => ({
    id: i,
    label: r.label,
    units: r.units,
    fileCls: file.cls[i],
    fileK: file.k[i],
    fileUnits: file.covered[i],
    upmCls: upm.cls[i],
    upmK: upm.k[i],
    upmM: upm.m[i],
    upmKeyed: upm.covered[i],
    upmSelfK: upm.selfK[i],
    upmSelfKM: upm.selfKM[i],
    upmWalked: r.upmWalked,
    upmHashed: r.upmHashed,
    upmUnique: r.upmUnique + upm.privK[i],
    ksmCls: ksm.cls[i],
    ksmK: ksm.k[i],
    ksmM: ksm.m[i],
    ksmKeyed: ksm.covered[i],
    ksmSelfK: ksm.selfK[i],
    ksmSelfKM: ksm.selfKM[i],
    ksmScan: r.ksmScan,
  }));
}

function percentileIndex(p: MemoryPercentileName): number {
  if (p === 'average') return -1;
  return (MEMORY_PERCENTILES as readonly number[]).indexOf(Number(p.slice(1)));
}

/**
 * The identity of a page-cache frame: (dump, PFN) when the dump has the page's frame number (processes of one
 * capture that map the same frame share it; frame numbers of different captures are unrelated), else (template,
 * page) (the containers made from one process map the same file pages: the page cache gives them one frame).
 */
function frameIdentity(
  frames: HashIndex64,
  dumpIndex: number,
  template: number,
): (pfn: number, page: number) => number {
  return (pfn, page) =>
    pfn > 0
      ? frames.intern((pfn % 4294967296) >>> 0, (Math.floor(pfn / 4294967296) + (dumpIndex + 1) * 2 ** 21) >>> 0)
      : frames.intern(page >>> 0, (0x80000000 | template) >>> 0);
}

function rawFromProcess(
  label: string,
  p: ProcessPages,
  pageSize: number,
  contents: HashIndex64,
  nsLo: number,
  nsHi: number,
  assumeMergeable: boolean,
  frame: (pfn: number, page: number) => number,
): RawTemplate {
  const vmas = p.info.vmas;
  const vmaCls = new Uint8Array(vmas.length);
  let upmWalked = 0;
  vmas.forEach((v, i) => {
    vmaCls[i] = vmaClassOf(v);
    if (!(vmaCls[i] & (VmaClass.Shared | VmaClass.Special)))
      upmWalked += Math.max(0, Math.round((v.end - v.start) / pageSize));
  });
  const upmKeys = new Int32Array(p.count);
  const ksmKeys = new Int32Array(p.count);
  const fileKeys = new Int32Array(p.count);
  let nu = 0;
  let nk = 0;
  let nf = 0;
  let units = 0;
  let upmHashed = 0;
  let ksmScan = 0;
  const seenPfn = new Set<number>();
  const fl = p.flags;
  const pfn = p.pfn;
  for (let k = 0; k < p.count; k++) {
    const f = fl[k];
    if (!(f & PageFlag.Present) || f & PageFlag.ZeroPage) continue;
    const vc = vmaCls[p.vmaOf[k]];
    const privateVma = !(vc & (VmaClass.Shared | VmaClass.Special));
    const lo = p.hashLo[k];
    const hi = p.hashHi[k];
    const hashed = (lo | hi) !== 0;
    if (privateVma && hashed && !(f & PageFlag.Thp)) upmHashed++;
    if (pfn !== null && pfn[k] > 0 && !(f & PageFlag.Exclusive)) {
      if (seenPfn.has(pfn[k])) continue; // the same frame mapped twice in this process: one unit
      seenPfn.add(pfn[k]);
    }
    units++;
    if (f & PageFlag.File && vc & VmaClass.FileVma) {
      // a page-cache page: one frame for every process mapping it; neither KSM nor UPM merges it
      fileKeys[nf++] = frame(pfn !== null ? pfn[k] : 0, k);
      continue;
    }
    const content = hashed ? contents.intern((lo ^ nsLo) >>> 0, (hi ^ nsHi) >>> 0) : -1;
    if (privateVma && content >= 0 && !(f & PageFlag.Thp)) upmKeys[nu++] = content * 2 + (f & PageFlag.File ? 1 : 0);
    if (privateVma && !(f & PageFlag.File) && (assumeMergeable || vc & VmaClass.Mergeable)) {
      ksmScan++;
      if (content >= 0) ksmKeys[nk++] = content;
    }
  }
  return {
    label,
    units,
    upmKeys: upmKeys.slice(0, nu),
    ksmKeys: ksmKeys.slice(0, nk),
    fileKeys: fileKeys.slice(0, nf),
    upmWalked,
    upmHashed,
    upmUnique: 0,
    ksmScan,
  };
}

interface Classes {
  classCount: number;
  classOf: Int32Array;
  cls: Int32Array[];
  k: Int32Array[];
  m: Int32Array[];
  covered: number[];
  /** Per template: container-private contents that repeat in it (Σ K, Σ K·m), and those that do not (Σ K). */
  selfK: number[];
  selfKM: number[];
  privK: number[];
}

// Long: one grouping pass over typed arrays (signatures, then per-template K and m) kept together so the
// intermediate tables stay local.
/**
 * Groups keys by signature (the sorted (template, multiplicity) pairs they occur in; `special` keys are kept
 * apart from the others). Per template: (class, K = Σ weights of its keys in the class, m = multiplicity).
 * A key found in a single template that is `instanced` is private to each container: it gets no class.
 */
function classify(
  keysPerTemplate: Int32Array[],
  weight: number[],
  special: Uint8Array | null,
  instanced: Uint8Array,
): Classes {
  const nKeys = weight.length;
  const sigA = new Uint32Array(nKeys);
  const sigB = new Uint32Array(nKeys);
  const templatesOf = new Int32Array(nKeys);
  if (special) for (let key = 0; key < special.length; key++) if (special[key]) sigA[key] = 0x5bd1e995;
  const sorted = keysPerTemplate.map((ks) => ks.slice().sort());
  sorted.forEach((ks, t) => {
    let i = 0;
    while (i < ks.length) {
      const key = ks[i];
      let j = i + 1;
      while (j < ks.length && ks[j] === key) j++;
      const mult = j - i;
      templatesOf[key]++;
      sigA[key] = fmix32((Math.imul(sigA[key] ^ 0x27d4eb2f, 0x85ebca6b) + Math.imul(t + 1, 0xcc9e2d51) + mult) >>> 0);
      sigB[key] = fmix32(
        (Math.imul(sigB[key] ^ 0x165667b1, 0xc2b2ae35) + Math.imul(t + 1, 0x1b873593) + Math.imul(mult, 0x9e3779b1)) >>>
          0,
      );
      i = j;
    }
  });
  const index = new HashIndex64(1024);
  const classOf = new Int32Array(nKeys).fill(-1);
  const cls: Int32Array[] = [];
  const kk: Int32Array[] = [];
  const mm: Int32Array[] = [];
  const covered: number[] = [];
  const selfK: number[] = [];
  const selfKM: number[] = [];
  const privK: number[] = [];
  const acc = new Map<number, { k: number; m: number }>();
  sorted.forEach((ks, t) => {
    acc.clear();
    let sk = 0;
    let skm = 0;
    let pk = 0;
    let i = 0;
    while (i < ks.length) {
      const key = ks[i];
      let j = i + 1;
      while (j < ks.length && ks[j] === key) j++;
      const mult = j - i;
      if (instanced[t] && templatesOf[key] === 1) {
        if (mult >= 2) {
          sk += weight[key];
          skm += weight[key] * mult;
        } else pk += weight[key];
        i = j;
        continue;
      }
      let c = classOf[key];
      if (c < 0) {
        // (0,0) is reserved by HashIndex64: never produced here in practice; map it away anyway
        const a = sigA[key];
        const b = sigB[key];
        c = classOf[key] = index.intern(a | b ? a : 1, b);
      }
      const e = acc.get(c);
      if (e) e.k += weight[key];
      else acc.set(c, { k: weight[key], m: mult });
      i = j;
    }
    const ids = [...acc.keys()].sort((x, y) => x - y);
    const c1 = new Int32Array(ids.length);
    const k1 = new Int32Array(ids.length);
    const m1 = new Int32Array(ids.length);
    let cov = 0;
    ids.forEach((c, x) => {
      const e = acc.get(c) as { k: number; m: number };
      c1[x] = c;
      k1[x] = e.k;
      m1[x] = e.m;
      cov += e.k * e.m;
    });
    cls.push(c1);
    kk.push(k1);
    mm.push(m1);
    covered.push(cov);
    selfK.push(sk);
    selfKM.push(skm);
    privK.push(pk);
  });
  return { classCount: index.size, classOf, cls, k: kk, m: mm, covered, selfK, selfKM, privK };
}
