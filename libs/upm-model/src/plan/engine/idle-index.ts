/**
 * The idle containers of an engine run, in intrusive doubly linked lists over container ids:
 *  - per function, most recently released first (a warm start takes the head);
 *  - one global list in release order (TTL expiry order; LRU order when there is a single host);
 *  - per host in release order (LRU eviction with several hosts), only when memory is limited.
 * Plus the idle pages per host (what evicting every idle container there could free at most).
 */
import { growF64, growI32 } from './containers';

export class IdleIndex {
  /** Per function: first (most recently released) and last idle container, -1 if none. */
  readonly fnHead: Int32Array;
  readonly fnTail: Int32Array;
  /** Global release-order list: oldest and newest idle container. */
  lHead = -1;
  lTail = -1;
  /** Per host release-order list (hostLists only). */
  readonly hHead: Int32Array;
  readonly hTail: Int32Array;
  /** Idle pages (unmerged) per host. */
  readonly pages: Float64Array;
  /** Per container: when it became idle (s). */
  since = new Float64Array(0);
  /** Per container links of the function list. */
  fnPrev = new Int32Array(0);
  fnNext = new Int32Array(0);
  /** Per container links of the global list. */
  lPrev = new Int32Array(0);
  lNext = new Int32Array(0);
  /** Per container links of its host's list. */
  hPrev = new Int32Array(0);
  hNext = new Int32Array(0);

  constructor(
    nFn: number,
    private readonly hosts: number,
    /** Keep the per-host lists (several hosts with limited memory and an LRU victim). */
    private readonly hostLists: boolean,
  ) {
    this.fnHead = new Int32Array(nFn).fill(-1);
    this.fnTail = new Int32Array(nFn).fill(-1);
    this.hHead = new Int32Array(hosts).fill(-1);
    this.hTail = new Int32Array(hosts).fill(-1);
    this.pages = new Float64Array(hosts);
  }

  /** Grows the per-container arrays to m entries (the container table's capacity). */
  grow(m: number): void {
    this.since = growF64(this.since, m);
    this.fnPrev = growI32(this.fnPrev, m, -1);
    this.fnNext = growI32(this.fnNext, m, -1);
    this.lPrev = growI32(this.lPrev, m, -1);
    this.lNext = growI32(this.lNext, m, -1);
    this.hPrev = growI32(this.hPrev, m, -1);
    this.hNext = growI32(this.hNext, m, -1);
  }

  /** Container c of function f on host h, `units` pages, becomes idle at t. */
  link(c: number, f: number, h: number, units: number, t: number): void {
    this.since[c] = t;
    const fh = this.fnHead[f];
    this.fnPrev[c] = -1;
    this.fnNext[c] = fh;
    if (fh >= 0) this.fnPrev[fh] = c;
    else this.fnTail[f] = c;
    this.fnHead[f] = c;
    this.lNext[c] = -1;
    this.lPrev[c] = this.lTail;
    if (this.lTail >= 0) this.lNext[this.lTail] = c;
    else this.lHead = c;
    this.lTail = c;
    if (this.hostLists) {
      this.hNext[c] = -1;
      const ht = this.hTail[h];
      this.hPrev[c] = ht;
      if (ht >= 0) this.hNext[ht] = c;
      else this.hHead[h] = c;
      this.hTail[h] = c;
    }
    this.pages[h] += units;
  }

  unlink(c: number, f: number, h: number, units: number): void {
    const p = this.fnPrev[c];
    const n = this.fnNext[c];
    if (p >= 0) this.fnNext[p] = n;
    else this.fnHead[f] = n;
    if (n >= 0) this.fnPrev[n] = p;
    else this.fnTail[f] = p;
    const lp = this.lPrev[c];
    const ln = this.lNext[c];
    if (lp >= 0) this.lNext[lp] = ln;
    else this.lHead = ln;
    if (ln >= 0) this.lPrev[ln] = lp;
    else this.lTail = lp;
    if (this.hostLists) {
      const hp = this.hPrev[c];
      const hn = this.hNext[c];
      if (hp >= 0) this.hNext[hp] = hn;
      else this.hHead[h] = hn;
      if (hn >= 0) this.hPrev[hn] = hp;
      else this.hTail[h] = hp;
    }
    this.pages[h] -= units;
  }

  /** The least recently released idle container of host h, -1 if none (or not tracked: unlimited memory). */
  lru(h: number): number {
    if (this.hosts === 1) return this.lHead;
    if (this.hostLists) return this.hHead[h];
    return -1;
  }
}
