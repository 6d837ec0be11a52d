/** The defaults validatePlanSpec fills in: one place for every default of a plan spec (CLI, API, web). */
import { DEFAULT_KSM_TIMING } from '../../merge/ksm/scan-timing';
import { KSM_DEFAULTS } from '../../merge/ksm/ksm-model';
import type { HybridHistogramPolicy, KsmPlanParams } from './types';

/** Seed of the replay when the spec gives none. */
export const DEFAULT_SEED = 0;

/**
 * A seed written as text (a command-line flag, a query or form field): up to 15 digits is that integer, any
 * other text is a string seed. The CLI and the API read seeds this way, so "--seed 7" and `"seed": "7"` name
 * the same plan as `"seed": 7`.
 */
export function parseSeed(text: string): number | string {
  return /^\d{1,15}$/.test(text) ? Number(text) : text;
}
export const DEFAULT_TIMESERIES_STEP_S = 60;
export const DEFAULT_MAX_HOSTS = 1024;
export const DEFAULT_SHARED_FRACTION = 0.3;
export const DEFAULT_TTL_MINUTES = 10;
export const DEFAULT_COLD_START_MS = 500;
/** Median committed memory of an Azure Functions app is about 170 MB (Shahrad et al., ATC'20, figure 9). */
export const DEFAULT_FALLBACK_MEMORY_MIB = 170;

export const HYBRID_DEFAULTS: Omit<HybridHistogramPolicy, 'kind'> = {
  rangeMinutes: 240,
  binMinutes: 1,
  prewarmPercentile: 5,
  keepAlivePercentile: 99,
  margin: 0.1,
  cvThreshold: 2,
  oobThreshold: 0.5,
  forecastMargin: 0.15,
};

/** KSM defaults: the kernel's (merge/ksm/ksm-model.ts) and the measured timing (merge/ksm/scan-timing.ts). */
export const DEFAULT_KSM_PLAN_PARAMS: Readonly<KsmPlanParams> = {
  pagesToScan: KSM_DEFAULTS.pagesToScan,
  sleepMs: KSM_DEFAULTS.sleepMs,
  maxPageSharing: KSM_DEFAULTS.maxPageSharing,
  useZeroPages: KSM_DEFAULTS.useZeroPages,
  smartScan: KSM_DEFAULTS.smartScan,
  assumeMergeable: true,
  hz: DEFAULT_KSM_TIMING.hz,
  pageCostUs: DEFAULT_KSM_TIMING.pageCostUs,
  wakeLatencyUs: DEFAULT_KSM_TIMING.wakeLatencyUs,
};
