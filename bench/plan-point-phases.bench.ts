/**
 * Where one plan point's time goes, in one process: the phases a plan-point sandbox goes through for a point of
 * the scale-out sweep (bench/scale-out.bench.ts), without the database. Decoding the stored trace, loading the
 * two dumps, building the profiles, and the replay (runPlan of the point, which builds the profiles again and
 * replays none/ksm/upm), serializing its result, and the last point's combination of the 16 results. Prints one line per phase: median ms over BENCH_REPEAT (default 3) runs and its share
 * of a point.
 *
 *   npm run bench:plan-point-phases     # BENCH_POINT (default 5: 2 GiB, TTL 10 min), BENCH_REPEAT
 */
import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildProfiles, combineSweep, decodeTrace, encodeTrace, expandSweep, loadDump, planSpecHash, resolveProfiles, runPlan, TraceIngest, validatePlanSpec, type Dump, type PlanSpec } from '@upm/model';
import { REPO_ROOT } from '../scripts/lib/services';

const TRACE_DIR = join(REPO_ROOT, 'test/fixtures/traces/invitro/data/traces/500');
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const POINT = Number(process.env.BENCH_POINT ?? 5);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timed<T>(times: Map<string, number[]>, phase: string, f: () => T | Promise<T>): Promise<T> {
  const t0 = performance.now();
  const out = await f();
  const list = times.get(phase) ?? [];
  list.push(performance.now() - t0);
  times.set(phase, list);
  return out;
}

async function main(): Promise<void> {
  const ingest = new TraceIngest({ format: 'auto' });
  for (const f of ['invocations.csv', 'durations.csv', 'memory.csv']) await ingest.addFile({ name: f, stream: createReadStream(join(TRACE_DIR, f)) });
  const stored = encodeTrace(ingest.finish());
  const dumpBytes = ['http-handler', 'image-recognition'].map((n) => readFileSync(join(REPO_ROOT, `samples/dumps/${n}.dump`)));
  const times = new Map<string, number[]>();
  let resultBytes = 0;
  for (let r = 0; r < REPEAT; r++) {
    const trace = await timed(times, 'decode the stored trace', () => decodeTrace(stored));
    const dumps = new Map<string, Dump>();
    await timed(times, 'load the 2 dumps', async () => {
      dumps.set('http', await loadDump(dumpBytes[0]));
      dumps.set('image', await loadDump(dumpBytes[1]));
    });
    const spec = validatePlanSpec({
      version: 1,
      trace: 'bench',
      profiles: { rules: [{ match: { trigger: 'http' }, dumps: ['http'] }], default: ['image'] },
      host: { memoryGiB: 2 },
      policy: { kind: 'ttl', ttlMinutes: 10 },
      models: ['none', 'ksm', 'upm'],
      seed: 7,
      sweep: { hostMemoryGiB: [1, 2, 4, 8], ttlMinutes: [5, 10, 15, 20] },
    });
    const point = expandSweep(spec as PlanSpec)[POINT];
    await timed(times, 'build the profiles', () => buildProfiles(trace.functions, resolveProfiles(point, trace), dumps, { assumeMergeable: point.modelParams.ksm.assumeMergeable, snapshot: point.profiles.snapshot, fallback: point.profiles.fallback }));
    const result = await timed(times, 'runPlan of the point (profiles + replay)', () => runPlan(point, { trace, dumps }));
    const json = await timed(times, 'serialize the point result (JSON)', () => JSON.stringify(result));
    resultBytes = json.length;
    // The last point's job combines all 16 stored results: here 16 copies of this one (the same shapes), each
    // labelled as its point's.
    const points = expandSweep(spec as PlanSpec);
    await timed(times, 'the last point: parse 16 results, combine, serialize', () =>
      JSON.stringify(combineSweep(spec, points.map((p) => ({ ...(JSON.parse(json) as object), specHash: planSpecHash(p) }) as typeof result))),
    );
  }
  const total = ['decode the stored trace', 'load the 2 dumps', 'runPlan of the point (profiles + replay)'].reduce((s, p) => s + median(times.get(p)!), 0);
  process.stdout.write(`point ${POINT} of the 16-point sweep, ${(stored.length / 1e6).toFixed(1)} MB stored trace, ${(resultBytes / 1e3).toFixed(0)} kB point result, median of ${REPEAT}\n`);
  for (const [phase, xs] of times) process.stdout.write(`${phase}: ${median(xs).toFixed(0)} ms (${((100 * median(xs)) / total).toFixed(1)}% of a point's decode + load + runPlan)\n`);
}

main().catch((e) => {
  process.stderr.write(`bench:plan-point-phases failed: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
