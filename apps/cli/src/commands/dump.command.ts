import { Command } from 'commander';
import { DumpFormatError, dumpToNdjson, readDump, readDumpFile, summarizeDump, type DumpEvent, type DumpSummary } from '@upm/model';
import { CliError } from '@upm/client';
import { deleteRemote, remote, RemoteOptions } from './remote';

/** `upm dump ...`: look into page-hash dumps (upm-probe output). FILE may be `-` for stdin. */
export function registerDumpCommands(program: Command): void {
  const dump = program.command('dump').description('look into page-hash dumps (upm-probe output), delete those on a server');

  dump
    .command('inspect')
    .description('summary of a dump: processes, pages by kind, distinct hashes, zero pages')
    .argument('<file>', 'dump file, or - for stdin')
    .option('--json', 'print the summary as one JSON object')
    .action(async (file: string, opts: { json?: boolean }) => {
      await inspectDump(file, opts, process.stdout);
    });

  dump
    .command('cat')
    .description('the dump as NDJSON: header, snapshots, processes, one line per page, end')
    .argument('<file>', 'dump file, or - for stdin')
    .action(async (file: string) => {
      await catDump(file, process.stdout);
    });

  remote(
    dump
      .command('delete')
      .description('delete a dump and its stored content from a server (refused while a queued or running plan uses it)')
      .argument('<id>', 'the dump id (a UUID: GET /v1/dumps, the web UI)'),
  ).action(async (id: string, opts: RemoteOptions) => {
    process.stdout.write(await deleteRemote(opts, 'dump', id));
  });
}

/** `upm dump inspect`; exported for tests. */
export async function inspectDump(file: string, opts: { json?: boolean }, out: NodeJS.WritableStream): Promise<void> {
  const summary = await withDumpErrors(file, () => summarizeDump(open(file)));
  const text = opts.json ? `${JSON.stringify(summary)}\n` : renderSummary(file, summary);
  await new Output(out).write(text);
}

/** `upm dump cat`; stops quietly when the reader of the output goes away (`| head`). Exported for tests. */
export async function catDump(file: string, out: NodeJS.WritableStream): Promise<void> {
  const output = new Output(out);
  await withDumpErrors(file, async () => {
    for await (const chunk of dumpToNdjson(open(file))) {
      if (!(await output.write(chunk))) return; // breaking out closes the file
    }
  });
}

function open(file: string): AsyncGenerator<DumpEvent, void, undefined> {
  return file === '-' ? readDump(process.stdin, { name: 'stdin' }) : readDumpFile(file);
}

/** A bad dump or an unreadable file is the user's input problem: exit code 1, one line. */
async function withDumpErrors<T>(file: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof DumpFormatError) throw new CliError(e.message, 1);
    const code = (e as NodeJS.ErrnoException)?.code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code) && (e as NodeJS.ErrnoException).syscall !== 'write') {
      throw new CliError(`cannot read ${file}: ${describeErrno(e as NodeJS.ErrnoException)}`, 1);
    }
    throw e;
  }
}

function describeErrno(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'is a directory';
    case 'EACCES':
      return 'permission denied';
    default:
      return e.message;
  }
}

/**
 * Writes with backpressure. A closed pipe (EPIPE: `upm dump cat x | head`) is not an error: write() then
 * answers false and the caller stops. Other output errors are thrown.
 */
class Output {
  private closed = false;
  private failure: Error | null = null;

  constructor(private readonly out: NodeJS.WritableStream) {
    // stays attached: more EPIPE errors may follow for writes already queued
    out.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') this.closed = true;
      else this.failure ??= e;
    });
  }

  async write(chunk: string): Promise<boolean> {
    if (this.failure) throw this.failure;
    if (this.closed) return false;
    if (!this.out.write(chunk)) await this.drained();
    if (this.failure) throw this.failure;
    return !this.closed;
  }

  private drained(): Promise<void> {
    const out = this.out;
    return new Promise((resolve) => {
      const done = (): void => {
        out.off('drain', done);
        out.off('error', done);
        out.off('close', done);
        resolve();
      };
      out.on('drain', done);
      out.on('error', done);
      out.on('close', done);
    });
  }
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function percent(part: number, whole: number): string {
  return whole === 0 ? '-' : `${((100 * part) / whole).toFixed(1)}%`;
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ')).join('\n') + '\n';
}

function renderSummary(file: string, s: DumpSummary): string {
  const hashed = s.residentPages - s.unhashedPages;
  const labels = Object.entries(s.labels).map(([k, v]) => `${k}=${v}`).join(' ') || '-';
  const facts = [
    ['file', `${file} (${mib(s.bytes)})`],
    ['host', `${s.host.hostname}, kernel ${s.host.kernelRelease}, PFNs ${s.host.pfnReadable ? 'readable' : 'unknown'}, page flags ${s.host.pageFlagsReadable ? 'readable' : 'unknown'}`],
    ['hash', `${s.hash.algorithm}, key ${s.hash.keyId}${s.hash.defaultKey ? ' (the public default key)' : ''}`],
    ['captured', `${new Date(s.captureTimeMs).toISOString()}, ${s.snapshots} snapshot${s.snapshots === 1 ? '' : 's'}`],
    ['labels', labels],
    ['processes', `${s.processes} (${s.vmas} VMAs)`],
    ['pages', `${s.pages} listed: ${s.residentPages} resident (${mib(s.residentPages * s.pageSize)}), ${s.swappedPages} swapped`],
    ['kinds', `${s.anonPages} anon, ${s.filePages} file, ${s.ksmPages} KSM, ${s.thpPages} THP, ${s.unhashedPages} unhashed`],
    ['distinct', `${s.distinctHashes} distinct hashes (${percent(s.distinctHashes, hashed)} of hashed resident pages)`],
    ['zero', `${s.zeroPages} zero-filled pages, ${s.zeroPageMapped} mapping the zero page`],
  ];
  let text = table(facts);
  if (s.perProcess.length > 0) {
    const rows = [['snapshot', 'pid', 'comm', 'status', 'vmas', 'resident', 'swapped', 'zero', 'ksm', 'file']];
    for (const p of s.perProcess) {
      rows.push([p.snapshot, p.pid, p.comm, p.status, p.vmas, p.residentPages, p.swappedPages, p.zeroPages, p.ksmPages, p.filePages].map(String));
    }
    text += '\n' + table(rows);
  }
  return text;
}
