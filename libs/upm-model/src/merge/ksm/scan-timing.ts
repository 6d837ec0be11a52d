/**
 * When ksmd runs: ksm_scan_thread() does one batch (ksm_do_scan(pages_to_scan)), then sleeps with
 * wait_event_freezable_timeout(..., msecs_to_jiffies(sleep_millisecs)), i.e. schedule_timeout(J).
 *
 * J = msecs_to_jiffies(ms) = ceil(ms * HZ / 1000). The timer wheel files a level-0 timer in the bucket
 * after its expiry (calc_index() rounds up so a timer never fires early: "expires + LVL_GRAN"), so a
 * timeout of J jiffies armed during jiffy n fires at the tick that starts jiffy n + J + 1. ksmd wakes on
 * a tick, works W, and arms its timer during jiffy floor(W / tick): one batch period is
 *   (floor(W / tick) + J + 1) ticks.
 * At HZ = 250 and the defaults (100 pages, 20 ms): J = 5, W ~ 0.1 ms, period = 6 ticks = 24 ms, i.e.
 * 100 / 0.024 = 4,167 pages/s, not the nominal 5,000 (measured on this 6.18 host: 4,147 pages/s).
 */

export interface KsmTiming {
  /** CONFIG_HZ of the kernel (250 on the measured host: /proc/config.gz CONFIG_HZ=250). */
  hz: number;
  /** CPU per visited page: page walk, checksum (xxhash of 4 KiB), rmap bookkeeping. */
  pageCostUs: number;
  /** CPU per tree level visited by a stable or unstable tree search (memcmp + get_mergeable_page). */
  treeStepUs: number;
  /** CPU at the start of each full pass (lru_add_drain_all() on every CPU). */
  passStartUs: number;
  /** Scheduling latency between the tick and ksmd running. */
  wakeLatencyUs: number;
}

export const DEFAULT_KSM_TIMING: KsmTiming = {
  hz: 250,
  pageCostUs: 0.8,
  treeStepUs: 0.15,
  passStartUs: 30,
  wakeLatencyUs: 20,
};

/** msecs_to_jiffies(): rounds up. */
export function msecsToJiffies(ms: number, hz: number): number {
  return Math.ceil((ms * hz) / 1000 - 1e-9);
}

/** Time (ms) at which ksmd starts its next batch after a batch that ended at `endMs`. */
export function nextWakeMs(endMs: number, sleepMs: number, t: KsmTiming): number {
  const tick = 1000 / t.hz;
  const jiffy = Math.floor(endMs / tick + 1e-9);
  return (jiffy + msecsToJiffies(sleepMs, t.hz) + 1) * tick + t.wakeLatencyUs / 1000;
}

/** Batch period (ms) for a batch starting on a tick and doing `workUs` of CPU. */
export function batchPeriodMs(workUs: number, sleepMs: number, t: KsmTiming): number {
  const start = t.wakeLatencyUs / 1000;
  return nextWakeMs(start + workUs / 1000, sleepMs, t) - start;
}

/** Steady-state pages/s for a scan where every batch visits `pagesToScan` pages. */
export function scanRatePagesPerSec(pagesToScan: number, sleepMs: number, t: KsmTiming = DEFAULT_KSM_TIMING): number {
  const period = batchPeriodMs(pagesToScan * t.pageCostUs, sleepMs, t);
  return (pagesToScan * 1000) / period;
}
