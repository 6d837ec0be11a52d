/** The JSON report of the node-heap validation: what main.ts writes and render.ts (also from a saved file) reads. */
import { KsmResult } from '@upm/model/merge';
import { SharingReport } from '@upm/model/sharing';
import { KsmCounters } from '../../lib/ksm-control';
import { Evidence, Region, RegionRow } from './analyse';
import { Options } from './options';

export interface KsmdSched {
  wallSec: number;
  cpuSec: number;
  runQueueWaitSec: number;
}

export interface Report {
  date: string;
  command: string;
  machine: {
    kernel: string;
    nproc: number;
    cpu: string;
    memGiB: number;
    node: string;
    python: string;
    thp: string;
    hz: string;
  };
  options: Options;
  file: { bytes: number; pages: number; sha256: string; seed: number };
  children: { pids: number[]; ksmMergeAny: boolean[] };
  probe: {
    snapshots: number;
    intervalMs: number;
    seconds: number;
    dumpBytes: number;
    stats: Record<string, unknown>[];
    args: string[];
  };
  ksmSettings: Record<string, string>;
  ksmSettingsFound: Record<string, string>;
  sharing: { upm: SharingReport['total']; ksm: SharingReport['total']; perProcessRssMiB: number[] };
  models: {
    /** simulated ksmd CPU seconds until the model's own 50% / 100% of its final pages_sharing */
    ksmCpuSecUntil: {
      half: number | null;
      full: number | null;
      firstMergeSec: number | null;
      firstMerge: number | null;
    };
    /** diagnostic: converged counters of the KSM model when only smaps `mg` VMAs count (ksm_merge_any hidden) */
    ksmMgOnly: KsmResult['converged'];
    none: Record<string, unknown>;
    upm: Record<string, unknown>;
    ksmCli: Record<string, unknown>;
    ksmAfterDump: Record<string, unknown> & {
      timelineSampled: { t: number; pagesSharing: number; pagesShared: number; fullScans: number }[];
    };
    cliCommands: string[];
  };
  kernel: {
    startedAfterFirstSnapshotMs: number;
    attempts: number;
    converged: boolean;
    stoppedAfterSec: number;
    lastChangeSec: number;
    final: KsmCounters;
    fullScansInRun: number;
    pagesScannedInRun: number;
    sharingHalfSec: number | null;
    sharingFullSec: number | null;
    savedMiB: number;
    /** the whole machine's CPU use during the run (2 CPUs shared with other work) and ksmd's own CPU time */
    cpu: {
      ticksPerSec: number;
      machineBusyPercent: number;
      ksmdCpuSec: number;
      ksmdRunQueueWaitSec: number;
      /** ksmd's CPU and run-queue wait seconds from run=1 until pages_sharing reached 50% / 100% of its final value */
      ksmdAtHalf: KsmdSched | null;
      ksmdAtFull: KsmdSched | null;
      /** ... until the first merge (pages_sharing > 0): the first full scan only stores checksums, merging starts in the second */
      ksmdAtFirstMerge: KsmdSched | null;
      loadavgBefore: string;
      loadavgAfter: string;
    };
    foreign: string[];
    timelineSampled: { t: number; pagesShared: number; pagesSharing: number; fullScans: number }[];
    perProcess: { pid: number; ksmStat: Record<string, number | string> }[];
    postDump: { ksmPages: number; ksmFrames: number } | null;
  };
  evidence: {
    regions: Record<Region, RegionRow>;
    notMg: Evidence['notMg'];
    thpPages: number;
    snapshotElapsedMs: number[];
  };
  restoreProblems: string[];
}
