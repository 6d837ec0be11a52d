/**
 * One compute context (a worker thread, or the API process itself when the pool has no threads): its cache of
 * decoded inputs and the step that runs a task on it. A task whose inputs are not cached here answers which
 * are missing; the caller sends their bytes with the task again (so bytes cross threads only on a miss).
 */
import { decodeInput, inputsOf, runComputeTask, serializeError, type ComputeTask, type InputRef, type SerializedError } from './compute.tasks';
import { InputCache, retainedBytes } from '@upm/platform/inputs/input-cache';
import type { Dump, NormalizedTrace } from '@upm/model';

export interface ComputeRequest {
  task: ComputeTask;
  /** Stored bytes of inputs this context said it lacks, by sha256. */
  blobs?: Record<string, Uint8Array>;
}

export type ComputeReply =
  | { missing: string[] }
  | { ok: true; value: unknown; decoded: number }
  | { ok: false; error: SerializedError; decoded: number };

export class ComputeRunner {
  private readonly cache: InputCache<Dump | NormalizedTrace>;

  constructor(cacheBytes: number) {
    this.cache = new InputCache(cacheBytes);
  }

  run({ task, blobs = {} }: ComputeRequest): ComputeReply {
    const refs = inputsOf(task);
    const missing = [...new Set(refs.filter((r) => !this.cache.has(r.sha256) && !blobs[r.sha256]).map((r) => r.sha256))];
    if (missing.length > 0) return { missing };
    // Decoded once per task even when over the cache budget (then kept only for this task).
    const local = new Map<string, Dump | NormalizedTrace>();
    let decoded = 0;
    try {
      const get = (ref: InputRef) => {
        let v = local.get(ref.sha256) ?? this.cache.get(ref.sha256);
        if (v === undefined) {
          const bytes = blobs[ref.sha256];
          v = decodeInput(ref, bytes);
          decoded++;
          this.cache.set(ref.sha256, v, retainedBytes(v));
        }
        local.set(ref.sha256, v);
        return v;
      };
      const value = runComputeTask(task, { dump: (r) => get(r) as Dump, trace: (r) => get(r) as NormalizedTrace });
      return { ok: true, value, decoded };
    } catch (e) {
      return { ok: false, error: serializeError(e), decoded };
    }
  }

  get cached(): { entries: number; bytes: number } {
    return { entries: this.cache.size, bytes: this.cache.bytes };
  }
}
