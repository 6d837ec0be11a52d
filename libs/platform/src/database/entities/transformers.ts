import { ValueTransformer } from 'typeorm';

/** PostgreSQL returns bigint as a string; our bigints (bytes, epoch ms) fit a double exactly. */
export const bigintNumber: ValueTransformer = {
  to: (v: number | undefined) => v,
  from: (v: string | number | null) => (v === null ? v : Number(v)),
};
