/**
 * Conformance of the KSM model with the real kernel: upm-scenario processes, a upm-probe dump taken
 * while ksmd is stopped, the model's prediction from that dump, then the real ksmd run until its
 * counters stop moving. Predicted converged pages_shared and pages_sharing must EQUAL the kernel's.
 *
 * Saves and restores every KSM setting it changes, and takes /tmp/upm-ksm.lock around KSM use.
 * Skips (with the reason) where KSM is absent or read-only, or the kernel tools are not built.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadDump } from '@upm/model/dump';
import type { Dump } from '@upm/model/dump/types';
import { runKsmModel, KsmOptions, KsmResult } from '@upm/model/merge';
import {
  ConvergeResult,
  waitNoForeign,
  counters,
  KsmSession,
  ksmUnavailableReason,
  probe,
  runUntilStable,
  startScenario,
  timeToFraction,
  writeKsm,
} from './ksm-harness';

const reason = ksmUnavailableReason();
if (reason) console.warn(`KSM conformance suite skipped: ${reason}`);
const suite = reason ? describe.skip : describe;

const FAST = { pages_to_scan: 5000, sleep_millisecs: 10 };

/** Results of every case, written to reports/conformance-ksm.json (the table in docs/merge-models.md is made from it). */
const results: Record<string, unknown>[] = [];

interface CaseSpec {
  name: string;
  args: string[];
  settings?: Record<string, number>;
  probe?: { interval?: number; count?: number };
  /** Delay after the scenario is ready, before probing. */
  settleMs?: number;
  /** Start ksmd this many ms after the probe started (the probe runs on meanwhile). */
  runDuringProbeAfterMs?: number;
  /** Keep ksmd running at least this long (ms). */
  minRunMs?: number;
  model?: KsmOptions;
}

async function runCase(session: KsmSession, c: CaseSpec): Promise<{ kernel: ConvergeResult; model: KsmResult; dump: Dump }> {
  // KSM counters are system-wide: retry when another process took part in KSM during the run
  for (let attempt = 1; ; attempt++) {
    const r = await runCaseOnce(session, c);
    if (r.kernel.foreign.length === 0) return r;
    results.pop();
    if (attempt >= 3) throw new Error(`other processes used KSM during every attempt: ${r.kernel.foreign.join('; ')}`);
  }
}

async function runCaseOnce(session: KsmSession, c: CaseSpec): Promise<{ kernel: ConvergeResult; model: KsmResult; dump: Dump }> {
  await session.configure({ ...FAST, use_zero_pages: 0, max_page_sharing: 256, smart_scan: 1, ...(c.settings ?? {}) });
  const before = counters();
  expect([before.pages_shared, before.pages_sharing]).toEqual([0, 0]);
  const sc = await startScenario(c.args);
  let file = '';
  const ours = [sc.child.pid!, ...sc.info.pids];
  try {
    await waitNoForeign(ours);
    if (c.settleMs) await new Promise((r) => setTimeout(r, c.settleMs));
    let kernelP: Promise<ConvergeResult> | null = null;
    const probeP = probe(sc.info.pids, { ...(c.probe ?? {}), labels: ['function=conformance'] });
    if (c.runDuringProbeAfterMs !== undefined) {
      await new Promise((r) => setTimeout(r, c.runDuringProbeAfterMs));
      kernelP = runUntilStable({ minMs: c.minRunMs, ours });
    }
    file = await probeP;
    const dump = await loadDump(file);
    const kernel = kernelP ? await kernelP : await runUntilStable({ ours });
    const settings = { ...FAST, use_zero_pages: 0, max_page_sharing: 256, smart_scan: 1, ...(c.settings ?? {}) };
    const model = runKsmModel([dump], {
      runStartMs: c.runDuringProbeAfterMs ?? dump.snapshots[dump.snapshots.length - 1].info.elapsedMs,
      timelineResolutionMs: 0,
      ...(c.model ?? {}),
      params: {
        pagesToScan: settings.pages_to_scan,
        sleepMs: settings.sleep_millisecs,
        useZeroPages: settings.use_zero_pages === 1,
        maxPageSharing: settings.max_page_sharing,
        smartScan: settings.smart_scan === 1,
        ...(c.model?.params ?? {}),
      },
    });
    results.push({
      case: c.name,
      scenario: c.args.join(' '),
      kernel: {
        pages_shared: kernel.final.pages_shared,
        pages_sharing: kernel.final.pages_sharing,
        pages_unshared: kernel.final.pages_unshared,
        pages_volatile: kernel.final.pages_volatile,
        ksm_zero_pages: kernel.final.ksm_zero_pages,
        stable_node_chains: kernel.final.stable_node_chains,
        stable_node_dups: kernel.final.stable_node_dups,
      },
      predicted: {
        pages_shared: model.converged.pagesShared,
        pages_sharing: model.converged.pagesSharing,
        pages_unshared: model.converged.pagesUnshared,
        pages_volatile: model.converged.pagesVolatile,
        ksm_zero_pages: model.converged.ksmZeroPages,
        stable_node_chains: model.converged.stableNodeChains,
        stable_node_dups: model.converged.stableNodeDups,
      },
    });
    return { kernel, model, dump };
  } finally {
    await sc.stop();
    if (file) fs.rmSync(file, { force: true });
  }
}

