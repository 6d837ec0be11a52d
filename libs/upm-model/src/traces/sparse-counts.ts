/**
 * Builds the CSR (by function) of per-minute counts from a stream of (function, slot, count) entries.
 *
 * Fast path: Azure 2019 rows arrive one function at a time with ascending minutes, so the builder only appends
 * (slot, count) and records where each function starts — 8 bytes per non-zero cell. Anything else (a duplicate
 * function row, Huawei's minute-major layout) switches to coordinate mode (+4 bytes per entry for the function)
 * and is sorted and merged at the end. Storage is chunked so growth never copies or doubles the bulk.
 */
import { TraceError } from './errors';
import type { MinuteCountArrivals } from './types';

const CHUNK_BITS = 20;
const CHUNK = 1 << CHUNK_BITS;
const MASK = CHUNK - 1;

/** Append-only uint32 column in 4 MiB chunks. */
export class ChunkedU32 {
  private chunks: Uint32Array[] = [];
  private cur: Uint32Array = new Uint32Array(0);
  private pos = CHUNK; // forces allocation on first push
  length = 0;

  push(v: number): void {
    if (this.pos === CHUNK) {
      this.cur = new Uint32Array(CHUNK);
      this.chunks.push(this.cur);
      this.pos = 0;
    }
    this.cur[this.pos++] = v;
    this.length++;
  }

  get(i: number): number {
    return this.chunks[i >>> CHUNK_BITS][i & MASK];
  }

  /**
   * Move everything into one exact-size array and empty the column. Each chunk is released as soon as it is
   * copied, so the peak is the result plus one chunk, not twice the data.
   */
  drainToArray(): Uint32Array {
    const out = new Uint32Array(this.length);
    const chunks = this.chunks;
    this.chunks = [];
    this.cur = new Uint32Array(0);
    let off = 0;
    for (let i = 0; i < chunks.length; i++) {
      const n = Math.min(CHUNK, this.length - off);
      out.set(n === CHUNK ? chunks[i] : chunks[i].subarray(0, n), off);
      (chunks as (Uint32Array | null)[])[i] = null;
      off += n;
    }
    this.clear();
    return out;
  }

  clear(): void {
    this.chunks = [];
    this.cur = new Uint32Array(0);
    this.pos = CHUNK;
    this.length = 0;
  }
}

const MAX_U32 = 0xffffffff;

export class CountsBuilder {
  private readonly slot = new ChunkedU32();
  private readonly count = new ChunkedU32();
  /** Sorted mode: start of each function 0..lastFn. */
  private readonly starts = new ChunkedU32();
  /** Coordinate mode: function of each entry. */
  private fnCol: ChunkedU32 | null = null;
  private lastFn = -1;
  private lastSlot = -1;

  get entries(): number {
    return this.slot.length;
  }

  add(fn: number, slot: number, count: number): void {
    if (count === 0) return;
    if (this.fnCol === null) {
      if (fn === this.lastFn) {
        if (slot <= this.lastSlot) this.toCoordinates();
      } else if (fn > this.lastFn) {
        while (this.lastFn < fn) {
          this.starts.push(this.slot.length);
          this.lastFn++;
        }
      } else {
        this.toCoordinates();
      }
    }
    if (this.fnCol !== null) this.fnCol.push(fn);
    this.slot.push(slot);
    this.count.push(count);
    this.lastSlot = slot;
  }

  private toCoordinates(): void {
    const fnCol = new ChunkedU32();
    const n = this.slot.length;
    for (let f = 0; f <= this.lastFn; f++) {
      const end = f < this.lastFn ? this.starts.get(f + 1) : n;
      for (let e = this.starts.get(f); e < end; e++) fnCol.push(f);
    }
    this.fnCol = fnCol;
    this.starts.clear();
  }

  /** The CSR for `nFunctions` functions (functions without entries get empty rows). Consumes the builder. */
  build(nFunctions: number): Pick<MinuteCountArrivals, 'rowPtr' | 'slot' | 'count'> {
    const nnz = this.slot.length;
    if (nnz > MAX_U32) throw new TraceError('INCONSISTENT_INPUT', `too many non-zero cells (${nnz}) for one trace`);
    if (this.fnCol === null) {
      if (this.lastFn >= nFunctions) throw new RangeError(`entry for function ${this.lastFn} beyond ${nFunctions}`);
      const rowPtr = new Uint32Array(nFunctions + 1);
      for (let f = 0; f <= this.lastFn; f++) rowPtr[f] = this.starts.get(f);
      for (let f = this.lastFn + 1; f <= nFunctions; f++) rowPtr[f] = nnz;
      const slot = this.slot.drainToArray();
      const count = this.count.drainToArray();
      return { rowPtr, slot, count };
    }
    return this.buildFromCoordinates(nFunctions);
  }

  private buildFromCoordinates(nFunctions: number): Pick<MinuteCountArrivals, 'rowPtr' | 'slot' | 'count'> {
    const fnCol = this.fnCol as ChunkedU32;
    const n = fnCol.length;
    // Counting sort of entries by function (stable), then per function: sort by slot, merge equal slots.
    const perFn = new Uint32Array(nFunctions + 1);
    for (let e = 0; e < n; e++) {
      const f = fnCol.get(e);
      if (f >= nFunctions) throw new RangeError(`entry for function ${f} beyond ${nFunctions}`);
      perFn[f + 1]++;
    }
    for (let f = 0; f < nFunctions; f++) perFn[f + 1] += perFn[f];
    const order = new Uint32Array(n);
    const fill = perFn.slice(0, nFunctions);
    for (let e = 0; e < n; e++) order[fill[fnCol.get(e)]++] = e;

    const rowPtr = new Uint32Array(nFunctions + 1);
    const outSlot = new Uint32Array(n);
    const outCount = new Uint32Array(n);
    let w = 0;
    const tmp: number[] = [];
    for (let f = 0; f < nFunctions; f++) {
      rowPtr[f] = w;
      const a = perFn[f];
      const b = perFn[f + 1];
      let sorted = true;
      for (let i = a + 1; i < b; i++) {
        if (this.slot.get(order[i]) <= this.slot.get(order[i - 1])) {
          sorted = false;
          break;
        }
      }
      if (sorted) {
        for (let i = a; i < b; i++) {
          outSlot[w] = this.slot.get(order[i]);
          outCount[w++] = this.count.get(order[i]);
        }
        continue;
      }
      tmp.length = 0;
      for (let i = a; i < b; i++) tmp.push(order[i]);
      tmp.sort((x, y) => this.slot.get(x) - this.slot.get(y) || x - y);
      for (const e of tmp) {
        const s = this.slot.get(e);
        const c = this.count.get(e);
        if (w > rowPtr[f] && outSlot[w - 1] === s) {
          const sum = outCount[w - 1] + c;
          if (sum > MAX_U32) {
            throw new TraceError(
              'INCONSISTENT_INPUT',
              `merged count for function ${f} at minute slot ${s} exceeds ${MAX_U32}`,
            );
          }
          outCount[w - 1] = sum;
        } else {
          outSlot[w] = s;
          outCount[w++] = c;
        }
      }
    }
    rowPtr[nFunctions] = w;
    this.slot.clear();
    this.count.clear();
    this.fnCol = null;
    return {
      rowPtr,
      slot: w === n ? outSlot : outSlot.slice(0, w),
      count: w === n ? outCount : outCount.slice(0, w),
    };
  }
}
