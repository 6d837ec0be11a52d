/** The node-heap validation run, step by step (see scripts/validation/node-heap.ts, its entry point). */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadDump } from '@upm/model/dump';
import { Dump } from '@upm/model/dump/types';
import { runKsmModel, KsmResult } from '@upm/model/merge';
import { SharingReport } from '@upm/model/sharing';
import {
  counters,
  foreignKsmProcesses,
  KsmCounters,
  KsmRun,
  KsmSession,
  ksmUnavailableReason,
  readKsm,
  runUntilStable,
  timeToFraction,
  waitNoForeign,
} from '../../lib/ksm-control';
import { dumpEvidence, postRunEvidence, sampleAt } from './analyse';
import {
  children,
  CliAnalyzeOptions,
  cpuSample,
  ksmdPid,
  ksmStat,
  machine,
  probe,
  schedOf,
  startChild,
  upmAnalyze,
  writeSeededFile,
} from './collect';
import { CLK_TCK, log, MiB, PAGE, PROBE_BIN, ROOT, sleep } from './common';
import { Options, parseArgs } from './options';
import { writeDoc } from './render';
import { Report } from './report';

/**
 * The predictions, made before ksmd runs: the CLI's own code path, plus the KSM model started after the dump
 * (as ksmd is here), its simulated CPU time to its own 50% / 100% points, and the `mg`-only diagnostic.
 */
async function predict(dump: Dump, dumpFile: string, o: Options) {
  log('sharing analysis and models');
  const cli = async (opts: CliAnalyzeOptions) => JSON.parse(await upmAnalyze(dumpFile, opts));
  const sharingUpm = (await cli({ sharing: true })) as SharingReport;
  const sharingKsm = (await cli({ sharing: true, model: 'ksm' })) as SharingReport;
  const none = await cli({ model: 'none' });
  const upm = await cli({ model: 'upm' });
  const ksmCli = await cli({
    model: 'ksm',
    timeline: true,
    pagesToScan: String(o.pagesToScan),
    sleepMs: String(o.sleepMs),
  });
  const lastElapsed = dump.snapshots[dump.snapshots.length - 1].info.elapsedMs;
  const ksmOpts = {
    runStartMs: lastElapsed,
    timelineResolutionMs: 0,
    params: {
      pagesToScan: o.pagesToScan,
      sleepMs: o.sleepMs,
      useZeroPages: false,
      maxPageSharing: 256,
      smartScan: true,
    },
  };
  const ksmAfter: KsmResult = runKsmModel([dump], ksmOpts);
  // the model's simulated ksmd CPU time until its own 50% / 100% points: the same simulation, stopped there
  const modelCpuUntil = (t: number | null) =>
    t === null ? null : runKsmModel([dump], { ...ksmOpts, maxSimMs: t * 1000 + 1e-6 }).cpuSec;
  // diagnostic, not the prediction: the same model on the same dump with ksm_merge_any hidden, so that only
  // the VMAs smaps shows as `mg` (VM_MERGEABLE) count as mergeable
  const mgOnly: Dump = {
    ...dump,
    snapshots: dump.snapshots.map((sn) => ({
      ...sn,
      processes: sn.processes.map((p) => ({
        ...p,
        info: { ...p.info, ksm: p.info.ksm ? { ...p.info.ksm, ksm_merge_any: 'no' } : null },
      })),
    })),
  };
  const ksmMgOnly = runKsmModel([mgOnly], ksmOpts).converged;
  const firstMergeSec = ksmAfter.timeline.find((p) => p.pagesSharing > 0)?.t ?? null;
  const modelCpuAt = {
    half: modelCpuUntil(ksmAfter.sharingHalfSec),
    full: modelCpuUntil(ksmAfter.sharingFullSec),
    firstMergeSec,
    firstMerge: modelCpuUntil(firstMergeSec),
  };
  const cliCommands = [
    'upm analyze --sharing DUMP --json',
    'upm analyze --sharing --model ksm DUMP --json',
    'upm analyze DUMP --model none --json',
    'upm analyze DUMP --model upm --json',
    `upm analyze DUMP --model ksm --json --timeline --pages-to-scan ${o.pagesToScan} --sleep-ms ${o.sleepMs}`,
  ];
  return { sharingUpm, sharingKsm, none, upm, ksmCli, ksmAfter, ksmMgOnly, modelCpuAt, cliCommands };
}

