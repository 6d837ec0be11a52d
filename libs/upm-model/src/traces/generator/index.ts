/** Seeded synthetic Azure-format traces (docs/traces.md, "Generator"). */
export * from './calibration';
export { planTrace, CountStream, durationPercentiles, memoryPercentiles, hex64 } from './model';
export type { GenPlan, GenFunction, GenApp, ArrivalPattern, PlanOptions } from './model';
export { generateAzure2019, azure2019FileNames, validateMinutes } from './azure2019';
export type { Azure2019GenOptions, GeneratedFiles } from './azure2019';
export { generateAzure2021, AZURE2021_FILE_NAME, AZURE2021_DEFAULT_MAX_APP_DAILY } from './azure2021';
export type { Azure2021GenOptions } from './azure2021';
