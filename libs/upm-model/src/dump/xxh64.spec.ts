import { XXHash64 } from 'xxhash-addon';
import { WASM_HASH_MAX_BYTES, xxh64Section } from './xxh64';

/** The addon's XXH64 (seed 0) of the bytes, as 16 hex digits. */
function reference(bytes: Uint8Array): string {
  return XXHash64.hash(Buffer.from(bytes)).toString('hex');
}

function hex(d: { lo: number; hi: number }): string {
  return d.hi.toString(16).padStart(8, '0') + d.lo.toString(16).padStart(8, '0');
}

/** Deterministic bytes (xorshift32). */
function noise(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

describe('xxh64Section (WebAssembly XXH64)', () => {
  const data = noise(1 << 16, 0x9e3779b9);
  const head = data.subarray(0, 16);

  it('equals the addon on the header followed by the body, for every body length 0..700 at any alignment', () => {
    for (const offset of [16, 17, 22, 1027]) {
      for (let length = 0; length <= 700; length++) {
        const body = data.subarray(offset, offset + length);
        const joined = new Uint8Array(16 + length);
        joined.set(head);
        joined.set(body, 16);
        expect([offset, length, hex(xxh64Section(head, body))]).toEqual([offset, length, reference(joined)]);
      }
    }
  });

  it('equals the addon on large inputs, on all-ones bytes and above the WebAssembly memory (addon fallback)', () => {
    for (const length of [8000, 60_000, WASM_HASH_MAX_BYTES - 16, WASM_HASH_MAX_BYTES - 15, 3 * WASM_HASH_MAX_BYTES]) {
      const joined = noise(16 + length, length);
      expect([length, hex(xxh64Section(joined.subarray(0, 16), joined.subarray(16)))]).toEqual([length, reference(joined)]);
    }
    const ones = new Uint8Array(16 + 64).fill(0xff);
    expect(hex(xxh64Section(ones.subarray(0, 16), ones.subarray(16)))).toBe(reference(ones));
  });

  it('gives the published XXH64 values of "" and "abc"', () => {
    expect(hex(xxh64Section(new Uint8Array(0), new Uint8Array(0)))).toBe('ef46db3751d8e999');
    expect(hex(xxh64Section(new TextEncoder().encode('ab'), new TextEncoder().encode('c')))).toBe('44bc2cf5ad770999');
  });
});
