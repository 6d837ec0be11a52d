import { ValueTransformer } from 'typeorm';

/** PostgreSQL returns bigint as a string; our bigints (bytes, epoch ms) fit a double exactly. */
export const bigintNumber: ValueTransformer = {
  to: (v: number | undefined) => v,
  from: (v: string | number | null) => (v === null ? v : Number(v)),
};

/**
 * A JSON text column holding a value of type T: the on-disk format of TypeORM's simple-json (JSON.stringify
 * into text), so rows written before stay readable. T is trusted on read because the row's only writers store
 * a T (a validated spec, a domain summary): this is the one place where stored JSON becomes typed again.
 */
export function jsonOf<T>(): ValueTransformer {
  return {
    // undefined: a partial update that leaves the column alone
    to: (v: T | null | undefined) => (v === undefined || v === null ? v : JSON.stringify(v)),
    from: (v: string | T | null): T | null => (typeof v === 'string' ? (JSON.parse(v) as T) : v),
  };
}
