/**
 * Section-level access to dump bytes without validation: split a dump into its framed sections and join
 * sections back with fresh checksums. For tools and tests that need to craft or repair dumps (including
 * deliberately invalid ones); readers should use readDump.
 */
import { Xxh64Stream } from './checksum';
import { CHECKSUMMED_HEADER_BYTES, PREAMBLE_BYTES, SECTION_CODE, SECTION_HEADER_BYTES, TWO_POW_32, padTo8, type SectionType } from './format';

export interface RawSection {
  /** Type field as four characters (may be any bytes, as latin1). */
  type: string;
  flags: number;
  body: Uint8Array;
  /** Offset of the section in the dump it was split from. */
  offset: number;
}

function typeText(code: number): string {
  return String.fromCharCode(code & 0xff, (code >>> 8) & 0xff, (code >>> 16) & 0xff, (code >>> 24) & 0xff);
}

/**
 * The preamble and the sections of `bytes`, following the length fields as far as they stay inside the
 * input; `rest` is whatever could not be framed (a partial section, or nothing).
 */
export function splitSections(bytes: Uint8Array): { preamble: Uint8Array; sections: RawSection[]; rest: Uint8Array } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const sections: RawSection[] = [];
  let at = Math.min(PREAMBLE_BYTES, bytes.length);
  while (at + SECTION_HEADER_BYTES <= bytes.length) {
    const lengthHi = view.getUint32(at + 12, true);
    const length = view.getUint32(at + 8, true);
    const end = at + SECTION_HEADER_BYTES + length;
    if (lengthHi !== 0 || end > bytes.length) break;
    sections.push({
      type: typeText(view.getUint32(at, true)),
      flags: view.getUint32(at + 4, true),
      body: bytes.subarray(at + SECTION_HEADER_BYTES, end),
      offset: at,
    });
    at = Math.min(bytes.length, end + padTo8(length));
  }
  return { preamble: bytes.subarray(0, Math.min(PREAMBLE_BYTES, bytes.length)), sections, rest: bytes.subarray(at) };
}

/** One framed section: header with a correct checksum (unless `checksum` overrides it), body, zero padding. */
export function encodeRawSection(type: SectionType | string, body: Uint8Array, opts: { flags?: number; checksum?: { lo: number; hi: number } } = {}): Uint8Array {
  const out = new Uint8Array(SECTION_HEADER_BYTES + body.length + padTo8(body.length));
  const view = new DataView(out.buffer);
  const code = (SECTION_CODE as Record<string, number>)[type];
  if (code !== undefined) view.setUint32(0, code, true);
  else for (let i = 0; i < 4; i++) out[i] = type.charCodeAt(i) & 0xff;
  view.setUint32(4, opts.flags ?? 0, true);
  view.setUint32(8, body.length % TWO_POW_32, true);
  view.setUint32(12, Math.floor(body.length / TWO_POW_32), true);
  out.set(body, SECTION_HEADER_BYTES);
  const sum = opts.checksum ?? new Xxh64Stream().update(out.subarray(0, CHECKSUMMED_HEADER_BYTES)).update(body).digest();
  view.setUint32(16, sum.lo, true);
  view.setUint32(20, sum.hi, true);
  return out;
}

/** A dump from a preamble and sections, every checksum recomputed. */
export function joinSections(preamble: Uint8Array, sections: readonly Pick<RawSection, 'type' | 'flags' | 'body'>[]): Uint8Array {
  const parts = [preamble, ...sections.map((s) => encodeRawSection(s.type, s.body, { flags: s.flags }))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
