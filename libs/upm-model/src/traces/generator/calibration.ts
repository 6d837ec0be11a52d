/**
 * Calibration of the synthetic trace generator to the figures published for the Azure Functions 2019 workload
 * in Shahrad et al., "Serverless in the Wild: Characterizing and Optimizing the Serverless Workload at a Large
 * Cloud Provider", USENIX ATC 2020 (§3), and to the 2021 trace's README figures (Zhang et al., SOSP 2021).
 * docs/traces.md repeats this table. The figures are the paper's as we know them from its text and figures (not
 * re-checked against the PDF here); the log-normal and Burr parameters are the fits the paper reports.
 *
 * | What (paper, §3)                               | Published figure                                  | How the generator uses it                      |
 * |------------------------------------------------|---------------------------------------------------|------------------------------------------------|
 * | Functions per app                              | 54% of apps have 1 function; 95% have ≤ 10        | P(1) = 0.54, else 2·U^(-1/1.30) (Pareto tail)  |
 * | Functions by trigger                           | http 55.0, queue 15.2, event 2.2, orchestration   | per-function trigger drawn from these shares   |
 * |                                                | 6.9, timer 15.6, storage 2.8, others 2.2 (%)      |                                                |
 * | Invocations by trigger                         | http 35.9, queue 33.5, event 24.7, orchestration  | within an app, invocations are split ∝ Zipf    |
 * |                                                | 2.3, timer 2.0, storage 0.7, others 0.9 (%)       | weight × (inv share / fn share) of the trigger |
 * | App invocation rate                            | 45% of apps invoked ≤ once per hour on average,   | daily invocations per app ~ LogNormal(μ=3.691, |
 * |                                                | 81% ≤ once per minute; 8 orders of magnitude      | σ=4.079): P(≤24/day)=0.45, P(≤1440/day)=0.81   |
 * | Popularity skew                                | the 18.6% most popular apps make 99.6% of         | follows from the log-normal above (≈ 99.9%)    |
 * |                                                | invocations                                       |                                                |
 * | Timers                                         | timer-triggered functions are periodic (IAT CV≈0) | timers fire on a fixed period snapped to       |
 * |                                                |                                                   | 10 s…24 h                                      |
 * | Average execution time per function            | ~50% of functions run < 1 s on average; fitted    | average ~ LogNormal(μ=-0.38, σ=2.36) seconds,  |
 * |                                                | by a log-normal, μ = -0.38, σ = 2.36 (ln seconds) | capped at 1 h                                  |
 * | Committed memory per app                       | median app ≈ 150 MB, 90% of apps ≤ ~400 MB;       | average MB ~ Burr XII(c=11.652, k=0.221,       |
 * |                                                | fitted by a Burr XII, c = 11.652, k = 0.221,      | λ=107.083) (median ≈ 140 MB, p90 ≈ 262 MB)     |
 * |                                                | λ = 107.083                                       |                                                |
 * | 2021 durations (trace README / reference)      | ~8.65% of the 2021 rows have duration 0           | per-invocation P(0) = 0.0865 in 2021 output    |
 *
 * Not calibrated (no published figure we rely on): the diurnal amplitude, burst shapes, the within-function
 * spread of execution times and memory, and owners per app.
 */

/** Trigger groups in the Azure 2019 trace order. */
export const GEN_TRIGGERS = ['http', 'queue', 'event', 'orchestration', 'timer', 'storage', 'others'] as const;
export type GenTrigger = (typeof GEN_TRIGGERS)[number];

/** ATC'20: share of functions and of invocations per trigger group (%). */
export const TRIGGER_SHARES: Record<GenTrigger, { functions: number; invocations: number }> = {
  http: { functions: 55.0, invocations: 35.9 },
  queue: { functions: 15.2, invocations: 33.5 },
  event: { functions: 2.2, invocations: 24.7 },
  orchestration: { functions: 6.9, invocations: 2.3 },
  timer: { functions: 15.6, invocations: 2.0 },
  storage: { functions: 2.8, invocations: 0.7 },
  others: { functions: 2.2, invocations: 0.9 },
};

/** ATC'20: apps with exactly one function; the Pareto exponent giving P(≤ 10 functions) = 0.95 overall. */
export const SINGLE_FUNCTION_APP_SHARE = 0.54;
export const FUNCTIONS_PER_APP_PARETO_ALPHA = 1.3;
export const MAX_FUNCTIONS_PER_APP = 200;

/** ATC'20: daily invocations per app, log-normal through (24/day, 0.45) and (1440/day, 0.81). */
export const APP_DAILY_RATE_LOGNORMAL = { mu: 3.691, sigma: 4.079 };
/** Cap on one app's daily invocations (~70 k/min), to keep single files within the real trace's range. */
export const MAX_APP_DAILY_INVOCATIONS = 1e8;

/** ATC'20: average execution time per function, log-normal in ln(seconds). */
export const EXEC_TIME_LOGNORMAL_S = { mu: -0.38, sigma: 2.36 };
export const MAX_AVERAGE_EXEC_S = 3600;

/** ATC'20: average committed memory per app, Burr XII. */
export const APP_MEMORY_BURR = { c: 11.652, k: 0.221, lambda: 107.083 };

/** 2021 trace: share of zero durations. */
export const ZERO_DURATION_SHARE_2021 = 0.0865;

/** Quantile helpers for the calibration checks (tests) and docs. */
export function lognormalCdf(x: number, mu: number, sigma: number): number {
  return x <= 0 ? 0 : 0.5 * (1 + erf((Math.log(x) - mu) / (sigma * Math.SQRT2)));
}

export function burrQuantile(u: number, p = APP_MEMORY_BURR): number {
  return p.lambda * Math.pow(Math.pow(1 - u, -1 / p.k) - 1, 1 / p.c);
}

/** Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7): enough for calibration checks. */
export function erf(x: number): number {
  const s = Math.sign(x);
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return s * y;
}
