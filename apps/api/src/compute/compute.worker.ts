/** Entry of a compute thread (piscina): one ComputeRunner, its cache living as long as the thread. */
import { workerData } from 'node:worker_threads';
import { ComputeRunner, type ComputeReply, type ComputeRequest } from './compute-runner';

const runner = new ComputeRunner((workerData as { cacheBytes: number }).cacheBytes);

export default function compute(request: ComputeRequest): ComputeReply {
  return runner.run(request);
}
