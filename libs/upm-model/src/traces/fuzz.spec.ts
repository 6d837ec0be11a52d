/**
 * Seeded mutation fuzzing of the readers over real sample files: whatever the bytes, a reader returns a trace
 * (whose invariants hold and which survives the binary container) or throws TraceError — never anything else.
 * A failure prints the iteration so it can be replayed alone (FUZZ_ONLY=<i>).
 */
import { invitroTrace } from '../../../../test/support/shared-dir';
import { readAzure2019 } from './azure2019';
import { readAzure2021 } from './azure2021';
import { TraceError } from './errors';
import { readHuawei2023 } from './huawei2023';
import { ingestTrace } from './ingest';
import { ReadOptions } from './input';
import { Rng } from './prng';
import { decodeTrace, encodeTrace } from './serialize';
import { invocationsPerFunction } from './stats';
import { readText, src } from './test/helpers';
import { mutateCsv as mutate } from './test/mutate';
import { NormalizedTrace } from './types';

const ITERATIONS = 5000;
const SEED = 'upm-trace-fuzz-1';

const corpus = {
  inv: Buffer.from(readText(invitroTrace('1', 'invocations.csv'))),
  invWindow: Buffer.from(readText(invitroTrace('100', 'invocations.csv')).split('\n').slice(0, 6).join('\n')),
  dur: Buffer.from(readText(invitroTrace('5', 'durations.csv'))),
  mem: Buffer.from(readText(invitroTrace('5', 'memory.csv'))),
  memReordered: Buffer.from(readText(invitroTrace('100', 'memory.csv')).split('\n').slice(0, 8).join('\n')),
  a21: Buffer.from(
    readText(invitroTrace('example', 'Azure2021', 'Azure2021_200.csv'))
      .split('\n')
      .slice(0, 80)
      .join('\n'),
  ),
  huawei: Buffer.from('day,time,7,12,31\n0,0,3,,1\n0,60,,,\n0,120,5,2,\n0,180,1,1,1\n'),
};


function checkInvariants(t: NormalizedTrace): void {
  const per = invocationsPerFunction(t.functions.length, t.arrivals);
  const total = per.reduce((s, x) => s + x, 0);
  if (total !== t.stats.invocations) throw new Error(`stats.invocations ${t.stats.invocations} != ${total}`);
  if (t.arrivals.kind === 'minute-counts') {
    const { rowPtr, slot, count } = t.arrivals;
    if (rowPtr.length !== t.functions.length + 1 || rowPtr[rowPtr.length - 1] !== slot.length)
      throw new Error('bad CSR shape');
    for (let f = 0; f < t.functions.length; f++) {
      for (let e = rowPtr[f]; e < rowPtr[f + 1]; e++) {
        if (count[e] === 0 || (e > rowPtr[f] && slot[e] <= slot[e - 1])) throw new Error('bad CSR entry');
        if (slot[e] * 60 < t.window.startS || slot[e] * 60 >= t.window.endS) throw new Error('slot outside window');
      }
    }
  }
}

async function runOne(i: number): Promise<'ok' | 'rejected'> {
  const rng = new Rng(`${SEED}:${i}`);
  const chunk = [undefined, undefined, undefined, undefined, 1000, 1000, 64, 64, 7, rng.int(3) + 1][rng.int(10)];
  const opts: ReadOptions = {
    maxBadRowFraction: [0, 0.1, 1][rng.int(3)],
    maxRowErrors: rng.int(4),
    maxLineBytes: 1 << 16,
  };
  const target = rng.int(9);
  let t: NormalizedTrace;
  try {
    switch (target) {
      case 0:
      case 1:
        t = await readAzure2019(
          {
            invocations: src('inv.csv', mutate(rng, target === 0 ? corpus.inv : corpus.invWindow), chunk),
            durations: src('dur.csv', corpus.dur),
            memory: src('mem.csv', corpus.mem),
          },
          opts,
        );
        break;
      case 2:
        t = await readAzure2019(
          { invocations: src('inv.csv', corpus.inv), durations: src('dur.csv', mutate(rng, corpus.dur), chunk) },
          opts,
        );
        break;
      case 3:
        t = await readAzure2019(
          {
            invocations: src('inv.csv', corpus.invWindow),
            memory: src('mem.csv', mutate(rng, rng.int(2) ? corpus.mem : corpus.memReordered), chunk),
          },
          opts,
        );
        break;
      case 4:
      case 5:
        t = await readAzure2021(src('a21.csv', mutate(rng, corpus.a21), chunk), opts);
        break;
      case 6:
        t = await readHuawei2023(src('day_01.csv', mutate(rng, corpus.huawei), chunk), opts);
        break;
      case 7: {
        // Auto-detection over a mutated file of any kind.
        const all = Object.values(corpus);
        t = await ingestTrace([src('any.csv', mutate(rng, all[rng.int(all.length)]), chunk)], opts);
        break;
      }
      default: {
        // The container: mutated bytes of a valid serialized trace.
        const base = encodeTrace(await readAzure2021(src('a21.csv', corpus.a21)));
        t = decodeTrace(mutate(rng, base));
        break;
      }
    }
  } catch (e) {
    if (e instanceof TraceError) return 'rejected';
    throw new Error(
      `fuzz iteration ${i} (target ${target}) crashed with a non-TraceError: ${(e as Error)?.stack ?? String(e)}`,
    );
  }
  try {
    checkInvariants(t);
    if (i % 5 === 0) {
      const back = decodeTrace(encodeTrace(t));
      if (back.stats.invocations !== t.stats.invocations || back.functions.length !== t.functions.length)
        throw new Error('round trip differs');
    }
  } catch (e) {
    throw new Error(
      `fuzz iteration ${i} (target ${target}): accepted input broke an invariant: ${(e as Error).message}`,
    );
  }
  return 'ok';
}

describe('reader fuzzing', () => {
  it(`${ITERATIONS} seeded mutations of real samples: a trace or a TraceError, nothing else`, async () => {
    const only = process.env.FUZZ_ONLY;
    const range = only !== undefined ? [Number(only)] : Array.from({ length: ITERATIONS }, (_, i) => i);
    const tally = { ok: 0, rejected: 0 };
    for (const i of range) tally[await runOne(i)]++;
    // Both outcomes must actually occur, or the fuzzer is not exercising anything.
    if (only === undefined) {
      expect(tally.ok).toBeGreaterThan(ITERATIONS * 0.05);
      expect(tally.rejected).toBeGreaterThan(ITERATIONS * 0.05);
    }
  });
});
