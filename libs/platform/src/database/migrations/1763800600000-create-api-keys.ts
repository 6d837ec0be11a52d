import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/** API keys (hashed) with a read or write scope; revoked keys stay, with the time they were revoked. */
export class CreateApiKeys1763800600000 implements MigrationInterface {
  name = 'CreateApiKeys1763800600000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.createTable(
      new Table({
        name: 'api_keys',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'name', type: 'varchar', length: '64' },
          { name: 'scope', type: 'varchar', length: '8' },
          { name: 'key_sha256', type: 'varchar', length: '64' },
          { name: 'prefix', type: 'varchar', length: '16' },
          { name: 'created_at_ms', type: 'bigint' },
          { name: 'revoked_at_ms', type: 'bigint', isNullable: true },
        ],
        indices: [{ name: 'IDX_api_keys_key_sha256', columnNames: ['key_sha256'], isUnique: true }],
      }),
      true,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('api_keys', true);
  }
}
