import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { DEFAULT_SEED, ingestTrace, planSpecHash, runPlan, synthesizeDump } from '@upm/model';
import type { PlanResult } from '@upm/model';
import { invitroTrace } from '../../../../test/support/shared-dir';
import { ApiClient, CliError } from '@upm/client';
import { buildSpec, PLAN_FLAGS, PlanRunOptions, registerPlanCommands, runPlanCommand } from './plan.command';
import { registerPlanRemoteCommands } from './plan-remote.command';
import { traceFunctions } from './trace.command';

describe('upm plan run', () => {
  const trace = invitroTrace('example', 'Azure2021', 'Azure2021_200.csv');
  let dir: string;
  let dump: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'upm-plan-'));
    dump = join(dir, 'fn.dump');
    const pages = Array.from({ length: 300 }, (_, i) => i);
    writeFileSync(
      dump,
      synthesizeDump({
        processes: [
          { pid: 1, vmas: [{ pages: [...pages, 10_001, 10_002] }] },
          { pid: 2, vmas: [{ pages: [...pages, 20_001, 20_002] }] },
        ],
      }),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the same PlanResult JSON as runPlan', async () => {
    const out = await runPlanCommand(
      { trace: [trace], policy: 'ttl', ttlMin: '5', models: 'none,upm', hostMemGib: '4', json: true },
      false,
    );
    const got = JSON.parse(out) as PlanResult;
    const expected = runPlan(
      { version: 1, trace, policy: { kind: 'ttl', ttlMinutes: 5 }, models: ['none', 'upm'], host: { memoryGiB: 4 } },
      { trace: await ingestTrace([trace]), dumps: new Map() },
    );
    expect(got).toEqual(JSON.parse(JSON.stringify(expected)));
  });

  it('maps functions to dumps and prints a table of the models', async () => {
    const fn =
      '1573b95c039e51cc012b543a4af3bc7c3ee9485acbb0033ba5648b74969e0556/337cd24a7d5fd5c92460faee4ebe6a186a0eb322bd17b73da7ffa153025794e1';
    const out = await runPlanCommand(
      { trace: [trace], policy: 'greedy-dual', dumps: [`${fn}=${dump}`], hosts: '2' },
      false,
    );
    expect(out).toMatch(/^plan [0-9a-f]{12}: 199 invocations of 31 functions \(azure2021\)/);
    expect(out).toMatch(/\n\s+none\s+ksm\s+upm\n/);
    expect(out).toMatch(/\ncold starts\s+\d+\s+\d+\s+\d+\n/);
    expect(out).toContain('profiles: 1 functions from dumps, 0 from app memory percentiles, 30 at the default size');
    const json = JSON.parse(
      await runPlanCommand(
        { trace: [trace], policy: 'ttl', dumps: [`${fn}=${dump}`], models: 'upm', json: true },
        false,
      ),
    ) as PlanResult;
    expect(json.profiles.refs).toEqual([dump]);
  });

  it('takes a spec file and lets options override it', async () => {
    const spec = join(dir, 'plan.json');
    writeFileSync(
      spec,
      JSON.stringify({
        version: 1,
        trace,
        policy: { kind: 'ttl', ttlMinutes: 1 },
        models: ['none'],
        host: { memoryGiB: 1 },
      }),
    );
    const a = JSON.parse(await runPlanCommand({ spec, json: true }, false)) as PlanResult;
    expect(a.models.map((m) => m.model)).toEqual(['none']);
    expect(a.host.memoryBytes).toBe(1073741824);
    const b = JSON.parse(
      await runPlanCommand({ spec, hostMemGib: '2', ttlMin: '10', json: true }, false),
    ) as PlanResult;
    expect(b.host.memoryBytes).toBe(2 * 1073741824);
    expect(b.policy).toEqual({ kind: 'ttl', ttlMinutes: 10 });
  });

  it('shows a sweep as a table of its points, with sizing of each point\'s memory', async () => {
    const spec = join(dir, 'sweep.json');
    writeFileSync(
      spec,
      JSON.stringify({
        version: 1,
        trace,
        policy: { kind: 'ttl', ttlMinutes: 10 },
        models: ['none', 'upm'],
        host: { memoryGiB: 4, count: 2 },
        sweep: { hostMemoryGiB: [0.0625, 4], ttlMinutes: [5, 10] },
        sizing: { targetColdStartRate: 0.9, maxHosts: 4 },
      }),
    );
    const out = await runPlanCommand({ spec }, false);
    expect(out).toContain('hosts: 2 x {0.0625, 4} GiB (swept); policy: ttl {5, 10} min (swept)');
    expect(out).toMatch(/\n\s+point\s+host mem\s+ttl\s+none cold\s+none peak\s+none hosts\s+upm cold\s+upm peak\s+upm hosts\n/);
    const rows = out.split('\n').filter((l) => /^\s+\d+\s+[\d.]+ GiB\s+\d+ min/.test(l));
    expect(rows.map((l) => l.trim().split(/\s+/).slice(0, 4))).toEqual([
      ['0', '0.0625', 'GiB', '5'],
      ['1', '0.0625', 'GiB', '10'],
      ['2', '4', 'GiB', '5'],
      ['3', '4', 'GiB', '10'],
    ]);
    const json = JSON.parse(await runPlanCommand({ spec, json: true }, false)) as PlanResult;
    expect(json.sweep?.points.map((p) => p.sizing?.hostMemoryGiB)).toEqual([0.0625, 0.0625, 4, 4]);
    expect(out).not.toMatch(/\ncold starts/);
  });

  it('refuses --dumps for a function the trace does not have, naming it and the closest keys, without opening the dump', async () => {
    const err = await runPlanCommand({ trace: [trace], policy: 'ttl', dumps: ['1573b95c/nope=/no/such.dump'] }, false).catch((e) => e);
    expect(err).toBeInstanceOf(CliError);
    expect(err.exitCode).toBe(1);
    expect(err.message).toMatch(
      /^invalid plan: profiles\.functions\["1573b95c\/nope"\] names no function of the trace \(31 functions, keys "<app>\/<id>" or "<id>"\); closest: 1573b95c039e51cc/,
    );
  });

  it('takes a directory as --trace, like upm trace inspect', async () => {
    const d = join(dir, 'tracedir');
    mkdirSync(d);
    copyFileSync(trace, join(d, 'Azure2021_200.csv'));
    const a = JSON.parse(await runPlanCommand({ trace: [d], policy: 'ttl', models: 'none', json: true }, false)) as PlanResult;
    const b = JSON.parse(await runPlanCommand({ trace: [trace], policy: 'ttl', models: 'none', json: true }, false)) as PlanResult;
    expect(a.models).toEqual(b.models);
    expect(a.trace.invocations).toBe(199);
  });

  it('upm trace functions lists the keys, most invoked first, paged', async () => {
    const all = JSON.parse(await traceFunctions([trace], { json: true, limit: '500' }));
    expect(all.total).toBe(31);
    expect(all.items).toHaveLength(31);
    expect(all.items.reduce((a: number, r: { invocations: number }) => a + r.invocations, 0)).toBe(199);
    const inv = all.items.map((r: { invocations: number }) => r.invocations);
    expect(inv).toEqual([...inv].sort((x, y) => y - x));
    const text = await traceFunctions([trace], { limit: '2', offset: '1' });
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^key\s+trigger\s+invocations\s+memory$/);
    expect(lines[1].startsWith(all.items[1].key)).toBe(true);
    expect(lines[2].startsWith(all.items[2].key)).toBe(true);
    expect(lines[lines.length - 1]).toBe('2 of 31 functions (next: --offset 3)');
  });

  it('--warmup leaves the first minutes out of the counts and says so', async () => {
    const base: PlanRunOptions = { trace: [trace], policy: 'ttl', models: 'none', hostMemGib: '4', targetColdRate: '0.01' };
    const full = JSON.parse(await runPlanCommand({ ...base, json: true }, false)) as PlanResult;
    const warm = JSON.parse(await runPlanCommand({ ...base, warmup: '2', json: true }, false)) as PlanResult;
    expect(warm.trace.warmup?.minutes).toBe(2);
    expect(warm.models[0].invocations).toBe(199 - (warm.trace.warmup?.invocations ?? NaN));
    expect(warm.models[0].coldStarts).toBeLessThan(full.models[0].coldStarts);
    expect(warm.sizing?.models.none?.floorColdStartRate).toBeLessThan(full.sizing?.models.none?.floorColdStartRate ?? 0);
    const out = await runPlanCommand({ ...base, warmup: '2' }, false);
    expect(out).toMatch(new RegExp(`warm-up until [\\d.]+ s \\(${warm.trace.warmup?.invocations} invocations replayed, not counted\\)`));
  });

  it('warns, in plan run, how many functions of a partial Azure 2019 trace got default durations and memory', async () => {
    const out = await runPlanCommand({ trace: [invitroTrace('10', 'invocations.csv')], policy: 'ttl', models: 'none', window: '0:600' }, false);
    expect(out).toMatch(/\nwarning: 10 of 10 functions have no durations row \(no durations file was given\)/);
    expect(out).toMatch(/\nwarning: 10 of 10 functions have no memory row/);
  });

  it.each([
    [{ policy: 'ttl' }, 'give the trace with --trace FILE... (or "trace" in --spec)', 2],
    [{ trace: ['T'], targetColdRate: '1', hostMemGib: '1' }, "--target-cold-rate '1': is a fraction (0.01 = 1 %); for 1 percent write 1%", 2],
    [{ trace: ['T'], targetColdRate: 'x%', hostMemGib: '1' }, "--target-cold-rate 'x%': expected a number", 2],
    [{ trace: ['T'], policy: 'ttl', hostMemGib: '0' }, "--host-mem-gib '0': host.memoryGiB must be a positive number or null, got 0", 2],
    [{ trace: ['T'], policy: 'ttl', hosts: 'x' }, "--hosts 'x': expected a number", 2],
    [{ trace: ['T'], policy: 'ttl', hosts: '1.5' }, "--hosts '1.5': host.count must be an integer >= 1 and <= 1000000, got 1.5", 2],
    [{ trace: ['T'], policy: 'ttl', seed: '' }, "--seed '': must not be empty", 2],
    [{ trace: ['T'], policy: 'ttl', window: '5' }, "--window '5': expected FROM:TO in seconds", 2],
    [{ trace: ['T'], policy: 'greedy-dual', ttlMin: '3' }, '--ttl-min needs --policy ttl, got greedy-dual', 2],
    [{ trace: ['T'], policy: 'ttl', warmup: '-5' }, "--warmup '-5': warmupMinutes must be a number >= 0 and <= 10000000, got -5", 2],
    [
      { trace: ['T'], policy: 'ttl', window: '0:600', warmup: '10' },
      "--warmup '10': warmupMinutes must be shorter than the window (600 s = 10 min), got 10",
      2,
    ],
    [
      { trace: ['T'], policy: 'ttl', models: 'none,zram' },
      `--models 'none,zram': models[1] must be one of 'none', 'ksm', 'upm', got "zram"`,
      2,
    ],
    [{ trace: ['T'], policy: 'ttl', dumps: ['nofile'] }, "--dumps 'nofile': expected FUNCTION=DUMP[,DUMP...]", 2],
    [{ trace: ['/no/such/trace.csv'], policy: 'ttl' }, '/no/such/trace.csv: no such file', 1],
    [{ trace: ['T'], policy: 'ttl', defaultDumps: ['/no/such.dump'] }, '/no/such.dump: no such dump file', 1],
  ] as [PlanRunOptions, string, number][])('fails with a message and an exit code: %#', async (opts, message, code) => {
    const o = { ...opts, trace: opts.trace?.map((t) => (t === 'T' ? trace : t)) };
    await expect(runPlanCommand(o, false)).rejects.toEqual(new CliError(message, code));
    await expect(runPlanCommand(o, false)).rejects.toMatchObject({ exitCode: code });
  });

  it('a bad spec file is bad input (exit 1) naming the field', async () => {
    const spec = join(dir, 'bad.json');
    writeFileSync(
      spec,
      JSON.stringify({ version: 1, trace, policy: { kind: 'ttl' }, models: ['none'], host: { memoryGiB: -1 } }),
    );
    await expect(runPlanCommand({ spec }, false)).rejects.toMatchObject({
      message: 'invalid plan: host.memoryGiB must be a positive number or null, got -1',
      exitCode: 1,
    });
  });

  it('registers `plan run` with the documented options', () => {
    const program = new Command('upm');
    const plan = registerPlanCommands(program);
    const run = plan.commands.find((c) => c.name() === 'run') as Command;
    const flags = run.options.map((o) => o.long);
    for (const f of [
      '--trace',
      '--policy',
      '--ttl-min',
      '--models',
      '--host-mem-gib',
      '--hosts',
      '--dumps',
      '--default-dumps',
      '--seed',
      '--warmup',
      '--spec',
      '--json',
    ]) {
      expect(flags).toContain(f);
    }
  });
});

