import cluster from 'node:cluster';
import { randomUUID } from 'node:crypto';
import { AggregatorRegistry, type Registry } from 'prom-client';

/**
 * With API_PROCESSES > 1 each process counts its own requests, and a scrape lands on any one of them: the
 * counters would jump between processes. So the process that serves a scrape asks the primary, which gathers
 * every process's registry over node:cluster IPC (prom-client's AggregatorRegistry: counters and histograms
 * summed) and answers with the whole. Without a cluster nothing of this runs.
 */
const REQUEST = 'upm:metrics-request';
const REPLY = 'upm:metrics-reply';
const TIMEOUT_MS = 5000;

interface MetricsRequest {
  type: typeof REQUEST;
  id: string;
}
interface MetricsReply {
  type: typeof REPLY;
  id: string;
  body?: string;
  error?: string;
}

/** In the primary: answers the processes' requests with every process's metrics, aggregated. */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: Partial<MetricsRequest>) => {
    if (message?.type !== REQUEST || typeof message.id !== 'string') return;
    const id = message.id;
    aggregator.clusterMetrics().then(
      (body) => worker.send({ type: REPLY, id, body } satisfies MetricsReply),
      (e: Error) => worker.send({ type: REPLY, id, error: e.message } satisfies MetricsReply),
    );
  });
}

/** In a cluster process: hands `registry` to the primary's aggregation (prom-client answers its requests). */
export function shareWithClusterPrimary(registry: Registry): void {
  new AggregatorRegistry(); // adds prom-client's IPC listener in this process
  AggregatorRegistry.setRegistries([registry]);
}

/** In a cluster process: the metrics of every process of the cluster, from the primary. */
export function clusterMetrics(): Promise<string> {
  const id = randomUUID();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`no answer from the API's primary process in ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
    const onMessage = (m: Partial<MetricsReply>) => {
      if (m?.type === REPLY && m.id === id) done(m.error ? new Error(m.error) : null, m.body ?? '');
    };
    function done(err: Error | null, body = ''): void {
      clearTimeout(timer);
      process.off('message', onMessage);
      if (err) reject(err);
      else resolve(body);
    }
    process.on('message', onMessage);
    process.send!({ type: REQUEST, id } satisfies MetricsRequest);
  });
}

export const inCluster = (): boolean => cluster.isWorker;
