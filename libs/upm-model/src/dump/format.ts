/** Byte-level constants of docs/dump-format.md shared by the decoder and the encoder. */

export const PREAMBLE_BYTES = 16;
export const SECTION_HEADER_BYTES = 24;
/** Bytes of a section header covered by the checksum (type, flags, length). */
export const CHECKSUMMED_HEADER_BYTES = 16;
export const SECTION_ALIGN = 8;

export const FLAG_SKIPPABLE = 1;

export const MAX_JSON_SECTION_BYTES = 16 * 1024 * 1024;
export const MAX_PAGE_SECTION_BYTES = 1024 * 1024 * 1024;

/** Fixed part of a PAGE body before the runs. */
export const PAGE_BLOCK_HEADER_BYTES = 24;

export type SectionType = 'HEAD' | 'SNAP' | 'PROC' | 'PAGE' | 'TAIL';

/** The u32 (little-endian) of four ASCII letters, as the type field holds them. */
function typeCode(name: string): number {
  return (name.charCodeAt(0) | (name.charCodeAt(1) << 8) | (name.charCodeAt(2) << 16) | (name.charCodeAt(3) << 24)) >>> 0;
}

export const SECTION_CODE: Readonly<Record<SectionType, number>> = {
  HEAD: typeCode('HEAD'),
  SNAP: typeCode('SNAP'),
  PROC: typeCode('PROC'),
  PAGE: typeCode('PAGE'),
  TAIL: typeCode('TAIL'),
};

const TYPE_BY_CODE = new Map<number, SectionType>(
  (Object.keys(SECTION_CODE) as SectionType[]).map((t) => [SECTION_CODE[t], t]),
);

export function sectionTypeOf(code: number): SectionType | undefined {
  return TYPE_BY_CODE.get(code);
}

/** How an unknown type appears in messages: `"XTRA"` when printable, else its bytes in hex `<58545241>`. */
export function describeTypeCode(code: number): string {
  const known = TYPE_BY_CODE.get(code);
  if (known) return known;
  let text = '';
  let hex = '';
  let printable = true;
  for (let i = 0; i < 4; i++) {
    const b = (code >>> (8 * i)) & 0xff;
    if (b < 0x20 || b > 0x7e) printable = false;
    text += String.fromCharCode(b);
    hex += b.toString(16).padStart(2, '0');
  }
  return printable ? JSON.stringify(text) : `<${hex}>`;
}

export const PREAMBLE_MAGIC = new Uint8Array([0x55, 0x50, 0x4d, 0x44, 0x55, 0x4d, 0x50, 0x00]);

export function padTo8(n: number): number {
  return (SECTION_ALIGN - (n % SECTION_ALIGN)) % SECTION_ALIGN;
}

/** 16 lowercase hex digits of a 64-bit value given as two u32 halves. */
export function hex64(lo: number, hi: number): string {
  return (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');
}

/** The halves of a 16-hex-digit string (already validated). */
export function parseHex64(hex: string): { lo: number; hi: number } {
  return { hi: parseInt(hex.slice(0, 8), 16) >>> 0, lo: parseInt(hex.slice(8, 16), 16) >>> 0 };
}

export const TWO_POW_32 = 0x1_0000_0000;
/** High words at or above this make a u64 exceed Number.MAX_SAFE_INTEGER. */
export const SAFE_HIGH_WORD_LIMIT = 0x20_0000;

// Typed-array views over file bytes assume the host is little-endian, like the format.
if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) {
  throw new Error('upm-model dump codec: big-endian hosts are not supported');
}