describe('the plan flags table', () => {
  const base: PlanRunOptions = { trace: ['t.csv'], policy: 'ttl' };
  /** One sample per flag of the table: the options given, and the value validatePlanSpec gives at its path. */
  const samples: Record<string, [PlanRunOptions, unknown]> = {
    trace: [{ trace: ['a.csv', 'b.csv'] }, 'a.csv,b.csv'],
    policy: [{ policy: 'greedy-dual' }, { kind: 'greedy-dual', maxIdleMinutes: null }],
    ttlMin: [{ ttlMin: '7' }, 7],
    models: [{ models: 'upm, none' }, ['none', 'upm']],
    hostMemGib: [{ hostMemGib: '8' }, 8],
    hosts: [{ hosts: '3' }, 3],
    cores: [{ cores: '4' }, 4],
    dumps: [{ dumps: ['a/f=x.dump,y.dump', 'g=z.dump'] }, { 'a/f': ['x.dump', 'y.dump'], g: ['z.dump'] }],
    defaultDumps: [{ defaultDumps: ['d.dump'] }, ['d.dump']],
    seed: [{ seed: 'foo' }, 'foo'],
    coldStartMs: [{ coldStartMs: '250' }, 250],
    window: [{ window: '60:600' }, { fromS: 60, toS: 600 }],
    warmup: [{ warmup: '2' }, 2],
    step: [{ step: '30' }, 30],
    targetColdRate: [{ hostMemGib: '8', targetColdRate: '0.05' }, 0.05],
    maxHosts: [{ hostMemGib: '8', targetColdRate: '0.05', maxHosts: '9' }, 9],
  };
  const at = (o: unknown, path: string) => path.split('.').reduce((v, k) => (v as Record<string, unknown>)[k], o);

  it.each(PLAN_FLAGS.map((f) => [f.flag, f] as const))('%s sets its spec path', (_flag, f) => {
    const sample = samples[f.option];
    expect(sample).toBeDefined(); // a new flag needs a sample here
    expect(at(buildSpec({ ...base, ...sample[0] }), f.path)).toEqual(sample[1]);
  });

  it('reads digits as an integer seed, other text as a string seed, and defaults to the domain default', () => {
    expect(buildSpec({ ...base, seed: '42' }).seed).toBe(42);
    expect(buildSpec({ ...base, seed: '4x' }).seed).toBe('4x');
    expect(buildSpec(base).seed).toBe(DEFAULT_SEED);
  });

  it('names the flag, its value and what the field expects when validatePlanSpec refuses it', () => {
    expect(() => buildSpec({ ...base, cores: '0' })).toThrow(
      new CliError("--cores '0': host.cores must be an integer >= 1 and <= 1048576, got 0", 2),
    );
    expect(() => buildSpec({ ...base, targetColdRate: '200%', hostMemGib: '8' })).toThrow(
      "--target-cold-rate '200%': sizing.targetColdStartRate must be a number >= 0 and <= 1, got 2",
    );
  });

  it('takes the target cold-start rate as a percentage (as the web form does) or a fraction', () => {
    const rate = (t: string) => buildSpec({ ...base, hostMemGib: '8', targetColdRate: t }).sizing?.targetColdStartRate;
    expect([rate('1%'), rate('0.5 %'), rate('0.01'), rate('0')]).toEqual([0.01, 0.005, 0.01, 0]);
  });

  it('defaults the policy to ttl, also when only --ttl-min is given', () => {
    expect(buildSpec({ trace: ['t.csv'] }).policy).toEqual(buildSpec({ trace: ['t.csv'], policy: 'ttl' }).policy);
    expect(buildSpec({ trace: ['t.csv'], ttlMin: '7' }).policy).toMatchObject({ kind: 'ttl', ttlMinutes: 7 });
  });
});

