import { Command, Option } from 'commander';
import { ApiClient, CliError } from '@upm/client';

/** The options every command that talks to a server takes. */
export interface RemoteOptions {
  api: string;
  apiKey?: string;
}

export const apiOption = () => new Option('--api <url>', 'API base URL ($UPM_API_URL sets the default)').default(process.env.UPM_API_URL ?? 'http://127.0.0.1:3000');
/** Given as is: ApiClient falls back to $UPM_API_KEY when it is undefined. */
export const apiKeyOption = () => new Option('--api-key <key>', 'API key (default: $UPM_API_KEY)');

/** Adds --api and --api-key to a command. */
export function remote(cmd: Command): Command {
  return cmd.addOption(apiOption()).addOption(apiKeyOption());
}

export function client(opts: RemoteOptions): ApiClient {
  return new ApiClient(opts.api, opts.apiKey);
}

/**
 * DELETE of a stored dump, trace or plan. 404 and 409 become one line that says why; a 409 of an input names
 * the plans that use it (the API sends them in `plans`), so the user knows what to wait for or delete first.
 */
export async function deleteRemote(opts: RemoteOptions, kind: 'dump' | 'trace' | 'plan', id: string): Promise<string> {
  if (kind !== 'plan' && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id))
    throw new CliError(`a ${kind} id is a UUID, got '${id}'`, 2);
  const path = `/v1/${kind}s/${encodeURIComponent(id)}`;
  const { status, body } = await client(opts).request('DELETE', path, undefined, { allowStatus: [404, 409] });
  const problem = (typeof body === 'object' && body !== null ? body : {}) as { detail?: string; plans?: unknown };
  if (status === 404) throw new CliError(`no ${kind} ${id} on ${opts.api}`);
  if (status === 409) {
    const plans = Array.isArray(problem.plans) ? problem.plans.map(String) : [];
    const users = plans.length > 0 ? ` (used by plan${plans.length === 1 ? '' : 's'} ${plans.join(', ')})` : '';
    throw new CliError(`cannot delete ${kind} ${id}: ${problem.detail ?? String(body)}${users}`);
  }
  return `deleted ${kind} ${id}\n`;
}

/** Columns padded to their widest cell, two spaces apart; the last column is not padded. */
export function table(rows: string[][], rightAligned: ReadonlySet<number> = new Set()): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows
    .map((r) => r.map((cell, c) => (rightAligned.has(c) ? cell.padStart(widths[c]) : c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  '))
    .join('\n') + '\n';
}

/** `--limit` and `--offset` of a list command, checked (exit 2 with the flag named). */
export function paging(opts: { limit?: string; offset?: string }, defaultLimit = 50): { limit: number; offset: number } {
  const whole = (name: string, v: string, min: number, max = Number.MAX_SAFE_INTEGER) => {
    if (!/^\d+$/.test(v.trim()) || Number(v) < min || Number(v) > max)
      throw new CliError(`${name} must be a whole number ${max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in ${min}..${max}`}, got '${v}'`, 2);
    return Number(v);
  };
  return {
    // the API pages at most 500 a request
    limit: opts.limit === undefined ? defaultLimit : whole('--limit', opts.limit, 1, 500),
    offset: opts.offset === undefined ? 0 : whole('--offset', opts.offset, 0),
  };
}
