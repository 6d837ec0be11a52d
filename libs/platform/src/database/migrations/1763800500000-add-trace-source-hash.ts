import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';

/**
 * The hash of a trace's uploaded files, so the same upload is stored once. Traces stored before it have none
 * (NULL), and are simply never matched.
 */
export class AddTraceSourceHash1763800500000 implements MigrationInterface {
  name = 'AddTraceSourceHash1763800500000';

  async up(runner: QueryRunner): Promise<void> {
    if (await runner.hasColumn('traces', 'source_sha256')) return;
    await runner.addColumn('traces', new TableColumn({ name: 'source_sha256', type: 'varchar', length: '64', isNullable: true }));
    await runner.createIndex('traces', new TableIndex({ name: 'IDX_traces_source_sha256', columnNames: ['source_sha256'], isUnique: true }));
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropIndex('traces', 'IDX_traces_source_sha256');
    await runner.dropColumn('traces', 'source_sha256');
  }
}
