/**
 * Fuzzing the reader: thousands of seeded, deterministic mutants of valid dumps. Each must either parse fully
 * (and then summarize, render and load without trouble) or fail with a DumpFormatError that names the section
 * and byte offset; any other exception is a reader bug. Mutations that reseal checksums reach the semantic
 * validators behind the checksum check.
 */
import { Xxh64Stream } from './checksum';
import {
  DumpAssembler,
  DumpFormatError,
  DumpSummarizer,
  NdjsonRenderer,
  PageFlag,
  decodeDump,
  readDump,
  synthesizeDump,
  type DumpEvent,
} from './index';
import { joinSections, splitSections, type RawSection } from './raw';
import { sampleDumpSpec } from './test-dumps';

// deterministic by default; UPM_FUZZ_SEED / UPM_FUZZ_MUTANTS explore further (UPM_FUZZ_VERBOSE prints stats)
const MUTANTS = Number(process.env.UPM_FUZZ_MUTANTS ?? 12_000);
const SEED = Number(process.env.UPM_FUZZ_SEED ?? 0x5eedd0c5);
const LOCATED = /^fuzz\.dump: (preamble|((HEAD|SNAP|PROC|PAGE|TAIL|"([^"\\]|\\.){4}"|<[0-9a-f]{8}>) )?section #\d+) at byte \d+: \S/;

/** mulberry32: small, fast, seedable. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const below = (r: Rng, n: number): number => Math.floor(r() * n);

const SPECIAL_U32 = [0, 1, 2, 3, 7, 8, 24, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];
const SPECIAL_JSON: unknown[] = [-1, 0, 1, 1.5, 2 ** 31, 2 ** 53, -(2 ** 53), 1e308, '', 'x', 'rw-s', '0000000000000000', null, true, false, [], {}, ['zz'], { a: 1 }];

function corpus(): Uint8Array[] {
  const sample = synthesizeDump(sampleDumpSpec());
  const small = synthesizeDump({ processes: [{ pid: 1, vmas: [{ pages: [1] }] }] });
  const wide = synthesizeDump({
    header: { host: { pageFlagsReadable: false } },
    snapshots: [0, 1, 2].map((s) => ({
      processes: [
        {
          pid: 10 + s,
          vmas: [
            { sizePages: 400, pages: Array.from({ length: 120 }, (_, i) => ({ index: i * 3 + (i % 3), content: i % 17 === 0 ? null : i % 5, pfn: i % 7 && i % 17 ? 2 ** 33 + i : 0 })) },
            { kind: 'file' as const, pages: ['a', 'b', 'c', 'a'] },
          ],
        },
      ],
    })),
  });
  // an unknown skippable section between sections
  const { preamble, sections } = splitSections(sample);
  const withExtra = joinSections(preamble, [...sections.slice(0, 3), { type: 'XTRA', flags: 1, body: new Uint8Array([9, 9, 9]) }, ...sections.slice(3)]);
  return [sample, small, wide, withExtra];
}

function copy(b: Uint8Array): Uint8Array {
  return Uint8Array.prototype.slice.call(b);
}

function reseal(bytes: Uint8Array, edit: (sections: RawSection[], r: Rng) => void, r: Rng): Uint8Array {
  const { preamble, sections, rest } = splitSections(bytes);
  const editable = sections.map((s) => ({ ...s, body: copy(s.body) }));
  if (editable.length === 0) return bytes;
  edit(editable, r);
  const joined = joinSections(preamble, editable);
  const out = new Uint8Array(joined.length + rest.length);
  out.set(joined);
  out.set(rest, joined.length);
  return out;
}

const asText = (b: Uint8Array): string => Buffer.from(b).toString('utf8');

/** Replace one value somewhere in a JSON document (or delete its key). */
function mutateJson(value: unknown, r: Rng): unknown {
  if (Array.isArray(value)) {
    if (value.length === 0 || r() < 0.15) return pick(r, SPECIAL_JSON);
    const i = below(r, value.length);
    const out = [...value];
    out[i] = mutateJson(value[i], r);
    return out;
  }
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 0 || r() < 0.1) return pick(r, SPECIAL_JSON);
    const key = pick(r, keys);
    const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    if (r() < 0.15) delete out[key];
    else out[key] = mutateJson(out[key], r);
    return out;
  }
  if (typeof value === 'number' && r() < 0.5) return value + pick(r, [-4096, -1, 1, 4096, 0.5]);
  return pick(r, SPECIAL_JSON);
}

