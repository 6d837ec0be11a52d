import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/** Content-addressed blobs stored in chunks (see BlobStore). */
export class CreateBlobs1763800100000 implements MigrationInterface {
  name = 'CreateBlobs1763800100000';

  async up(runner: QueryRunner): Promise<void> {
    const binary = runner.connection.options.type === 'postgres' ? 'bytea' : 'blob';
    await runner.createTable(
      new Table({
        name: 'blob_chunks',
        columns: [
          { name: 'upload_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'seq', type: 'integer', isPrimary: true },
          { name: 'data', type: binary },
          { name: 'created_at_ms', type: 'bigint' },
        ],
      }),
      true,
    );
    await runner.createTable(
      new Table({
        name: 'blobs',
        columns: [
          { name: 'sha256', type: 'varchar', length: '64', isPrimary: true },
          { name: 'upload_id', type: 'varchar', length: '36' },
          { name: 'size_bytes', type: 'bigint' },
          { name: 'chunk_count', type: 'integer' },
          { name: 'created_at_ms', type: 'bigint' },
        ],
        indices: [{ name: 'IDX_blobs_upload', columnNames: ['upload_id'] }],
      }),
      true,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('blobs', true);
    await runner.dropTable('blob_chunks', true);
  }
}
