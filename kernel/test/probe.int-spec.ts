/**
 * Integration tests of the kernel-side tools (kernel/): upm-scenario starts processes with exactly known
 * memory content, upm-probe dumps them, and the TypeScript reader (libs/upm-model/src/dump) reads the dump.
 * They run on the real kernel: Linux with /proc/PID/pagemap, as root (the non-root case uses setpriv).
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { XXHash128, XXHash3, XXHash64 } from 'xxhash-addon';

import { loadDump, loadDumpBytes, readDumpFile, type Dump, type ProcessPages } from '../../libs/upm-model/src/dump';

const KERNEL_DIR = path.resolve(__dirname, '..');
const BUILD = path.join(KERNEL_DIR, 'build');
const PROBE = path.join(BUILD, 'upm-probe');
const SCENARIO = path.join(BUILD, 'upm-scenario');
const NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups'];
const isRoot = process.getuid?.() === 0;
const rootIt = isRoot ? it : it.skip;

interface Region {
  pid: number;
  index: number;
  kind: 'main' | 'readZero' | 'untouched' | 'file' | 'cow';
  start: string;
  pages: number;
}

interface ScenarioInfo {
  pids: number[];
  parentPid: number;
  pagesPerProcess: number;
  pageSize: number;
  expected: {
    identical: number;
    dupWithin: number;
    zero: number;
    unique: number;
    dupGroups: number;
    distinctPerProcess: number;
    distinctTotal: number;
  };
  regions: Region[];
}

interface Scenario {
  info: ScenarioInfo;
  child: ChildProcess;
  stop(): Promise<void>;
}

const running: Scenario[] = [];
let tmpDir: string;

/** Starts upm-scenario and resolves with its JSON line once every process is ready. */
function startScenario(args: string[], asNobody = false): Promise<Scenario> {
  const [cmd, argv] = asNobody ? ['setpriv', [...NOBODY, SCENARIO, ...args]] : [SCENARIO, args];
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let exited = false;
  const exit = new Promise<void>((resolve) => child.on('exit', () => ((exited = true), resolve())));
  const stop = async (): Promise<void> => {
    if (!exited) child.kill('SIGTERM');
    await exit;
  };
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        const s: Scenario = { info: JSON.parse(out.slice(0, nl)) as ScenarioInfo, child, stop };
        running.push(s);
        resolve(s);
      }
    });
    child.on('exit', (code) => reject(new Error(`upm-scenario exited (${code}) before it was ready: ${err}`)));
  });
}

