/** Constants and helpers every part of the node-heap validation shares. */
import * as path from 'path';

export const ROOT = path.resolve(__dirname, '../../..');
export const PROBE_BIN = path.join(ROOT, 'kernel/build/upm-probe');
/** The entry point: its path is what the report's command, the probe label and the doc markers name. */
export const ENTRY = path.join(ROOT, 'scripts/validation/node-heap.ts');
export const PAGE = 4096;
export const CLK_TCK = 100; // USER_HZ: /proc/PID/stat and /proc/stat count in 1/100 s on Linux
export const MiB = 1048576;
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const log = (l: string) => process.stderr.write(`[node-heap] ${l}\n`);
