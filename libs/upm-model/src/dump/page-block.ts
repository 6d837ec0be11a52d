/** Decoding and validation of PAGE bodies (docs/dump-format.md, "PAGE (binary)"). */
import { invalid } from './errors';
import { PAGE_BLOCK_HEADER_BYTES, SAFE_HIGH_WORD_LIMIT, TWO_POW_32 } from './format';
import { PageFlag, type PageBlock } from './types';

/** What a PAGE section is checked against: its process and the blocks before it. */
export interface PageBlockContext {
  /** Size in pages of each VMA of the current process. */
  vmaPages: Float64Array;
  pfnReadable: boolean;
  pageFlagsReadable: boolean;
  /** VMA index and end page of the process's previous block (-1, 0 before the first); updated on success. */
  prevVma: number;
  prevEnd: number;
}

/** Body length of a block, from its counts. */
export function pageBodyLength(count: number, runCount: number, pfnWidth: number): number {
  return PAGE_BLOCK_HEADER_BYTES + 8 * runCount + (9 + pfnWidth) * count;
}

const FRAME_FLAGS = PageFlag.ZeroPage | PageFlag.Ksm | PageFlag.Thp;
const PRESENT_OR_SWAPPED = PageFlag.Present | PageFlag.Swapped;

/** Index within the VMA of the i-th page of a block (error messages only). */
function vmaPageOf(runs: Uint32Array, baseIndex: number, i: number): number {
  let left = i;
  for (let r = 0; r < runs.length; r += 2) {
    if (left < runs[r + 1]) return baseIndex + runs[r] + left;
    left -= runs[r + 1];
  }
  return NaN;
}

/** The little-endian u32 at byte `at` of `b`. */
function u32(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

/**
 * Decode and validate a PAGE body, which starts at a multiple of 4 of its buffer. The block's columns are
 * views over that buffer, except a 64-bit PFN column, which is converted to Float64Array. The fixed fields
 * are read from the body's bytes (no DataView: one object less per section).
 */
export function decodePageBlock(body: Uint8Array, ctx: PageBlockContext): PageBlock {
  const buffer = body.buffer as ArrayBuffer;
  const bodyOffset = body.byteOffset;
  const length = body.length;
  if (length < PAGE_BLOCK_HEADER_BYTES) invalid(`body is ${length} bytes, shorter than the ${PAGE_BLOCK_HEADER_BYTES}-byte block header`);
  const vmaIndex = u32(body, 0);
  const count = u32(body, 4);
  const baseLo = u32(body, 8);
  const baseHi = u32(body, 12);
  const runCount = u32(body, 16);
  const pfnWidth = body[20];
  if (body[21] !== 0 || body[22] !== 0 || body[23] !== 0) invalid('reserved bytes 21..23 are not 0');
  if (pfnWidth !== 0 && pfnWidth !== 4 && pfnWidth !== 8) invalid(`pfnWidth is ${pfnWidth}, must be 0, 4 or 8`);
  if (count === 0) invalid('count is 0: a block holds at least one page');
  if (runCount === 0) invalid('runCount is 0: a block has at least one run');
  if (runCount > count) invalid(`runCount ${runCount} exceeds count ${count}: every run holds at least one page`);
  const expectedLength = pageBodyLength(count, runCount, pfnWidth);
  if (length !== expectedLength) {
    invalid(`body is ${length} bytes, but count ${count}, runCount ${runCount} and pfnWidth ${pfnWidth} make ${expectedLength}`);
  }
  if (baseHi >= SAFE_HIGH_WORD_LIMIT) invalid('baseIndex is 2^53 or more');
  const baseIndex = baseHi * TWO_POW_32 + baseLo;
  const vmaCount = ctx.vmaPages.length;
  if (vmaIndex >= vmaCount) invalid(`vmaIndex ${vmaIndex} is out of range: the process has ${vmaCount} VMA${vmaCount === 1 ? '' : 's'}`);
  const vmaPages = ctx.vmaPages[vmaIndex];

  const runsOffset = bodyOffset + PAGE_BLOCK_HEADER_BYTES;
  const runs = new Uint32Array(buffer, runsOffset, 2 * runCount);
  let pages = 0;
  let prevRunEnd = 0;
  for (let r = 0; r < runCount; r++) {
    const offset = runs[2 * r];
    const runLength = runs[2 * r + 1];
    if (runLength === 0) invalid(`run ${r} has length 0`);
    if (r > 0 && offset < prevRunEnd) {
      invalid(`run ${r} starts at offset ${offset}, before run ${r - 1} ends at offset ${prevRunEnd}: runs must increase without overlap`);
    }
    prevRunEnd = offset + runLength;
    if (baseIndex + prevRunEnd > vmaPages) {
      invalid(`run ${r} ends at page ${baseIndex + prevRunEnd} beyond the VMA's ${vmaPages} pages`);
    }
    pages += runLength;
  }
  if (pages !== count) invalid(`runs hold ${pages} pages but count is ${count}`);

  const firstPage = baseIndex + runs[0];
  const endPage = baseIndex + prevRunEnd;
  if (vmaIndex < ctx.prevVma || (vmaIndex === ctx.prevVma && firstPage < ctx.prevEnd)) {
    invalid(
      `block of VMA ${vmaIndex} pages ${firstPage}..${endPage - 1} is not after the previous block (VMA ${ctx.prevVma}, up to page ${ctx.prevEnd - 1}): ` +
        'blocks of a process must come in increasing (vmaIndex, page) order without overlap',
    );
  }

  const hashesOffset = runsOffset + 8 * runCount;
  const hashes = new Uint32Array(buffer, hashesOffset, 2 * count);
  const pfnOffset = hashesOffset + 8 * count;
  const flags = new Uint8Array(buffer, pfnOffset + pfnWidth * count, count);
  let pfns: Uint32Array | Float64Array | null = null;
  if (pfnWidth === 4) {
    pfns = new Uint32Array(buffer, pfnOffset, count);
  } else if (pfnWidth === 8) {
    const words = new Uint32Array(buffer, pfnOffset, 2 * count);
    const wide = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      const hi = words[2 * i + 1];
      if (hi >= SAFE_HIGH_WORD_LIMIT) invalid(`page ${i} (VMA page ${vmaPageOf(runs, baseIndex, i)}): PFN is 2^53 or more`);
      wide[i] = hi * TWO_POW_32 + words[2 * i];
    }
    pfns = wide;
  }

  checkPages(runs, baseIndex, hashes, pfns, flags, ctx);
  ctx.prevVma = vmaIndex;
  ctx.prevEnd = endPage;
  return { vmaIndex, baseIndex, count, runs, hashes, pfns, flags };
}

