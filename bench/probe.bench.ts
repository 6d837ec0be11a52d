/**
 * Probe throughput: upm-probe (pagemap walk + page copy + keyed XXH3 + kpageflags + dump writing) against
 * upm-vmcopy (the same walk, the same batches, a plain process_vm_readv copy and nothing else) over the same
 * upm-scenario processes with unique page content. Each round runs the copy, then the probe (then each
 * --compare probe); a round's ratio is probe GB/s over that round's copy GB/s, so load drift hits both alike.
 * Medians and ranges of the per-round ratios are reported, by wall time and by CPU time (on shared cores the
 * CPU-time ratio is the steadier one). The goal is a probe at >= 70% of the copy. Needs Linux and root for the
 * usual configuration (page flags); prints a table and one JSON line.
 *
 *   npm run bench:probe -- [--processes 4] [--pages 65536] [--runs 7] [--batch-pages N]
 *                          [--fragment-mib N] [--compare PATH]...
 *
 * --fragment-mib N: before the scenario starts, upm-fragment touches N MiB and frees a random half of it in
 * short runs, so the scenario's pages get scattered frames, as on a host that has run for a while (on a fresh
 * boot they are nearly consecutive and kpageflags costs little). --compare PATH: another upm-probe binary
 * (e.g. a build of an older commit) measured in the same rounds.
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg, release } from 'node:os';
import { join, resolve } from 'node:path';

const KERNEL = resolve(__dirname, '..', 'kernel');
const BUILD = join(KERNEL, 'build');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isSafeInteger(v) || v <= 0) throw new Error(`--${name}: '${process.argv[i + 1]}' is not a positive integer`);
  return v;
}

interface Stats {
  bytes: number;
  seconds: number;
  gbps: number;
  cpuSeconds: number;
  kpageflagsReads?: number;
}

function args(name: string): string[] {
  const out: string[] = [];
  process.argv.forEach((a, i) => {
    if (a === `--${name}`) {
      const v = process.argv[i + 1];
      if (v === undefined || v.startsWith('--')) throw new Error(`--${name} needs a value`);
      out.push(v);
    }
  });
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function lastJsonLine(text: string): Stats {
  const line = text.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (!line) throw new Error(`no statistics in: ${text}`);
  return JSON.parse(line) as Stats;
}

function runBin(path: string, argv: string[]): { stdout: string; stderr: string } {
  const r = spawnSync(path, argv, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${path} exited ${r.status}: ${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr };
}

function run(bin: string, argv: string[]): { stdout: string; stderr: string } {
  return runBin(join(BUILD, bin), argv);
}

function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) return m[1];
  } catch {
    /* not Linux */
  }
  return cpus()[0]?.model ?? 'unknown';
}

/** Starts a tool that prints one JSON line when ready and waits for SIGTERM. */
async function startReady<T>(bin: string, argv: string[]): Promise<{ info: T; child: ChildProcess }> {
  const child = spawn(join(BUILD, bin), argv, { stdio: ['ignore', 'pipe', 'inherit'] });
  const info = await new Promise<T>((ok, fail) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) ok(JSON.parse(out.slice(0, out.indexOf('\n'))) as T);
    });
    child.on('exit', (code) => fail(new Error(`${bin} exited ${code} before it was ready`)));
  });
  return { info, child };
}

function stopped(child: ChildProcess): Promise<void> {
  return new Promise((ok) => {
    if (child.exitCode !== null || child.signalCode !== null) return ok();
    child.once('exit', () => ok());
    child.kill('SIGTERM');
  });
}

