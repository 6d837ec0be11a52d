import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * A plan's (and each sweep point's) time series as a blob of its own, apart from the rest of its result, so
 * GET /v1/plans/:id does not read and parse the series only to drop it, nor does combining a sweep. Rows stored
 * before have none (NULL): their result blob still holds the series, and is read the old way.
 */
export class AddPlanTimeseriesSha2561763800710000 implements MigrationInterface {
  name = 'AddPlanTimeseriesSha2561763800710000';

  async up(runner: QueryRunner): Promise<void> {
    for (const table of ['plans', 'plan_points']) {
      if (await runner.hasColumn(table, 'timeseries_sha256')) continue;
      await runner.addColumn(table, new TableColumn({ name: 'timeseries_sha256', type: 'varchar', length: '64', isNullable: true }));
    }
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropColumn('plan_points', 'timeseries_sha256');
    await runner.dropColumn('plans', 'timeseries_sha256');
  }
}