/**
 * The real ksmd on the same processes, until its counters are stable; again (up to 3 attempts) when other
 * processes used KSM meanwhile. ksmd's CPU and run-queue time are sampled with every counter sample.
 */
async function runKernel(session: KsmSession, pids: number[], o: Options, firstSnapWall: number) {
  let kernel: KsmRun | null = null;
  let attempts = 0;
  let startedAfterFirst = 0;
  let before: KsmCounters = counters();
  const ksmd = ksmdPid();
  let cpu0 = cpuSample(ksmd);
  let ksmdSched: { run: number; wait: number }[] = [];
  let cpu1 = cpu0;
  for (attempts = 1; ; attempts++) {
    await session.reset();
    await waitNoForeign(pids, 600_000, log);
    before = counters();
    cpu0 = cpuSample(ksmd);
    ksmdSched = [];
    startedAfterFirst = Date.now() - firstSnapWall;
    log(
      `ksmd run ${attempts}: pages_to_scan ${o.pagesToScan}, sleep ${o.sleepMs} ms (${(startedAfterFirst / 1000).toFixed(1)} s after the first snapshot)`,
    );
    let lastLog = 0;
    kernel = await runUntilStable({
      ours: pids,
      timeoutMs: o.timeoutS * 1000,
      onSample: (c, t) => {
        const now = schedOf(ksmd);
        ksmdSched.push({ run: now.run - cpu0.ksmd.run, wait: now.wait - cpu0.ksmd.wait });
        if (t - lastLog < 5000) return;
        lastLog = t;
        log(
          `  t=${(t / 1000).toFixed(1)} s shared ${c.pages_shared} sharing ${c.pages_sharing} full_scans +${c.full_scans - before.full_scans}`,
        );
      },
    });
    cpu1 = cpuSample(ksmd);
    if (kernel.foreign.length === 0 || attempts === 3) break;
    log(`other processes used KSM during the run (${kernel.foreign.join('; ')}): again`);
  }
  if (!kernel) throw new Error('no ksmd run');
  return { kernel, attempts, startedAfterFirst, before, cpu0, cpu1, ksmdSched };
}