/** Per-page consistency of flags, hashes and PFNs with each other and with what HEAD says is readable. */
function checkPages(
  runs: Uint32Array,
  baseIndex: number,
  hashes: Uint32Array,
  pfns: Uint32Array | Float64Array | null,
  flags: Uint8Array,
  ctx: PageBlockContext,
): void {
  const count = flags.length;
  const unreadableFlagBits = ctx.pageFlagsReadable ? 0 : FRAME_FLAGS;
  const where = (i: number): string => `page ${i} (VMA page ${vmaPageOf(runs, baseIndex, i)})`;
  for (let i = 0; i < count; i++) {
    const f = flags[i];
    if ((f & PRESENT_OR_SWAPPED) !== PageFlag.Present) {
      if ((f & PRESENT_OR_SWAPPED) === PRESENT_OR_SWAPPED) invalid(`${where(i)} is flagged both present and swapped`);
      if ((f & PRESENT_OR_SWAPPED) === 0) invalid(`${where(i)} is flagged neither present nor swapped`);
      // a swapped-out page has no content in memory and no frame
      if ((hashes[2 * i] | hashes[2 * i + 1]) !== 0) invalid(`${where(i)} is swapped but has a hash: only resident pages are hashed`);
      if (f & FRAME_FLAGS) invalid(`${where(i)} is swapped but has frame flags (zeroPage, ksm or thp)`);
      if (pfns !== null && pfns[i] !== 0) invalid(`${where(i)} is swapped but has PFN ${pfns[i]}`);
    }
    if (f & unreadableFlagBits) invalid(`${where(i)} has flag bits 4 to 6 set but HEAD says page flags are not readable`);
  }
  if (!ctx.pfnReadable && pfns !== null) {
    for (let i = 0; i < count; i++) {
      if (pfns[i] !== 0) invalid(`${where(i)} has PFN ${pfns[i]} but HEAD says PFNs are not readable`);
    }
  }
}