const mutators: Record<string, (b: Uint8Array, r: Rng) => Uint8Array> = {
  bitFlips(b, r) {
    const out = copy(b);
    for (let k = 1 + below(r, 4); k > 0; k--) out[below(r, out.length)] ^= 1 << below(r, 8);
    return out;
  },
  byteOverwrite(b, r) {
    const out = copy(b);
    for (let k = 1 + below(r, 4); k > 0; k--) out[below(r, out.length)] = pick(r, [0, 0xff, 0x7f, 0x80, below(r, 256)]);
    return out;
  },
  truncate(b, r) {
    return b.subarray(0, below(r, b.length));
  },
  insert(b, r) {
    const at = below(r, b.length + 1);
    const extra = Uint8Array.from({ length: 1 + below(r, 16) }, () => (r() < 0.5 ? 0 : below(r, 256)));
    return Buffer.concat([b.subarray(0, at), extra, b.subarray(at)]);
  },
  deleteRange(b, r) {
    const at = below(r, b.length);
    return Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + below(r, 32)))]);
  },
  duplicateSection(b, r) {
    return reseal(b, (s) => {
      const i = below(r, s.length);
      s.splice(below(r, s.length + 1), 0, s[i]);
    }, r);
  },
  removeSection(b, r) {
    return reseal(b, (s) => void s.splice(below(r, s.length), 1), r);
  },
  swapSections(b, r) {
    return reseal(b, (s) => {
      const i = below(r, s.length);
      const j = below(r, s.length);
      [s[i], s[j]] = [s[j], s[i]];
    }, r);
  },
  retypeSection(b, r) {
    return reseal(b, (s) => {
      const sec = s[below(r, s.length)];
      sec.type = pick(r, ['HEAD', 'SNAP', 'PROC', 'PAGE', 'TAIL', 'XTRA', '\0\0\0\0']);
      sec.flags = pick(r, [0, 0, 1, 2, 0x80000000]);
    }, r);
  },
  lengthTamper(b, r) {
    const { sections } = splitSections(b);
    if (sections.length === 0) return b;
    const s = pick(r, sections);
    const out = copy(b);
    const v = new DataView(out.buffer);
    const len = s.body.length;
    const lo = pick(r, [0, 1, len - 8, len - 1, len + 1, len + 8, len + 24, 2 ** 24 + 1, 2 ** 30, 2 ** 30 + 1, 0xffffffff, below(r, 2 ** 32)]);
    v.setUint32(s.offset + 8, Math.max(0, lo) >>> 0, true);
    if (r() < 0.2) v.setUint32(s.offset + 12, pick(r, [1, 0xffffffff]), true);
    if (r() < 0.5) {
      // reseal over whatever bytes the new length claims, so the tampering is not caught by the checksum alone
      const claimed = out.subarray(s.offset + 24, Math.min(out.length, s.offset + 24 + (lo >>> 0)));
      const sum = new Xxh64Stream().update(out.subarray(s.offset, s.offset + 16)).update(claimed).digest();
      v.setUint32(s.offset + 16, sum.lo, true);
      v.setUint32(s.offset + 20, sum.hi, true);
    }
    return out;
  },
  bodyBytesResealed(b, r) {
    return reseal(b, (s) => {
      const sec = pick(r, s);
      if (sec.body.length === 0) return;
      for (let k = 1 + below(r, 3); k > 0; k--) sec.body[below(r, sec.body.length)] = pick(r, [0, 1, 0xff, below(r, 256)]);
    }, r);
  },
  jsonValueResealed(b, r) {
    return reseal(b, (s) => {
      const jsonSections = s.filter((x) => x.type !== 'PAGE' && x.type !== 'XTRA');
      if (jsonSections.length === 0) return;
      const sec = pick(r, jsonSections);
      let value: unknown;
      try {
        value = JSON.parse(asText(sec.body));
      } catch {
        return;
      }
      sec.body = Buffer.from(JSON.stringify(mutateJson(value, r)) ?? 'null', 'utf8');
    }, r);
  },
  pageFieldResealed(b, r) {
    return reseal(b, (s) => {
      const pages = s.filter((x) => x.type === 'PAGE' && x.body.length >= 24);
      if (pages.length === 0) return;
      const sec = pick(r, pages);
      const v = new DataView(sec.body.buffer, sec.body.byteOffset, sec.body.byteLength);
      const runCount = v.getUint32(16, true);
      const count = v.getUint32(4, true);
      const width = v.getUint8(20);
      const target = below(r, 7);
      if (target <= 4) v.setUint32(target * 4, pick(r, [...SPECIAL_U32, v.getUint32(target * 4, true) + 1, v.getUint32(target * 4, true) - 1]) >>> 0, true);
      else if (target === 5) v.setUint8(20, pick(r, [0, 4, 8, 3, 16, 255]));
      else {
        // a run, a hash, a PFN or a flags byte
        const region = below(r, 4);
        const safe = (at: number): boolean => at >= 24 && at + 4 <= sec.body.length;
        if (region === 0) {
          const at = 24 + 8 * below(r, runCount) + 4 * below(r, 2);
          if (safe(at)) v.setUint32(at, pick(r, [0, 1, 2, 511, 512, 0xffffffff, v.getUint32(at, true) + 1]) >>> 0, true);
        } else if (region === 1) {
          const at = 24 + 8 * runCount + 8 * below(r, count);
          if (safe(at)) v.setUint32(at, 0, true), v.setUint32(at + 4, pick(r, [0, 1]), true);
        } else if (region === 2 && width > 0) {
          const at = 24 + 8 * runCount + 8 * count + width * below(r, count);
          if (safe(at)) v.setUint32(at + (width === 8 ? 4 : 0), pick(r, [1, 0x200000, 0xffffffff]), true);
        } else {
          const at = 24 + 8 * runCount + (8 + width) * count + below(r, count);
          if (at < sec.body.length) sec.body[at] = pick(r, [0, PageFlag.Swapped, PageFlag.Present | PageFlag.Swapped, PageFlag.Present | PageFlag.Ksm, 0xff, below(r, 256)]);
        }
      }
    }, r);
  },
  splice(b, r) {
    const other = pick(r, CORPUS);
    return Buffer.concat([b.subarray(0, below(r, b.length)), other.subarray(below(r, other.length))]);
  },
};

