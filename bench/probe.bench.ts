/**
 * Probe throughput: upm-probe (pagemap walk + page copy + keyed XXH3 + kpageflags + dump writing) against
 * upm-vmcopy (the same walk, the same batches, a plain process_vm_readv copy and nothing else) over the same
 * upm-scenario processes with unique page content. Runs alternate between the two tools; medians are
 * reported. The goal is a probe at >= 50% of the copy's GB/s. Needs Linux and root for the usual
 * configuration (page flags); prints a table and one JSON line.
 *
 *   npx ts-node -r tsconfig-paths/register bench/probe.bench.ts [--processes 4] [--pages 65536] [--runs 7]
 *                                                                [--batch-pages N]
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
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

function run(bin: string, args: string[]): { stdout: string; stderr: string } {
  const r = spawnSync(join(BUILD, bin), args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${bin} exited ${r.status}: ${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr };
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

async function main(): Promise<void> {
  const processes = arg('processes', 4);
  const pages = arg('pages', 65536);
  const runs = arg('runs', 7);
  const batch = process.argv.includes('--batch-pages') ? ['--batch-pages', String(arg('batch-pages', 512))] : [];

  execFileSync('make', ['-C', KERNEL, '-s'], { stdio: 'inherit' });
  const scenario = spawn(join(BUILD, 'upm-scenario'), ['--processes', String(processes), '--pages', String(pages)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const info = await new Promise<{ pids: number[] }>((ok, fail) => {
      let out = '';
      scenario.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) ok(JSON.parse(out.slice(0, out.indexOf('\n'))));
      });
      scenario.on('exit', (code) => fail(new Error(`upm-scenario exited ${code}`)));
    });
    const pids = info.pids.flatMap((p) => ['--pid', String(p)]);

    // One warm-up of each (page tables, caches), then alternate so drift hits both alike.
    run('upm-vmcopy', [...pids, ...batch]);
    run('upm-probe', ['-o', '/dev/null', '--stats', ...pids, ...batch]);
    const copy: Stats[] = [];
    const probe: Stats[] = [];
    for (let i = 0; i < runs; i++) {
      copy.push(lastJsonLine(run('upm-vmcopy', [...pids, ...batch]).stdout));
      probe.push(lastJsonLine(run('upm-probe', ['-o', '/dev/null', '--stats', ...pids, ...batch]).stderr));
    }
    const copyGbps = median(copy.map((s) => s.gbps));
    const probeGbps = median(probe.map((s) => s.gbps));
    const result = {
      bench: 'probe',
      kernel: release(),
      cpus: cpus().length,
      cpu: cpuModel(),
      processes,
      pagesPerProcess: pages,
      bytes: probe[0].bytes,
      runs,
      vmcopyGbps: Number(copyGbps.toFixed(3)),
      probeGbps: Number(probeGbps.toFixed(3)),
      ratio: Number((probeGbps / copyGbps).toFixed(3)),
      vmcopySeconds: Number(median(copy.map((s) => s.seconds)).toFixed(4)),
      probeSeconds: Number(median(probe.map((s) => s.seconds)).toFixed(4)),
    };
    console.log(`kernel ${result.kernel}, ${result.cpus} CPUs, ${result.cpu}`);
    console.log(`${processes} processes x ${pages} pages = ${(result.bytes / 2 ** 30).toFixed(2)} GiB, median of ${runs} runs`);
    console.log(`  upm-vmcopy (process_vm_readv copy) ${copyGbps.toFixed(2)} GB/s`);
    console.log(`  upm-probe  (copy + hash + dump)    ${probeGbps.toFixed(2)} GB/s`);
    console.log(`  ratio ${(100 * result.ratio).toFixed(1)}% (goal >= 50%)`);
    console.log(JSON.stringify(result));
  } finally {
    scenario.kill('SIGTERM');
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
