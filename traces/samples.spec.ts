/** The committed samples are exactly what traces/samples/README.md says made them. */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingestTrace } from '@upm/model/traces';
import { generateAzure2019, generateAzure2021 } from '@upm/model/traces/generator';

const SAMPLES = join(__dirname, 'samples');
const CASES: {
  dir: string;
  /** What the README's `upm trace generate` command passes to the generator. */
  generate: (outDir: string) => Promise<unknown>;
  functions: number;
  apps: number;
  invocations: number;
}[] = [
  {
    dir: 'azure2019-50fn-d01',
    generate: (outDir) => generateAzure2019({ functions: 50, seed: 42, outDir, day: 1, memoryScope: 'app' }),
    functions: 50,
    apps: 31,
    invocations: 7996890,
  },
  {
    dir: 'azure2019-50fn-d01-480-959',
    generate: (outDir) => generateAzure2019({ functions: 50, seed: 42, outDir, day: 1, minutes: [480, 959], memoryScope: 'function' }),
    functions: 50,
    apps: 31,
    invocations: 3166965,
  },
  {
    dir: 'azure2021-100fn-20min',
    generate: (outDir) => generateAzure2021({ functions: 100, seed: 42, outDir, minutes: 20 }),
    functions: 20,
    apps: 8,
    invocations: 1161,
  },
];

describe('committed synthetic samples', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'upm-samples-'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it.each(CASES)('$dir is reproduced byte for byte by its README command and reads back', async (c) => {
    const out = join(tmp, c.dir);
    await c.generate(out);
    const committed = readdirSync(join(SAMPLES, c.dir)).sort();
    expect(readdirSync(out).sort()).toEqual(committed);
    for (const f of committed)
      expect(readFileSync(join(out, f)).equals(readFileSync(join(SAMPLES, c.dir, f)))).toBe(true);
    const t = await ingestTrace(
      committed.map((f) => join(SAMPLES, c.dir, f)),
      { maxBadRowFraction: 0 },
    );
    expect({
      functions: t.stats.functions,
      apps: t.stats.apps,
      invocations: t.stats.invocations,
      unjoined: t.stats.unjoined,
    }).toEqual({
      functions: c.functions,
      apps: c.apps,
      invocations: c.invocations,
      unjoined: 0,
    });
  });
});
