/**
 * XXH64 (seed 0) for the reader's section checksums, in a small WebAssembly module assembled below: a call
 * into the native addon costs 1 to 4 µs while a PAGE section holds about a kilobyte, so the call, not the
 * hashing, was the reader's largest cost, and plain JS has no 64-bit multiply (its 32-bit emulation ran at
 * about 300 MB/s). WebAssembly has i64 arithmetic and costs tens of nanoseconds a call; the bytes are copied
 * into its memory first (a memcpy). Sections larger than that memory go to the addon, whose call cost does
 * not matter there. Checked against the addon in xxh64.spec.ts.
 */
import { Xxh64Stream } from './checksum';

/** Largest input (header + body) hashed in WebAssembly memory. */
export const WASM_HASH_MAX_BYTES = 1 << 20;

// --- a minimal WebAssembly encoder: just what the one function needs ---

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 of a 64-bit value (i64.const immediates). */
function sleb64(v: bigint): number[] {
  v = BigInt.asIntN(64, v);
  const out: number[] = [];
  for (;;) {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    if ((v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const name = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

const I32 = 0x7f, I64 = 0x7e, EMPTY = 0x40;
const op = {
  block: [0x02, EMPTY], loop: [0x03, EMPTY], if: [0x04, EMPTY], else: [0x05], end: [0x0b],
  br: (d: number) => [0x0c, ...uleb(d)], brIf: (d: number) => [0x0d, ...uleb(d)],
  get: (l: number) => [0x20, ...uleb(l)], set: (l: number) => [0x21, ...uleb(l)],
  i32: (n: number) => [0x41, ...sleb64(BigInt(n))], i64: (v: bigint) => [0x42, ...sleb64(v)],
  i32Add: [0x6a], i32Sub: [0x6b], i32GtU: [0x4b], i32LeU: [0x4d], i32GeU: [0x4f],
  add: [0x7c], mul: [0x7e], xor: [0x85], shrU: [0x88], rotl: [0x89], extendU: [0xad],
  load: (offset: number) => [0x29, 3, ...uleb(offset)], load32: [0x35, 2, 0], load8: [0x31, 0, 0],
  store: [0x37, 3, 0],
} as const;

const P1 = 0x9e3779b185ebca87n, P2 = 0xc2b2ae3d27d4eb4fn, P3 = 0x165667b19e3779f9n;
const P4 = 0x85ebca77c2b2ae63n, P5 = 0x27d4eb2f165667c5n;

// locals: the parameter (input length), then p (input position), limit, then v1..v4 and h
const LEN = 0, P = 1, LIMIT = 2, V = [3, 4, 5, 6], H = 7;

/** acc = rotl(acc + lane × P2, 31) × P1, with the lane at memory[p + offset]. */
const round = (acc: number, offset: number): number[] => [
  ...op.get(acc), ...op.get(P), ...op.load(offset), ...op.i64(P2), ...op.mul, ...op.add,
  ...op.i64(31n), ...op.rotl, ...op.i64(P1), ...op.mul, ...op.set(acc),
];
/** The value of round(0, v) on the stack, for v on the stack. */
const round0 = (): number[] => [...op.i64(P2), ...op.mul, ...op.i64(31n), ...op.rotl, ...op.i64(P1), ...op.mul];
/** h = h × m + a (for h on the stack, leaving the result in h). */
const mulAdd = (m: bigint, a: bigint | null): number[] => [...op.i64(m), ...op.mul, ...(a === null ? [] : [...op.i64(a), ...op.add]), ...op.set(H)];
const pPlus = (n: number): number[] => [...op.get(P), ...op.i32(n), ...op.i32Add, ...op.set(P)];

/** hash(len): XXH64 (seed 0) of memory[0 .. len), stored little-endian at memory[0 .. 8). */
const body: number[] = [
  ...op.get(LEN), ...op.i32(32), ...op.i32GeU, ...op.if,
  // v1 = P1 + P2, v2 = P2, v3 = 0, v4 = -P1; 32-byte stripes while p <= len - 32
  ...op.i64(P1 + P2), ...op.set(V[0]), ...op.i64(P2), ...op.set(V[1]), ...op.i64(-P1), ...op.set(V[3]),
  ...op.get(LEN), ...op.i32(32), ...op.i32Sub, ...op.set(LIMIT),
  ...op.loop,
  ...round(V[0], 0), ...round(V[1], 8), ...round(V[2], 16), ...round(V[3], 24),
  ...pPlus(32), ...op.get(P), ...op.get(LIMIT), ...op.i32LeU, ...op.brIf(0),
  ...op.end,
  // h = rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18), then each v merged in
  ...op.get(V[0]), ...op.i64(1n), ...op.rotl, ...op.get(V[1]), ...op.i64(7n), ...op.rotl, ...op.add,
  ...op.get(V[2]), ...op.i64(12n), ...op.rotl, ...op.add, ...op.get(V[3]), ...op.i64(18n), ...op.rotl, ...op.add,
  ...op.set(H),
  ...V.flatMap((v) => [...op.get(H), ...op.get(v), ...round0(), ...op.xor, ...mulAdd(P1, P4)]),
  ...op.else,
  ...op.i64(P5), ...op.set(H),
  ...op.end,
  // h += len
  ...op.get(H), ...op.get(LEN), ...op.extendU, ...op.add, ...op.set(H),
  // 8-byte lanes: h ^= round(0, lane); h = rotl(h, 27) × P1 + P4
  ...op.block, ...op.loop,
  ...op.get(P), ...op.i32(8), ...op.i32Add, ...op.get(LEN), ...op.i32GtU, ...op.brIf(1),
  ...op.get(H), ...op.get(P), ...op.load(0), ...round0(), ...op.xor, ...op.i64(27n), ...op.rotl, ...mulAdd(P1, P4),
  ...pPlus(8), ...op.br(0),
  ...op.end, ...op.end,
  // a 4-byte lane: h ^= u32 × P1; h = rotl(h, 23) × P2 + P3
  ...op.get(P), ...op.i32(4), ...op.i32Add, ...op.get(LEN), ...op.i32LeU, ...op.if,
  ...op.get(H), ...op.get(P), ...op.load32, ...op.i64(P1), ...op.mul, ...op.xor, ...op.i64(23n), ...op.rotl, ...mulAdd(P2, P3),
  ...pPlus(4),
  ...op.end,
  // bytes: h ^= byte × P5; h = rotl(h, 11) × P1
  ...op.block, ...op.loop,
  ...op.get(P), ...op.get(LEN), ...op.i32GeU, ...op.brIf(1),
  ...op.get(H), ...op.get(P), ...op.load8, ...op.i64(P5), ...op.mul, ...op.xor, ...op.i64(11n), ...op.rotl, ...mulAdd(P1, null),
  ...pPlus(1), ...op.br(0),
  ...op.end, ...op.end,
  // avalanche: h ^= h >> 33; h *= P2; h ^= h >> 29; h *= P3; h ^= h >> 32; store at 0
  ...op.get(H), ...op.get(H), ...op.i64(33n), ...op.shrU, ...op.xor, ...mulAdd(P2, null),
  ...op.get(H), ...op.get(H), ...op.i64(29n), ...op.shrU, ...op.xor, ...mulAdd(P3, null),
  ...op.i32(0), ...op.get(H), ...op.get(H), ...op.i64(32n), ...op.shrU, ...op.xor, ...op.store,
  ...op.end,
];

const sized = (bytes: number[]): number[] => [...uleb(bytes.length), ...bytes];
const MEMORY_PAGES = (WASM_HASH_MAX_BYTES >>> 16) + 1;
const moduleBytes = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  ...section(1, vec([[0x60, ...vec([[I32]]), ...vec([])]])), // type 0: (i32) -> ()
  ...section(3, vec([[0]])), // function 0 has type 0
  ...section(5, vec([[0x00, ...uleb(MEMORY_PAGES)]])), // one memory, fixed size
  ...section(7, vec([[...name('hash'), 0x00, 0], [...name('memory'), 0x02, 0]])),
  ...section(10, vec([sized([...vec([[2, I32], [5, I64]]), ...body])])), // locals: 2 i32, 5 i64
]);

/** The part of the WebAssembly API used here (TypeScript declares it only in the DOM libraries). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: { hash: (length: number) => void; memory: { buffer: ArrayBuffer } } };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
const instance = new wasm.Instance(new wasm.Module(moduleBytes));
const wasmHash = instance.exports.hash;
const memory = instance.exports.memory.buffer;
const memoryBytes = new Uint8Array(memory);
const memoryWords = new Uint32Array(memory, 0, 2);

/** The two unsigned halves of the last digest, overwritten by the next call. */
const digest = { lo: 0, hi: 0 };

/** XXH64 (seed 0) of `head` (the 16 checksummed header bytes) followed by `body`. */
export function xxh64Section(head: Uint8Array, body: Uint8Array): { lo: number; hi: number } {
  const total = head.length + body.length;
  if (total > WASM_HASH_MAX_BYTES) return new Xxh64Stream().update(head).update(body).digest();
  memoryBytes.set(head, 0);
  memoryBytes.set(body, head.length);
  wasmHash(total);
  digest.lo = memoryWords[0];
  digest.hi = memoryWords[1];
  return digest;
}
