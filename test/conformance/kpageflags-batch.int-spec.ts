/**
 * upm-probe reads /proc/kpageflags for each content batch in sorted, coalesced ranges (docs/probe.md).
 * This compares it with the unbatched reference (UPM_PROBE_TEST_KPAGEFLAGS=per-page: one pread per page, in
 * page order) on live upm-scenario processes whose identical pages the real ksmd has merged, so that a change
 * to the grouping, the sort or the range joining cannot silently drop or misplace a flag.
 *
 * Needs root and a writable KSM (takes /tmp/upm-ksm.lock, restores every setting); skips with the reason
 * otherwise.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { loadDump } from '@upm/model/dump';
import type { Dump, ProcessPages } from '@upm/model/dump/types';
import {
  KsmSession,
  PROBE_BIN,
  ksmUnavailableReason,
  runUntilStable,
  startScenario,
  waitNoForeign,
} from './ksm-harness';

const execFileP = promisify(execFile);

const reason = ksmUnavailableReason();
if (reason) console.warn(`kpageflags batching suite skipped: ${reason}`);
const suite = reason ? describe.skip : describe;

const PF_ZERO_PAGE = 0x10;
const PF_KSM = 0x20;
const PF_THP = 0x40;

interface ProbeRun {
  dump: Dump;
  stats: { pages: number; kpageflagsReads: number };
}

async function runProbe(pids: number[], mode: 'per-page' | 'batched', extra: string[] = []): Promise<ProbeRun> {
  const file = path.join(os.tmpdir(), `upm-kpf-${process.pid}-${mode}-${Date.now()}.dump`);
  try {
    const { stderr } = await execFileP(
      PROBE_BIN,
      [...pids.flatMap((p) => ['--pid', String(p)]), '-o', file, '--stats', ...extra],
      { env: { ...process.env, UPM_PROBE_TEST_KPAGEFLAGS: mode }, timeout: 120_000 },
    );
    const line = stderr.trim().split('\n').filter((l) => l.startsWith('{')).pop();
    if (!line) throw new Error(`upm-probe printed no statistics: ${stderr}`);
    return { dump: await loadDump(file), stats: JSON.parse(line) as ProbeRun['stats'] };
  } finally {
    fs.rmSync(file, { force: true });
  }
}

function pagesOf(dump: Dump): ProcessPages[] {
  expect(dump.snapshots).toHaveLength(1);
  return [...dump.snapshots[0].processes].sort((a, b) => a.info.pid - b.info.pid);
}

/** Each process's page list, frame numbers and flag bytes, in page order. */
function columns(dump: Dump): { pid: number; vmaOf: number[]; pageIndex: number[]; pfn: number[]; flags: number[] }[] {
  return pagesOf(dump).map((p) => ({
    pid: p.info.pid,
    vmaOf: Array.from(p.vmaOf),
    pageIndex: Array.from(p.pageIndex),
    pfn: Array.from(p.pfn ?? []),
    flags: Array.from(p.flags),
  }));
}

function countFlag(dump: Dump, bit: number): number {
  let n = 0;
  for (const p of pagesOf(dump)) for (let i = 0; i < p.count; i++) if (p.flags[i] & bit) n++;
  return n;
}

suite('upm-probe: batched kpageflags reads agree with one read per page', () => {
  const session = new KsmSession();
  jest.setTimeout(300_000);

  beforeAll(async () => {
    await session.open();
  });
  afterAll(async () => {
    await session.close();
  });

  it('on KSM-merged upm-scenario processes, with the default and a 100-page batch', async () => {
    await session.configure({ pages_to_scan: 5000, sleep_millisecs: 10, use_zero_pages: 0, max_page_sharing: 256, smart_scan: 1 });
    // 2 x 70,000 pages: 30% identical across the processes, 40% in groups of 4 copies within each process.
    const sc = await startScenario([
      '--processes', '2', '--pages', '70000', '--identical', '0.3', '--dup-within', '0.4', '--dup-group', '4',
      '--mergeable', '--read-zero', '64', '--seed', '22',
    ]);
    try {
      const ours = [sc.child.pid!, ...sc.info.pids];
      await waitNoForeign(ours);
      // Merged and then ksmd stopped (runUntilStable leaves run=0): the flags cannot move between the dumps.
      await runUntilStable({ ours });
      const reference = await runProbe(sc.info.pids, 'per-page');
      expect(reference.dump.header.host.pageFlagsReadable).toBe(true);
      expect(reference.stats.kpageflagsReads).toBeGreaterThanOrEqual(2 * 70_000);
      // The comparison means something only if flags are set: 49,000 pages per process are KSM pages.
      expect(countFlag(reference.dump, PF_KSM)).toBeGreaterThanOrEqual(2 * 49_000);

      // The default batch, and a small one (more, shorter ranges).
      for (const extra of [[], ['--batch-pages', '100']]) {
        const batched = await runProbe(sc.info.pids, 'batched', extra);
        expect(batched.stats.pages).toBe(reference.stats.pages);
        expect(columns(batched.dump)).toEqual(columns(reference.dump));
        for (const bit of [PF_ZERO_PAGE, PF_KSM, PF_THP])
          expect(countFlag(batched.dump, bit)).toBe(countFlag(reference.dump, bit));
        // and it is batched: the 4 pages of a merged group share one frame, read once when they are in one
        // batch (7,000 groups per process, 3 reads saved per group), however scattered memory is
        expect(batched.stats.kpageflagsReads).toBeLessThan(reference.stats.kpageflagsReads - 2 * 20_000);
      }
    } finally {
      await sc.stop();
    }
  });

  it('rejects an unknown UPM_PROBE_TEST_KPAGEFLAGS value, naming it', async () => {
    const r = execFileP(PROBE_BIN, ['--pid', String(process.pid), '-o', '/dev/null'], {
      env: { ...process.env, UPM_PROBE_TEST_KPAGEFLAGS: 'sorted' },
    });
    await expect(r).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining("UPM_PROBE_TEST_KPAGEFLAGS: 'sorted'") });
  });
});
