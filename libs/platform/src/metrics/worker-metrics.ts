import type { Redis } from 'ioredis';

/**
 * Worker counters, kept in Redis so the API's GET /metrics shows what every worker on every host did (workers
 * have no HTTP listener). One hash per deployment, `<QUEUE_PREFIX>:metrics:workers`, fields `metric|label|...`,
 * incremented atomically by each worker; Prometheus computes rates from these cumulative counters.
 */
export const JOB_SECONDS_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

export function workerMetricsKey(prefix: string): string {
  return `${prefix}:metrics:workers`;
}

export type JobOutcome = 'completed' | 'failed' | 'retried';

export interface JobObservation {
  queue: string;
  name: string;
  outcome: JobOutcome;
  /** Processing time (started to finished), for completed and failed jobs. */
  seconds?: number;
}

/** Records one job's end in the shared hash. Labels must not contain `|`. */
export async function recordJob(redis: Redis, prefix: string, o: JobObservation): Promise<void> {
  const key = workerMetricsKey(prefix);
  const m = redis.multi();
  m.hincrby(key, `jobs_total|${o.queue}|${o.name}|${o.outcome}`, 1);
  if (o.seconds !== undefined && o.outcome !== 'retried') {
    for (const le of JOB_SECONDS_BUCKETS) if (o.seconds <= le) m.hincrby(key, `job_seconds_bucket|${o.queue}|${le}`, 1);
    m.hincrby(key, `job_seconds_count|${o.queue}`, 1);
    m.hincrbyfloat(key, `job_seconds_sum|${o.queue}`, o.seconds);
  }
  await m.exec();
}

/** Adds to a plain counter (e.g. plan points done). */
export async function addToCounter(redis: Redis, prefix: string, metric: string, by = 1): Promise<void> {
  await redis.hincrby(workerMetricsKey(prefix), metric, by);
}

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** The shared hash in the Prometheus text format. */
export async function renderWorkerMetrics(redis: Redis, prefix: string): Promise<string> {
  const h = await redis.hgetall(workerMetricsKey(prefix));
  const jobs: string[] = [];
  const buckets = new Map<string, Map<number, number>>();
  const sums = new Map<string, number>();
  const counts = new Map<string, number>();
  let points = 0;
  for (const [field, value] of Object.entries(h)) {
    const [metric, ...labels] = field.split('|');
    const n = Number(value);
    if (metric === 'jobs_total' && labels.length === 3)
      jobs.push(`upm_worker_jobs_total{queue="${esc(labels[0])}",name="${esc(labels[1])}",outcome="${esc(labels[2])}"} ${n}`);
    else if (metric === 'job_seconds_bucket') {
      const b = buckets.get(labels[0]) ?? new Map<number, number>();
      b.set(Number(labels[1]), n);
      buckets.set(labels[0], b);
    } else if (metric === 'job_seconds_sum') sums.set(labels[0], n);
    else if (metric === 'job_seconds_count') counts.set(labels[0], n);
    else if (metric === 'plan_points_done') points = n;
  }
  const out = [
    '# HELP upm_worker_jobs_total Jobs the workers finished, by queue, job name and outcome (retried: failed, will run again).',
    '# TYPE upm_worker_jobs_total counter',
    ...jobs.sort(),
    '# HELP upm_worker_job_duration_seconds Processing time of jobs the workers finished (completed or failed), by queue.',
    '# TYPE upm_worker_job_duration_seconds histogram',
  ];
  for (const queue of [...counts.keys()].sort()) {
    const b = buckets.get(queue) ?? new Map<number, number>();
    for (const le of JOB_SECONDS_BUCKETS) out.push(`upm_worker_job_duration_seconds_bucket{queue="${esc(queue)}",le="${le}"} ${b.get(le) ?? 0}`);
    out.push(`upm_worker_job_duration_seconds_bucket{queue="${esc(queue)}",le="+Inf"} ${counts.get(queue)}`);
    out.push(`upm_worker_job_duration_seconds_sum{queue="${esc(queue)}"} ${sums.get(queue) ?? 0}`);
    out.push(`upm_worker_job_duration_seconds_count{queue="${esc(queue)}"} ${counts.get(queue)}`);
  }
  out.push('# HELP upm_plan_points_done_total Plan points the workers completed.', '# TYPE upm_plan_points_done_total counter', `upm_plan_points_done_total ${points}`);
  return out.join('\n') + '\n';
}