interface Run {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

function runProbe(args: string[], opts: { asNobody?: boolean; env?: NodeJS.ProcessEnv } = {}): Run {
  const [cmd, argv] = opts.asNobody ? ['setpriv', [...NOBODY, PROBE, ...args]] : [PROBE, args];
  const r = spawnSync(cmd, argv, {
    env: { ...process.env, ...opts.env },
    maxBuffer: 1 << 30,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

function pidArgs(pids: number[]): string[] {
  return pids.flatMap((p) => ['--pid', String(p)]);
}

function processOf(dump: Dump, pid: number, snapshot = 0): ProcessPages {
  const p = dump.snapshots[snapshot].processes.find((x) => x.info.pid === pid);
  if (!p) throw new Error(`pid ${pid} is not in snapshot ${snapshot}`);
  return p;
}

/** Indices (into the process's flat page columns) of the pages of the VMA that starts at the region. */
function regionPages(p: ProcessPages, region: Region): number[] {
  const start = Number(BigInt(region.start));
  const vma = p.info.vmas.findIndex((v) => v.start === start);
  if (vma < 0) throw new Error(`no VMA starts at ${region.start} in pid ${p.info.pid}`);
  expect(p.info.vmas[vma].end - start).toBe(region.pages * 4096);
  const out: number[] = [];
  for (let i = 0; i < p.count; i++) if (p.vmaOf[i] === vma) out.push(i);
  return out;
}

function hashKey(p: ProcessPages, i: number): string {
  return `${p.hashHi[i].toString(16)}:${p.hashLo[i].toString(16)}`;
}

function regions(s: Scenario, kind: Region['kind']): Region[] {
  return s.info.regions.filter((r) => r.kind === kind);
}

beforeAll(() => {
  execFileSync('make', ['-C', KERNEL_DIR, '-j2'], { stdio: ['ignore', 'pipe', 'pipe'] });
  tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'upm-probe-test-'));
}, 180_000);

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

afterAll(() => {
  if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
});

describe('upm-probe on upm-scenario processes', () => {
  it('records exactly the resident pages and distinct contents of 4 x 20,000 pages, 50% identical', async () => {
    const s = await startScenario(['--processes', '4', '--pages', '20000', '--identical', '0.5', '--seed', '11']);
    expect(s.info.expected).toMatchObject({ identical: 10000, unique: 10000, distinctTotal: 50000 });
    const out = path.join(tmpDir, 'four.dump');
    const run = runProbe(['-o', out, '--label', 'test=four', ...pidArgs(s.info.pids)]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);

    const dump = await loadDump(out);
    expect(dump.header.hash.algorithm).toBe('xxh3-64-secret');
    expect(dump.header.hash.defaultKey).toBe(true);
    expect(dump.header.hash.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(dump.header.labels).toEqual({ test: 'four' });
    expect(dump.header.host.pfnReadable).toBe(isRoot);
    expect(dump.snapshots).toHaveLength(1);
    expect(dump.snapshots[0].processes.map((p) => p.info.pid)).toEqual([...s.info.pids].sort((a, b) => a - b));

    const all = new Set<string>();
    const identical = new Set<string>();
    for (const region of regions(s, 'main')) {
      const p = processOf(dump, region.pid);
      expect(p.info.status).toBe('ok');
      expect(p.info.comm).toBe('upm-scenario');
      const idx = regionPages(p, region);
      expect(idx).toHaveLength(20000);
      const own = new Set<string>();
      for (const i of idx) {
        expect(p.flags[i] & 1).toBe(1); // present
        expect(p.hashLo[i] | p.hashHi[i]).not.toBe(0); // hashed
        own.add(hashKey(p, i));
        all.add(hashKey(p, i));
        if (p.pageIndex[i] < 10000) identical.add(hashKey(p, i));
      }
      expect(own.size).toBe(20000);
    }
    expect(identical.size).toBe(10000);
    expect(all.size).toBe(s.info.expected.distinctTotal);
  });

  it('hashes zero-filled, duplicated and zero-page content as expected', async () => {
    const s = await startScenario([
      '--processes', '2', '--pages', '4000', '--identical', '0.25', '--dup-within', '0.2', '--dup-group', '8',
      '--zero', '0.1', '--read-zero', '64', '--seed', '12',
    ]);
    const out = path.join(tmpDir, 'mixed.dump');
    expect(runProbe(['-o', out, ...pidArgs(s.info.pids)]).code).toBe(0);
    const dump = await loadDump(out);
    const zero = dump.header.hash.zeroPageHash;
    const all = new Set<string>();
    for (const region of regions(s, 'main')) {
      const p = processOf(dump, region.pid);
      const idx = regionPages(p, region);
      expect(idx).toHaveLength(4000);
      const own = new Set(idx.map((i) => hashKey(p, i)));
      idx.forEach((i) => all.add(hashKey(p, i)));
      expect(own.size).toBe(s.info.expected.distinctPerProcess);
      const zeros = idx.filter((i) => hex(p, i) === zero);
      expect(zeros).toHaveLength(s.info.expected.zero);
      // zero-FILLED pages are real anonymous pages, not the kernel's zero page
      for (const i of zeros) expect(p.flags[i] & 0x10).toBe(0);
    }
    expect(all.size).toBe(s.info.expected.distinctTotal);
    // Pages only read: the kernel's shared zero page where the kernel maps it on a read fault (one frame for
    // every such page of every process). Some kernels (this machine's 6.18.44-fc-v1272) allocate a real page
    // instead; what the kernel did is read from the frames, and the flag must say the same.
    const readZero = regions(s, 'readZero').map((region) => {
      const p = processOf(dump, region.pid);
      const idx = regionPages(p, region);
      expect(idx).toHaveLength(64);
      for (const i of idx) expect(hex(p, i)).toBe(zero);
      return { p, idx };
    });
    if (dump.header.host.pageFlagsReadable && dump.header.host.pfnReadable) {
      const frames = new Set(readZero.flatMap(({ p, idx }) => idx.map((i) => Number(p.pfn![i]))));
      const sharedZeroPage = frames.size === 1 && !frames.has(0);
      if (!sharedZeroPage) console.warn(`this kernel mapped ${frames.size} frames for 128 read-only pages: no shared zero page`);
      for (const { p, idx } of readZero) for (const i of idx) expect(p.flags[i] & 0x10).toBe(sharedZeroPage ? 0x10 : 0);
    }
  });

  it('finds targets by --match and never matches itself', async () => {
    const s = await startScenario(['--processes', '3', '--pages', '100', '--seed', '987654321']);
    const out = path.join(tmpDir, 'match.dump');
    const run = runProbe(['-o', out, '--match', 'upm-scenario .*--seed 987654321']);
    expect(run.code).toBe(0);
    const dump = await loadDump(out);
    const pids = dump.snapshots[0].processes.map((p) => p.info.pid);
    expect(pids).toEqual([s.info.parentPid, ...s.info.pids].sort((a, b) => a - b));
  });
});

describe('upm-probe never changes its targets', () => {
  /** Everything of a process that a read-only observer must leave as it was. */
  function observe(pid: number, regionList: Region[]) {
    const pagemap = fs.openSync(`/proc/${pid}/pagemap`, 'r');
    try {
      const maps: Record<string, string> = {};
      for (const r of regionList) {
        const buf = Buffer.alloc(r.pages * 8);
        fs.readSync(pagemap, buf, 0, buf.length, (Number(BigInt(r.start)) / 4096) * 8);
        maps[`${r.kind}@${r.start}`] = buf.toString('hex');
      }
      return {
        rollup: fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'),
        smaps: fs.readFileSync(`/proc/${pid}/smaps`, 'utf8'),
        pagemap: maps,
      };
    } finally {
      fs.closeSync(pagemap);
    }
  }

  /**
   * "Referenced" is the one smaps field a read legitimately changes: reading a page's content through the
   * kernel (process_vm_readv or /proc/PID/mem) marks it accessed, as any access does. Residency (Rss),
   * sharing (Pss, Shared_*, Private_*), KSM, swap and the page frames themselves must not change.
   */
  /**
   * The smaps fields a probe could change: the mappings, their Size, Rss, Anonymous and Swap. A probe that
   * faulted a page in would grow Rss; one that unshared a page changes its frame, which pagemap shows below.
   * Left out: Referenced (a read sets the accessed bit, as any access does), and every PSS and shared/private
   * count, which move whenever another process (the scenario's parent or siblings sharing pages copy-on-write,
   * or anything mapping the same library pages) writes, maps or unmaps.
   */
  const withoutReferenced = (text: string): string =>
    text
      .split('\n')
      .filter((line) => !/^[A-Z][A-Za-z_]*:/.test(line) || /^(Size|Rss|Anonymous|Swap|VmFlags):/.test(line))
      .join('\n');

  /**
   * Waits until each target has settled: asleep, with its Rss unchanged over three reads 100 ms apart. After
   * reporting ready a scenario process still runs code for the first time (its idle loop), and those text-page
   * faults (with fault-around) would land between "before" and "after" on a loaded machine.
   */
  async function settle(pids: number[]): Promise<void> {
    const rssOf = (pid: number) => /^Rss:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))![1];
    const asleep = (pid: number) => / S /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\)/, ')'));
    const deadline = Date.now() + 10_000;
    let last = '';
    let same = 0;
    while (same < 3) {
      if (Date.now() > deadline) throw new Error(`scenario processes ${pids.join(',')} did not settle within 10 s`);
      const now = pids.map((p) => `${asleep(p)}:${rssOf(p)}`).join(' ');
      same = now === last && !now.includes('false') ? same + 1 : 0;
      last = now;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  rootIt('leaves RSS, smaps and every page frame unchanged, and never faults in untouched pages', async () => {
    const s = await startScenario([
      '--processes', '2', '--pages', '6000', '--identical', '0.5', '--zero', '0.1', '--untouched', '3000',
      '--read-zero', '100', '--cow', '256', '--mergeable', '--seed', '13',
    ]);
    await settle(s.info.pids);
    const before = s.info.pids.map((pid) => observe(pid, s.info.regions.filter((r) => r.pid === pid)));
    // the untouched region really is absent, so faulting it in would show
    for (const [k, v] of Object.entries(before[0].pagemap))
      if (k.startsWith('untouched@')) expect(/^0+$/.test(v)).toBe(true);
    // pages shared copy-on-write with the parent: what process_vm_readv alone would unshare
    const out = path.join(tmpDir, 'rss.dump');
    const run = runProbe(['-o', out, '--stats', ...pidArgs(s.info.pids)]);
    expect(run.code).toBe(0);
    const stats = JSON.parse(run.stderr.trim().split('\n').pop()!);
    expect(stats.pagesViaProcMem).toBeGreaterThanOrEqual(2 * 256);
    const after = s.info.pids.map((pid) => observe(pid, s.info.regions.filter((r) => r.pid === pid)));
    for (let k = 0; k < s.info.pids.length; k++) {
      expect(withoutReferenced(after[k].rollup)).toBe(withoutReferenced(before[k].rollup));
      expect(withoutReferenced(after[k].smaps)).toBe(withoutReferenced(before[k].smaps));
      expect(after[k].pagemap).toEqual(before[k].pagemap);
    }
    const rss = (t: string) => Number(/^Rss:\s+(\d+) kB/m.exec(t)![1]);
    expect(rss(after[0].rollup)).toBe(rss(before[0].rollup));
    // and the dump lists no page of the untouched regions
    const dump = await loadDump(out);
    for (const region of regions(s, 'untouched')) expect(regionPages(processOf(dump, region.pid), region)).toHaveLength(0);
    for (const region of regions(s, 'cow')) {
      const p = processOf(dump, region.pid);
      const idx = regionPages(p, region);
      expect(idx).toHaveLength(256);
      for (const i of idx) expect(p.flags[i] & 0x08).toBe(0); // not exclusive: shared with the parent
    }
  });

  rootIt('control: a plain process_vm_readv copy (upm-vmcopy) does unshare copy-on-write pages', async () => {
    // Shows that the check above is sensitive: the same comparison fails for the naive reader.
    const s = await startScenario(['--processes', '1', '--pages', '500', '--cow', '64']);
    const pid = s.info.pids[0];
    const cow = regions(s, 'cow');
    const before = observe(pid, cow);
    const r = spawnSync(path.join(BUILD, 'upm-vmcopy'), ['--pid', String(pid)], { stdio: ['ignore', 'pipe', 'pipe'] });
    expect(r.status).toBe(0);
    expect(observe(pid, cow).pagemap).not.toEqual(before.pagemap);
  });

  rootIt('with --read mem, too', async () => {
    const s = await startScenario(['--processes', '1', '--pages', '2000', '--untouched', '1000', '--cow', '64']);
    const pid = s.info.pids[0];
    await settle([pid]);
    const before = observe(pid, s.info.regions);
    expect(runProbe(['-o', path.join(tmpDir, 'mem.dump'), '--read', 'mem', '--pid', String(pid)]).code).toBe(0);
    const after = observe(pid, s.info.regions);
    expect(withoutReferenced(after.smaps)).toBe(withoutReferenced(before.smaps));
    expect(after.pagemap).toEqual(before.pagemap);
  });
});

