import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { CliError } from '@upm/client';
import { client, remote, RemoteOptions, table } from './remote';

const MODELS = ['none', 'ksm', 'upm'] as const;
type Model = (typeof MODELS)[number];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface DensityOptions extends RemoteOptions {
  dumps?: string[];
  hostMemGib?: string;
  models?: string;
  json?: boolean;
}

/** POST /v1/density's answer (DensityResultDto). */
interface DensityResult {
  hostMemoryBytes: number;
  pageSize: number;
  functions: {
    function: string;
    processes: number;
    containers: Partial<Record<Model, number>>;
    capped: Partial<Record<Model, boolean>>;
    bytesPerContainer: Partial<Record<Model, number>>;
    densityVsNone: Partial<Record<Model, number>>;
  }[];
}

/**
 * `upm density`: how many containers of each function fit on one host under none, KSM and UPM, computed by a
 * server (POST /v1/density, as the web UI's density view asks it). A dump is a stored dump's id or a local
 * dump file, uploaded first (identical content is stored once).
 */
export function registerDensityCommand(program: Command): void {
  remote(
    program
      .command('density')
      .description('containers of each function that fit on one host under none, KSM and UPM (computed by a server)')
      .requiredOption('--dumps <FUNCTION=DUMP,DUMP...>', 'the dumps of a function\'s containers: dump ids on the server or dump files (uploaded); several functions allowed')
      .requiredOption('--host-mem-gib <n>', 'host memory, GiB')
      .option('--models <list>', `comma-separated subset of ${MODELS.join(',')} (default all three)`)
      .option('--json', 'print the API answer (DensityResult)'),
  ).action(async (opts: DensityOptions) => {
    process.stdout.write(await density(opts));
  });
}

/** `upm density`; returns what it prints (exported for tests). */
export async function density(opts: DensityOptions): Promise<string> {
  const hostMemoryGiB = Number(opts.hostMemGib);
  if (opts.hostMemGib === undefined || opts.hostMemGib.trim() === '' || !(hostMemoryGiB > 0) || !Number.isFinite(hostMemoryGiB))
    throw new CliError(`--host-mem-gib must be a positive number of GiB, got '${opts.hostMemGib ?? ''}'`, 2);
  const models = opts.models === undefined ? [...MODELS] : parseModels(opts.models);
  const groups = parseDumps(opts.dumps ?? []);
  const api = client(opts);
  const uploaded = new Map<string, string>();
  const dumps: Record<string, string[]> = {};
  for (const [fn, refs] of groups) {
    dumps[fn] = [];
    for (const ref of refs) {
      if (UUID.test(ref) && !existsSync(ref)) {
        dumps[fn].push(ref);
        continue;
      }
      if (!existsSync(ref)) throw new CliError(`--dumps ${fn}: '${ref}' is neither a dump file nor a dump id (a UUID)`, 2);
      if (!uploaded.has(ref)) uploaded.set(ref, (await api.uploadDump(ref)).id);
      dumps[fn].push(uploaded.get(ref)!);
    }
  }
  const { body } = await api.request('POST', '/v1/density', { dumps, hostMemoryGiB, models });
  const result = body as DensityResult;
  return opts.json ? `${JSON.stringify(result)}\n` : renderDensity(result, models);
}

function parseModels(v: string): Model[] {
  const items = v.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = items.filter((m) => !(MODELS as readonly string[]).includes(m));
  if (items.length === 0 || bad.length > 0)
    throw new CliError(`--models must be a comma-separated subset of ${MODELS.join(',')}, got '${v}'`, 2);
  return [...new Set(items)] as Model[];
}

/** FUNCTION=DUMP,DUMP... items; a function given twice gets the dumps of both. */
function parseDumps(items: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const item of items) {
    const eq = item.indexOf('=');
    const fn = eq > 0 ? item.slice(0, eq).trim() : '';
    const refs = eq > 0 ? item.slice(eq + 1).split(',').map((s) => s.trim()).filter(Boolean) : [];
    if (fn === '' || refs.length === 0) throw new CliError(`--dumps expects FUNCTION=DUMP[,DUMP...], got '${item}'`, 2);
    out.set(fn, [...(out.get(fn) ?? []), ...refs]);
  }
  if (out.size === 0) throw new CliError('--dumps must name at least one function with its dumps', 2);
  return out;
}

function renderDensity(r: DensityResult, models: Model[]): string {
  const ratios = models.includes('none') ? models.filter((m) => m !== 'none') : [];
  const rows = [['function', 'processes', ...models, ...models.map((m) => `MiB/${m}`), ...ratios.map((m) => `${m}/none`)]];
  for (const f of r.functions) {
    rows.push([
      f.function,
      String(f.processes),
      ...models.map((m) => `${f.containers[m] ?? '-'}${f.capped[m] ? '+' : ''}`),
      ...models.map((m) => (f.bytesPerContainer[m] === undefined ? '-' : (f.bytesPerContainer[m]! / 1048576).toFixed(1))),
      ...ratios.map((m) => (f.densityVsNone[m] === undefined ? '-' : `x${f.densityVsNone[m]!.toFixed(2)}`)),
    ]);
  }
  const right = new Set(rows[0].map((_, i) => i).filter((i) => i > 0));
  const capped = r.functions.some((f) => models.some((m) => f.capped[m]));
  return (
    `containers per host of ${(r.hostMemoryBytes / 1073741824).toFixed(2)} GiB (MiB/model: host memory per container)\n` +
    table(rows, right) +
    (capped ? '+: counting stopped at the cap (the containers cost next to nothing once merged)\n' : '')
  );
}