function expectEqualCounters(r: { kernel: ConvergeResult; model: KsmResult }): void {
  expect({ pages_shared: r.model.converged.pagesShared, pages_sharing: r.model.converged.pagesSharing }).toEqual({
    pages_shared: r.kernel.final.pages_shared,
    pages_sharing: r.kernel.final.pages_sharing,
  });
}

suite('KSM model vs the real kernel', () => {
  const session = new KsmSession();
  jest.setTimeout(240_000);

  beforeAll(async () => {
    await session.open();
  });
  afterAll(async () => {
    await session.close();
    try {
      const out = path.join(__dirname, '..', '..', 'reports');
      fs.mkdirSync(out, { recursive: true });
      fs.writeFileSync(path.join(out, 'conformance-ksm.json'), JSON.stringify(results, null, 2) + '\n');
    } catch {
      /* read-only checkout: the table is only informative */
    }
  });

  it('duplicates across processes and within a process', async () => {
    const r = await runCase(session, {
      name: 'across + within',
      args: ['--processes', '4', '--pages', '3000', '--identical', '0.5', '--dup-within', '0.2', '--dup-group', '4', '--mergeable'],
    });
    // 1500 identical x 4 -> 1500 shared + 4500 sharing; 600 dup-within per process in 150 groups of 4
    expect(r.kernel.final.pages_shared).toBe(1500 + 4 * 150);
    expectEqualCounters(r);
  });

  it('zero-filled pages with use_zero_pages=0 merge like any content (chains beyond 256)', async () => {
    const r = await runCase(session, {
      name: 'zero pages, use_zero_pages=0',
      args: ['--processes', '3', '--pages', '1000', '--zero', '0.3', '--identical', '0.2', '--mergeable'],
      settings: { use_zero_pages: 0 },
    });
    expectEqualCounters(r);
  });

  it('zero-filled pages with use_zero_pages=1 go to the zero page, outside pages_shared/sharing', async () => {
    const r = await runCase(session, {
      name: 'zero pages, use_zero_pages=1',
      args: ['--processes', '3', '--pages', '1000', '--zero', '0.3', '--identical', '0.2', '--mergeable'],
      settings: { use_zero_pages: 1 },
    });
    expect(r.model.converged.ksmZeroPages).toBe(r.kernel.final.ksm_zero_pages);
    expectEqualCounters(r);
  });

  it('more than 256 copies of one content (max_page_sharing chains)', async () => {
    const r = await runCase(session, {
      name: 'max_page_sharing: groups of 600 and 300 copies',
      args: ['--processes', '2', '--pages', '1500', '--dup-within', '0.6', '--dup-group', '600', '--identical', '0.2', '--mergeable'],
    });
    expect(r.kernel.final.stable_node_chains).toBeGreaterThan(0);
    expectEqualCounters(r);
  });

  it('pages written between visits (rewritten every 100 ms) stay volatile', async () => {
    const r = await runCase(session, {
      name: 'pages rewritten every 100 ms',
      args: [
        '--processes', '3', '--pages', '2000', '--identical', '0.6', '--mergeable',
        '--write-after', '100', '--write-every', '100', '--write-fraction', '0.5',
      ],
      probe: { interval: 400, count: 3 },
    });
    expectEqualCounters(r);
  });

  it('pages written once after the dump started', async () => {
    const r = await runCase(session, {
      name: 'pages rewritten once',
      args: ['--processes', '3', '--pages', '2000', '--identical', '0.6', '--mergeable', '--write-after', '300', '--write-fraction', '0.5'],
      probe: { interval: 600, count: 2 },
    });
    expectEqualCounters(r);
  });

  it('MAP_SHARED anonymous memory is never merged (whole process opted in with PR_SET_MEMORY_MERGE)', async () => {
    const r = await runCase(session, {
      name: 'MAP_SHARED + prctl',
      args: ['--processes', '3', '--pages', '1000', '--identical', '1', '--shared', '--prctl'],
    });
    // the shared region would give 1000 shared + 2000 sharing if it were merged
    expect(r.kernel.final.pages_sharing).toBeLessThan(2000);
    expectEqualCounters(r);
  });

  it('private file-backed (page cache) pages are never merged', async () => {
    const file = path.join(os.tmpdir(), `upm-conf-file-${process.pid}`);
    const buf = Buffer.alloc(256 * 4096);
    for (let i = 0; i < 256; i++) buf.writeUInt32LE(i % 8, i * 4096); // many identical file pages
    fs.writeFileSync(file, buf);
    try {
      const r = await runCase(session, {
        name: 'private file mapping + prctl',
        args: ['--processes', '3', '--pages', '1000', '--identical', '0.5', '--mergeable', '--prctl', '--file', file],
      });
      expectEqualCounters(r);
    } finally {
      fs.rmSync(file, { force: true });
    }
  });

  it('a process that exits while ksmd runs leaves the counters', async () => {
    const r = await runCase(session, {
      name: 'one of 4 processes exits',
      args: ['--processes', '4', '--pages', '2000', '--identical', '0.5', '--mergeable', '--exit-after', '2500', '--exit-index', '1'],
      probe: { interval: 4000, count: 2 },
      runDuringProbeAfterMs: 700,
      minRunMs: 5000,
    });
    expect(r.dump.snapshots[1].processes.filter((p) => p.info.status === 'ok').length).toBe(3);
    expectEqualCounters(r);
  });

  it('timing at the defaults (100 pages / 20 ms): 50% and 100% of pages_sharing within 15%', async () => {
    await session.configure({ pages_to_scan: 100, sleep_millisecs: 20, use_zero_pages: 0, max_page_sharing: 256, smart_scan: 1 });
    const sc = await startScenario(['--processes', '4', '--pages', '1500', '--identical', '0.5', '--mergeable']);
    let file = '';
    try {
      const ours = [sc.child.pid!, ...sc.info.pids];
      await waitNoForeign(ours);
      file = await probe(sc.info.pids);
      const dump = await loadDump(file);
      const kernel = await runUntilStable({ pollMs: 10, quietScans: 2, quietMs: 2000, ours });
      if (kernel.foreign.length) console.warn(`timing case: other KSM users seen: ${kernel.foreign.join('; ')}`);
      const model = runKsmModel([dump], {
        runStartMs: 0,
        timelineResolutionMs: 0,
        params: { pagesToScan: 100, sleepMs: 20, useZeroPages: false, maxPageSharing: 256, smartScan: true },
      });
      const final = kernel.final.pages_sharing;
      const kHalf = timeToFraction(kernel.samples, final, 0.5)!;
      const kFull = timeToFraction(kernel.samples, final, 1)!;
      results.push({
        case: 'timing at defaults',
        scenario: '--processes 4 --pages 1500 --identical 0.5 --mergeable',
        kernel: { pages_sharing: final, t50: kHalf, t100: kFull },
        predicted: { pages_sharing: model.converged.pagesSharing, t50: model.sharingHalfSec, t100: model.sharingFullSec },
      });
      expect(model.converged.pagesSharing).toBe(final);
      expect(Math.abs(model.sharingHalfSec! - kHalf) / kHalf).toBeLessThan(0.15);
      expect(Math.abs(model.sharingFullSec! - kFull) / kFull).toBeLessThan(0.15);
    } finally {
      writeKsm('run', 0);
      await sc.stop();
      if (file) fs.rmSync(file, { force: true });
    }
  });
});
