import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from './data-source-options';

describe('buildDataSourceOptions (sqlite)', () => {
  it('opens and queries the database without sqlite3 verbose mode wrapping every call', async () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const sqlite3 = require('sqlite3') as { Database: { prototype: { all: () => unknown } } };
    const before = sqlite3.Database.prototype.all;
    const ds = new DataSource(buildDataSourceOptions(':memory:'));
    await ds.initialize();
    try {
      expect(await ds.query('SELECT 1 + 1 AS two')).toEqual([{ two: 2 }]);
      await expect(ds.query('SELECT * FROM no_such_table')).rejects.toThrow(/no such table/);
      // verbose() would have replaced the prototype's methods with stack-capturing wrappers.
      expect(sqlite3.Database.prototype.all).toBe(before);
    } finally {
      await ds.destroy();
    }
  });
});