function range(xs: number[]): [number, number] {
  return [Math.min(...xs), Math.max(...xs)];
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

async function main(): Promise<void> {
  const processes = arg('processes', 4);
  const pages = arg('pages', 65536);
  const runs = arg('runs', 7);
  const fragmentMib = process.argv.includes('--fragment-mib') ? arg('fragment-mib', 1) : 0;
  const batch = process.argv.includes('--batch-pages') ? ['--batch-pages', String(arg('batch-pages', 512))] : [];
  const probes = [{ name: 'upm-probe', bin: join(BUILD, 'upm-probe') }];
  for (const p of args('compare')) {
    if (!existsSync(p)) throw new Error(`--compare: ${p} does not exist`);
    probes.push({ name: p, bin: resolve(p) });
  }

  execFileSync('make', ['-C', KERNEL, '-s'], { stdio: 'inherit' });
  const loadBefore = loadavg();
  let fragment: { child: ChildProcess } | null = null;
  if (fragmentMib) fragment = await startReady('upm-fragment', ['--mib', String(fragmentMib)]);
  const scenario = await startReady<{ pids: number[] }>('upm-scenario', [
    '--processes', String(processes), '--pages', String(pages),
  ]).catch(async (e: unknown) => {
    if (fragment) await stopped(fragment.child);
    throw e;
  });
  // The scenario's frames are placed: give the fragmenter's memory back before measuring.
  if (fragment) await stopped(fragment.child);
  try {
    const pids = scenario.info.pids.flatMap((p) => ['--pid', String(p)]);
    const runProbe = (bin: string): Stats =>
      lastJsonLine(runBin(bin, ['-o', '/dev/null', '--stats', ...pids, ...batch]).stderr);

    // One warm-up of each (page tables, caches), then rounds.
    run('upm-vmcopy', [...pids, ...batch]);
    for (const p of probes) runProbe(p.bin);
    const copy: Stats[] = [];
    const probe: Stats[][] = probes.map(() => []);
    for (let i = 0; i < runs; i++) {
      copy.push(lastJsonLine(run('upm-vmcopy', [...pids, ...batch]).stdout));
      probes.forEach((p, k) => probe[k].push(runProbe(p.bin)));
    }
    const loadAfter = loadavg();
    const summary = probes.map((p, k) => {
      const wall = probe[k].map((s, i) => s.gbps / copy[i].gbps);
      // null for a probe binary older than the cpuSeconds statistic
      const cpu = probe[k].every((s) => typeof s.cpuSeconds === 'number')
        ? probe[k].map((s, i) => copy[i].cpuSeconds / copy[i].bytes / (s.cpuSeconds / s.bytes))
        : null;
      return {
        probe: p.name,
        gbps: Number(median(probe[k].map((s) => s.gbps)).toFixed(3)),
        ratio: Number(median(wall).toFixed(3)),
        ratioRange: range(wall).map((x) => Number(x.toFixed(3))),
        cpuRatio: cpu && Number(median(cpu).toFixed(3)),
        cpuRatioRange: cpu && range(cpu).map((x) => Number(x.toFixed(3))),
        kpageflagsReads: median(probe[k].map((s) => s.kpageflagsReads ?? 0)),
        seconds: Number(median(probe[k].map((s) => s.seconds)).toFixed(4)),
        cpuSeconds: cpu && Number(median(probe[k].map((s) => s.cpuSeconds)).toFixed(4)),
      };
    });
    const result = {
      bench: 'probe',
      kernel: release(),
      cpus: cpus().length,
      cpu: cpuModel(),
      processes,
      pagesPerProcess: pages,
      fragmentMib,
      bytes: probe[0][0].bytes,
      runs,
      loadAverage: { before: loadBefore.map((x) => Number(x.toFixed(2))), after: loadAfter.map((x) => Number(x.toFixed(2))) },
      vmcopyGbps: Number(median(copy.map((s) => s.gbps)).toFixed(3)),
      vmcopySeconds: Number(median(copy.map((s) => s.seconds)).toFixed(4)),
      vmcopyCpuSeconds: Number(median(copy.map((s) => s.cpuSeconds)).toFixed(4)),
      probes: summary,
    };
    console.log(`kernel ${result.kernel}, ${result.cpus} CPUs, ${result.cpu}`);
    console.log(
      `${processes} processes x ${pages} pages = ${(result.bytes / 2 ** 30).toFixed(2)} GiB` +
        `${fragmentMib ? `, memory fragmented first (${fragmentMib} MiB)` : ''}, ${runs} rounds, ` +
        `load average ${loadBefore[0].toFixed(2)} -> ${loadAfter[0].toFixed(2)}`,
    );
    console.log(`  upm-vmcopy (process_vm_readv copy) ${result.vmcopyGbps.toFixed(2)} GB/s median`);
    for (const s of summary) {
      console.log(
        `  ${s.probe}: ${s.gbps.toFixed(2)} GB/s, ratio ${pct(s.ratio)} (${pct(s.ratioRange[0])}-${pct(s.ratioRange[1])}), ` +
          (s.cpuRatio !== null && s.cpuRatioRange
            ? `by CPU time ${pct(s.cpuRatio)} (${pct(s.cpuRatioRange[0])}-${pct(s.cpuRatioRange[1])}), `
            : 'no CPU time, ') +
          `${s.kpageflagsReads} kpageflags reads (goal >= 70%)`,
      );
    }
    console.log(JSON.stringify(result));
  } finally {
    await stopped(scenario.child);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
