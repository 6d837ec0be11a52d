import type { JobOptions } from 'bull';

/** Queue names. One queue per kind of work, so workers can be scaled per kind. */
export const QUEUES = {
  system: 'system',
  plans: 'plans',
  /**
   * The points of plans, apart from their coordinating jobs: Bull adds up the concurrency of every named
   * processor of a queue, so on one queue a worker ran a point per processor (two replays on its one core).
   */
  planPoints: 'plan-points',
  analyses: 'analyses',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];
export const ALL_QUEUES: readonly QueueName[] = Object.values(QUEUES);

export const JOB_NAMES = {
  ping: 'ping',
  /** Expands a plan into its points and enqueues one point job each. */
  plan: 'plan',
  /** Replays the trace for one point of a plan (one host size × policy × ...), in a sandboxed process. */
  planPoint: 'plan-point',
  analysis: 'analysis',
} as const;
export type JobName = (typeof JOB_NAMES)[keyof typeof JOB_NAMES];

/**
 * Retry only what can be transient (a worker died, the database was busy): the coordinator and the point and
 * analysis sandboxes discard deterministic failures with `job.discard()` (see isPermanentJobError in
 * @upm/platform). Finished jobs stay for a day so their status can be read.
 */
export const DEFAULT_JOB_OPTIONS: JobOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 24 * 3600 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

/** A job id says which queue it lives in: `<queue>:<id>`. */
export function jobIdFor(queue: QueueName, id: string): string {
  return `${queue}:${id}`;
}

export function queueOfJobId(jobId: string): QueueName | undefined {
  const queue = jobId.split(':', 1)[0];
  return (ALL_QUEUES as readonly string[]).includes(queue) ? (queue as QueueName) : undefined;
}
