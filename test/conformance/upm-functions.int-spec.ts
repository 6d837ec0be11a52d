/**
 * Issue 12 in the UPM guest: `make -C kernel upm-functions` boots the 6.12 UPM kernel (cached build) in QEMU
 * with Debian's Python 3.11 and numpy (kernel/upm/scripts/python-initramfs.sh) and runs
 * scripts/validation/functions/data-numpy.py N = 1, 2, 4 times, each process calling madvise(MADV_UPM_MERGE)
 * once over its private mappings after initialisation. Before the calls, upm-probe dumps the processes; the
 * planner's UPM model replays the same calls over that dump and must predict the kernel's counters exactly.
 * Reuses the results when they are newer than every input (UPM_KERNEL_REUSE=0 forces a run).
 * Skipped, with the reason, only where QEMU or the kernel source cannot be installed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMPARED, kernelDelta, parseConsole, predict, type GuestRun } from '../../kernel/upm/convert/functions-run';
import { guestDependencies, KERNEL, resultsReusable, ROOT } from './upm-guest';

const RESULTS = join(KERNEL, 'build', 'upm', 'results-functions');

function dependencies(): { ok: boolean; why: string } {
  const guest = guestDependencies();
  if (!guest.ok) return guest;
  if (!existsSync('/usr/bin/python3.11') || spawnSync('/usr/bin/python3', ['-c', 'import numpy']).status !== 0)
    return { ok: false, why: "Debian's /usr/bin/python3.11 with python3-numpy is not installed (apt-get install python3-numpy)" };
  return { ok: true, why: '' };
}

const deps = dependencies();
if (!deps.ok) {
  // eslint-disable-next-line no-console
  console.warn(`upm-functions SKIPPED: ${deps.why}`);
}
const maybe = deps.ok ? describe : describe.skip;

maybe('Python data-numpy under real UPM in the 6.12 guest (QEMU)', () => {
  let runs: GuestRun[] = [];
  let parsed: ReturnType<typeof parseConsole>;
  let makeOutput = '';

  beforeAll(() => {
    const summary = join(RESULTS, 'summary.json');
    const reuse = resultsReusable(summary, [join(ROOT, 'scripts', 'validation', 'functions')]);
    if (!reuse) {
      const r = spawnSync('make', ['-C', KERNEL, 'upm-functions'], { encoding: 'utf8', timeout: 55 * 60_000, maxBuffer: 64 << 20 });
      makeOutput = `${r.stdout}\n${r.stderr}`.slice(-4000);
    }
    const consoleFile = join(RESULTS, 'console.txt');
    if (!existsSync(consoleFile)) throw new Error(`make -C kernel upm-functions produced no console:\n${makeOutput}`);
    parsed = parseConsole(readFileSync(consoleFile, 'utf8'));
    runs = parsed.runs;
  }, 60 * 60_000);

  it('boots, runs data-numpy N = 1, 2, 4 to the end and every madvise call succeeds', () => {
    expect({ done: parsed.done, errors: parsed.errors, make: parsed.done ? '' : makeOutput }).toEqual({ done: true, errors: [], make: '' });
    expect(runs.map((r) => r.n)).toEqual(expect.arrayContaining([1, 2, 4]));
    for (const r of runs) {
      expect(r.merged.map((m) => [m.rc, m.errno])).toEqual(r.pids.map(() => [0, 0]));
      // every process computed the same aggregate from the same data
      expect(new Set(r.ready.map((p) => p.checksum)).size).toBe(1);
      expect(r.dump.snapshots[0].processes.map((p) => p.info.pid).sort()).toEqual([...r.pids].sort());
    }
  });

  it.each([1, 2, 4])('N = %i: the UPM model predicts the kernel counters exactly', (n) => {
    const r = runs.find((x) => x.n === n);
    expect(r).toBeDefined();
    const kernel = kernelDelta(r!);
    const { counters } = predict(r!);
    expect(Object.fromEntries(COMPARED.map((k) => [k, kernel[k]]))).toEqual(counters);
    expect(counters.pages_registered).toBeGreaterThan(1000);
    // numpy madvises its 64 MiB array MADV_HUGEPAGE: THP, which UPM skips (the data itself does not merge);
    // the interpreter's and numpy's own anonymous pages do
    if (n > 1) expect(counters.pages_merged).toBeGreaterThan(100 * (n - 1));
  });
});
