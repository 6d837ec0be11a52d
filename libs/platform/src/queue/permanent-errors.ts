import { AnalysisRequestError, DumpFormatError, PlanSpecError, TraceError } from '@upm/model';
import { InputContentMissingError, InputNotFoundError } from '../inputs/stored-inputs';

/** The plan or the point a job names is not in the database (deleted, or never stored). */
export class PlanPointNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanPointNotFoundError';
  }
}

/**
 * Whether a job's error would recur on every attempt: its inputs are missing or malformed, or what it names does
 * not exist. Such a job is discarded at once (`job.discard()`) instead of being tried again; anything else (a
 * dead worker, a busy database, out of memory) may be transient and keeps its retries.
 */
export function isPermanentJobError(e: unknown): boolean {
  return (
    e instanceof InputNotFoundError ||
    e instanceof InputContentMissingError ||
    e instanceof PlanPointNotFoundError ||
    e instanceof DumpFormatError ||
    e instanceof TraceError ||
    e instanceof PlanSpecError ||
    e instanceof AnalysisRequestError
  );
}

/** Runs a job's work; a permanent error discards the job (no retry) before it is thrown to Bull. */
export async function discardingPermanentErrors<T>(job: { discard(): void | Promise<void> }, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (isPermanentJobError(e)) await job.discard();
    throw e;
  }
}
