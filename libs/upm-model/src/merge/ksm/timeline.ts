/**
 * The timeline of a KSM simulation (ksm-model.ts): the counters as /sys/kernel/mm/ksm shows them, sampled
 * after each batch that changed pages_shared or pages_sharing, at most one point per resolution window (a
 * change inside the window is kept, with the time it was first seen, until the window ends); plus the steps
 * of pages_sharing for the half / full milestones.
 */
import type { KsmCounters, KsmTimelinePoint } from './ksm-model';

export class KsmTimelineRecorder {
  readonly points: KsmTimelinePoint[] = [];
  /** (end of batch ms, pages_sharing) for each batch that changed pages_shared or pages_sharing. */
  private readonly sharingSteps: number[] = [];
  private lastSampleMs = -Infinity;
  private lastShared = -1;
  private lastSharing = -1;
  private pending: KsmTimelinePoint | null = null;

  constructor(
    /** When ksmd started (ms): timeline times are seconds since then. */
    private readonly startMs: number,
    private readonly resolutionMs: number,
    private readonly counters: () => KsmCounters,
  ) {}

  /** After a batch ending at nowMs (or, forced, at the start and the end). */
  sample(nowMs: number, force: boolean): void {
    const k = this.counters();
    const changed = k.pagesShared !== this.lastShared || k.pagesSharing !== this.lastSharing;
    if (!force && !changed && !this.pending) return;
    if (!force && nowMs - this.lastSampleMs < this.resolutionMs) {
      const p = this.pending;
      if (changed && (!p || p.pagesShared !== k.pagesShared || p.pagesSharing !== k.pagesSharing))
        this.pending = this.point(nowMs, k);
      return;
    }
    if (this.pending) {
      const p0 = this.pending;
      this.pending = null;
      this.push(p0);
      if (!force && p0.pagesShared === k.pagesShared && p0.pagesSharing === k.pagesSharing) return;
    }
    if (force || changed) this.push(this.point(nowMs, k));
  }

  /** A batch ending at endMs changed the counters; pages_sharing is now `sharing`. */
  step(endMs: number, sharing: number): void {
    this.sharingSteps.push(endMs, sharing);
  }

  /** Seconds at which pages_sharing first reached half of / all of `final` (null if final is 0). */
  milestones(final: number): { half: number | null; full: number | null } {
    let half: number | null = null;
    let full: number | null = null;
    if (final > 0) {
      const s = this.sharingSteps;
      for (let i = 0; i < s.length; i += 2) {
        const v = s[i + 1];
        if (half === null && v >= final / 2) half = (s[i] - this.startMs) / 1000;
        if (full === null && v >= final) full = (s[i] - this.startMs) / 1000;
      }
    }
    return { half, full };
  }

  private point(nowMs: number, k: KsmCounters): KsmTimelinePoint {
    return {
      t: (nowMs - this.startMs) / 1000,
      pagesShared: k.pagesShared,
      pagesSharing: k.pagesSharing,
      pagesUnshared: k.pagesUnshared,
      pagesVolatile: k.pagesVolatile,
      fullScans: k.fullScans,
    };
  }

  private push(pt: KsmTimelinePoint): void {
    this.points.push(pt);
    this.lastSampleMs = pt.t * 1000 + this.startMs;
    this.lastShared = pt.pagesShared;
    this.lastSharing = pt.pagesSharing;
  }
}
