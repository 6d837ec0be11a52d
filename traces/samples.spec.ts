/** The committed samples are exactly what traces/samples/README.md says made them. */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingestTrace } from '@upm/model/traces';
import { generateTrace } from '../apps/cli/src/commands/trace.command';

const SAMPLES = join(__dirname, 'samples');
const CASES: {
  dir: string;
  args: Parameters<typeof generateTrace>[0];
  functions: number;
  apps: number;
  invocations: number;
}[] = [
  {
    dir: 'azure2019-50fn-d01',
    args: { format: 'azure2019', functions: '50', seed: '42', out: '' },
    functions: 50,
    apps: 31,
    invocations: 7996890,
  },
  {
    dir: 'azure2019-50fn-d01-480-959',
    args: { format: 'azure2019', functions: '50', seed: '42', minutes: '480..959', memoryScope: 'function', out: '' },
    functions: 50,
    apps: 31,
    invocations: 3166965,
  },
  {
    dir: 'azure2021-100fn-20min',
    args: { format: 'azure2021', functions: '100', seed: '42', minutes: '20', out: '' },
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
    await generateTrace({ ...c.args, out }, false);
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
