/**
 * Bull sandboxed processor for plan points: runs in its own process (no DI), so a replay that keeps a
 * core busy for minutes neither blocks the worker's event loop nor lets the job's lock expire.
 */
import 'reflect-metadata';
import { PlanPointJobPayload, PlanPointJobResult } from '@upm/jobs';
import { buildDataSourceOptions, discardingPermanentErrors, PlanLifecycle, runStoredPlanPoint, StoredInputs, validateEnvironment } from '@upm/platform';
import type { Job } from 'bull';
import { DataSource } from 'typeorm';

// Bull forks this process; if the worker dies (even by SIGKILL) the IPC channel closes: stop with it, so no
// orphan keeps a core busy while another worker runs the same job again.
process.on('disconnect', () => process.exit(0));

interface SandboxContext {
  lifecycle: PlanLifecycle;
  inputs: StoredInputs;
}

let context: Promise<SandboxContext> | undefined;

async function connect(): Promise<SandboxContext> {
  // The sandbox is a process entry point of its own: it validates the environment like main.ts does.
  const env = validateEnvironment(process.env);
  const dataSource = new DataSource(buildDataSourceOptions(env.DATABASE_URL));
  await dataSource.initialize();
  // no queue: a point only reports itself done; the worker's own process enqueues and marks failures
  return { lifecycle: new PlanLifecycle(dataSource), inputs: new StoredInputs(dataSource, { cacheBytes: env.WORKER_INPUT_CACHE_MB * 2 ** 20 }) };
}

export default async function processPlanPoint(job: Job<PlanPointJobPayload>): Promise<PlanPointJobResult> {
  const { lifecycle, inputs } = await (context ??= connect());
  const { planId, index } = job.data;
  // In a sandbox, progress(0) reads instead of setting: start at 1.
  await job.progress(1);
  // a missing plan, point or input fails the same way on every attempt: no retry
  const saved = await discardingPermanentErrors(job, () => runStoredPlanPoint(lifecycle, inputs, planId, index, (p) => void job.progress(p)));
  await job.progress(100);
  return { version: 1, planId, index, combined: saved.combined, planState: saved.state };
}
