import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Command } from 'commander';
import { synthesizeDump } from '@upm/model';
import { CliError } from '@upm/client';
import { catDump, inspectDump, registerDumpCommands } from './dump.command';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** Accepts `accept` writes, then fails every write with EPIPE, like a pipe whose reader exited. */
class ClosingPipe extends Writable {
  writes = 0;
  constructor(private readonly accept: number) {
    super({ highWaterMark: 1024 });
  }
  override _write(_chunk: Buffer, _enc: BufferEncoding, done: (e?: Error) => void): void {
    if (++this.writes <= this.accept) return done();
    done(Object.assign(new Error('write EPIPE'), { code: 'EPIPE', syscall: 'write' }));
  }
}

describe('upm dump', () => {
  let dir: string;
  let file: string;
  const bytes = synthesizeDump({
    header: { labels: { function: 'thumbnail' } },
    processes: [
      { pid: 10, comm: 'node', vmas: [{ pages: [1, 2, 0, null] }, { kind: 'file', pages: ['lib', 'lib'] }] },
      { pid: 11, comm: 'node', vmas: [{ pages: Array.from({ length: 3000 }, (_, i) => i % 700) }] },
    ],
  });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'upm-cli-dump-'));
    file = join(dir, 'a.dump');
    writeFileSync(file, bytes);
    writeFileSync(join(dir, 'cut.dump'), bytes.subarray(0, 1000));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('inspect --json prints the summary', async () => {
    const out = new Capture();
    await inspectDump(file, { json: true }, out);
    const summary = JSON.parse(out.text);
    expect(summary).toMatchObject({
      processes: 2,
      vmas: 3,
      residentPages: 3005,
      distinctHashes: 701, // content ids 0..699 and "lib"
      zeroPages: 6,
      ksmPages: 0,
      anonPages: 3003,
      filePages: 2,
      swappedPages: 1,
      bytes: bytes.length,
      labels: { function: 'thumbnail' },
    });
  });

  it('inspect prints a table', async () => {
    const out = new Capture();
    await inspectDump(file, {}, out);
    expect(out.text).toMatch(/^processes +2 \(3 VMAs\)$/m);
    expect(out.text).toMatch(/^distinct +701 distinct hashes/m);
    expect(out.text).toMatch(/^0 +11 +node +ok +1 +3000 +0 +5 +0 +0$/m);
  });

  it('cat prints NDJSON, one line per page', async () => {
    const out = new Capture();
    await catDump(file, out);
    const lines = out.text.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1 + 1 + 2 + 3006 + 1);
    expect(lines[3]).toMatchObject({ type: 'page', pid: 10, vma: 0, index: 0, flags: ['present'] });
  });

  it('cat stops quietly when the pipe closes', async () => {
    const pipe = new ClosingPipe(2);
    await expect(catDump(file, pipe)).resolves.toBeUndefined();
    expect(pipe.writes).toBeLessThan(10);
  });

  it('reports bad files as CliError with exit code 1', async () => {
    const cases: [string, string][] = [
      [join(dir, 'missing.dump'), `cannot read ${join(dir, 'missing.dump')}: no such file`],
      [dir, `cannot read ${dir}: is a directory`],
      [join(dir, 'cut.dump'), `${join(dir, 'cut.dump')}: section #4 at byte 1000: input ends without a TAIL section (truncated)`],
    ];
    for (const [path, message] of cases) {
      for (const run of [() => inspectDump(path, {}, new Capture()), () => catDump(path, new Capture())]) {
        const error = await run().then(
          () => null,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(CliError);
        expect((error as CliError).exitCode).toBe(1);
        expect((error as CliError).message).toContain(message);
      }
    }
  });

  it('registers inspect and cat under dump', async () => {
    const program = new Command('upm').exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
    registerDumpCommands(program);
    const dump = program.commands.find((c) => c.name() === 'dump')!;
    expect(dump.commands.map((c) => c.name())).toEqual(['inspect', 'cat', 'delete']);
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      await program.parseAsync(['node', 'upm', 'dump', 'inspect', '--json', file]);
      expect(JSON.parse(String(write.mock.calls[0][0]))).toMatchObject({ processes: 2 });
    } finally {
      write.mockRestore();
    }
    await expect(program.parseAsync(['node', 'upm', 'dump', 'inspect'])).rejects.toMatchObject({ code: 'commander.missingArgument' });
  });
});