describe('processes that exit', () => {
  it('records a process that exits mid-scan as exited and still exits 0', async () => {
    const s = await startScenario(['--processes', '3', '--pages', '2000', '--exit-after', '400', '--exit-index', '0']);
    const [gone, ...alive] = s.info.pids;
    const out = path.join(tmpDir, 'exit.dump');
    // The probe pauses 1 s after reading each process's VMAs (a test hook): process 0 exits during that pause,
    // between its VMA list and its pages, or before its turn if it is not the lowest pid.
    const run = runProbe(['-o', out, ...pidArgs(s.info.pids)], { env: { UPM_PROBE_TEST_PAUSE_MS: '1000' } });
    expect(run.code).toBe(0);
    const dump = await loadDump(out);
    const g = processOf(dump, gone);
    expect(g.info.status).toBe('exited');
    expect(g.info.error).toBeTruthy();
    if (gone === Math.min(...s.info.pids)) expect(g.info.vmas.length).toBeGreaterThan(0); // it was mid-scan
    for (const pid of alive) {
      const p = processOf(dump, pid);
      expect(p.info.status).toBe('ok');
      expect(regionPages(p, s.info.regions.find((r) => r.pid === pid && r.kind === 'main')!)).toHaveLength(2000);
    }
  });

  it('records a process that exits between snapshots', async () => {
    const s = await startScenario(['--processes', '2', '--pages', '500', '--exit-after', '700', '--exit-index', '1']);
    const out = path.join(tmpDir, 'snapshots.dump');
    const run = runProbe(['-o', out, '--interval', '500', '--count', '3', ...pidArgs(s.info.pids)]);
    expect(run.code).toBe(0);
    const dump = await loadDump(out);
    expect(dump.snapshots.map((x) => x.info.index)).toEqual([0, 1, 2]);
    expect(dump.snapshots[2].info.elapsedMs).toBeGreaterThanOrEqual(900);
    expect(processOf(dump, s.info.pids[1], 0).info.status).toBe('ok');
    expect(processOf(dump, s.info.pids[1], 2).info.status).toBe('exited');
    expect(processOf(dump, s.info.pids[0], 2).info.status).toBe('ok');
  });

  it('exits 1 when no target could be read', () => {
    const run = runProbe(['-o', path.join(tmpDir, 'none.dump'), '--pid', '4194000']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/no target could be read/);
  });
});

