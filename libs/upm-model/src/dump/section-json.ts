/**
 * Hand-written validators for the JSON sections (HEAD, SNAP, PROC, TAIL). Each takes the parsed JSON value
 * and returns a fresh object holding only the known keys, every one type- and range-checked; unknown keys are
 * ignored (forward compatibility within a major version). Problems are thrown as InvalidSection with the
 * field path, e.g. `vmas[3].end: expected an integer in [0, 2^53), got -1`.
 */
import { invalid } from './errors';
import type {
  DumpHeader,
  DumpTail,
  ProcessInfo,
  ProcessStatus,
  SnapshotInfo,
  VmaInfo,
} from './types';

type JsonObject = Record<string, unknown>;

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const HEX16 = /^[0-9a-f]{16}$/;
const PERMS = /^[r-][w-][x-][ps]$/;
const VM_FLAG = /^[a-z0-9]{2}$/;
/** Linux caps PIDs at 2^22 (PID_MAX_LIMIT); allow the full positive i32 range of pid_t anyway. */
const MAX_PID = 0x7fff_ffff;

/** A short rendering of a JSON value for messages. */
function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return String(v);
}

function at(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

function expected(path: string, what: string, got: unknown): never {
  invalid(`${path}: expected ${what}, got ${describe(got)}`);
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function object(v: unknown, path: string): JsonObject {
  if (!isObject(v)) expected(path === '' ? 'body' : path, 'a JSON object', v);
  return v;
}

function field(o: JsonObject, key: string, path: string): unknown {
  // undefined counts as missing: JSON.stringify would drop it
  if (!Object.prototype.hasOwnProperty.call(o, key) || o[key] === undefined) invalid(`${at(path, key)}: missing`);
  return o[key];
}

function str(o: JsonObject, key: string, path: string, pattern?: RegExp, patternText?: string): string {
  const v = field(o, key, path);
  if (typeof v !== 'string') expected(at(path, key), 'a string', v);
  if (pattern && !pattern.test(v)) expected(at(path, key), patternText ?? String(pattern), v);
  return v;
}

function bool(o: JsonObject, key: string, path: string): boolean {
  const v = field(o, key, path);
  if (typeof v !== 'boolean') expected(at(path, key), 'true or false', v);
  return v;
}

function rangeText(min: number, max: number): string {
  const hi = max === MAX_SAFE ? '2^53)' : `${max}]`;
  return `[${min}, ${hi}`;
}

function int(o: JsonObject, key: string, path: string, min = 0, max = MAX_SAFE): number {
  const v = field(o, key, path);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    expected(at(path, key), `an integer in ${rangeText(min, max)}`, v);
  }
  return v;
}

/** Times and sizes: finite, non-negative, below 2^53. */
function nonNegative(o: JsonObject, key: string, path: string): number {
  const v = field(o, key, path);
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > MAX_SAFE) {
    expected(at(path, key), 'a number in [0, 2^53)', v);
  }
  return v;
}

