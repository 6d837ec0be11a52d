/**
 * `upm --help` start-up, from the compiled CLI (dist/, as `npx upm` runs it), against `node -e 0` in the same
 * run: the ratio is what the CLI adds to Node's own start. Runs interleave so load on the shared machine hits both
 * alike. Prints one JSON line.
 *
 *   npm run build:ts && node dist/bench/cli-startup.bench.js [--runs N]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg, release } from 'node:os';
import { join } from 'node:path';

const ROOT = [join(__dirname, '..'), join(__dirname, '../..')].find((d) => existsSync(join(d, 'bin/upm.js')));
if (!ROOT) throw new Error('bin/upm.js not found beside this bench');
const i = process.argv.indexOf('--runs');
const RUNS = i > 0 ? Number(process.argv[i + 1]) : 15;
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error(`--runs must be a positive integer, got ${process.argv[i + 1]}`);

function wallMs(args: string[]): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

const node: number[] = [];
const upm: number[] = [];
wallMs(['bin/upm.js', '--help']); // warm the page cache
for (let r = 0; r < RUNS; r++) {
  node.push(wallMs(['-e', '0']));
  upm.push(wallMs(['bin/upm.js', '--help']));
}
console.log(
  JSON.stringify({
    bench: 'cli-startup',
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, kernel: release(), loadavg: loadavg().map((x) => +x.toFixed(2)) },
    runs: RUNS,
    nodeMedianMs: +median(node).toFixed(1),
    upmHelpMedianMs: +median(upm).toFixed(1),
    upmHelpMaxMs: +Math.max(...upm).toFixed(1),
    ratioToNode: +(median(upm) / median(node)).toFixed(2),
  }),
);
