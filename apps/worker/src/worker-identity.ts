import { hostname } from 'node:os';

/** Names this worker process in results and logs: several workers on several machines share one queue. */
export const WORKER_ID = `${hostname()}:${process.pid}`;