describe('upm plan run and upm plan submit', () => {
  const trace = invitroTrace('example', 'Azure2021', 'Azure2021_200.csv');
  let posted: unknown[];
  let printed: string[];

  beforeEach(() => {
    posted = [];
    printed = [];
    jest.spyOn(ApiClient.prototype, 'uploadTrace').mockResolvedValue({ id: 'trace-id', stats: {} });
    jest.spyOn(ApiClient.prototype, 'request').mockImplementation(async (_method, _path, body) => {
      posted.push(body);
      return { status: 202, body: { id: 'p'.repeat(64), state: 'queued', created: true } } as never;
    });
    jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
      printed.push(String(s));
      return true;
    });
  });
  afterEach(() => jest.restoreAllMocks());

  const upm = () => {
    const program = new Command('upm').exitOverride();
    registerPlanRemoteCommands(registerPlanCommands(program));
    return (args: string[]) => program.parseAsync(args, { from: 'user' });
  };

  it('--seed foo: both build the same spec, run replays it and submit posts it with seed "foo"', async () => {
    const args = ['--trace', trace, '--policy', 'ttl', '--models', 'none', '--seed', 'foo'];
    const spec = buildSpec({ trace: [trace], policy: 'ttl', models: 'none', seed: 'foo' });
    expect(spec.seed).toBe('foo');
    await upm()(['plan', 'run', ...args, '--json']);
    expect((JSON.parse(printed.join('')) as PlanResult).specHash).toBe(planSpecHash(spec));
    await upm()(['plan', 'submit', ...args, '--api', 'http://127.0.0.1:9', '--json']);
    expect(posted).toEqual([{ ...spec, trace: 'trace-id' }]);
  });

  it('both refuse a bad flag value with the same message before running or uploading anything', async () => {
    const args = ['--trace', trace, '--policy', 'ttl', '--seed', '', '--hosts', '0'];
    const error = new CliError("--seed '': must not be empty", 2);
    await expect(upm()(['plan', 'run', ...args])).rejects.toEqual(error);
    await expect(upm()(['plan', 'submit', ...args])).rejects.toEqual(error);
    const hosts = ['--trace', trace, '--policy', 'ttl', '--hosts', '0'];
    const hostsError = new CliError("--hosts '0': host.count must be an integer >= 1 and <= 1000000, got 0", 2);
    await expect(upm()(['plan', 'run', ...hosts])).rejects.toEqual(hostsError);
    await expect(upm()(['plan', 'submit', ...hosts])).rejects.toEqual(hostsError);
    expect(posted).toEqual([]);
    expect(ApiClient.prototype.uploadTrace).not.toHaveBeenCalled();
  });

  it('submit takes a directory as --trace, as run does, and uploads the trace files in it', async () => {
    const d = mkdtempSync(join(tmpdir(), 'upm-submit-'));
    try {
      copyFileSync(trace, join(d, 'Azure2021_200.csv'));
      writeFileSync(join(d, 'README.md'), 'not a trace');
      await upm()(['plan', 'submit', '--trace', d, '--models', 'none', '--api', 'http://127.0.0.1:9', '--json']);
      expect(ApiClient.prototype.uploadTrace).toHaveBeenCalledWith([join(d, 'Azure2021_200.csv')]);
      expect(posted).toEqual([expect.objectContaining({ trace: 'trace-id', policy: expect.objectContaining({ kind: 'ttl' }) })]);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
