import { MigrationInterface, QueryRunner, Table } from 'typeorm';

export class CreatePingRecords1763800000000 implements MigrationInterface {
  name = 'CreatePingRecords1763800000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.createTable(
      new Table({
        name: 'ping_records',
        columns: [
          { name: 'job_id', type: 'varchar', length: '128', isPrimary: true },
          { name: 'message', type: 'text' },
          { name: 'worker_id', type: 'varchar', length: '255' },
          { name: 'runs', type: 'integer', default: 1 },
          { name: 'processed_at_ms', type: 'bigint' },
        ],
      }),
      true,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('ping_records', true);
  }
}
