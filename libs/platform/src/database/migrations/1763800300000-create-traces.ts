import { MigrationInterface, QueryRunner, Table } from 'typeorm';

export class CreateTraces1763800300000 implements MigrationInterface {
  name = 'CreateTraces1763800300000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.createTable(
      new Table({
        name: 'traces',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'name', type: 'varchar', length: '255' },
          { name: 'format', type: 'varchar', length: '32' },
          { name: 'sha256', type: 'varchar', length: '64' },
          { name: 'source_bytes', type: 'bigint' },
          { name: 'window', type: 'text' },
          { name: 'stats', type: 'text' },
          { name: 'join_report', type: 'text', isNullable: true },
          { name: 'files', type: 'text' },
          { name: 'created_at_ms', type: 'bigint' },
        ],
        indices: [{ name: 'IDX_traces_created', columnNames: ['created_at_ms'] }],
      }),
      true,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('traces', true);
  }
}
