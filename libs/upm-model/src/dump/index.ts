export * from './types';
export { DumpFormatError, formatDumpLocation, type DumpLocation } from './errors';
export { MAX_JSON_SECTION_BYTES, MAX_PAGE_SECTION_BYTES, hex64, parseHex64 } from './format';
export { DumpDecoder, type DumpDecoderOptions } from './decoder';
export {
  DumpAssembler,
  decodeDump,
  flattenProcess,
  loadDump,
  loadDumpBytes,
  readDump,
  readDumpFile,
  type DumpSource,
  type ReadDumpOptions,
} from './reader';
export {
  DumpEncoder,
  DumpWriter,
  type DumpEncoderOptions,
  type DumpWriterOptions,
  type PageColumns,
  type SnapshotInput,
} from './writer';
export {
  contentHash,
  contentHashHex,
  synthesizeDump,
  syntheticHeader,
  type ContentId,
  type SyntheticDumpSpec,
  type SyntheticPage,
  type SyntheticPageSpec,
  type SyntheticProcess,
  type SyntheticSnapshot,
  type SyntheticVma,
} from './synthesize';
export { Hash64Set } from './hash-set';
export { DumpSummarizer, summarizeDump, type DumpSummary, type ProcessSummary } from './summary';
export { NdjsonRenderer, dumpToNdjson } from './ndjson';
export { encodeRawSection, joinSections, splitSections, type RawSection } from './raw';
