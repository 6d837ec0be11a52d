/**
 * Examples shown in the OpenAPI document (illustrative values; the e2e test checks that each has exactly the
 * fields of its schema).
 */
export const TRACE_EXAMPLE = {
  id: '6f1c2a4e-0d1b-4bb0-8f25-3a1d0c9e7b11',
  name: 'azure-2019-day01',
  format: 'azure2019',
  sourceBytes: 1843200,
  window: { startS: 0, endS: 86400 },
  stats: {
    functions: 500,
    apps: 312,
    owners: 201,
    invocations: 1289344,
    functionsByTrigger: { http: 298, timer: 121, queue: 48, event: 21, storage: 8, others: 4 },
    invocationsByTrigger: { http: 903112, timer: 174520, queue: 150887, event: 48210, storage: 9831, others: 2784 },
    peakInvocationsPerMinute: 2212,
    peakMinuteStartS: 51360,
    unjoined: 0,
  },
  joinReport: null,
  warnings: [],
  files: [
    { file: 'invocations_per_function_md.anon.d01.csv', kind: 'invocations', rows: 500, badRows: 0, errors: [] },
    { file: 'function_durations_percentiles.anon.d01.csv', kind: 'durations', rows: 500, badRows: 0, errors: [] },
    { file: 'app_memory_percentiles.anon.d01.csv', kind: 'memory', rows: 312, badRows: 0, errors: [] },
  ],
  createdAt: '2026-12-03T07:40:12.000Z',
};

export const DUMP_EXAMPLE = {
  id: '3f0b6c1e-8a52-4d1c-9a57-2f6f1d0b8e21',
  sha256: '9b1d5f0c3e7a2b4d6f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6',
  name: 'image-recognition',
  bytes: 2285568,
  labels: { function: 'image-recognition' },
  summary: {
    snapshots: 1,
    processes: 4,
    vmas: 412,
    residentPages: 61844,
    distinctHashes: 30122,
    zeroPages: 3310,
    ksmPages: 0,
    anonPages: 40211,
    filePages: 21633,
    swappedPages: 0,
    thpPages: 0,
    pageSize: 4096,
    hash: { algorithm: 'xxh3-64-secret', keyId: '944a5fbc13234cbb', defaultKey: true },
    host: { hostname: 'bench-1', kernelRelease: '6.12.0-upm', pfnReadable: true, pageFlagsReadable: true },
    capturedAt: '2026-12-02T18:03:55.000Z',
  },
  createdAt: '2026-12-03T07:41:02.000Z',
};

export const PLAN_STATUS_EXAMPLE = {
  id: '44325d3fc5b8a1e0c9f7d6b5a4e3c2b1a09f8e7d6c5b4a3928171605f4e3d2c1',
  state: 'queued',
  progress: 0,
  points: 1,
  pointsDone: 0,
  trace: '6f1c2a4e-0d1b-4bb0-8f25-3a1d0c9e7b11',
  error: null,
  summary: null,
  createdAt: '2026-12-03T07:55:00.000Z',
  completedAt: null,
  created: true,
};
