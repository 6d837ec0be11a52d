import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsString, Matches, Max, Min, validateSync } from 'class-validator';

/**
 * Every environment variable the services read. The README's environment table mirrors this class;
 * nothing else in the code reads process.env (tests and scripts pass values in explicitly).
 */
export class EnvironmentVariables {
  @Transform(({ value }) => (value === undefined || value === '' ? 3000 : Number(value)))
  @IsInt({ message: 'PORT must be an integer between 1 and 65535' })
  @Min(1, { message: 'PORT must be an integer between 1 and 65535' })
  @Max(65535, { message: 'PORT must be an integer between 1 and 65535' })
  PORT = 3000;

  /** A sqlite file path, or a postgres:// URL. */
  @IsString()
  @Matches(/^(postgres(ql)?:\/\/.+|[^:]+|:memory:)$/, {
    message: 'DATABASE_URL must be a sqlite file path or a postgres:// URL',
  })
  DATABASE_URL = './data/upm-planner.sqlite';

  @IsString()
  @Matches(/^rediss?:\/\/[^\s]+$/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  /** Prefix of every Bull key in Redis, so several deployments can share one Redis. */
  @IsString()
  @Matches(/^[A-Za-z0-9_.:-]{1,64}$/, { message: 'QUEUE_PREFIX must be 1-64 characters of [A-Za-z0-9_.:-]' })
  QUEUE_PREFIX = 'upm';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    message: 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
  })
  LOG_LEVEL = 'info';

  /** How long a worker holds a job's lock; a job whose worker died is retried after about this long. */
  @Transform(({ value }) => (value === undefined || value === '' ? 30000 : Number(value)))
  @IsInt({ message: 'QUEUE_LOCK_MS must be an integer from 1000 to 600000' })
  @Min(1000, { message: 'QUEUE_LOCK_MS must be an integer from 1000 to 600000' })
  @Max(600000, { message: 'QUEUE_LOCK_MS must be an integer from 1000 to 600000' })
  QUEUE_LOCK_MS = 30000;

  /** Largest accepted upload in bytes (dumps and traces). */
  @Transform(({ value }) => (value === undefined || value === '' ? 2 * 1024 ** 3 : Number(value)))
  @IsInt({ message: 'UPLOAD_MAX_BYTES must be a positive integer' })
  @Min(1, { message: 'UPLOAD_MAX_BYTES must be a positive integer' })
  UPLOAD_MAX_BYTES = 2 * 1024 ** 3;

  /** POST /v1/analyses over more resident pages than this runs as a worker job instead of answering at once. */
  @Transform(({ value }) => (value === undefined || value === '' ? 2_000_000 : Number(value)))
  @IsInt({ message: 'ANALYSIS_SYNC_MAX_PAGES must be a non-negative integer' })
  @Min(0, { message: 'ANALYSIS_SYNC_MAX_PAGES must be a non-negative integer' })
  ANALYSIS_SYNC_MAX_PAGES = 2_000_000;
}

export class ConfigValidationError extends Error {}

/** ConfigModule's `validate` hook: returns typed config or throws naming every bad variable. */
export function validateEnvironment(raw: Record<string, unknown>): EnvironmentVariables {
  const env = plainToInstance(EnvironmentVariables, stripEmpty(raw), { exposeDefaultValues: true });
  const errors = validateSync(env, { skipMissingProperties: false, whitelist: false });
  if (errors.length > 0) {
    const lines = errors.map((e) => {
      const got = raw[e.property];
      const why = Object.values(e.constraints ?? {})[0] ?? 'is invalid';
      return `  ${e.property}: ${why} (got ${JSON.stringify(got)})`;
    });
    throw new ConfigValidationError(`Invalid environment configuration:\n${lines.join('\n')}`);
  }
  return env;
}

/** Treat VAR= like an unset variable, so the default applies. */
function stripEmpty(raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) if (v !== '') out[k] = v;
  return out;
}