describe('without root', () => {
  rootIt('writes a dump without frame numbers or page flags, and says so once', async () => {
    const s = await startScenario(['--processes', '2', '--pages', '3000', '--identical', '0.5', '--read-zero', '32'], true);
    const run = runProbe(pidArgs(s.info.pids), { asNobody: true }); // dump on stdout
    expect(run.code).toBe(0);
    const warnings = run.stderr.trim().split('\n').filter((l) => l.length > 0);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/not running as root.*frame numbers and page flags/);
    const dump = loadDumpBytes(new Uint8Array(run.stdout));
    expect(dump.header.host.pfnReadable).toBe(false);
    expect(dump.header.host.pageFlagsReadable).toBe(false);
    for (const p of dump.snapshots[0].processes) {
      expect(p.info.status).toBe('ok');
      if (p.pfn) expect(p.pfn.every((x) => x === 0)).toBe(true);
      expect(p.flags.every((f) => (f & 0x70) === 0)).toBe(true);
    }
    for (const region of regions(s, 'main')) expect(regionPages(processOf(dump, region.pid), region)).toHaveLength(3000);
    for (const region of regions(s, 'readZero')) {
      const p = processOf(dump, region.pid);
      for (const i of regionPages(p, region)) expect(hex(p, i)).toBe(dump.header.hash.zeroPageHash);
    }
    // the PFN column is absent altogether
    const blocks: number[] = [];
    for await (const ev of readDumpFile(writeTmp(run.stdout)))
      if (ev.kind === 'pages') blocks.push(ev.block.pfns === null ? 0 : 1);
    expect(blocks.length).toBeGreaterThan(0);
    expect(blocks.every((b) => b === 0)).toBe(true);
  });

  rootIt('records a process of another user as denied', async () => {
    const s = await startScenario(['--processes', '1', '--pages', '100']); // root's
    const run = runProbe(['--pid', String(s.info.pids[0])], { asNobody: true });
    expect(run.code).toBe(1);
    const dump = loadDumpBytes(new Uint8Array(run.stdout));
    const p = dump.snapshots[0].processes[0];
    expect(p.info.status).toBe('denied');
    expect(p.info.error).toMatch(/Permission denied|not permitted/);
  });
});

