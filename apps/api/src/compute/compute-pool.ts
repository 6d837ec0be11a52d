import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { BlobNotFoundError, BlobStore, env, InputContentMissingError } from '@upm/platform';
import { extname, join } from 'node:path';
import Piscina from 'piscina';
import { ComputeRunner, type ComputeReply, type ComputeRequest } from './compute-runner';
import { inputsOf, rebuildError, type ComputeTask, type InputRef, type ResultOf } from './compute.tasks';

export interface ComputePoolStats {
  /** Compute threads (0: tasks run on the event loop). */
  threads: number;
  /** Tasks running now. */
  running: number;
  tasks: number;
  /** Inputs whose stored bytes were read and handed to a compute context (cache misses). */
  inputsSent: number;
  /** Inputs decoded (each miss is decoded once). */
  decoded: number;
}

/**
 * Runs the API's CPU-heavy requests (synchronous analyses, sharing breakdowns, density, trace function lists
 * and profiles, function-key checks) on worker threads, so /health and every other request keep being
 * answered meanwhile. Each thread keeps the inputs it decoded by content hash: a repeated request on the
 * same dumps or trace reads no blob and decodes nothing. API_COMPUTE_THREADS=0 runs tasks inline.
 */
@Injectable()
export class ComputePool implements OnModuleDestroy {
  private piscina: Piscina | null = null;
  private readonly inline: ComputeRunner | null;
  private readonly counters = { running: 0, tasks: 0, inputsSent: 0, decoded: 0 };
  private readonly cacheBytes: number;
  readonly threads: number;

  constructor(
    config: ConfigService,
    private readonly blobs: BlobStore,
  ) {
    this.threads = env(config, 'API_COMPUTE_THREADS');
    this.cacheBytes = env(config, 'API_COMPUTE_CACHE_MB') * 2 ** 20;
    this.inline = this.threads === 0 ? new ComputeRunner(this.cacheBytes) : null;
  }

  /** The threads, started by the first task (an API that is never asked for heavy work starts none). */
  private pool(): Piscina {
    if (this.piscina) return this.piscina;
    const filename = join(__dirname, `compute.worker${extname(__filename)}`);
    this.piscina = new Piscina({
      filename,
      // threads live as long as the API: their caches are the point
      minThreads: this.threads,
      maxThreads: this.threads,
      idleTimeout: Number.MAX_SAFE_INTEGER,
      workerData: { cacheBytes: this.cacheBytes },
      // below the event loop's priority: on a busy host the thread yields to the requests, not the reverse
      niceIncrement: 10,
      // from sources (tests, `ts-node`), a thread compiles its TypeScript as the main thread does
      ...(filename.endsWith('.ts') ? { execArgv: ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register'] } : {}),
    });
    return this.piscina;
  }

  async run<T extends ComputeTask>(task: T): Promise<ResultOf<T>> {
    this.counters.tasks++;
    this.counters.running++;
    try {
      const refs = new Map(inputsOf(task).map((r) => [r.sha256, r]));
      const blobs: Record<string, Uint8Array> = {};
      // Each reply names what that context lacks; with several threads a retry may land on another one.
      for (let attempt = 0; attempt <= this.threads + 1; attempt++) {
        const reply = await this.dispatch({ task, blobs: attempt === 0 ? undefined : blobs });
        if ('missing' in reply) {
          for (const sha of reply.missing) {
            if (blobs[sha]) continue;
            blobs[sha] = await this.read(refs.get(sha)!);
            this.counters.inputsSent++;
          }
          continue;
        }
        this.counters.decoded += reply.decoded;
        if (!reply.ok) throw rebuildError(reply.error);
        return reply.value as ResultOf<T>;
      }
      throw new Error(`compute task ${task.kind}: its inputs were sent and still reported missing`);
    } finally {
      this.counters.running--;
    }
  }

  stats(): ComputePoolStats {
    return { threads: this.threads, ...this.counters };
  }

  async onModuleDestroy(): Promise<void> {
    await this.piscina?.destroy();
  }

  private async dispatch(request: ComputeRequest): Promise<ComputeReply> {
    if (this.inline) return this.inline.run(request);
    // Moved, not copied, to the thread: each buffer is made to own its whole ArrayBuffer first (a Buffer may
    // be a view into Node's shared pool, which must not be detached).
    const transferList: ArrayBuffer[] = [];
    if (request.blobs) {
      for (const [sha, b] of Object.entries(request.blobs)) {
        const own = b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer ? b : new Uint8Array(b);
        request.blobs[sha] = own;
        transferList.push(own.buffer as ArrayBuffer);
      }
    }
    try {
      return (await this.pool().run(request, { transferList })) as ComputeReply;
    } finally {
      // moved buffers are gone from this side; a retry reads them again
      if (request.blobs) for (const sha of Object.keys(request.blobs)) delete request.blobs[sha];
    }
  }

  private async read(ref: InputRef): Promise<Uint8Array> {
    try {
      return await this.blobs.read(ref.sha256);
    } catch (e) {
      if (e instanceof BlobNotFoundError) throw new InputContentMissingError(ref.kind, ref.id);
      throw e;
    }
  }
}
