/**
 * The capacity planner: plan specs, the discrete-event simulator over traces and dumps, sweeps, sizing and
 * per-host density. See docs/simulator.md.
 */
export * from './spec';
export * from './result';
export { runPlan, searchHosts, invocationSource, checkPlanWindow, MAX_TIMESERIES_POINTS } from './simulator';
export type { PlanInputs, PlanHooks, InvocationSource } from './simulator';
export { combineSweep, modelSummaries } from './sweep';
export { buildProfiles, buildProfilesFrom } from './profiles';
export type { ContainerTemplate, ProfileSet, ProfileSource, ProfileBuildOptions, ProfileRequest } from './profiles';
export { densityPerHost } from './density';
export type { DensityInput, DensityResult, DensityRow } from './density';
