/** `upm analyze` over a synthesized dump file. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Command } from 'commander';
import { synthesizeDump } from '@upm/model/dump';
import { analyze, registerAnalyzeCommands } from './analyze.command';
import { CliError } from '@upm/client';

describe('upm analyze', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'upm-analyze-'));
  const file = path.join(dir, 'a.dump');
  beforeAll(() => {
    // 3 processes x 52 pages: 30 identical, 20 unique, 2 zero-filled; mergeable (mg)
    const processes = [1, 2, 3].map((pid) => ({
      pid,
      vmas: [
        {
          flags: ['rd', 'wr', 'mr', 'mw', 'me', 'ac', 'mg'],
          pages: [...Array(50).keys()].map((i) => (i < 30 ? i + 1 : pid * 1000 + i)).concat([0, 0]),
        },
      ],
    }));
    fs.writeFileSync(file, synthesizeDump({ processes, header: { labels: { function: 'fa' } } }));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('--model upm --json prints the common keys', async () => {
    const r = JSON.parse(await analyze([file], { model: 'upm', json: true }));
    expect(r).toMatchObject({
      model: 'upm',
      residentPages: 156,
      physicalPagesBefore: 156,
      // 30 shared contents kept once, the 6 zero pages once: 156 - 60 - 5
      physicalPagesAfter: 91,
      savedBytes: 65 * 4096,
      pagesShared: 31,
      pagesSharing: 65,
    });
  });

  it('--model ksm --timeline adds {t, pagesShared, pagesSharing, fullScans} and converges to the same counters', async () => {
    const r = JSON.parse(await analyze([file], { model: 'ksm', json: true, timeline: true, pagesToScan: '50', sleepMs: '10' }));
    expect(r).toMatchObject({ model: 'ksm', pagesShared: 31, pagesSharing: 65 });
    expect(r.timeline[0]).toEqual({ t: 0, pagesShared: 0, pagesSharing: 0, fullScans: 0 });
    expect(r.timeline[r.timeline.length - 1]).toMatchObject({ pagesShared: 31, pagesSharing: 65 });
    const noTl = JSON.parse(await analyze([file], { model: 'ksm', json: true }));
    expect(noTl.timeline).toBeUndefined();
  });

  it('--model none and --sharing', async () => {
    expect(JSON.parse(await analyze([file], { model: 'none', json: true }))).toMatchObject({ savedBytes: 0, physicalPagesAfter: 156 });
    const s = JSON.parse(await analyze([file], { sharing: true, json: true }));
    expect(s.total.categories.duplicateSameFunction.pages).toBe(60);
    const text = await analyze([file], { sharing: true });
    expect(text).toMatch(/duplicateSameFunction\s+60\s+0\.2\s+38\.5/);
  });

  it('reports bad input as CliError with an exit code', async () => {
    await expect(analyze([path.join(dir, 'missing')], { model: 'none' })).rejects.toMatchObject({ exitCode: 1 });
    await expect(analyze([file], { model: 'upm', timeline: true })).rejects.toBeInstanceOf(CliError);
    await expect(analyze([file], { model: 'ksm', pagesToScan: 'x' })).rejects.toMatchObject({ exitCode: 2 });
    await expect(analyze([file], {})).rejects.toMatchObject({ exitCode: 2 });
    fs.writeFileSync(path.join(dir, 'bad'), 'not a dump');
    await expect(analyze([path.join(dir, 'bad')], { model: 'none' })).rejects.toMatchObject({ exitCode: 1 });
  });

  it('registers `analyze` on a commander program', async () => {
    const program = new Command('upm').exitOverride();
    registerAnalyzeCommands(program);
    const out: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
    try {
      await program.parseAsync(['node', 'upm', 'analyze', file, '--model', 'none', '--json']);
    } finally {
      spy.mockRestore();
    }
    expect(JSON.parse(out.join('')).model).toBe('none');
  });
});
