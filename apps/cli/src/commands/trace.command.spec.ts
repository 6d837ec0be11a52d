/** `upm trace inspect` / `upm trace generate` through commander, as the user runs them. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { invitroTrace, sharedTracesDir } from '../../../../test/support/shared-dir';
import { CliError } from '@upm/client';
import {
  InspectReport,
  generateTrace,
  inspectTrace,
  registerTraceCommands,
} from './trace.command';

async function run(argv: string[]): Promise<{ out: string; code: number; err: string }> {
  const program = new Command('upm')
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  registerTraceCommands(program);
  let out = '';
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  });
  try {
    await program.parseAsync(['node', 'upm', ...argv]);
    return { out, code: 0, err: '' };
  } catch (e) {
    if (e instanceof CliError) return { out, code: e.exitCode, err: e.message };
    if ((e as { code?: string }).code?.startsWith('commander.')) return { out, code: 2, err: (e as Error).message };
    throw e;
  } finally {
    spy.mockRestore();
  }
}

describe('upm trace', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'upm-trace-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('inspect --json on the 500-function day (a directory): format, counts, join, triggers, peak', async () => {
    const r = await run(['trace', 'inspect', '--json', join(sharedTracesDir(), 'invitro/data/traces/500')]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as InspectReport;
    expect(j).toMatchObject({ format: 'azure2019', functions: 500, apps: 476, invocations: 3037902, unjoined: 0 });
    expect(j.functionsByTrigger.timer).toBe(247);
    expect(Object.values(j.invocationsByTrigger).reduce((a, b) => a + b, 0)).toBe(3037902);
    expect(j.peakInvocationsPerMinute).toBeGreaterThan(0);
    expect(j.files.map((f) => f.kind)).toEqual(['azure2019-invocations', 'azure2019-durations', 'azure2019-memory']);
  });

  it('inspect detects Azure 2021 by header', async () => {
    const r = await run(['trace', 'inspect', '--json', invitroTrace('example', 'Azure2021', 'Azure2021_200.csv')]);
    expect(JSON.parse(r.out)).toMatchObject({
      format: 'azure2021',
      functions: 31,
      apps: 13,
      invocations: 199,
      unjoined: 0,
      joinReport: null,
    });
  });

  it('inspect prints a readable summary without --json', async () => {
    const r = await run([
      'trace',
      'inspect',
      invitroTrace('10', 'invocations.csv'),
      invitroTrace('10', 'durations.csv'),
    ]);
    expect(r.out).toMatch(/^format: {6}azure2019$/m);
    expect(r.out).toMatch(/^functions: {3}10$/m);
    expect(r.out).toMatch(/^joined: {6}10 of 10 functions; unjoined rows: 0$/m);
  });

  it("inspect shows what a plan will assume for lack of data (the API's trace warnings)", async () => {
    const files = [invitroTrace('10', 'invocations.csv'), invitroTrace('10', 'durations.csv')];
    const text = await run(['trace', 'inspect', ...files]);
    expect(text.out).toMatch(/^warning: {5}10 of 10 functions have no memory row \(no memory file was given\)/m);
    expect(text.out).not.toMatch(/no durations row/);
    const j = JSON.parse((await run(['trace', 'inspect', '--json', ...files])).out) as InspectReport;
    expect(j.warnings).toEqual([expect.stringMatching(/^10 of 10 functions have no memory row/)]);
    const full = JSON.parse((await run(['trace', 'inspect', '--json', join(sharedTracesDir(), 'invitro/data/traces/10')])).out) as InspectReport;
    expect(full.warnings).toEqual([]);
  });

  it('bad input exits 1 with one line naming file:line:column; bad usage exits 2', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'app,func,end_timestamp,duration\na,f,1,0.5\na,f,2,x\n');
    const r = await run(['trace', 'inspect', '--strict', bad]);
    expect(r).toMatchObject({
      code: 1,
      err: `${bad}:3:4 (column "duration"): expected a non-negative number, got "x"`,
    });
    expect(r.err.includes('\n')).toBe(false);
    expect((await run(['trace', 'inspect', join(dir, 'missing.csv')])).code).toBe(1);
    expect((await run(['trace', 'inspect', '--format', 'azure2020', bad])).code).toBe(2);
    expect((await run(['trace', 'inspect'])).code).toBe(2);
    const unknown = join(dir, 'unknown.csv');
    writeFileSync(unknown, 'a,b\n1,2\n');
    expect(await run(['trace', 'inspect', unknown])).toMatchObject({
      code: 1,
      err: expect.stringContaining('header matches no accepted trace file'),
    });
  });

  it('generate writes files that inspect reads back', async () => {
    const out = join(dir, 'gen');
    const g = await run([
      'trace',
      'generate',
      '--format',
      'azure2019',
      '--functions',
      '40',
      '--seed',
      'cli',
      '--minutes',
      '600..659',
      '--out',
      out,
      '--json',
    ]);
    expect(g.code).toBe(0);
    const made = JSON.parse(g.out) as { files: string[]; invocations: number };
    const i = await run(['trace', 'inspect', '--json', out]);
    expect(JSON.parse(i.out)).toMatchObject({
      format: 'azure2019',
      functions: 40,
      invocations: made.invocations,
      unjoined: 0,
      window: { startS: 599 * 60, endS: 659 * 60 },
    });
  });

  it.each([
    [['--format', 'azure2019', '--functions', '0', '--seed', '1'], '--functions must be a positive integer'],
    [['--format', 'azure2019', '--functions', '5', '--seed', '1', '--minutes', '900..100'], '--minutes must satisfy'],
    [
      ['--format', 'azure2019', '--functions', '5', '--seed', '1', '--minutes', 'lots'],
      '--minutes must be FIRST..LAST',
    ],
    [
      ['--format', 'azure2021', '--functions', '5', '--seed', '1', '--minutes', '1..5'],
      '--minutes must be a positive integer',
    ],
    [['--format', 'huawei2023', '--functions', '5', '--seed', '1'], '--format must be azure2019 or azure2021'],
    [
      ['--format', 'azure2019', '--functions', '5', '--seed', '1', '--memory-scope', 'owner'],
      '--memory-scope must be app or function',
    ],
  ])('generate %j is a usage error (exit 2)', async (args, message) => {
    const r = await run(['trace', 'generate', ...args, '--out', join(dir, 'never')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
  });

  it('generate without a required option is a usage error', async () => {
    expect((await run(['trace', 'generate', '--format', 'azure2019', '--seed', '1', '--out', dir])).code).toBe(2);
  });

  it('generate into an unwritable place exits 1', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    await expect(
      generateTrace({ format: 'azure2019', functions: '3', seed: '1', out: join(file, 'sub') }, false),
    ).rejects.toMatchObject({ exitCode: 1 });
  });

  it('inspectTrace is usable directly', async () => {
    const r = await inspectTrace([invitroTrace('5', 'invocations.csv')], {});
    expect(r.functions).toBe(5);
  });
});
