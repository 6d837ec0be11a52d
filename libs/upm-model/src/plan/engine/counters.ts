/** The event counts of an engine run (what EngineResult reports besides memory). */
import type { UpmCallStats } from '../merge-state';

export class EngineCounters {
  invocations = 0;
  coldStarts = 0;
  warmStarts = 0;
  rejectedMemory = 0;
  rejectedCpu = 0;
  evictions = 0;
  expirations = 0;
  /** Hybrid histogram: containers unloaded at release to be pre-warmed later. */
  unloads = 0;
  prewarms = 0;
  /** Pre-warms that found no host with room. */
  prewarmsSkipped = 0;
  /** Sum of cold start latencies, madvise calls that lengthen them included (ms). */
  coldLatencyMs = 0;
  madviseCalls = 0;
  madviseCostUs = 0;
  madviseMerges = 0;
  madviseMisses = 0;
  /** Invocations replayed before the end of the warm-up (not counted in `invocations`). */
  warmupInvocations = 0;
  /** Per function (perFunction only): cold starts, warm starts, rejections. */
  readonly fnCold: Uint32Array | null;
  readonly fnWarm: Uint32Array | null;
  readonly fnRejected: Uint32Array | null;

  constructor(nFn: number, perFunction: boolean) {
    this.fnCold = perFunction ? new Uint32Array(nFn) : null;
    this.fnWarm = perFunction ? new Uint32Array(nFn) : null;
    this.fnRejected = perFunction ? new Uint32Array(nFn) : null;
  }

  /**
   * The end of a warm-up: every count so far is dropped (the containers stay), so that the result counts the
   * events from here on. `warmupInvocations` keeps the invocations replayed before (for progress).
   */
  reset(): void {
    this.warmupInvocations += this.invocations;
    this.invocations = 0;
    this.coldStarts = 0;
    this.warmStarts = 0;
    this.rejectedMemory = 0;
    this.rejectedCpu = 0;
    this.evictions = 0;
    this.expirations = 0;
    this.unloads = 0;
    this.prewarms = 0;
    this.prewarmsSkipped = 0;
    this.coldLatencyMs = 0;
    this.madviseCalls = 0;
    this.madviseCostUs = 0;
    this.madviseMerges = 0;
    this.madviseMisses = 0;
    this.fnCold?.fill(0);
    this.fnWarm?.fill(0);
    this.fnRejected?.fill(0);
  }

  madvise(r: UpmCallStats): void {
    this.madviseCalls++;
    this.madviseCostUs += r.costUs;
    this.madviseMerges += r.merges;
    this.madviseMisses += r.misses;
  }
}
