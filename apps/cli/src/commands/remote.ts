import { Command, Option } from 'commander';
import { ApiClient, CliError } from '@upm/client';

/** The options every command that talks to a server takes. */
export interface RemoteOptions {
  api: string;
  apiKey?: string;
}

export const apiOption = () => new Option('--api <url>', 'API base URL (default: $UPM_API_URL)').default(process.env.UPM_API_URL ?? 'http://127.0.0.1:3000');
/** Given as is: ApiClient falls back to $UPM_API_KEY when it is undefined. */
export const apiKeyOption = () => new Option('--api-key <key>', 'API key (default: $UPM_API_KEY)');

/** Adds --api and --api-key to a command. */
export function remote(cmd: Command): Command {
  return cmd.addOption(apiOption()).addOption(apiKeyOption());
}

export function client(opts: RemoteOptions): ApiClient {
  return new ApiClient(opts.api, opts.apiKey);
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
