import { MigrationInterface, QueryRunner, Table } from 'typeorm';

export class CreateDumps1763800200000 implements MigrationInterface {
  name = 'CreateDumps1763800200000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.createTable(
      new Table({
        name: 'dumps',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'sha256', type: 'varchar', length: '64', isUnique: true },
          { name: 'name', type: 'varchar', length: '255' },
          { name: 'size_bytes', type: 'bigint' },
          { name: 'labels', type: 'text' },
          { name: 'summary', type: 'text' },
          { name: 'created_at_ms', type: 'bigint' },
        ],
        indices: [{ name: 'IDX_dumps_created', columnNames: ['created_at_ms'] }],
      }),
      true,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('dumps', true);
  }
}
