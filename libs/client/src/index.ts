/** The client side of the API, shared by the CLI, the demo, the scripts and the tests: the HTTP client,
 * plan submission and watching, and the terminal renderers of results. Never imports apps/. */
export { ApiClient, type JobStatus } from './api-client';
export { CliError } from './cli-error';
export { fetchPlanResult, submitPlan, watchPlan, type PlanStatus } from './plan-watch';
export { renderPlan } from './render';
export { renderModel, renderSharing } from './render-analysis';
export { planReportHtml, type ReportBundle } from './report-html';
