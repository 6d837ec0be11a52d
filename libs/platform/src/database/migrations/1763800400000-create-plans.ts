import { MigrationInterface, QueryRunner, Table } from 'typeorm';

export class CreatePlans1763800400000 implements MigrationInterface {
  name = 'CreatePlans1763800400000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.createTable(
      new Table({
        name: 'plans',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'trace_id', type: 'varchar', length: '36' },
          { name: 'spec', type: 'text' },
          { name: 'state', type: 'varchar', length: '16' },
          { name: 'points', type: 'integer' },
          { name: 'result_sha256', type: 'varchar', length: '64', isNullable: true },
          { name: 'summary', type: 'text', isNullable: true },
          { name: 'error', type: 'text', isNullable: true },
          { name: 'created_at_ms', type: 'bigint' },
          { name: 'completed_at_ms', type: 'bigint', isNullable: true },
        ],
        indices: [{ name: 'IDX_plans_created', columnNames: ['created_at_ms'] }],
      }),
      true,
    );
    await runner.createTable(
      new Table({
        name: 'plan_points',
        columns: [
          { name: 'plan_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'index', type: 'integer', isPrimary: true },
          { name: 'result_sha256', type: 'varchar', length: '64' },
          { name: 'completed_at_ms', type: 'bigint' },
        ],
      }),
      true,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('plan_points', true);
    await runner.dropTable('plans', true);
  }
}
