/**
 * Small dumps described by content ids, for tests of the codec and of the merge models. Two pages with the
 * same content id get the same hash; content id 0 is a zero-filled page (its hash is HEAD.hash.zeroPageHash).
 */
import { XXHash64 } from 'xxhash-addon';
import { hex64 } from './format';
import { DumpEncoder } from './writer';
import { PageFlag, type DumpHashInfo, type DumpHeader, type ProcessInfo, type VmaInfo } from './types';

/** Identifies a page's content: a non-negative integer or a string. 0 = zero-filled. */
export type ContentId = number | string;

/** One page; `index` defaults to the previous page's index + 1 (0 for the first of a VMA). */
export interface SyntheticPage {
  index?: number;
  /** null: not hashed (a swapped-out page by default). */
  content: ContentId | null;
  /** PageFlag bits; default Present (plus File in a file VMA), or Swapped when content is null. */
  flags?: number;
  /** Frame number; when any page of a VMA has one, the VMA's pages get a PFN column (0 = unknown). */
  pfn?: number;
}

/** A page given as its content id alone (or null), or in full. */
export type SyntheticPageSpec = ContentId | null | SyntheticPage;

export interface SyntheticVma {
  pages: SyntheticPageSpec[];
  /** VMA size in pages; default one past the last page. */
  sizePages?: number;
  kind?: VmaInfo['kind'];
  perms?: string;
  path?: string;
  flags?: string[];
  /** Start address; default: laid out after the process's previous VMA with a one-page gap. */
  start?: number;
  pgoff?: number;
}

export interface SyntheticProcess extends Partial<Omit<ProcessInfo, 'vmas'>> {
  pid: number;
  vmas: SyntheticVma[];
}

export interface SyntheticSnapshot {
  timeMs?: number;
  elapsedMs?: number;
  processes: SyntheticProcess[];
}

export interface SyntheticDumpSpec {
  /** Several snapshots, or `processes` for one. */
  snapshots?: SyntheticSnapshot[];
  processes?: SyntheticProcess[];
  pageSize?: number;
  header?: Partial<Omit<DumpHeader, 'hash' | 'host' | 'pageSize'>> & {
    hash?: Partial<DumpHashInfo>;
    host?: Partial<DumpHeader['host']>;
  };
  /** Name in error messages. */
  name?: string;
  maxPagesPerBlock?: number;
}

const MASK64 = (1n << 64n) - 1n;
const STRING_SEED = Buffer.from('55504d4353544e54', 'hex');

/** Bijective 64-bit mix (splitmix64 finalizer): distinct integer ids never share a hash. */
function mix64(x: bigint): bigint {
  let z = (x + 0x9e3779b97f4a7c15n) & MASK64;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return z ^ (z >> 31n);
}

const hashCache = new Map<ContentId, { lo: number; hi: number }>();

/** The deterministic, non-zero 64-bit hash of a content id, as (lo, hi) u32 halves. */
export function contentHash(id: ContentId): { lo: number; hi: number } {
  const cached = hashCache.get(id);
  if (cached) return cached;
  let h: bigint;
  if (typeof id === 'number') {
    if (!Number.isSafeInteger(id) || id < 0) throw new RangeError(`content id ${id} is not a non-negative integer`);
    h = mix64(BigInt(id));
  } else {
    // strings hash into the same space; XXH64 keeps them apart from each other
    const digest = new XXHash64(STRING_SEED);
    digest.update(Buffer.from(id, 'utf8'));
    h = mix64(digest.digest().readBigUInt64BE(0) ^ 0x5a5a5a5a5a5a5a5an);
  }
  if (h === 0n) h = 1n; // 0 means "not hashed"
  const value = { lo: Number(h & 0xffffffffn), hi: Number(h >> 32n) };
  if (hashCache.size < 1 << 20) hashCache.set(id, value);
  return value;
}

/** contentHash as 16 lowercase hex digits, the form of HEAD.hash.zeroPageHash and NDJSON. */
export function contentHashHex(id: ContentId): string {
  const { lo, hi } = contentHash(id);
  return hex64(lo, hi);
}

/** The header synthesizeDump uses, with overrides. */
export function syntheticHeader(spec: Pick<SyntheticDumpSpec, 'header' | 'pageSize'> = {}): DumpHeader {
  const h = spec.header ?? {};
  return {
    formatVersion: h.formatVersion ?? 1,
    pageSize: spec.pageSize ?? 4096,
    hash: {
      algorithm: 'synthetic-content-id',
      keyId: '0000000000000000',
      defaultKey: true,
      zeroPageHash: contentHashHex(0),
      ...h.hash,
    },
    host: { hostname: 'synthetic', kernelRelease: '6.18.44', pfnReadable: true, pageFlagsReadable: true, ...h.host },
    captureTimeMs: h.captureTimeMs ?? 1_795_000_000_000,
    ksm: h.ksm ?? {},
    thp: h.thp ?? {},
    labels: h.labels ?? {},
    tool: h.tool ?? { name: 'synthesizeDump', version: '1' },
  };
}

