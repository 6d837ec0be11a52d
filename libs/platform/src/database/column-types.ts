import { QueryRunner } from 'typeorm';

/** The one type that differs between our two databases: a timestamp with time zone. */
export function timestampType(runner: QueryRunner): string {
  return runner.connection.options.type === 'postgres' ? 'timestamptz' : 'datetime';
}
