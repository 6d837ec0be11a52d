/**
 * The Python guest run of kernel/upm/scripts/run-functions.sh (init-functions): parses the console, decodes
 * each N's upm-probe dump (taken while every data-numpy process was blocked just before its madvise call) and
 * replays the planner's UPM model over it with the calls the processes made (one per process, in start order,
 * over the range each one reported), for comparison with the kernel's /sys/kernel/mm/upm counters
 * (after − before the N calls).
 */
import { readFileSync } from 'node:fs';
import { loadDumpBytes } from '@upm/model/dump';
import type { Dump } from '@upm/model/dump/types';
import { runUpmModel, type UpmResult } from '@upm/model/merge';

export const COMPARED = [
  'pages_merged',
  'pages_registered',
  'pages_scanned',
  'lookups',
  'already_registered',
  'same_page',
  'stale_entries',
  're_registered',
  'collisions',
  'merge_failed',
  'table_entries',
  'pages_saved',
] as const;
export type Compared = (typeof COMPARED)[number];

export interface GuestRun {
  n: number;
  pids: number[];
  ready: { pid: number; range: [number, number]; initS: number; checksum: number }[];
  /** per process: madvise return value, errno, duration in ns (CLOCK_MONOTONIC in the guest) */
  merged: { rc: number; errno: number; ns: number }[];
  before: Record<string, number>;
  after: Record<string, number>;
  usedKiB: [number, number, number];
  rollupBefore: Record<string, [number, number]>;
  rollupAfter: Record<string, [number, number]>;
  dump: Dump;
}

export function parseConsole(text: string): { runs: GuestRun[]; errors: string[]; done: boolean; exit: Record<string, number> | null } {
  const lines = text.split('\n');
  const runs: GuestRun[] = [];
  const errors: string[] = [];
  let exit: Record<string, number> | null = null;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (l.startsWith('UPMFN-EXIT ')) exit = JSON.parse(l.slice(11));
    if (!l.startsWith('UPMFN {')) continue;
    const j = JSON.parse(l.slice(6));
    if (j.error) {
      errors.push(`N=${j.n}: ${j.error}`);
      continue;
    }
    const b = lines.indexOf(`UPMFN-DUMP-BEGIN ${j.n}`, i);
    const e = lines.indexOf('UPMFN-DUMP-END', b);
    if (b < 0 || e < 0) throw new Error(`console: no dump for N=${j.n} after line ${i + 1}`);
    const bytes = Buffer.from(lines.slice(b + 1, e).join(''), 'base64');
    runs.push({
      ...j,
      merged: (j.merged as string[]).map((s) => {
        const [rc, errno, ns] = s.split(' ').map(Number);
        return { rc, errno, ns };
      }),
      dump: loadDumpBytes(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length)),
    });
    i = e;
  }
  return { runs, errors, done: lines.includes('UPMFN-DONE'), exit };
}

export function kernelDelta(r: GuestRun): Record<Compared, number> {
  const d = (k: string) => (r.after[k] ?? 0) - (r.before[k] ?? 0);
  return {
    pages_merged: d('pages_merged'),
    pages_registered: d('pages_registered'),
    pages_scanned: d('pages_scanned'),
    lookups: d('lookups'),
    already_registered: d('already_registered'),
    same_page: d('same_page'),
    stale_entries: d('stale_entries'),
    re_registered: d('re_registered'),
    collisions: d('collisions'),
    merge_failed: d('merge_failed'),
    // state, not cumulative: the table and the saved frames are empty before the first call of a run
    table_entries: r.after.table_entries - r.before.table_entries,
    pages_saved: r.after.pages_saved - r.before.pages_saved,
  };
}

export function predict(r: GuestRun): { model: UpmResult; counters: Record<Compared, number> } {
  const t = r.dump.snapshots[r.dump.snapshots.length - 1].info.elapsedMs + 1;
  const model = runUpmModel([r.dump], {
    calls: r.ready.map((p, k) => ({ pid: p.pid, ranges: [[p.range[0], p.range[1]]], timeMs: t + k })),
    // the guest runs the 6.12 port, which takes anonymous pages only (UpmOptions.anonymousOnly)
    anonymousOnly: true,
  });
  const sum = (k: 'pagesHashed' | 'alreadyRegistered' | 'sameFrame' | 'staleEntries' | 'reRegistered') => model.calls.reduce((a, c) => a + c[k], 0);
  return {
    model,
    counters: {
      pages_merged: model.totalMerges,
      pages_registered: model.totalMisses,
      pages_scanned: sum('pagesHashed'),
      lookups: sum('pagesHashed') - sum('alreadyRegistered'),
      already_registered: sum('alreadyRegistered'),
      same_page: sum('sameFrame'),
      stale_entries: sum('staleEntries'),
      re_registered: sum('reRegistered'),
      collisions: 0,
      merge_failed: 0,
      table_entries: model.tableEntries,
      pages_saved: model.physicalPagesBefore - model.physicalPagesAfter,
    },
  };
}

/** Markdown tables of a guest run (for docs/validation.md). */
export function renderGuestMarkdown(text: string): string {
  const { runs } = parseConsole(text);
  const L: string[] = [];
  L.push(`| N | counter | kernel | model |`, '| ---: | --- | ---: | ---: |');
  for (const r of runs) {
    const k = kernelDelta(r);
    const { counters } = predict(r);
    for (const c of COMPARED) L.push(`| ${r.n} | ${c} | ${k[c]} | ${counters[c]}${k[c] === counters[c] ? '' : ' ≠'} |`);
  }
  L.push('', '| N | RSS/proc MiB | PSS/proc MiB before → after madvise | guest used MiB: at ready (+ vs before start) → after | madvise per process: ms (MiB of range resident) | ms per resident MiB |', '| ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of runs) {
    const vals = (o: Record<string, [number, number]>, i: 0 | 1) => Object.values(o).reduce((a, b) => a + b[i], 0) / r.n / 1024;
    const rssMiB = r.dump.snapshots[0].processes.map((p) => (p.count * r.dump.header.pageSize) / 1048576);
    const ms = r.merged.map((m) => m.ns / 1e6);
    const perMiB = ms.reduce((a, b) => a + b, 0) / rssMiB.reduce((a, b) => a + b, 0);
    L.push(
      `| ${r.n} | ${vals(r.rollupBefore, 0).toFixed(1)} | ${vals(r.rollupBefore, 1).toFixed(1)} → ${vals(r.rollupAfter, 1).toFixed(1)} | ${(r.usedKiB[1] / 1024).toFixed(1)} (+${((r.usedKiB[1] - r.usedKiB[0]) / 1024).toFixed(1)}) → ${(r.usedKiB[2] / 1024).toFixed(1)} | ${ms.map((m, i) => `${m.toFixed(0)} (${rssMiB[i].toFixed(1)})`).join(', ')} | ${perMiB.toFixed(1)} |`,
    );
  }
  return L.join('\n');
}

if (require.main === module) {
  process.stdout.write(renderGuestMarkdown(readFileSync(process.argv[2] ?? 'kernel/build/upm/results-functions/console.txt', 'utf8')) + '\n');
}
