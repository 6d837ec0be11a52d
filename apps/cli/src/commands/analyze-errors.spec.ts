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

  it('checks its flags with the API\'s validateAnalysisRequest, naming the flag and its value', async () => {
    await expect(analyze([sample], { model: 'ksm', pagesToScan: '0' })).rejects.toEqual(
      new CliError("--pages-to-scan '0': ksm.pagesToScan must be a whole number from 1 to 16777216, got 0", 2),
    );
    await expect(analyze([sample], { model: 'ksm', smartScan: 'yes' })).rejects.toEqual(
      new CliError("--smart-scan 'yes': expected 0 or 1", 2),
    );
    await expect(analyze([sample], { sharing: true, snapshot: '-1' })).rejects.toEqual(
      new CliError("--snapshot '-1': snapshot must be a whole number from 0 to 9007199254740991, got -1", 2),
    );
    const calls = join(dir, 'bad-calls.json');
    writeFileSync(calls, JSON.stringify([{ pid: 1, timeMs: 0, ranges: [[8192, 4096]] }]));
    await expect(analyze([sample], { model: 'upm', calls })).rejects.toEqual(
      new CliError(`--calls ${calls}: upmCalls[0].ranges[0] must be [start, end) with start < end, got [8192,4096]`, 1),
    );
  });
});