const FIRST_VMA_ADDRESS = 0x5555_0000_0000;

/**
 * The process record a synthetic dump gives process `pid` unless its spec says otherwise, without pid and
 * VMAs (the caller puts them in; keys in this order, which the PROC section's JSON keeps).
 */
export function syntheticProcessInfo(pid: number, snapshotTimeMs: number): Omit<ProcessInfo, 'pid' | 'vmas'> {
  return {
    startTime: 0,
    comm: `proc${pid}`,
    cmdline: [`proc${pid}`],
    cgroup: '',
    labels: {},
    snapshotTimeMs,
    status: 'ok',
    ksm: null,
    rollup: {},
  };
}

/** Encode a dump from a compact description; throws DumpFormatError when it describes an invalid dump. */
export function synthesizeDump(spec: SyntheticDumpSpec): Buffer {
  const header = syntheticHeader(spec);
  const pageSize = header.pageSize;
  const encoder = new DumpEncoder({ name: spec.name ?? 'synthetic dump', maxPagesPerBlock: spec.maxPagesPerBlock });
  const chunks: Uint8Array[] = [encoder.header(header)];
  const snapshots: SyntheticSnapshot[] = spec.snapshots ?? [{ processes: spec.processes ?? [] }];
  snapshots.forEach((snap, s) => {
    const timeMs = snap.timeMs ?? header.captureTimeMs + 1000 * s;
    chunks.push(encoder.snapshot({ timeMs, elapsedMs: snap.elapsedMs }));
    for (const proc of snap.processes) {
      const layouts = layoutVmas(proc.vmas, pageSize);
      const { vmas: _specVmas, ...rest } = proc;
      const info: ProcessInfo = {
        ...syntheticProcessInfo(proc.pid, timeMs),
        ...rest,
        vmas: layouts.map((l) => l.vma),
      };
      chunks.push(encoder.process(info));
      layouts.forEach((l, vmaIndex) => {
        if (l.pageIndex.length > 0) chunks.push(...encoder.pages({ vmaIndex, ...l.columns(), pageIndex: l.pageIndex }));
      });
    }
  });
  chunks.push(encoder.end());
  return Buffer.concat(chunks);
}

interface VmaLayout {
  vma: VmaInfo;
  pageIndex: number[];
  columns(): { hashes: Uint32Array; flags: Uint8Array; pfns: number[] | null };
}

function layoutVmas(vmas: SyntheticVma[], pageSize: number): VmaLayout[] {
  let cursor = FIRST_VMA_ADDRESS;
  return vmas.map((v) => {
    const file = v.kind === 'file';
    const pages: SyntheticPage[] = [];
    let next = 0;
    for (const p of v.pages) {
      const page: SyntheticPage = p !== null && typeof p === 'object' ? p : { content: p };
      const index = page.index ?? next;
      pages.push({ ...page, index });
      next = index + 1;
    }
    const sizePages = v.sizePages ?? Math.max(next, 1);
    const start = v.start ?? cursor;
    cursor = start + (sizePages + 1) * pageSize;
    const vma: VmaInfo = {
      start,
      end: start + sizePages * pageSize,
      perms: v.perms ?? (file ? 'r--p' : 'rw-p'),
      shared: (v.perms ?? 'rw-p')[3] === 's',
      kind: v.kind ?? 'anon',
      pgoff: v.pgoff ?? 0,
      flags: v.flags ?? (file ? ['rd', 'mr', 'mw', 'me'] : ['rd', 'wr', 'mr', 'mw', 'me', 'ac']),
      path: v.path ?? (file ? '/synthetic/lib.so' : ''),
    };
    const columns = (): { hashes: Uint32Array; flags: Uint8Array; pfns: number[] | null } => {
      const hashes = new Uint32Array(2 * pages.length);
      const flags = new Uint8Array(pages.length);
      const withPfns = pages.some((p) => p.pfn !== undefined);
      const pfns = withPfns ? pages.map((p) => p.pfn ?? 0) : null;
      pages.forEach((p, i) => {
        if (p.content !== null) {
          const h = contentHash(p.content);
          hashes[2 * i] = h.lo;
          hashes[2 * i + 1] = h.hi;
        }
        flags[i] = p.flags ?? (p.content === null ? PageFlag.Swapped : PageFlag.Present | (file ? PageFlag.File : 0));
      });
      return { hashes, flags, pfns };
    };
    return { vma, pageIndex: pages.map((p) => p.index!), columns };
  });
}
