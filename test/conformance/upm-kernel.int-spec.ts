/**
 * UPM on a real kernel: kernel/upm/ patches Linux 6.12 with MADV_UPM_MERGE, and `make -C kernel upm-test`
 * boots it in QEMU (TCG) with the in-guest tests (kernel/upm/tests/upm-test.c). This spec
 *  1. runs that target (or reuses its results when they are newer than every input: UPM_KERNEL_REUSE=0
 *     forces a run) and asserts that every in-QEMU test passed;
 *  2. replays the planner's UPM model over the in-kernel probe's scans of the `conform` scenario (converted
 *     to dump format v1 by kernel/upm/convert/scan-to-dump.ts and read back with the planner's reader) and
 *     asserts that it predicts the kernel's counters and the observed result exactly.
 * Skipped, with the reason, only where QEMU or the kernel source cannot be installed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runUpmModel, type UpmResult } from '@upm/model/merge';
import { conformToDump, observedFrames, type ConformRun } from '../../kernel/upm/convert/scan-to-dump';
import { guestDependencies, KERNEL, resultsReusable } from './upm-guest';

const RESULTS = join(KERNEL, 'build', 'upm', 'results');
const EXPECTED_TESTS = ['merge', 'different', 'cow', 'owner-exit', 'fork', 'collision', 'concurrent', 'conform', 'latency', 'stress', 'tools', 'dmesg'];

const deps = guestDependencies();
if (!deps.ok) {
  // eslint-disable-next-line no-console
  console.warn(`upm-kernel conformance SKIPPED: QEMU or the kernel source cannot be installed: ${deps.why}`);
}
const maybe = deps.ok ? describe : describe.skip;

maybe('UPM kernel port (QEMU)', () => {
  let results: { test: string; pass: boolean; detail?: string; [k: string]: unknown }[] = [];
  let summary: { completed: boolean; passed: number; failed: number; seconds: number };
  let makeOutput = '';

  beforeAll(() => {
    const summaryFile = join(RESULTS, 'summary.json');
    const reuse = resultsReusable(summaryFile);
    if (!reuse) {
      const r = spawnSync('make', ['-C', KERNEL, 'upm-test'], { encoding: 'utf8', timeout: 40 * 60_000, maxBuffer: 64 << 20 });
      makeOutput = `${r.stdout}\n${r.stderr}`.slice(-4000);
    }
    if (!existsSync(summaryFile)) throw new Error(`make -C kernel upm-test produced no results:\n${makeOutput}`);
    summary = JSON.parse(readFileSync(summaryFile, 'utf8'));
    results = readFileSync(join(RESULTS, 'upmtest.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l));
  }, 45 * 60_000);

  it('boots, runs every test to the end and every in-QEMU test passes', () => {
    expect({ completed: summary.completed, make: summary.completed ? '' : makeOutput }).toEqual({ completed: true, make: '' });
    for (const name of EXPECTED_TESTS) {
      const r = results.find((x) => x.test === name);
      expect({ name, pass: r?.pass, detail: r?.detail }).toEqual({ name, pass: true, detail: r?.detail });
    }
    expect(summary.failed).toBe(0);
  });

  describe('replay of the planner UPM model over the in-kernel probe dump', () => {
    let run: ConformRun;
    let model: UpmResult;

    beforeAll(() => {
      // exclusive bits cleared: frames are identified by PFN alone (see EncodeOptions.keepExclusive)
      const { run: r, dump } = conformToDump(readFileSync(join(RESULTS, 'conform.txt'), 'utf8'), { keepExclusive: false });
      run = r;
      model = runUpmModel([dump], {
        calls: run.calls.map((c) => ({ pid: c.pid, ranges: [[c.start, c.end]], timeMs: c.timeMs })),
      });
    });

    it('the dump holds the scenario: 6 snapshots, 6 calls, the counters and a final observation', () => {
      expect(run.snapshots.length).toBe(6);
      expect(run.calls.length).toBe(6);
      expect(run.final.length).toBe(4);
      expect(model.warnings.filter((w) => /not alive/.test(w))).toEqual([]);
    });

    it('predicts the kernel counters exactly', () => {
      const sum = (k: 'merges' | 'misses' | 'staleEntries' | 'sameFrame' | 'alreadyRegistered' | 'pagesHashed') =>
        model.calls.reduce((a, c) => a + c[k], 0);
      const predicted = {
        pages_merged: model.totalMerges,
        pages_registered: model.totalMisses,
        stale_entries: sum('staleEntries'),
        same_page: sum('sameFrame'),
        already_registered: sum('alreadyRegistered'),
        lookups: sum('pagesHashed') - sum('alreadyRegistered'),
        pages_scanned: sum('pagesHashed'),
        table_entries: model.tableEntries,
        pages_saved: model.residentPages - model.physicalPagesAfter,
        collisions: 0,
        merge_failed: 0,
        re_registered: model.calls.reduce((a, c) => a + c.reRegistered, 0),
      };
      const kernel = Object.fromEntries(Object.keys(predicted).map((k) => [k, run.counters[k]]));
      expect(kernel).toEqual(predicted);
      // the scenario exercises every path: merges, misses, stale entries, re-calls, a re-registration
      expect(predicted.pages_merged).toBeGreaterThan(0);
      expect(predicted.stale_entries).toBeGreaterThan(0);
      expect(predicted.same_page).toBeGreaterThan(0);
      expect(predicted.already_registered).toBeGreaterThan(0);
      expect(predicted.re_registered).toBeGreaterThan(0);
    });

    it('predicts the observed result: distinct frames after the last call and the registered pages', () => {
      const observed = observedFrames(run.final);
      expect({ resident: model.residentPages, physical: model.physicalPagesAfter }).toEqual({
        resident: observed.residentPages,
        physical: observed.physicalPages,
      });
      expect(run.entries.length).toBe(model.tableEntries);
    });
  });
});
