import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError } from '@upm/client';
import { analyze } from './analyze.command';

describe('upm analyze: error messages', () => {
  const sample = join(__dirname, '../../../../samples/dumps/http-handler.dump');
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'upm-analyze-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names a bad dump file once', async () => {
    const bad = join(dir, 'x.dump');
    writeFileSync(bad, 'corrupt\n');
    const e = (await analyze([bad], { model: 'none' }).catch((x) => x)) as CliError;
    expect(e).toBeInstanceOf(CliError);
    expect(e.message.startsWith(`${bad}: `)).toBe(true);
    expect(e.message.split(bad)).toHaveLength(2); // the name appears once
  });

  it('says a missing or broken --calls file in words, not as a raw ENOENT', async () => {
    await expect(analyze([sample], { model: 'upm', calls: join(dir, 'nope.json') })).rejects.toEqual(
      new CliError(`--calls ${join(dir, 'nope.json')}: no such file`, 1),
    );
    const broken = join(dir, 'calls.json');
    writeFileSync(broken, '[{"pid": 1,');
    await expect(analyze([sample], { model: 'upm', calls: broken })).rejects.toMatchObject({
      message: expect.stringMatching(/^--calls .*calls\.json: not valid JSON \(/),
    });
  });
});
