import { Command, Option } from 'commander';
import type { ApiKeyInfo, ApiKeyStore } from '@upm/platform';

interface KeysOptions {
  database?: string;
  json?: boolean;
}

/** The key store, loaded on first use (see server-keys.store.ts). */
async function withStore<T>(opts: KeysOptions, fn: (store: ApiKeyStore) => Promise<T>): Promise<T> {
  const { withStore: open } = await import('./server-keys.store');
  return open(opts.database, fn);
}

const line = (k: ApiKeyInfo) => `${k.id}  ${k.scope.padEnd(5)}  ${k.name.padEnd(20)}  ${k.prefix}…  created ${k.createdAt}${k.revokedAt ? `  REVOKED ${k.revokedAt}` : ''}`;

/**
 * `upm server keys create|list|revoke`: API keys, managed in the server's database (DATABASE_URL or --database),
 * not over HTTP, so whoever manages keys needs the database, not a key.
 */
export function registerServerKeyCommands(server: Command): void {
  const keys = server.command('keys').description("manage the API's keys in its database (DATABASE_URL)");
  const database = () => new Option('--database <url>', 'the server\'s DATABASE_URL (a sqlite path or postgres:// URL; default: $DATABASE_URL)');

  keys
    .command('create')
    .description('create a key and print it (once: only its hash is stored)')
    .requiredOption('--name <name>', 'what the key is for, e.g. ci')
    .addOption(new Option('--scope <scope>', 'read, or write (implies read)').choices(['read', 'write']).makeOptionMandatory())
    .addOption(database())
    .option('--json', 'print JSON')
    .action(async (opts: KeysOptions & { name: string; scope: 'read' | 'write' }) => {
      const k = await withStore(opts, (s) => s.create(opts.name, opts.scope));
      if (opts.json) {
        process.stdout.write(JSON.stringify(k) + '\n');
        return;
      }
      process.stdout.write(`${k.key}\n`);
      process.stderr.write(`created ${k.scope} key '${k.name}' (id ${k.id}); it is shown only now\n`);
    });

  keys
    .command('list')
    .description('list keys (never the keys themselves)')
    .addOption(database())
    .option('--json', 'print JSON')
    .action(async (opts: KeysOptions) => {
      const list = await withStore(opts, (s) => s.list());
      if (opts.json) process.stdout.write(JSON.stringify(list) + '\n');
      else process.stdout.write(list.length ? list.map(line).join('\n') + '\n' : 'no keys\n');
    });

  keys
    .command('revoke')
    .description('revoke a key by id: the API refuses it within API_KEY_CACHE_MS')
    .argument('<id>', 'the key id shown by create and list')
    .addOption(database())
    .option('--json', 'print JSON')
    .action(async (id: string, opts: KeysOptions) => {
      const k = await withStore(opts, (s) => s.revoke(id));
      process.stdout.write(opts.json ? JSON.stringify(k) + '\n' : `revoked ${k.id} (${k.name})\n`);
    });
}