describe('bad arguments', () => {
  const cases: Array<[string[], RegExp]> = [
    [['--pid', 'abc'], /--pid: 'abc'/],
    [['--pid', '0'], /--pid/],
    [['--bogus'], /--bogus/],
    [['--pid'], /--pid needs a value/],
    [['--match', '('], /--match: invalid regular expression/],
    [[], /no target/],
    [['--pid', '1', '--count', '0'], /--count/],
    [['--pid', '1', '--interval', 'soon'], /--interval/],
    [['--pid', '1', '--label', 'novalue'], /--label/],
    [['--pid', '1', '--key-file', '/nonexistent/key'], /--key-file/],
    [['--pid', '1', '--read', 'fast'], /--read/],
    [['--cgroup', '/nonexistent/cgroup'], /--cgroup/],
    [['--pid', '1', 'extra'], /unexpected argument 'extra'/],
  ];
  it.each(cases)('upm-probe %j exits 2 naming the argument', (args, message) => {
    const run = runProbe(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stdout.length).toBe(0);
  });

  it('rejects a key file shorter than 16 bytes', () => {
    const key = path.join(tmpDir, 'short.key');
    fs.writeFileSync(key, 'short');
    const run = runProbe(['--pid', '1', '--key-file', key]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--key-file: .* at least 16/);
  });

  it('upm-scenario rejects bad fractions and option mixes', () => {
    for (const [args, message] of [
      [['--identical', '2'], /--identical/],
      [['--identical', '0.6', '--zero', '0.6'], /more than 1/],
      [['--mergeable', '--shared'], /--mergeable and --shared/],
      [['--processes', 'x'], /--processes/],
    ] as Array<[string[], RegExp]>) {
      const r = spawnSync(SCENARIO, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      expect(r.status).toBe(2);
      expect(r.stderr.toString()).toMatch(message);
    }
  });
});

/** An independent implementation of the probe's hashing (xxhash-addon) and of the scenario's page content. */
const DEFAULT_KEY = Buffer.from('upm-probe default public key v1');
const M64 = (1n << 64n) - 1n;

function seed8(n: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(n); // xxhash-addon reads seed buffers big-endian
  return b;
}

function digest(h: { update(b: Buffer): void; digest(): Buffer }, data: Buffer): Buffer {
  h.update(data);
  return h.digest();
}

/** XXH3_generateSecret(secret, 192, key, keyLen) of xxHash 0.8.1. */
function generateSecret(key: Buffer): Buffer {
  const s = Buffer.alloc(192);
  for (let p = 0; p < 192; p += key.length) key.copy(s, p, 0, Math.min(key.length, 192 - p));
  const scrambler = digest(new XXHash128(seed8(0n)), key); // canonical: high64 then low64, big-endian
  const combine = (off: number, h: Buffer): void => {
    s.writeBigUInt64LE(s.readBigUInt64LE(off) ^ h.readBigUInt64BE(8), off);
    s.writeBigUInt64LE(s.readBigUInt64LE(off + 8) ^ h.readBigUInt64BE(0), off + 8);
  };
  for (let n = 0; n < 12; n++) combine(n * 16, digest(new XXHash128(seed8(BigInt(n))), scrambler));
  combine(176, scrambler);
  return s;
}

function splitmix(x: bigint): bigint {
  x = (x + 0x9e3779b97f4a7c15n) & M64;
  x = ((x ^ (x >> 30n)) * 0xbf58476d1ce4e5b9n) & M64;
  x = ((x ^ (x >> 27n)) * 0x94d049bb133111ebn) & M64;
  return x ^ (x >> 31n);
}

/** docs/probe.md: stream(tag, seed, a, b). */
function scenarioPage(tag: bigint, seed: bigint, a: bigint, b: bigint): Buffer {
  let s = splitmix(splitmix(splitmix(tag ^ splitmix(seed)) ^ a) ^ b);
  const page = Buffer.alloc(4096);
  page.writeBigUInt64LE(s, 0);
  for (let i = 1; i < 512; i++) {
    s = (s + 0x9e3779b97f4a7c15n) & M64;
    page.writeBigUInt64LE(splitmix((s - 0x9e3779b97f4a7c15n) & M64), i * 8);
  }
  return page;
}

describe('hash compatibility', () => {
  it('key id, zero-page hash and page hashes match an independent XXH3 implementation', async () => {
    const s = await startScenario(['--processes', '1', '--pages', '64', '--identical', '1', '--seed', '15']);
    const out = path.join(tmpDir, 'compat.dump');
    expect(runProbe(['-o', out, '--pid', String(s.info.pids[0])]).code).toBe(0);
    const dump = await loadDump(out);
    expect(dump.header.hash.keyId).toBe(digest(new XXHash64(seed8(0x55504d4bn)), DEFAULT_KEY).toString('hex'));
    const secret = generateSecret(DEFAULT_KEY);
    const xxh3 = (page: Buffer): string => digest(new XXHash3(secret), page).toString('hex');
    expect(dump.header.hash.zeroPageHash).toBe(xxh3(Buffer.alloc(4096)));
    const region = regions(s, 'main')[0];
    const p = processOf(dump, region.pid);
    const idx = regionPages(p, region);
    expect(idx).toHaveLength(64);
    for (const i of idx) expect(hex(p, i)).toBe(xxh3(scenarioPage(1n, 15n, 0n, BigInt(p.pageIndex[i]))));
  });
});

describe('keys', () => {
  it('a key file changes every hash and the key id, and marks the dump as not using the default key', async () => {
    const s = await startScenario(['--processes', '1', '--pages', '500', '--seed', '14']);
    const key = path.join(tmpDir, 'secret.key');
    fs.writeFileSync(key, 'a secret of more than sixteen bytes');
    const a = path.join(tmpDir, 'default.dump');
    const b = path.join(tmpDir, 'keyed.dump');
    expect(runProbe(['-o', a, '--pid', String(s.info.pids[0])]).code).toBe(0);
    expect(runProbe(['-o', b, '--key-file', key, '--pid', String(s.info.pids[0])]).code).toBe(0);
    const [da, db] = [await loadDump(a), await loadDump(b)];
    expect(db.header.hash.defaultKey).toBe(false);
    expect(db.header.hash.keyId).not.toBe(da.header.hash.keyId);
    expect(db.header.hash.zeroPageHash).not.toBe(da.header.hash.zeroPageHash);
    const region = regions(s, 'main')[0];
    const pa = processOf(da, region.pid);
    const pb = processOf(db, region.pid);
    const ia = regionPages(pa, region);
    const ib = regionPages(pb, region);
    expect(ia.length).toBe(500);
    expect(ib.length).toBe(500);
    const ha = new Set(ia.map((i) => hashKey(pa, i)));
    expect(ib.filter((i) => ha.has(hashKey(pb, i)))).toHaveLength(0);
  });
});

function hex(p: ProcessPages, i: number): string {
  return p.hashHi[i].toString(16).padStart(8, '0') + p.hashLo[i].toString(16).padStart(8, '0');
}

let tmpCounter = 0;
function writeTmp(bytes: Buffer): string {
  const f = path.join(tmpDir, `stdout-${tmpCounter++}.dump`);
  fs.writeFileSync(f, bytes);
  return f;
}