export async function main(): Promise<number> {
  const o = parseArgs(process.argv.slice(2));
  if (o.renderJson) {
    if (!o.doc) throw new Error('--render-json needs a doc to write (not --no-doc)');
    writeDoc(o.doc, JSON.parse(fs.readFileSync(o.renderJson, 'utf8')) as Report);
    log(`wrote ${path.relative(process.cwd(), o.doc)} from ${o.renderJson}`);
    return 0;
  }
  const why = ksmUnavailableReason();
  if (why) throw new Error(`cannot run: ${why}`);
  if (!fs.existsSync(PROBE_BIN)) throw new Error(`${path.relative(ROOT, PROBE_BIN)} is not built: make -C kernel`);
  const command =
    `TS_NODE_TRANSPILE_ONLY=1 npx ts-node -r tsconfig-paths/register scripts/validation/node-heap.ts ${process.argv.slice(2).join(' ')}`.trim();
  const fileBytes = o.fileMib * MiB;

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'upm-validate-node-heap-'));
  const session = new KsmSession({ leaveRunStopped: true });
  let cleaned = false;
  const cleanupSync = () => {
    if (cleaned) return [];
    cleaned = true;
    children.killSync();
    const problems = session.restoreSync();
    fs.rmSync(tmp, { recursive: true, force: true });
    return problems;
  };
  process.on('exit', cleanupSync);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.on(sig, () => {
      log(`${sig}: killing children, restoring KSM`);
      for (const p of cleanupSync()) log(`restore problem: ${p}`);
      process.exit(128 + (os.constants.signals[sig] ?? 0));
    });

  let restoreProblems: string[] = [];
  let report: Report;
  try {
    // 1. the file
    const dataFile = path.join(tmp, 'data.bin');
    log(`writing ${o.fileMib} MiB of seeded pseudo-random bytes (seed ${o.seed})`);
    const sha256 = writeSeededFile(dataFile, fileBytes, o.seed);

    // KSM under the lock from here: ksmd stopped and everything unmerged before the children start, so the
    // dump sees unmerged pages and the run starts from zero
    await session.open(900_000, log);
    const ksmBefore = { run: session.savedRun, ...Object.fromEntries(session.saved) };
    log(`KSM settings found (restored at the end, run left at 0): ${JSON.stringify(ksmBefore)}`);
    const settings = {
      pages_to_scan: o.pagesToScan,
      sleep_millisecs: o.sleepMs,
      use_zero_pages: 0,
      max_page_sharing: 256,
      smart_scan: 1,
      advisor_mode: 'none',
    };
    await session.configure(settings);
    const ksmSettings: Record<string, string> = {};
    for (const k of [...session.saved.keys()]) ksmSettings[k] = readKsm(k);

    // 2. the processes (started one after the other: 2 cores)
    log(`starting ${o.processes} node processes (prctl PR_SET_MEMORY_MERGE, then exec node)`);
    for (let i = 0; i < o.processes; i++) await startChild(dataFile, 120_000);
    const pids = children.pids;
    const mergeAny = pids.map((p) => ksmStat(p).ksm_merge_any === 'yes');
    if (!mergeAny.every(Boolean))
      throw new Error(`PR_SET_MEMORY_MERGE did not survive exec: ksm_merge_any ${JSON.stringify(mergeAny)}`);
    log(`ready: pids ${pids.join(' ')}; settling ${o.settleMs} ms`);
    await sleep(o.settleMs);

    // 3. the dump (ksmd stopped)
    const dumpFile = path.join(tmp, 'node-heap.dump');
    log(`probing: ${o.snapshots} snapshots ${o.intervalMs} ms apart`);
    const pr = await probe(pids, dumpFile, {
      interval: o.intervalMs,
      count: o.snapshots,
      labels: ['function=node-heap', 'source=scripts/validation/node-heap.ts'],
    });
    const dump = await loadDump(dumpFile);
    const firstSnapWall = dump.snapshots[0].info.timeMs;
    const ev = dumpEvidence(dump, fileBytes);

    // 4. predictions, made before ksmd runs (the CLI's own code path, plus the KSM model started after the dump)
    const { sharingUpm, sharingKsm, none, upm, ksmCli, ksmAfter, ksmMgOnly, modelCpuAt, cliCommands } = await predict(
      dump,
      dumpFile,
      o,
    );

    // 5. the real ksmd on the same processes
    const { kernel, attempts, startedAfterFirst, before, cpu0, cpu1, ksmdSched } = await runKernel(
      session,
      pids,
      o,
      firstSnapWall,
    );
    const perProcess = pids.map((pid) => ({ pid, ksmStat: ksmStat(pid) }));
    log('post-run dump (KSM flags of the merged pages)');
    const postFile = path.join(tmp, 'node-heap-after-ksm.dump');
    await probe(pids, postFile, { count: 1, labels: ['function=node-heap', 'phase=after-ksm'] });
    const post = postRunEvidence(ev, await loadDump(postFile), fileBytes);
    if (o.keep) {
      fs.mkdirSync(o.keep, { recursive: true });
      for (const f of [dumpFile, postFile]) fs.copyFileSync(f, path.join(o.keep, path.basename(f)));
    }

    // 6. the report
    const final = kernel.final;
    const schedAtSample = (i: number) =>
      i < 0
        ? null
        : { wallSec: kernel.samples[i][0] / 1000, cpuSec: ksmdSched[i].run, runQueueWaitSec: ksmdSched[i].wait };
    const firstMergeIdx = kernel.samples.findIndex(([, , sharing]) => sharing > 0);
    const schedAt = (fraction: number) => {
      const i = kernel.samples.findIndex(
        ([, , sharing]) => final.pages_sharing > 0 && sharing >= final.pages_sharing * fraction,
      );
      return i < 0
        ? null
        : { wallSec: kernel.samples[i][0] / 1000, cpuSec: ksmdSched[i].run, runQueueWaitSec: ksmdSched[i].wait };
    };
    const kTimeline = kernel.samples.map(([t, shared, sharing, scans]) => ({
      t: t / 1000,
      pagesShared: shared,
      pagesSharing: sharing,
      fullScans: scans - before.full_scans,
    }));
    const tEnd =
      Math.max(ksmAfter.sharingFullSec ?? 0, timeToFraction(kernel.samples, final.pages_sharing, 1) ?? 0) * 1.25 || 10;
    const times = Array.from({ length: 12 }, (_, i) => Number(((tEnd * (i + 1)) / 12).toFixed(2)));
    const mTimeline = ksmAfter.timeline.map((p) => ({
      t: p.t,
      pagesShared: p.pagesShared,
      pagesSharing: p.pagesSharing,
      fullScans: p.fullScans,
    }));
    const pick = <T extends { t: number; pagesShared: number; pagesSharing: number; fullScans: number }>(pts: T[]) =>
      sampleAt(pts, times).map((p, i) => ({
        t: times[i],
        pagesShared: p?.pagesShared ?? 0,
        pagesSharing: p?.pagesSharing ?? 0,
        fullScans: p?.fullScans ?? 0,
      }));
    const { timeline: _omit, ...ksmAfterRest } = ksmAfter;
    report = {
      date: new Date().toISOString().slice(0, 10),
      command,
      machine: machine(),
      options: o,
      file: { bytes: fileBytes, pages: fileBytes / PAGE, sha256, seed: o.seed },
      children: { pids, ksmMergeAny: mergeAny },
      probe: {
        snapshots: o.snapshots,
        intervalMs: o.intervalMs,
        seconds: pr.seconds,
        dumpBytes: fs.statSync(dumpFile).size,
        stats: pr.stats,
        args: pr.args,
      },
      ksmSettings,
      ksmSettingsFound: ksmBefore,
      sharing: {
        upm: sharingUpm.total,
        ksm: sharingKsm.total,
        perProcessRssMiB: sharingUpm.processes.map((p) => p.residentMiB),
      },
      models: {
        ksmCpuSecUntil: modelCpuAt,
        ksmMgOnly,
        none,
        upm: { ...upm, calls: undefined, callCount: (upm.calls as unknown[]).length },
        ksmCli: { ...ksmCli, timeline: undefined, timelinePoints: (ksmCli.timeline as unknown[]).length },
        ksmAfterDump: { ...ksmAfterRest, timelineSampled: pick(mTimeline) },
        cliCommands,
      },
      kernel: {
        startedAfterFirstSnapshotMs: startedAfterFirst,
        attempts,
        converged: kernel.converged,
        stoppedAfterSec: kernel.stoppedMs / 1000,
        lastChangeSec: kernel.lastChangeMs / 1000,
        final,
        fullScansInRun: final.full_scans - before.full_scans,
        pagesScannedInRun: final.pages_scanned - before.pages_scanned,
        sharingHalfSec: timeToFraction(kernel.samples, final.pages_sharing, 0.5),
        sharingFullSec: timeToFraction(kernel.samples, final.pages_sharing, 1),
        savedMiB: (final.pages_sharing * PAGE) / MiB,
        cpu: {
          ticksPerSec: CLK_TCK,
          machineBusyPercent: (100 * (cpu1.busy - cpu0.busy)) / Math.max(1, cpu1.total - cpu0.total),
          ksmdCpuSec: cpu1.ksmd.run - cpu0.ksmd.run,
          ksmdRunQueueWaitSec: cpu1.ksmd.wait - cpu0.ksmd.wait,
          ksmdAtFirstMerge: schedAtSample(firstMergeIdx),
          ksmdAtHalf: schedAt(0.5),
          ksmdAtFull: schedAt(1),
          loadavgBefore: cpu0.load,
          loadavgAfter: cpu1.load,
        },
        foreign: kernel.foreign,
        timelineSampled: pick(kTimeline),
        perProcess,
        postDump: post,
      },
      evidence: { regions: ev.regions, notMg: ev.notMg, thpPages: ev.thpPages, snapshotElapsedMs: ev.snapshotTimesMs },
      restoreProblems: [],
    };
  } finally {
    log('stopping children, unmerging, restoring KSM settings');
    await children.stop();
    restoreProblems = cleanupSync();
    for (const p of restoreProblems) log(`restore problem: ${p}`);
    if (foreignKsmProcesses([]).some((f) => children.list.some((c) => f.startsWith(`${c.pid} `))))
      log('warning: a child still takes part in KSM');
  }
  report.restoreProblems = restoreProblems;
  const json = JSON.stringify(report, null, 2) + '\n';
  process.stdout.write(json);
  if (o.jsonOut) fs.writeFileSync(o.jsonOut, json);
  if (o.doc) {
    writeDoc(o.doc, report);
    log(`wrote ${path.relative(process.cwd(), o.doc)}`);
  }
  return restoreProblems.length ? 1 : 0;
}
