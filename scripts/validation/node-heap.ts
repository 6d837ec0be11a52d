/**
 * A real program measured both ways: N `node` processes that each load the same large file into
 * memory, probed with upm-probe, analysed (sharing, none, UPM, KSM models), then merged by the machine's
 * real ksmd; predicted and measured KSM counters side by side. Writes a JSON report on stdout and the
 * generated part of docs/validation.md.
 *
 *   TS_NODE_TRANSPILE_ONLY=1 npx ts-node -r tsconfig-paths/register scripts/validation/node-heap.ts \
 *     [--processes 16] [--file-mib 64] [--interval-ms 5000] [--snapshots 2] [--settle-ms 3000] \
 *     [--pages-to-scan 5000] [--sleep-ms 10] [--timeout-s 900] [--seed 1] \
 *     [--doc docs/validation.md | --no-doc] [--keep DIR] [--json-out FILE]
 *   ... node-heap.ts --render-json FILE [--doc docs/validation.md]   (rewrite the doc from a saved report)
 *
 * Needs root, KSM (/sys/kernel/mm/ksm), python3 and kernel/build/upm-probe (make -C kernel). Uses KSM
 * only under /tmp/upm-ksm.lock and restores every setting (see scripts/lib/ksm-control.ts); kills every child and
 * removes the temp directory at the end, also on failure and on SIGINT/SIGTERM.
 */
// The parts, under node-heap/: options.ts (this command line), collect.ts (the data file, the child programs
// child.js and prctl-exec.py, the probe, the CLI, /proc), analyse.ts (the evidence from the dumps), report.ts
// (the JSON report), render.ts (the doc section, also from a saved report), main.ts (the run).
import { log } from './node-heap/common';
import { main } from './node-heap/main';

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (e) => {
      log(`failed: ${(e as Error).stack ?? e}`);
      process.exit(1);
    },
  );
}