function stringRecord(v: unknown, path: string): Record<string, string> {
  const o = object(v, path);
  const out: Record<string, string> = {};
  for (const [k, value] of Object.entries(o)) {
    if (typeof value !== 'string') expected(at(path, k), 'a string', value);
    // defineProperty: a "__proto__" key must stay an own property, not replace the prototype
    Object.defineProperty(out, k, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function stringArray(v: unknown, path: string, pattern?: RegExp, patternText?: string): string[] {
  if (!Array.isArray(v)) expected(path, 'an array of strings', v);
  return v.map((s: unknown, i) => {
    if (typeof s !== 'string') expected(at(path, i), 'a string', s);
    if (pattern && !pattern.test(s)) expected(at(path, i), patternText ?? String(pattern), s);
    return s;
  });
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

export function validateHeader(v: unknown): DumpHeader {
  const o = object(v, '');
  const formatVersion = int(o, 'formatVersion', '', 1, 1);
  const pageSize = int(o, 'pageSize', '', 512, 1 << 20);
  if (!isPowerOfTwo(pageSize)) expected('pageSize', 'a power of two', pageSize);

  const h = object(field(o, 'hash', ''), 'hash');
  const hash = {
    algorithm: str(h, 'algorithm', 'hash', /^\S{1,64}$/, '1 to 64 non-blank characters'),
    keyId: str(h, 'keyId', 'hash', HEX16, '16 lowercase hex digits'),
    defaultKey: bool(h, 'defaultKey', 'hash'),
    zeroPageHash: str(h, 'zeroPageHash', 'hash', HEX16, '16 lowercase hex digits'),
  };
  // 0 is reserved for "not hashed"; writers store a real hash of 0 as 1
  if (hash.zeroPageHash === '0000000000000000') expected('hash.zeroPageHash', 'a non-zero hash', hash.zeroPageHash);

  const hostObj = object(field(o, 'host', ''), 'host');
  const host = {
    hostname: str(hostObj, 'hostname', 'host'),
    kernelRelease: str(hostObj, 'kernelRelease', 'host'),
    pfnReadable: bool(hostObj, 'pfnReadable', 'host'),
    pageFlagsReadable: bool(hostObj, 'pageFlagsReadable', 'host'),
  };
  const captureTimeMs = nonNegative(o, 'captureTimeMs', '');
  const ksm = stringRecord(field(o, 'ksm', ''), 'ksm');
  const thp = stringRecord(field(o, 'thp', ''), 'thp');
  const labels = stringRecord(field(o, 'labels', ''), 'labels');
  const toolObj = object(field(o, 'tool', ''), 'tool');
  const tool = { name: str(toolObj, 'name', 'tool'), version: str(toolObj, 'version', 'tool') };
  return { formatVersion, pageSize, hash, host, captureTimeMs, ksm, thp, labels, tool };
}

export function validateSnapshot(v: unknown): SnapshotInfo {
  const o = object(v, '');
  return {
    index: int(o, 'index', ''),
    timeMs: nonNegative(o, 'timeMs', ''),
    elapsedMs: nonNegative(o, 'elapsedMs', ''),
  };
}

const STATUSES: readonly ProcessStatus[] = ['ok', 'exited', 'denied'];

function validateVma(v: unknown, path: string, pageSize: number): VmaInfo {
  const o = object(v, path);
  const start = int(o, 'start', path);
  const end = int(o, 'end', path);
  if (start % pageSize !== 0) expected(at(path, 'start'), `a multiple of the page size ${pageSize}`, start);
  if (end % pageSize !== 0) expected(at(path, 'end'), `a multiple of the page size ${pageSize}`, end);
  if (end <= start) expected(at(path, 'end'), `an address above start ${start}`, end);
  const perms = str(o, 'perms', path, PERMS, 'four characters like "rw-p"');
  const shared = bool(o, 'shared', path);
  if (shared !== (perms[3] === 's')) {
    invalid(`${at(path, 'shared')}: is ${shared} but perms ${JSON.stringify(perms)} say ${perms[3] === 's' ? 'shared' : 'private'}`);
  }
  const kind = field(o, 'kind', path);
  if (kind !== 'anon' && kind !== 'file') expected(at(path, 'kind'), '"anon" or "file"', kind);
  return {
    start,
    end,
    perms,
    shared,
    kind,
    pgoff: int(o, 'pgoff', path),
    flags: stringArray(field(o, 'flags', path), at(path, 'flags'), VM_FLAG, 'a two-letter VmFlags mnemonic'),
    path: str(o, 'path', path),
  };
}

function validateKsmStat(v: unknown): Record<string, number | string> | null {
  if (v === null) return null;
  const o = object(v, 'ksm');
  const out: Record<string, number | string> = {};
  for (const [k, value] of Object.entries(o)) {
    if (!(typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)))) {
      expected(at('ksm', k), 'a number or a string', value);
    }
    Object.defineProperty(out, k, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function validateRollup(v: unknown): Record<string, number> {
  const o = object(v, 'rollup');
  const out: Record<string, number> = {};
  for (const [k, value] of Object.entries(o)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_SAFE) {
      expected(at('rollup', k), 'a number of kB in [0, 2^53)', value);
    }
    Object.defineProperty(out, k, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

export function validateProcess(v: unknown, pageSize: number): ProcessInfo {
  const o = object(v, '');
  const pid = int(o, 'pid', '', 1, MAX_PID);
  const startTime = int(o, 'startTime', '');
  const comm = str(o, 'comm', '');
  const cmdline = stringArray(field(o, 'cmdline', ''), 'cmdline');
  const cgroup = str(o, 'cgroup', '');
  const labels = stringRecord(field(o, 'labels', ''), 'labels');
  const snapshotTimeMs = nonNegative(o, 'snapshotTimeMs', '');
  const status = field(o, 'status', '') as ProcessStatus;
  if (!STATUSES.includes(status)) expected('status', '"ok", "exited" or "denied"', status);
  let error: string | undefined;
  if (Object.prototype.hasOwnProperty.call(o, 'error')) error = str(o, 'error', '');
  else if (status === 'denied') invalid('error: missing, a "denied" process must say why');
  const ksm = validateKsmStat(field(o, 'ksm', ''));
  const rollup = validateRollup(field(o, 'rollup', ''));
  const vmaValues = field(o, 'vmas', '');
  if (!Array.isArray(vmaValues)) expected('vmas', 'an array', vmaValues);
  const vmas: VmaInfo[] = new Array(vmaValues.length);
  for (let i = 0; i < vmaValues.length; i++) {
    const vma = validateVma(vmaValues[i], at('vmas', i), pageSize);
    if (i > 0 && vma.start < vmas[i - 1].end) {
      invalid(`vmas[${i}]: starts at ${vma.start}, before vmas[${i - 1}] ends at ${vmas[i - 1].end}: VMAs must be in address order without overlap`);
    }
    vmas[i] = vma;
  }
  return {
    pid,
    startTime,
    comm,
    cmdline,
    cgroup,
    labels,
    snapshotTimeMs,
    status,
    ...(error !== undefined ? { error } : {}),
    ksm,
    rollup,
    vmas,
  };
}

export function validateTail(v: unknown): DumpTail {
  const o = object(v, '');
  return {
    snapshots: int(o, 'snapshots', ''),
    processes: int(o, 'processes', ''),
    pageSections: int(o, 'pageSections', ''),
    pages: int(o, 'pages', ''),
  };
}
