import { XXHash64 } from 'xxhash-addon';

/** XXH64 with seed 0; the addon wants a canonical (big-endian) 8-byte seed. */
const SEED_ZERO = Buffer.alloc(8);

/** Whether the addon takes any Uint8Array (Node-API treats them as buffers since Node 20), saving a wrapper. */
const takesUint8Array = ((): boolean => {
  try {
    return XXHash64.hash(new Uint8Array([97, 98, 99]) as Buffer).toString('hex') === '44bc2cf5ad770999';
  } catch {
    return false;
  }
})();

function asBuffer(bytes: Uint8Array): Buffer {
  if (takesUint8Array || Buffer.isBuffer(bytes)) return bytes as Buffer;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The two u32 halves of a digest, which the addon returns big-endian. */
export interface Checksum {
  lo: number;
  hi: number;
}

function halves(digest: Buffer): Checksum {
  return { hi: digest.readUInt32BE(0), lo: digest.readUInt32BE(4) };
}

/** XXH64 (seed 0) of contiguous bytes. */
export function xxh64(bytes: Uint8Array): Checksum {
  return halves(XXHash64.hash(asBuffer(bytes)));
}

/** Incremental XXH64 (seed 0), for sections whose bytes are not contiguous (skipped, or being encoded). */
export class Xxh64Stream {
  private readonly state = new XXHash64(SEED_ZERO);

  reset(): this {
    this.state.reset();
    return this;
  }

  update(bytes: Uint8Array): this {
    if (bytes.byteLength > 0) this.state.update(asBuffer(bytes));
    return this;
  }

  digest(): Checksum {
    return halves(this.state.digest());
  }
}
