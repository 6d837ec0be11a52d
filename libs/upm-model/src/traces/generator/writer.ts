/** A buffered, backpressure-aware ASCII writer: rows are formatted straight into a Buffer (no row strings). */
import * as fs from 'node:fs';

export class AsciiWriter {
  private buf = Buffer.allocUnsafe(1 << 20);
  private pos = 0;
  bytes = 0;
  private readonly ws: fs.WriteStream;
  private failed: Error | null = null;

  constructor(path: string) {
    this.ws = fs.createWriteStream(path);
    this.ws.on('error', (e) => {
      this.failed = e;
    });
  }

  /** Make room for n more bytes, flushing (and waiting for the disk) when the buffer is full. */
  async reserve(n: number): Promise<void> {
    if (this.pos + n <= this.buf.length) return;
    await this.flush();
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
  }

  ascii(s: string): void {
    this.pos += this.buf.write(s, this.pos, 'latin1');
  }

  byte(c: number): void {
    this.buf[this.pos++] = c;
  }

  /** A non-negative integer in decimal. */
  uint(v: number): void {
    if (v < 10) {
      this.buf[this.pos++] = 48 + v;
      return;
    }
    if (v >= 0x100000000) {
      this.ascii(String(v));
      return;
    }
    let digits = 0;
    for (let x = v; x > 0; x = Math.floor(x / 10)) digits++;
    let p = this.pos + digits;
    this.pos = p;
    for (let x = v; x > 0; x = Math.floor(x / 10)) this.buf[--p] = 48 + (x % 10);
  }

  async flush(): Promise<void> {
    if (this.failed) throw this.failed;
    if (this.pos === 0) return;
    const chunk = Buffer.from(this.buf.subarray(0, this.pos)); // the stream keeps a reference: copy
    this.bytes += this.pos;
    this.pos = 0;
    if (!this.ws.write(chunk))
      await new Promise<void>((resolve, reject) => {
        const onDrain = (): void => {
          this.ws.off('error', onError);
          resolve();
        };
        const onError = (e: Error): void => {
          this.ws.off('drain', onDrain);
          reject(e);
        };
        this.ws.once('drain', onDrain);
        this.ws.once('error', onError);
      });
  }

  async close(): Promise<void> {
    await this.flush();
    await new Promise<void>((resolve, reject) => {
      this.ws.end((e?: Error | null) => (e ? reject(e) : resolve()));
    });
    if (this.failed) throw this.failed;
  }
}

/** Python-style float text (`57.154`, `0.0`), as the 2021 trace writes its columns. */
export function pyFloat(v: number): string {
  const s = String(v);
  return /[.eE]/.test(s) || !Number.isFinite(v) ? s : `${s}.0`;
}
