/** Bull sandboxed processor for large analyses: a model run over big dumps keeps a core busy. */
import 'reflect-metadata';
import { AnalysisJobPayload, AnalysisJobResult } from '@upm/jobs';
import { analysisJson, runAnalysis, validateAnalysisRequest } from '@upm/model';
import { buildDataSourceOptions, discardingPermanentErrors, StoredInputs, validateEnvironment } from '@upm/platform';
import type { Job } from 'bull';
import { DataSource } from 'typeorm';

// Bull forks this process; if the worker dies (even by SIGKILL) the IPC channel closes: stop with it, so no
// orphan keeps a core busy while another worker runs the same job again.
process.on('disconnect', () => process.exit(0));

let inputs: Promise<StoredInputs> | undefined;

async function connect(): Promise<StoredInputs> {
  const env = validateEnvironment(process.env);
  const dataSource = new DataSource(buildDataSourceOptions(env.DATABASE_URL));
  await dataSource.initialize();
  return new StoredInputs(dataSource, { cacheBytes: env.WORKER_INPUT_CACHE_MB * 2 ** 20 });
}

export default async function processAnalysis(job: Job<AnalysisJobPayload>): Promise<AnalysisJobResult> {
  const store = await (inputs ??= connect());
  // a malformed request or a missing or malformed dump fails the same way on every attempt: no retry
  return discardingPermanentErrors(job, () => analyze(store, job));
}

async function analyze(store: StoredInputs, job: Job<AnalysisJobPayload>): Promise<AnalysisJobResult> {
  const request = validateAnalysisRequest(job.data.request);
  await job.progress(1);
  const loaded = await store.loadDumps(job.data.dumpIds);
  const dumps = job.data.dumpIds.map((id) => loaded.get(id)!);
  await job.progress(10);
  let last = 10;
  const out = runAnalysis(request, dumps, {
    onProgress: ({ done, total }) => {
      const p = total > 0 ? Math.max(10, Math.min(99, Math.round(10 + (89 * done) / total))) : last;
      if (p !== last) {
        last = p;
        void job.progress(p);
      }
    },
  });
  await job.progress(100);
  return { version: 1, result: analysisJson(request, out) };
}
