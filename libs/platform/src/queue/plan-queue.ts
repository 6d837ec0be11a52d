import { JOB_NAMES, planJobId, planOfPointJobId, planPointJobId, type PlanJobPayload, type PlanPointJobPayload } from '@upm/jobs';
import type { Job, Queue } from 'bull';
import type { PlanState } from '../database/entities/plan.entity';

/** Point jobs added per Redis transaction: a 10000-point sweep is enqueued in 10 round trips, not 10000. */
const ENQUEUE_BATCH = 1000;

/** What the progress of a plan is computed from. */
export interface PlanProgressQuery {
  id: string;
  state: PlanState;
  points: number;
  /** Its points whose results are stored (the database knows them: Redis is not asked). */
  done: number;
}

/**
 * The active jobs of a queue with their progress, in one round trip: the ids in `<queue>:active`, each followed
 * by the `progress` field of its hash (Bull keeps a job at `<queue>:<jobId>`). Proportional to the jobs running
 * now (a few per worker), not to the points of the plans asked about.
 */
const ACTIVE_PROGRESS_LUA = `
local ids = redis.call('LRANGE', KEYS[1], 0, -1)
local out = {}
for _, id in ipairs(ids) do
  out[#out + 1] = id
  out[#out + 1] = redis.call('HGET', ARGV[1] .. id, 'progress') or ''
end
return out`;

/**
 * Every Bull call about plans: enqueueing the plan job and its point jobs, removing them, reading their
 * progress (and, below, telling a job that failed for good from one Bull will retry). It lives in libs/platform,
 * beside QueueModule (the Bull infrastructure API and worker share), not in libs/jobs: libs/jobs is the contract
 * (names, payloads, ids) that both sides import without a Redis connection; this is the one implementation of
 * that contract over Bull, used by the API (the producer) and the worker (the consumer) alike.
 */
export class PlanQueue {
  constructor(
    /** the coordinating plan jobs (QUEUES.plans) */
    private readonly queue: Queue<PlanJobPayload>,
    /** the point jobs (QUEUES.planPoints): a queue of their own, so a worker runs one replay at a time */
    private readonly points: Queue<PlanPointJobPayload>,
  ) {}

  /** Enqueues the coordinating job. Adding a job whose id exists is a no-op in Bull: a plan never runs twice. */
  async enqueuePlan(planId: string): Promise<void> {
    await this.queue.add(JOB_NAMES.plan, { version: 1, planId }, { jobId: planJobId(planId) });
  }

  /** Enqueues one job per point. Their ids are deterministic: enqueueing again (a coordinator re-run) adds nothing. */
  async enqueuePoints(planId: string, points: number): Promise<void> {
    for (let start = 0; start < points; start += ENQUEUE_BATCH) {
      const jobs = [];
      for (let index = start; index < Math.min(points, start + ENQUEUE_BATCH); index++) jobs.push(pointJob(planId, index));
      await this.points.addBulk(jobs);
    }
  }

  /** Enqueues point `index` of a plan (a no-op when that job exists). */
  async enqueuePoint(planId: string, index: number): Promise<void> {
    const { name, data, opts } = pointJob(planId, index);
    await this.points.add(name, data, opts);
  }

  /** Removes the plan's jobs, finished or not, so that its id can be enqueued again (a re-run, a deletion). */
  async removePlanJobs(planId: string, points: number): Promise<void> {
    await (await this.queue.getJob(planJobId(planId)))?.remove();
    for (let i = 0; i < points; i++) await (await this.points.getJob(planPointJobId(planId, i)))?.remove();
  }

  /**
   * The progress (0..100) of each plan: 100 when completed, 0 when queued, else its points done (from the
   * database) at 100 and its running point jobs at their own progress, averaged over its points, at most 99.
   * One Redis command for all the plans, whose cost is the number of point jobs running on the workers.
   */
  async progressOf(plans: readonly PlanProgressQuery[]): Promise<Map<string, number>> {
    const progress = new Map<string, number>();
    const pending = new Map<string, { points: number; sum: number }>();
    for (const p of plans) {
      if (p.state === 'completed') progress.set(p.id, 100);
      else if (p.state === 'queued' || p.points === 0) progress.set(p.id, 0);
      else pending.set(p.id, { points: p.points, sum: 100 * Math.min(p.done, p.points) });
    }
    if (pending.size === 0) return progress;
    await this.points.isReady();
    const reply = (await this.points.client.eval(ACTIVE_PROGRESS_LUA, 1, this.points.toKey('active'), this.points.toKey(''))) as string[];
    for (let i = 0; i + 1 < reply.length; i += 2) {
      const planId = planOfPointJobId(reply[i]);
      const p = planId === undefined ? undefined : pending.get(planId);
      if (p) p.sum += Math.min(100, jobProgress(reply[i + 1]));
    }
    for (const [id, p] of pending) progress.set(id, Math.min(99, Math.round(p.sum / p.points)));
    return progress;
  }
}

/**
 * Whether a failed job (of any queue) will not be retried: its attempts are used up, or its processor discarded
 * it (`job.discard()`; Bull's typings leave Job.isDiscarded out). The one copy of this check.
 */
export function jobFailedForGood(job: Job): boolean {
  const discardable: Job & { isDiscarded?: () => boolean } = job;
  return job.attemptsMade >= (job.opts.attempts ?? 1) || discardable.isDiscarded?.() === true;
}

/** Point `index` of a plan as Bull adds it: its id is deterministic, so adding it again adds nothing. */
function pointJob(planId: string, index: number): { name: string; data: PlanPointJobPayload; opts: { jobId: string } } {
  return { name: JOB_NAMES.planPoint, data: { version: 1, planId, index }, opts: { jobId: planPointJobId(planId, index) } };
}

/** A job's stored `progress` field as a number, as Job.fromJSON and Number(job.progress()) would read it. */
function jobProgress(raw: unknown): number {
  if (typeof raw !== 'string') return 0;
  try {
    return Number(JSON.parse(raw)) || 0;
  } catch {
    return 0;
  }
}
