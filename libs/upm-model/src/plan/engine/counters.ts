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
  /** Per function (perFunction only): cold starts, warm starts, rejections. */
  readonly fnCold: Uint32Array | null;
  readonly fnWarm: Uint32Array | null;
  readonly fnRejected: Uint32Array | null;

  constructor(nFn: number, perFunction: boolean) {
    this.fnCold = perFunction ? new Uint32Array(nFn) : null;
    this.fnWarm = perFunction ? new Uint32Array(nFn) : null;
    this.fnRejected = perFunction ? new Uint32Array(nFn) : null;
  }

  madvise(r: UpmCallStats): void {
    this.madviseCalls++;
    this.madviseCostUs += r.costUs;
    this.madviseMerges += r.merges;
    this.madviseMisses += r.misses;
  }
}
