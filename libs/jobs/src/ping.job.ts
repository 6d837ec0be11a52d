/** The walking-skeleton job: proves API → Redis → worker → database. */
export interface PingPayload {
  version: 1;
  message: string;
  /** How long the worker holds the job before finishing it (to test crash recovery). */
  holdMs: number;
}

export interface PingResult {
  version: 1;
  message: string;
  workerId: string;
  /** How many times a worker ran this job; the database row is written once whatever this says. */
  runs: number;
  recordedAtMs: number;
}

export const PING_MAX_HOLD_MS = 120_000;
