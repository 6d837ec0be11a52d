/**
 * Binary min-heaps over typed arrays for the simulator's event queues. Ties are broken by id so the order of
 * simultaneous events is defined (and the simulation deterministic) whatever the insertion history.
 */

/** (key, id) min-heap; no removal except the top. */
export class KeyHeap {
  keys: Float64Array;
  ids: Int32Array;
  size = 0;

  constructor(capacity = 1024) {
    this.keys = new Float64Array(capacity);
    this.ids = new Int32Array(capacity);
  }

  topKey(): number {
    return this.size > 0 ? this.keys[0] : Infinity;
  }

  push(key: number, id: number): void {
    if (this.size === this.keys.length) this.grow();
    const keys = this.keys;
    const ids = this.ids;
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pk = keys[p];
      if (pk < key || (pk === key && ids[p] < id)) break;
      keys[i] = pk;
      ids[i] = ids[p];
      i = p;
    }
    keys[i] = key;
    ids[i] = id;
  }

  /** Removes the top and returns its id (the caller read topKey() first). */
  pop(): number {
    const keys = this.keys;
    const ids = this.ids;
    const top = ids[0];
    const n = --this.size;
    if (n === 0) return top;
    const key = keys[n];
    const id = ids[n];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      let ck = keys[c];
      const r = c + 1;
      if (r < n) {
        const rk = keys[r];
        if (rk < ck || (rk === ck && ids[r] < ids[c])) {
          c = r;
          ck = rk;
        }
      }
      if (key < ck || (key === ck && id < ids[c])) break;
      keys[i] = ck;
      ids[i] = ids[c];
      i = c;
    }
    keys[i] = key;
    ids[i] = id;
    return top;
  }

  clear(): void {
    this.size = 0;
  }

  private grow(): void {
    const k = new Float64Array(this.keys.length * 2);
    k.set(this.keys);
    const d = new Int32Array(this.ids.length * 2);
    d.set(this.ids);
    this.keys = k;
    this.ids = d;
  }
}

/**
 * Indexed min-heap on (key, key2, id) with removal of any member: `pos` maps an id to its heap slot (-1 = absent).
 * Ids are dense small integers (container ids); the position table grows with them.
 */
export class IndexedHeap {
  private keys: Float64Array;
  private keys2: Float64Array;
  private ids: Int32Array;
  private pos: Int32Array;
  size = 0;

  constructor(capacity = 256) {
    this.keys = new Float64Array(capacity);
    this.keys2 = new Float64Array(capacity);
    this.ids = new Int32Array(capacity);
    this.pos = new Int32Array(capacity).fill(-1);
  }

  has(id: number): boolean {
    return id < this.pos.length && this.pos[id] >= 0;
  }

  topKey(): number {
    return this.size > 0 ? this.keys[0] : Infinity;
  }

  topId(): number {
    return this.size > 0 ? this.ids[0] : -1;
  }

  push(id: number, key: number, key2 = 0): void {
    if (id >= this.pos.length) {
      let n = this.pos.length * 2;
      while (n <= id) n *= 2;
      const p = new Int32Array(n).fill(-1);
      p.set(this.pos);
      this.pos = p;
    }
    if (this.size === this.keys.length) {
      const n = this.keys.length * 2;
      const k = new Float64Array(n);
      k.set(this.keys);
      const k2 = new Float64Array(n);
      k2.set(this.keys2);
      const d = new Int32Array(n);
      d.set(this.ids);
      this.keys = k;
      this.keys2 = k2;
      this.ids = d;
    }
    const i = this.size++;
    this.keys[i] = key;
    this.keys2[i] = key2;
    this.ids[i] = id;
    this.pos[id] = i;
    this.up(i);
  }

  /** Removes id if present. */
  remove(id: number): void {
    if (id >= this.pos.length) return;
    const i = this.pos[id];
    if (i < 0) return;
    this.pos[id] = -1;
    const n = --this.size;
    if (i === n) return;
    this.keys[i] = this.keys[n];
    this.keys2[i] = this.keys2[n];
    this.ids[i] = this.ids[n];
    this.pos[this.ids[i]] = i;
    this.down(this.up(i));
  }

  pop(): number {
    const id = this.ids[0];
    this.remove(id);
    return id;
  }

  private less(a: number, b: number): boolean {
    const ka = this.keys[a];
    const kb = this.keys[b];
    if (ka !== kb) return ka < kb;
    const a2 = this.keys2[a];
    const b2 = this.keys2[b];
    if (a2 !== b2) return a2 < b2;
    return this.ids[a] < this.ids[b];
  }

  private swap(a: number, b: number): void {
    const k = this.keys[a];
    this.keys[a] = this.keys[b];
    this.keys[b] = k;
    const k2 = this.keys2[a];
    this.keys2[a] = this.keys2[b];
    this.keys2[b] = k2;
    const d = this.ids[a];
    this.ids[a] = this.ids[b];
    this.ids[b] = d;
    this.pos[this.ids[a]] = a;
    this.pos[this.ids[b]] = b;
  }

  private up(i: number): number {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      this.swap(i, p);
      i = p;
    }
    return i;
  }

  private down(i: number): void {
    const n = this.size;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) return;
      let c = l;
      if (l + 1 < n && this.less(l + 1, l)) c = l + 1;
      if (!this.less(c, i)) return;
      this.swap(i, c);
      i = c;
    }
  }
}