const CORPUS = corpus();
const NAMES = Object.keys(mutators);

/** Consume a parsed dump the way applications do; any throw here is a reader bug letting bad data through. */
function consume(events: DumpEvent[]): void {
  const summary = new DumpSummarizer();
  const ndjson = new NdjsonRenderer();
  const assembler = new DumpAssembler();
  for (const e of events) {
    summary.add(e);
    assembler.add(e);
    for (const chunk of ndjson.render(e)) JSON.parse(`[${chunk.trimEnd().split('\n').join(',')}]`);
  }
  summary.result();
  assembler.result();
}

async function* chunks(bytes: Uint8Array, r: Rng): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; ) {
    const n = 1 + below(r, 300);
    yield bytes.subarray(at, at + n);
    at += n;
  }
}

describe('reader fuzzing', () => {
  it(`survives ${MUTANTS} mutated dumps: a full parse or a located DumpFormatError, nothing else`, async () => {
    const r = prng(SEED);
    const outcomes = new Map<string, number>();
    const kinds = new Set<string>();
    let parsed = 0;
    let checksumErrors = 0;
    for (let k = 0; k < MUTANTS; k++) {
      const base = CORPUS[k % CORPUS.length];
      let mutant = base;
      const applied: string[] = [];
      for (let m = r() < 0.25 ? 2 + below(r, 2) : 1; m > 0; m--) {
        const name = pick(r, NAMES);
        applied.push(name);
        mutant = mutators[name](mutant, r);
      }
      const label = `mutant ${k} (${applied.join('+')})`;
      let error: unknown = null;
      let events: DumpEvent[] = [];
      try {
        events = decodeDump(mutant, { name: 'fuzz.dump' });
      } catch (e) {
        error = e;
      }
      if (error === null) {
        parsed++;
        try {
          consume(events);
        } catch (e) {
          throw new Error(`${label}: parsed, but consuming it threw ${(e as Error).stack}`);
        }
      } else {
        if (!(error instanceof DumpFormatError)) throw new Error(`${label}: threw ${(error as Error)?.stack ?? error}`);
        if (!LOCATED.test(error.message)) throw new Error(`${label}: message without location: ${error.message}`);
        if (error.offset > mutant.length) throw new Error(`${label}: offset ${error.offset} beyond the input: ${error.message}`);
        // the kind of problem, without its numbers and names
        const kind = error.detail.startsWith('body is not valid JSON') ? 'body is not valid JSON' : error.detail;
        kinds.add(kind.replace(/[0-9a-f]{16}/g, 'H').replace(/\d+/g, 'N').replace(/"[^"]*"/g, 'S').replace(/got .*/, 'got X'));
        if (error.detail.startsWith('checksum mismatch')) checksumErrors++;
      }
      // the streaming path, in random chunks, must agree
      if (k % 10 === 0) {
        let streamedError: unknown = null;
        try {
          for await (const _e of readDump(chunks(mutant, r), { name: 'fuzz.dump' }));
        } catch (e) {
          streamedError = e;
        }
        if (String(streamedError) !== String(error)) throw new Error(`${label}: streamed ${streamedError}, whole ${error}`);
      }
      const key = `${applied[0]}:${error === null ? 'ok' : 'error'}`;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    }
    if (process.env.UPM_FUZZ_VERBOSE) {
      process.stdout.write(`${JSON.stringify({ parsed, checksumErrors, kinds: kinds.size, outcomes: Object.fromEntries(outcomes) }, null, 1)}\n${[...kinds].sort().join('\n')}\n`);
    }
    // the mutants reached deep into the validators, not just the checksum
    expect(parsed).toBeGreaterThan(50);
    expect(checksumErrors).toBeLessThan(MUTANTS * 0.6);
    expect(kinds.size).toBeGreaterThan(60);
  });
});
