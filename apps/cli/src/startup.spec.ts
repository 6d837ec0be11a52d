/**
 * `upm --help` and every command's definition load without the server stack: TypeORM, Nest and Bull are ~1,900
 * modules (over 1 s warm, minutes on a cold install) and only `upm server keys` needs them, when it runs.
 * Each of them is replaced by a module that throws on load, so a top-level import anywhere in the CLI's
 * definitions fails this test.
 */
const HEAVY = ['typeorm', '@nestjs/core', '@nestjs/common', '@nestjs/typeorm', '@nestjs/bull', 'bull', 'pg', 'sqlite3'];
for (const name of HEAVY) {
  jest.doMock(name, () => {
    throw new Error(`${name} loaded while building the CLI`);
  });
}

describe('upm start-up', () => {
  it('builds every command and prints the help of each without loading TypeORM, Nest or Bull', async () => {
    const { buildProgram } = await import('./main');
    const program = buildProgram();
    const all: string[] = [];
    const walk = (c: typeof program, path: string[]) => {
      for (const sub of c.commands) {
        all.push([...path, sub.name()].join(' '));
        sub.helpInformation();
        walk(sub, [...path, sub.name()]);
      }
    };
    walk(program, []);
    expect(program.helpInformation()).toContain('Usage: upm');
    expect(all).toEqual(
      expect.arrayContaining(['server keys create', 'plan run', 'dump inspect', 'trace list', 'trace show', 'trace upload', 'trace delete', 'density', 'plan delete', 'dump delete']),
    );
  });

  it('loads the key store (and with it TypeORM) only when a keys command runs', async () => {
    await expect(import('./commands/server-keys.store')).rejects.toThrow(/loaded while building the CLI/);
  });
});
