import type { Job, JobStatus } from 'bull';
import { JobState, JobStatusDto } from './dto/job-status.dto';

const iso = (ms: number | undefined | null): string | null => (ms ? new Date(ms).toISOString() : null);

export function toJobStatusDto(job: Job, queue: string, state: JobStatus | 'stuck'): JobStatusDto {
  const progress = Number(job.progress());
  return {
    id: String(job.id),
    queue,
    name: job.name,
    state: state as JobState,
    progress: Number.isFinite(progress) ? Math.max(0, Math.min(100, progress)) : 0,
    // Bull counts only failed attempts; the running or successful one counts too.
    attempts: job.attemptsMade + (state === 'active' || state === 'completed' ? 1 : 0),
    maxAttempts: job.opts.attempts ?? 1,
    failedReason: job.failedReason ?? null,
    result: job.returnvalue ?? null,
    createdAt: new Date(job.timestamp).toISOString(),
    startedAt: iso(job.processedOn),
    finishedAt: iso(job.finishedOn),
  };
}
