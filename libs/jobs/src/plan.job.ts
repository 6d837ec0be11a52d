import type { AnalysisJson, AnalysisRequest } from '@upm/model';
import { jobIdFor, QUEUES } from './queues';

/**
 * Plans: the product's main job. A `plan` job (id `plans:<planId>`) expands the plan's sweep and enqueues
 * one `plan-point` job per point (id `plans:<planId>:<index>`). Ids derive from the plan's content hash, so
 * submitting the same plan twice, or re-running a coordinator after a crash, enqueues nothing new.
 */
export interface PlanJobPayload {
  version: 1;
  planId: string;
}

export interface PlanJobResult {
  version: 1;
  planId: string;
  points: number;
}

export interface PlanPointJobPayload {
  version: 1;
  planId: string;
  index: number;
}

export interface PlanPointJobResult {
  version: 1;
  planId: string;
  index: number;
  /** True when this point completed the plan and combined the results. */
  combined: boolean;
  /**
   * The plan's state after this point: running (more points to come), completed, failed (the point was late
   * and ignored), null (the plan was deleted meanwhile).
   */
  planState: 'queued' | 'running' | 'completed' | 'failed' | null;
}

export function planJobId(planId: string): string {
  return jobIdFor(QUEUES.plans, planId);
}

/** A point job lives in the plan-points queue (see QUEUES.planPoints). */
export function planPointJobId(planId: string, index: number): string {
  return jobIdFor(QUEUES.planPoints, `${planId}:${index}`);
}

/** The plan of a point job id (`plan-points:<planId>:<index>`), or undefined for another id. */
export function planOfPointJobId(jobId: string): string | undefined {
  const m = /^plan-points:([0-9a-f]{64}):\d+$/.exec(jobId);
  return m?.[1];
}

/** A large analysis (POST /v1/analyses) run by a worker; the request is validated before it is enqueued. */
export interface AnalysisJobPayload {
  version: 1;
  /** A validated AnalysisRequest (see libs/upm-model merge/analysis.ts), as JSON. */
  request: AnalysisRequest;
  dumpIds: string[];
}

export interface AnalysisJobResult {
  version: 1;
  result: AnalysisJson;
}
