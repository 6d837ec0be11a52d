import { Command } from 'commander';
import { CliError } from '@upm/client';
import { TRACE_FORMATS } from '@upm/model/traces';
import { client, deleteRemote, paging, remote, RemoteOptions, table } from './remote';
import { InspectReport, renderInspect, traceFiles } from './trace.command';

/** A trace as the API stores it (GET /v1/traces/:id; the fields the CLI reads). */
export interface StoredTrace {
  id: string;
  name: string;
  format: InspectReport['format'];
  sourceBytes: number;
  window: { startS: number; endS: number };
  stats: Pick<
    InspectReport,
    | 'functions'
    | 'apps'
    | 'owners'
    | 'invocations'
    | 'unjoined'
    | 'functionsByTrigger'
    | 'invocationsByTrigger'
    | 'peakInvocationsPerMinute'
    | 'peakMinuteStartS'
  >;
  joinReport: { counts: Record<string, number>; joined: number; memoryScope: string | null; examples: { message: string }[] } | null;
  warnings: string[];
  files: { file: string; kind: string; rows: number; badRows: number; errors: { message: string }[] }[];
  createdAt: string;
  deduplicated?: boolean;
}

/**
 * `upm trace list | show | upload | delete`: traces stored on a server (--api). `show` prints what `upm trace
 * inspect` prints for the files, from the stored trace, with the same warnings.
 */
export function registerTraceRemoteCommands(trace: Command): void {
  remote(
    trace
      .command('list')
      .description('traces stored on a server, newest first')
      .option('--limit <n>', 'print at most this many (default 50, at most 500)')
      .option('--offset <n>', 'skip this many first (default 0)')
      .option('--json', 'print the API answer { items, total }'),
  ).action(async (opts: RemoteOptions & { limit?: string; offset?: string; json?: boolean }) => {
    process.stdout.write(await listTraces(opts));
  });

  remote(
    trace
      .command('show')
      .description('a trace stored on a server: what upm trace inspect prints, with its warnings')
      .argument('<id>', 'the trace id (upm trace list, upm trace upload)')
      .option('--json', 'print the API answer (GET /v1/traces/:id)'),
  ).action(async (id: string, opts: RemoteOptions & { json?: boolean }) => {
    process.stdout.write(await showTrace(id, opts));
  });

  remote(
    trace
      .command('upload')
      .description('upload trace files to a server (identical files are stored once) and print the stored trace')
      .argument('<files...>', 'trace files, or directories holding them (the three files of an Azure 2019 day together)')
      .option('--name <name>', 'a name for the trace (default: the file names)')
      .option('--format <format>', `auto | ${TRACE_FORMATS.join(' | ')}`, 'auto')
      .option('--json', 'print the API answer'),
  ).action(async (files: string[], opts: RemoteOptions & { name?: string; format: string; json?: boolean }) => {
    process.stdout.write(await uploadTrace(files, opts));
  });

  remote(
    trace
      .command('delete')
      .description('delete a trace and its stored content from a server (refused while a queued or running plan uses it)')
      .argument('<id>', 'the trace id'),
  ).action(async (id: string, opts: RemoteOptions) => {
    process.stdout.write(await deleteRemote(opts, 'trace', id));
  });
}

export async function listTraces(opts: RemoteOptions & { limit?: string; offset?: string; json?: boolean }): Promise<string> {
  const { limit, offset } = paging(opts);
  const { body } = await client(opts).request('GET', `/v1/traces?limit=${limit}&offset=${offset}`);
  const page = body as { items: StoredTrace[]; total: number };
  if (opts.json) return `${JSON.stringify(page)}\n`;
  if (page.total === 0) return `no traces on ${opts.api}\n`;
  const rows = [['id', 'format', 'functions', 'invocations', 'warnings', 'created', 'name']];
  for (const t of page.items) {
    rows.push([t.id, t.format, String(t.stats.functions), String(t.stats.invocations), String(t.warnings.length), t.createdAt, t.name]);
  }
  const more = offset + page.items.length < page.total ? ` (next: --offset ${offset + page.items.length})` : '';
  return `${table(rows, new Set([2, 3, 4]))}\n${page.items.length} of ${page.total} traces${more}\n`;
}

export async function showTrace(id: string, opts: RemoteOptions & { json?: boolean }): Promise<string> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new CliError(`a trace id is a UUID (upm trace list prints them), got '${id}'`, 2);
  const { status, body } = await client(opts).request('GET', `/v1/traces/${id}`, undefined, { allowStatus: [404] });
  if (status === 404) throw new CliError(`no trace ${id} on ${opts.api}`);
  return opts.json ? `${JSON.stringify(body)}\n` : renderStored(body as StoredTrace);
}

export async function uploadTrace(files: string[], opts: RemoteOptions & { name?: string; format?: string; json?: boolean }): Promise<string> {
  const format = opts.format ?? 'auto';
  if (format !== 'auto' && !(TRACE_FORMATS as readonly string[]).includes(format)) {
    throw new CliError(`--format must be auto, ${TRACE_FORMATS.join(', ')}; got '${format}'`, 2);
  }
  const stored = (await client(opts).uploadTrace(traceFiles(files), opts.name, format === 'auto' ? undefined : format)) as unknown as StoredTrace;
  if (opts.json) return `${JSON.stringify(stored)}\n`;
  const note = stored.deduplicated ? ' (these files were already uploaded: the stored trace)' : '';
  return `uploaded trace ${stored.id}${note}\n${renderStored(stored)}`;
}

/** The stored trace in the layout of `upm trace inspect`, after its id, name and upload time. */
function renderStored(t: StoredTrace): string {
  const report: InspectReport = {
    format: t.format,
    files: t.files.map((f) => ({ file: f.file, kind: f.kind, rows: f.rows, badRows: f.badRows, firstErrors: f.errors.slice(0, 5).map((e) => e.message) })),
    ...t.stats,
    window: t.window,
    joinReport: t.joinReport && { ...t.joinReport, examples: t.joinReport.examples.slice(0, 10).map((e) => e.message) },
    warnings: t.warnings,
  };
  const head = [`id:          ${t.id}`, `name:        ${t.name}`, `uploaded:    ${t.createdAt} (${t.sourceBytes} bytes)`];
  return `${head.join('\n')}\n${renderInspect(report)}`;
}
