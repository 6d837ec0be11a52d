/**
 * The reader's fast path (bodies checked and decoded where they lie in the chunk, columns viewing it) against
 * corruption: every single-bit flip of a valid dump and every cut of it must be a located DumpFormatError,
 * whole and streamed, never a crash or a dump that loads with different data. The seeded mutants of
 * fuzz.spec.ts go deeper into the validators; this is exhaustive over one small dump.
 */
import { DumpFormatError, decodeDump, loadDump, loadDumpBytes, readDump, synthesizeDump } from './index';
import { sampleDumpSpec } from './test-dumps';

const LOCATED = /^flip\.dump: (preamble|((HEAD|SNAP|PROC|PAGE|TAIL|"([^"\\]|\\.){4}"|<[0-9a-f]{8}>) )?section #\d+) at byte \d+: \S/;

/** 8-aligned chunks of `size` bytes, each in its own buffer (as a file stream delivers them). */
async function* fileChunks(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield new Uint8Array(bytes.subarray(at, at + size));
}

function errorOf(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return null;
}

async function streamedErrorOf(bytes: Uint8Array, size: number): Promise<unknown> {
  try {
    for await (const _e of readDump(fileChunks(bytes, size), { name: 'flip.dump' }));
  } catch (e) {
    return e;
  }
  return null;
}

describe('reader against single-bit flips and cuts', () => {
  const dump = new Uint8Array(synthesizeDump(sampleDumpSpec()));

  it('loads the same columns whole, in aligned chunks (in place) and in odd chunks (copied)', async () => {
    const whole = loadDumpBytes(dump);
    expect(await loadDump(fileChunks(dump, 64))).toEqual(whole);
    expect(await loadDump(fileChunks(dump, 4096))).toEqual(whole);
    async function* odd(): AsyncGenerator<Uint8Array> {
      for (let at = 0; at < dump.length; at += 13) yield dump.subarray(at, at + 13);
    }
    expect(await loadDump(odd())).toEqual(whole);
  });

  it('rejects every single-bit flip outside the minor version with a located DumpFormatError, whole and streamed', async () => {
    let flips = 0;
    for (let byte = 0; byte < dump.length; byte++) {
      if (byte === 10 || byte === 11) continue; // the minor version: any value is valid
      for (let bit = 0; bit < 8; bit++) {
        const mutant = new Uint8Array(dump);
        mutant[byte] ^= 1 << bit;
        const error = errorOf(() => decodeDump(mutant, { name: 'flip.dump' }));
        if (!(error instanceof DumpFormatError) || !LOCATED.test(error.message)) {
          throw new Error(`flip of bit ${bit} of byte ${byte}: ${error === null ? 'decoded' : String(error)}`);
        }
        // streamed in 8-aligned chunks: most sections in place, some across chunks (copied)
        if ((byte + bit) % 7 === 0) expect(String(await streamedErrorOf(mutant, 200))).toBe(String(error));
        flips++;
      }
    }
    expect(flips).toBe(8 * (dump.length - 2));
  });

  it('rejects every cut with a located truncation error', () => {
    for (let cut = 0; cut < dump.length; cut++) {
      const error = errorOf(() => decodeDump(dump.subarray(0, cut), { name: 'flip.dump' }));
      expect([cut, error instanceof DumpFormatError && LOCATED.test(error.message) && /\(truncated\)$|is empty$/.test(error.message)]).toEqual([cut, true]);
    }
  });
});
