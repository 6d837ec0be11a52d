import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/**
 * Named locks with a lease, held in the database so that every API and worker process (several on one sqlite
 * file, or on many machines with PostgreSQL) serializes the same critical sections (see LeaseLocks).
 */
export class CreateLeaseLocks1763800800000 implements MigrationInterface {
  name = 'CreateLeaseLocks1763800800000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.createTable(
      new Table({
        name: 'lease_locks',
        columns: [
          { name: 'lock_key', type: 'varchar', length: '128', isPrimary: true },
          { name: 'owner', type: 'varchar', length: '36' },
          { name: 'expires_at_ms', type: 'bigint' },
        ],
      }),
      true,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('lease_locks', true);
  }
}
