/** Where in a dump something is wrong: the source, the section and the byte offset of its start. */
export interface DumpLocation {
  /** Name of the file or stream, as the caller gave it. */
  source: string;
  /**
   * Section type as text: `PAGE`, `"XTRA"` for an unknown printable type, `<1a2b3c4d>` for unprintable
   * type bytes; null for the preamble or a section header cut short before its type.
   */
  section: string | null;
  /** 1-based position of the section in the file (HEAD is #1); 0 for the preamble. */
  ordinal: number;
  /** Byte offset of the section (or preamble) start in the file. */
  offset: number;
}

export function formatDumpLocation(loc: DumpLocation): string {
  if (loc.ordinal === 0) return `${loc.source}: preamble at byte ${loc.offset}`;
  const type = loc.section === null ? '' : `${loc.section} `;
  return `${loc.source}: ${type}section #${loc.ordinal} at byte ${loc.offset}`;
}

/**
 * A dump that violates docs/dump-format.md, or writer input that would produce one. The message names the
 * source, section type and ordinal, byte offset and the problem, e.g.
 * `x.dump: PAGE section #12 at byte 40960: run 3 ends at page 900 beyond the VMA's 512 pages`.
 */
export class DumpFormatError extends Error {
  readonly source: string;
  readonly section: string | null;
  readonly ordinal: number;
  readonly offset: number;
  /** The problem alone, without the location prefix. */
  readonly detail: string;

  constructor(location: DumpLocation, detail: string) {
    super(`${formatDumpLocation(location)}: ${detail}`);
    this.name = 'DumpFormatError';
    this.source = location.source;
    this.section = location.section;
    this.ordinal = location.ordinal;
    this.offset = location.offset;
    this.detail = detail;
  }
}

/**
 * Thrown by the section validators, which know the field but not the location; the decoder rethrows it as a
 * DumpFormatError. Never escapes the dump module.
 */
export class InvalidSection extends Error {
  constructor(readonly detail: string) {
    super(detail);
    this.name = 'InvalidSection';
  }
}

export function invalid(detail: string): never {
  throw new InvalidSection(detail);
}
