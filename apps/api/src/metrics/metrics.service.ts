import { getQueueToken } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ModuleRef } from '@nestjs/core';
import { ALL_QUEUES } from '@upm/jobs';
import { env, renderWorkerMetrics } from '@upm/platform';
import type { Queue } from 'bull';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { clusterMetrics, inCluster, shareWithClusterPrimary } from './cluster-metrics';

const JOB_STATES = ['waiting', 'active', 'delayed', 'completed', 'failed', 'paused'] as const;

/**
 * The API's Prometheus metrics: its own (HTTP requests, uploads, process) in a registry of its own (so several
 * apps in one test process do not collide), plus queue depth from Bull and the workers' counters from Redis.
 * With API_PROCESSES > 1 the first part is every process's, summed (cluster-metrics.ts); queue depth and the
 * workers' counters are read once, from Redis, in a registry apart (summing them would count them N times).
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({
    name: 'upm_http_requests_total',
    help: 'HTTP requests served, by method, route and status.',
    labelNames: ['method', 'route', 'status'],
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'upm_http_request_duration_seconds',
    help: 'HTTP request latency (until the response is finished), by method, route and status.',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly uploadBytes = new Counter({
    name: 'upm_upload_bytes_total',
    help: 'Bytes received on upload routes (dumps, traces), by kind and status.',
    labelNames: ['kind', 'status'],
    registers: [this.registry],
  });
  /** read from Redis at each scrape: the same for every API process */
  private readonly sharedRegistry = new Registry();
  private readonly queueJobs = new Gauge({
    name: 'upm_queue_jobs',
    help: 'Jobs in each Bull queue, by state (waiting: the queue depth).',
    labelNames: ['queue', 'state'],
    registers: [this.sharedRegistry],
  });
  private readonly prefix: string;

  constructor(
    private readonly moduleRef: ModuleRef,
    config: ConfigService,
  ) {
    this.prefix = env(config, 'QUEUE_PREFIX');
    collectDefaultMetrics({ register: this.registry, prefix: 'upm_api_' });
    if (inCluster()) shareWithClusterPrimary(this.registry);
  }

  private queues(): Array<[string, Queue]> {
    return ALL_QUEUES.map((n) => [n, this.moduleRef.get<Queue>(getQueueToken(n), { strict: false })]);
  }

  /** The whole exposition: the API's registry, then queue and worker metrics read now. */
  async render(): Promise<{ contentType: string; body: string }> {
    const queues = this.queues();
    let workers = '';
    try {
      await Promise.all(
        queues.map(async ([name, q]) => {
          // Bull counts paused jobs too, which its JobCounts type leaves out
          const counts: Partial<Record<(typeof JOB_STATES)[number], number>> = await q.getJobCounts();
          for (const s of JOB_STATES) this.queueJobs.set({ queue: name, state: s }, counts[s] ?? 0);
        }),
      );
      workers = await renderWorkerMetrics(queues[0][1].client, this.prefix);
    } catch {
      // Redis down: the API's own metrics still answer; health says what is down.
    }
    const own = inCluster() ? await clusterMetrics() : await this.registry.metrics();
    return { contentType: this.registry.contentType, body: `${own.trimEnd()}\n${await this.sharedRegistry.metrics()}${workers}` };
  }
}
