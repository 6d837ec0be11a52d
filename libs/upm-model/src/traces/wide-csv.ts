/**
 * Tokenizer for the wide Azure 2019 invocations file (4 id columns + up to 1440 minute columns, ~140 MB a day).
 * csv-parse reads it at ~16 MB/s on the reference machine (docs/traces.md), too slow for the 10 s goal, so this
 * works on bytes: lines are found with Buffer.indexOf, minute cells are parsed digit by digit without creating
 * strings, and only the four id cells and odd cells (floats, spaces, garbage) are decoded.
 *
 * Accepted: LF and CRLF, a missing final newline, a UTF-8 BOM, blank lines, empty cells (= 0), integral floats
 * ("3.0"), a surrounding pair of double quotes on id cells. Not accepted: quoted cells that contain a comma or
 * a newline (the format never needs them).
 */
import { TraceError, headerColumnError } from './errors';
import { RowLog, TraceSource, cleanHeader, indexHeader, ioError } from './input';
import { MAX_CELL_COUNT, parseCount } from './numbers';
import { isTrigger, Trigger } from './types';

const ROLE_IGNORE = -1;
const ROLE_OWNER = -2;
const ROLE_APP = -3;
const ROLE_FUNCTION = -4;
const ROLE_TRIGGER = -5;

const COMMA = 44;
const CR = 13;
const LF = 10;
const QUOTE = 34;

export const INVOCATIONS_ID_COLUMNS = ['HashOwner', 'HashApp', 'HashFunction', 'Trigger'] as const;

/** One valid invocations row; `slots`/`counts` are scratch arrays valid only during the callback. */
export interface InvocationRow {
  line: number;
  owner: string;
  app: string;
  func: string;
  trigger: Trigger;
  /** Non-zero cells only: slot (minute since the trace origin) and count; `n` entries. */
  slots: Uint32Array;
  counts: Uint32Array;
  n: number;
}

export interface InvocationsHeader {
  /** Minute numbers (1-based, as in the header) present, ascending. */
  minutes: number[];
}

export class WideInvocationsParser {
  private roles: Int32Array = new Int32Array(0);
  private headerDone = false;
  private line = 0;
  private carry: Buffer[] = [];
  private carryBytes = 0;
  private slots = new Uint32Array(0);
  private counts = new Uint32Array(0);
  header: InvocationsHeader | null = null;

  constructor(
    private readonly file: string,
    private readonly log: RowLog,
    /** Slot of minute 1 of the file's day: (day - 1) * 1440. */
    private readonly baseSlot: number,
    private readonly maxLineBytes: number,
    private readonly onHeader: (h: InvocationsHeader) => void,
    private readonly onRow: (row: InvocationRow) => void,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    if (this.carryBytes > 0 || this.carry.length > 0) {
      const nl = chunk.indexOf(LF);
      if (nl < 0) {
        this.appendCarry(chunk);
        return;
      }
      this.appendCarry(chunk.subarray(0, nl));
      const whole = Buffer.concat(this.carry, this.carryBytes);
      this.carry = [];
      this.carryBytes = 0;
      this.line++;
      this.parseLine(whole, 0, whole.length);
      start = nl + 1;
    }
    for (;;) {
      const nl = chunk.indexOf(LF, start);
      if (nl < 0) break;
      if (nl - start > this.maxLineBytes) this.tooLong(this.line + 1);
      this.line++;
      this.parseLine(chunk, start, nl);
      start = nl + 1;
    }
    if (start < chunk.length) this.appendCarry(chunk.subarray(start));
  }

  end(): void {
    if (this.carry.length > 0) {
      const whole = Buffer.concat(this.carry, this.carryBytes);
      this.carry = [];
      this.carryBytes = 0;
      this.line++;
      this.parseLine(whole, 0, whole.length);
    }
  }

  private appendCarry(b: Buffer): void {
    if (b.length === 0) return;
    // Copy: the chunk's memory may be reused by the stream, and a subarray would pin the whole chunk.
    this.carry.push(Buffer.from(b));
    this.carryBytes += b.length;
    if (this.carryBytes > this.maxLineBytes) this.tooLong(this.line + 1);
  }

  private tooLong(line: number): never {
    throw new TraceError(
      'LINE_TOO_LONG',
      `${this.file}:${line}: line longer than ${this.maxLineBytes} bytes; not a trace file`,
      {
        file: this.file,
        line,
      },
    );
  }

