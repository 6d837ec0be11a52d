/**
 * Validators for the JSON sections (HEAD, SNAP, PROC, TAIL). Each takes the parsed JSON value
 * and returns a fresh object holding only the known keys, every one type- and range-checked; unknown keys are
 * ignored (forward compatibility within a major version). The checks are the shared ones (../validation);
 * problems are thrown as InvalidSection with the field path, e.g. `vmas[3].end: expected an integer in [0, 2^53), got -1`.
 */
import {
  arrayOf,
  BOOLEAN,
  field,
  fieldOf,
  joinPath,
  numberRule,
  object as checkObject,
  recordOf,
  Rule,
  STRING,
  stringRule,
  ValidationError,
} from '../validation';
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

/** Runs a section's checks; a failed check becomes InvalidSection worded `path: expected ..., got ...`. */
function checked<T>(run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    if (e.kind === 'missing') invalid(`${e.path}: missing`);
    invalid(`${e.path || 'body'}: expected ${e.expected}, got ${describe(e.got)}`);
  }
}

function expected(path: string, what: string, got: unknown): never {
  throw new ValidationError(path, what, got);
}

const object = (v: unknown, path: string): JsonObject => checkObject(v, path, undefined, 'a JSON object');

/** A string field, matching `pattern` when given. */
function str(o: JsonObject, key: string, path: string, pattern: Rule<string> = STRING): string {
  return fieldOf(o, key, path, pattern);
}

function bool(o: JsonObject, key: string, path: string): boolean {
  return fieldOf(o, key, path, BOOLEAN);
}

function intRule(min: number, max: number): Rule<number> {
  return numberRule({ int: true, min, max, what: `an integer in [${min}, ${max === MAX_SAFE ? '2^53)' : `${max}]`}` });
}
const U53 = intRule(0, MAX_SAFE);
const PID = intRule(1, MAX_PID);
const FORMAT_VERSION = intRule(1, 1);
const PAGE_SIZE = intRule(512, 1 << 20);
/** Times and sizes: finite, non-negative, below 2^53. */
const NON_NEGATIVE = numberRule({ min: 0, max: MAX_SAFE, what: 'a number in [0, 2^53)' });
const KB = numberRule({ min: 0, max: MAX_SAFE, what: 'a number of kB in [0, 2^53)' });
const ALGORITHM = stringRule({ pattern: /^\S{1,64}$/, what: '1 to 64 non-blank characters' });
const HEX16_DIGITS = stringRule({ pattern: HEX16, what: '16 lowercase hex digits' });
const PERMISSIONS = stringRule({ pattern: PERMS, what: 'four characters like "rw-p"' });
const VM_FLAG_NAME = stringRule({ pattern: VM_FLAG, what: 'a two-letter VmFlags mnemonic' });
const KSM_VALUE: Rule<number | string> = {
  test: (v): v is number | string => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)),
  expected: 'a number or a string',
};

function int(o: JsonObject, key: string, path: string, range = U53): number {
  return fieldOf(o, key, path, range);
}

function nonNegative(o: JsonObject, key: string, path: string): number {
  return fieldOf(o, key, path, NON_NEGATIVE);
}

function stringRecord(v: unknown, path: string): Record<string, string> {
  return recordOf(v, path, STRING, 'a JSON object');
}

function stringArray(v: unknown, path: string, item: Rule<string> = STRING): string[] {
  return arrayOf(v, path, item, { what: 'an array of strings' });
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

function validateHeaderFields(v: unknown): DumpHeader {
  const o = object(v, '');
  const formatVersion = int(o, 'formatVersion', '', FORMAT_VERSION);
  const pageSize = int(o, 'pageSize', '', PAGE_SIZE);
  if (!isPowerOfTwo(pageSize)) expected('pageSize', 'a power of two', pageSize);

  const h = object(field(o, 'hash', ''), 'hash');
  const hash = {
    algorithm: str(h, 'algorithm', 'hash', ALGORITHM),
    keyId: str(h, 'keyId', 'hash', HEX16_DIGITS),
    defaultKey: bool(h, 'defaultKey', 'hash'),
    zeroPageHash: str(h, 'zeroPageHash', 'hash', HEX16_DIGITS),
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

function validateSnapshotFields(v: unknown): SnapshotInfo {
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
  if (start % pageSize !== 0) expected(joinPath(path, 'start'), `a multiple of the page size ${pageSize}`, start);
  if (end % pageSize !== 0) expected(joinPath(path, 'end'), `a multiple of the page size ${pageSize}`, end);
  if (end <= start) expected(joinPath(path, 'end'), `an address above start ${start}`, end);
  const perms = str(o, 'perms', path, PERMISSIONS);
  const shared = bool(o, 'shared', path);
  if (shared !== (perms[3] === 's')) {
    invalid(`${joinPath(path, 'shared')}: is ${shared} but perms ${JSON.stringify(perms)} say ${perms[3] === 's' ? 'shared' : 'private'}`);
  }
  const kind = field(o, 'kind', path);
  if (kind !== 'anon' && kind !== 'file') expected(joinPath(path, 'kind'), '"anon" or "file"', kind);
  return {
    start,
    end,
    perms,
    shared,
    kind,
    pgoff: int(o, 'pgoff', path),
    flags: stringArray(field(o, 'flags', path), `${path}.flags`, VM_FLAG_NAME),
    path: str(o, 'path', path),
  };
}

function validateKsmStat(v: unknown): Record<string, number | string> | null {
  return v === null ? null : recordOf(v, 'ksm', KSM_VALUE, 'a JSON object');
}

function validateRollup(v: unknown): Record<string, number> {
  return recordOf(v, 'rollup', KB, 'a JSON object');
}

function validateProcessFields(v: unknown, pageSize: number): ProcessInfo {
  const o = object(v, '');
  const pid = int(o, 'pid', '', PID);
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
    const vma = validateVma(vmaValues[i], joinPath('vmas', i), pageSize);
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

function validateTailFields(v: unknown): DumpTail {
  const o = object(v, '');
  return {
    snapshots: int(o, 'snapshots', ''),
    processes: int(o, 'processes', ''),
    pageSections: int(o, 'pageSections', ''),
    pages: int(o, 'pages', ''),
  };
}

export function validateHeader(v: unknown): DumpHeader {
  return checked(() => validateHeaderFields(v));
}

export function validateSnapshot(v: unknown): SnapshotInfo {
  return checked(() => validateSnapshotFields(v));
}

export function validateProcess(v: unknown, pageSize: number): ProcessInfo {
  return checked(() => validateProcessFields(v, pageSize));
}

export function validateTail(v: unknown): DumpTail {
  return checked(() => validateTailFields(v));
}
