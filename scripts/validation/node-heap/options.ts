/** The command line of `npm run validate:node-heap` (see the entry point's header, which --help prints). */
import * as fs from 'fs';
import * as path from 'path';
import { ENTRY, ROOT } from './common';

export interface Options {
  processes: number;
  fileMib: number;
  intervalMs: number;
  snapshots: number;
  settleMs: number;
  pagesToScan: number;
  sleepMs: number;
  timeoutS: number;
  seed: number;
  doc: string | null;
  keep: string | null;
  jsonOut: string | null;
  /** only rewrite the doc from an earlier JSON report (no processes, no KSM) */
  renderJson: string | null;
}

export function parseArgs(argv: string[]): Options {
  const o: Options = {
    processes: 16,
    fileMib: 64,
    intervalMs: 5000,
    snapshots: 2,
    settleMs: 3000,
    pagesToScan: 5000,
    sleepMs: 10,
    timeoutS: 900,
    seed: 1,
    doc: path.join(ROOT, 'docs/validation.md'),
    keep: null,
    jsonOut: null,
    renderJson: null,
  };
  const ints: Record<string, [keyof Options, number, number]> = {
    '--processes': ['processes', 2, 256],
    '--file-mib': ['fileMib', 1, 4096],
    '--interval-ms': ['intervalMs', 100, 600_000],
    '--snapshots': ['snapshots', 1, 10],
    '--settle-ms': ['settleMs', 0, 600_000],
    '--pages-to-scan': ['pagesToScan', 1, 1_000_000],
    '--sleep-ms': ['sleepMs', 0, 10_000],
    '--timeout-s': ['timeoutS', 10, 86_400],
    '--seed': ['seed', 0, 2 ** 31 - 1],
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag in ints) {
      const [key, min, max] = ints[flag];
      const v = value();
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max)
        throw new Error(`${flag} must be a whole number from ${min} to ${max}, got '${v}'`);
      (o[key] as number) = n;
    } else if (flag === '--doc') o.doc = path.resolve(value());
    else if (flag === '--no-doc') o.doc = null;
    else if (flag === '--keep') o.keep = path.resolve(value());
    else if (flag === '--json-out') o.jsonOut = path.resolve(value());
    else if (flag === '--render-json') o.renderJson = path.resolve(value());
    else if (flag === '--help' || flag === '-h') {
      process.stdout.write(fs.readFileSync(ENTRY, 'utf8').split('*/')[0] + '*/\n');
      process.exit(0);
    } else throw new Error(`unknown argument '${a}' (--help)`);
  }
  return o;
}