  private parseHeader(text: string): void {
    const names = cleanHeader(text.split(','));
    this.log.header = names;
    const idx = indexHeader(this.file, names, INVOCATIONS_ID_COLUMNS);
    const roles = new Int32Array(names.length).fill(ROLE_IGNORE);
    roles[idx.get('HashOwner') as number] = ROLE_OWNER;
    roles[idx.get('HashApp') as number] = ROLE_APP;
    roles[idx.get('HashFunction') as number] = ROLE_FUNCTION;
    roles[idx.get('Trigger') as number] = ROLE_TRIGGER;
    const seen = new Set<number>();
    names.forEach((n, i) => {
      if (!/^\d+$/.test(n)) return; // other columns are ignored (e.g. a pandas index column)
      const m = Number(n);
      if (m < 1 || m > 1440) {
        throw headerColumnError('BAD_HEADER', this.file, i + 1, `minute column "${n}" is outside 1..1440`);
      }
      if (seen.has(m)) {
        throw headerColumnError('DUPLICATE_COLUMN', this.file, i + 1, `minute column "${n}" appears twice`);
      }
      seen.add(m);
      roles[i] = this.baseSlot + m - 1;
    });
    if (seen.size === 0) {
      throw new TraceError('BAD_HEADER', `${this.file}:1: no minute columns (1..1440) in the header`, {
        file: this.file,
        line: 1,
      });
    }
    this.roles = roles;
    this.slots = new Uint32Array(seen.size);
    this.counts = new Uint32Array(seen.size);
    this.header = { minutes: [...seen].sort((a, b) => a - b) };
    this.onHeader(this.header);
  }

  // Long on purpose: the byte-level tokenizer of one line, a cell scanned in the buffer and decoded only
  // where its value is needed (the ingest hot path, see docs/benchmarks.md).
  private parseLine(buf: Buffer, start: number, end: number): void {
    if (end > start && buf[end - 1] === CR) end--;
    if (end === start) return; // blank line
    const line = this.line;
    if (!this.headerDone) {
      this.headerDone = true;
      this.parseHeader(buf.toString('utf8', start, end));
      return;
    }
    const roles = this.roles;
    const ncol = roles.length;
    const slots = this.slots;
    const counts = this.counts;
    let n = 0;
    let owner = '';
    let app = '';
    let func = '';
    let trigger: Trigger = 'unknown';
    let col = 0;
    let p = start;
    for (;;) {
      if (col >= ncol) {
        let cells = ncol + 1;
        for (let q = p; q < end; q++) if (buf[q] === COMMA) cells++;
        this.log.reject(line, ncol, `row has ${cells} cells, the header has only ${ncol}`);
        return;
      }
      const role = roles[col];
      let q = p;
      if (role >= 0) {
        // Minute cell: digits only on the fast path.
        let v = 0;
        while (q < end) {
          const d = buf[q] - 48;
          if (d < 0 || d > 9) break;
          v = v * 10 + d;
          q++;
        }
        if (q < end && buf[q] !== COMMA) {
          while (q < end && buf[q] !== COMMA) q++;
          const r = parseCount(buf.toString('utf8', p, q), MAX_CELL_COUNT);
          if (typeof r === 'string') {
            this.log.reject(line, col, r);
            return;
          }
          v = r ?? 0;
        } else if (v > MAX_CELL_COUNT) {
          this.log.reject(line, col, `count exceeds ${MAX_CELL_COUNT}`);
          return;
        }
        if (v !== 0) {
          slots[n] = role;
          counts[n++] = v;
        }
      } else {
        while (q < end && buf[q] !== COMMA) q++;
        if (role !== ROLE_IGNORE) {
          let s = buf.toString('utf8', p, q).trim();
          if (s.length >= 2 && s.charCodeAt(0) === QUOTE && s.charCodeAt(s.length - 1) === QUOTE) s = s.slice(1, -1);
          if (role === ROLE_TRIGGER) {
            const t = s.toLowerCase();
            if (t === '') trigger = 'unknown';
            else if (isTrigger(t)) trigger = t;
            else {
              this.log.reject(line, col, `unknown trigger ${JSON.stringify(s.slice(0, 40))}`);
              return;
            }
          } else if (s === '') {
            this.log.reject(line, col, `empty ${this.log.header[col]}`);
            return;
          } else if (role === ROLE_OWNER) owner = s;
          else if (role === ROLE_APP) app = s;
          else func = s;
        }
      }
      if (q >= end) break;
      p = q + 1;
      col++;
    }
    if (col !== ncol - 1) {
      this.log.reject(line, col + 1, `row has ${col + 1} cells, the header has ${ncol}`);
      return;
    }
    // Header minute order need not be ascending (reordered derived files); the builder wants it per row.
    for (let i = 1; i < n; i++) {
      if (slots[i] < slots[i - 1]) {
        sortPairs(slots, counts, n);
        break;
      }
    }
    this.log.accept();
    this.onRow({ line, owner, app, func, trigger, slots, counts, n });
  }
}

function sortPairs(slots: Uint32Array, counts: Uint32Array, n: number): void {
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => slots[a] - slots[b]);
  const s = Array.from(idx, (i) => slots[i]);
  const c = Array.from(idx, (i) => counts[i]);
  slots.set(s);
  counts.set(c);
}

/** Feeds a source through the parser, with I/O errors mapped to TraceError. */
export async function readWideInvocations(src: TraceSource, parser: WideInvocationsParser): Promise<void> {
  try {
    for await (const chunk of src.stream) {
      parser.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Buffer));
    }
    parser.end();
  } catch (e) {
    if (e instanceof TraceError) throw e;
    throw ioError(src.name, e);
  } finally {
    if (!src.stream.destroyed) src.stream.destroy();
  }
}
