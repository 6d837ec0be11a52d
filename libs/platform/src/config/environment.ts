import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, validateSync } from 'class-validator';

const intOr = (fallback: number) => ({ value }: { value: unknown }) => (value === undefined || value === '' ? fallback : Number(value));

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

  /** API processes serving the one PORT (node:cluster); 1: the API runs in this process alone. */
  @Transform(intOr(1))
  @IsInt({ message: 'API_PROCESSES must be an integer from 1 to 64' })
  @Min(1, { message: 'API_PROCESSES must be an integer from 1 to 64' })
  @Max(64, { message: 'API_PROCESSES must be an integer from 1 to 64' })
  API_PROCESSES = 1;

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

  /**
   * Chunks of an upload that never completed (its API process was killed) are deleted once this old; the API
   * sweeps at start-up and then every min(this, 10 min). Younger ones may be an upload another API is writing.
   */
  @Transform(intOr(3600_000))
  @IsInt({ message: 'UPLOAD_ORPHAN_MS must be an integer from 1000 to 604800000' })
  @Min(1000, { message: 'UPLOAD_ORPHAN_MS must be an integer from 1000 to 604800000' })
  @Max(604800000, { message: 'UPLOAD_ORPHAN_MS must be an integer from 1000 to 604800000' })
  UPLOAD_ORPHAN_MS = 3600_000;

  /** POST /v1/analyses over more resident pages than this runs as a worker job instead of answering at once. */
  @Transform(({ value }) => (value === undefined || value === '' ? 2_000_000 : Number(value)))
  @IsInt({ message: 'ANALYSIS_SYNC_MAX_PAGES must be a non-negative integer' })
  @Min(0, { message: 'ANALYSIS_SYNC_MAX_PAGES must be a non-negative integer' })
  ANALYSIS_SYNC_MAX_PAGES = 2_000_000;

  /**
   * Worker threads of the API that run its CPU-heavy requests (synchronous analyses, sharing, density, trace
   * functions and profiles), so other requests are answered meanwhile; 0 runs them on the event loop.
   */
  @Transform(intOr(1))
  @IsInt({ message: 'API_COMPUTE_THREADS must be an integer from 0 to 64' })
  @Min(0, { message: 'API_COMPUTE_THREADS must be an integer from 0 to 64' })
  @Max(64, { message: 'API_COMPUTE_THREADS must be an integer from 0 to 64' })
  API_COMPUTE_THREADS = 1;

  /** Decoded dumps and traces each compute thread keeps (MiB of their typed arrays). */
  @Transform(intOr(512))
  @IsInt({ message: 'API_COMPUTE_CACHE_MB must be an integer from 0 to 65536' })
  @Min(0, { message: 'API_COMPUTE_CACHE_MB must be an integer from 0 to 65536' })
  @Max(65536, { message: 'API_COMPUTE_CACHE_MB must be an integer from 0 to 65536' })
  API_COMPUTE_CACHE_MB = 512;

  /**
   * Decoded traces and dumps each worker job process keeps between its jobs (MiB of their typed arrays): the
   * points of a sweep then decode the trace and each dump once per process, not once per point.
   */
  @Transform(intOr(1024))
  @IsInt({ message: 'WORKER_INPUT_CACHE_MB must be an integer from 0 to 65536' })
  @Min(0, { message: 'WORKER_INPUT_CACHE_MB must be an integer from 0 to 65536' })
  @Max(65536, { message: 'WORKER_INPUT_CACHE_MB must be an integer from 0 to 65536' })
  WORKER_INPUT_CACHE_MB = 1024;

  /** Address the API listens on. Anything but a loopback address needs an API key or AUTH=off. */
  @IsString()
  @Matches(/^[A-Za-z0-9.:%_-]{1,255}$/, { message: 'HOST must be an IP address or host name, such as 127.0.0.1 or 0.0.0.0' })
  HOST = '127.0.0.1';

  /**
   * `auto`: keys are required once any exists (BOOTSTRAP_API_KEY or a key in the database), and always on a
   * non-loopback HOST; with none on loopback the API runs open. `on`: always required. `off`: never (logged).
   */
  @IsIn(['auto', 'on', 'off'], { message: 'AUTH must be one of auto, on, off' })
  AUTH: 'auto' | 'on' | 'off' = 'auto';

  /** A write-scope API key taken from the environment (for a first deployment, before keys are created). */
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'BOOTSTRAP_API_KEY must be at least 32 characters (use `openssl rand -hex 32`)' })
  BOOTSTRAP_API_KEY?: string;

  /** How long the API trusts a looked-up key: a revoked key stops working within this long. */
  @Transform(intOr(5000))
  @IsInt({ message: 'API_KEY_CACHE_MS must be an integer from 0 to 600000' })
  @Min(0, { message: 'API_KEY_CACHE_MS must be an integer from 0 to 600000' })
  @Max(600000, { message: 'API_KEY_CACHE_MS must be an integer from 0 to 600000' })
  API_KEY_CACHE_MS = 5000;

  /** A bearer token that may read GET /metrics (besides any read key), for a Prometheus scraper. */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'METRICS_TOKEN must be at least 16 characters' })
  METRICS_TOKEN?: string;

  /** Comma-separated origins allowed by CORS (e.g. https://ops.example.com); unset: CORS off. */
  @IsOptional()
  @IsString()
  @Matches(/^(\*|https?:\/\/[^\s,]+(,https?:\/\/[^\s,]+)*)$/, {
    message: 'CORS_ORIGINS must be * or comma-separated http(s):// origins',
  })
  CORS_ORIGINS?: string;

  /** Express "trust proxy": unset trusts none; e.g. `loopback` behind a local TLS proxy, so rate limits see client addresses. */
  @IsOptional()
  @IsString()
  TRUST_PROXY?: string;

  /** Rate-limit window; the limits below count requests per window. */
  @Transform(intOr(60000))
  @IsInt({ message: 'RATE_LIMIT_WINDOW_MS must be an integer from 1000 to 3600000' })
  @Min(1000, { message: 'RATE_LIMIT_WINDOW_MS must be an integer from 1000 to 3600000' })
  @Max(3600000, { message: 'RATE_LIMIT_WINDOW_MS must be an integer from 1000 to 3600000' })
  RATE_LIMIT_WINDOW_MS = 60000;

  /** Requests per window from one client address (0: no limit). Counted in Redis, shared by every API process. */
  @Transform(intOr(1200))
  @IsInt({ message: 'RATE_LIMIT_PER_ADDRESS must be a non-negative integer' })
  @Min(0, { message: 'RATE_LIMIT_PER_ADDRESS must be a non-negative integer' })
  RATE_LIMIT_PER_ADDRESS = 1200;

  /** Requests per window with one API key (0: no limit). */
  @Transform(intOr(6000))
  @IsInt({ message: 'RATE_LIMIT_PER_KEY must be a non-negative integer' })
  @Min(0, { message: 'RATE_LIMIT_PER_KEY must be a non-negative integer' })
  RATE_LIMIT_PER_KEY = 6000;

  /** Largest JSON request body in bytes (plan specs, analyses); larger ones get 413. */
  @Transform(intOr(1024 * 1024))
  @IsInt({ message: 'JSON_BODY_MAX_BYTES must be an integer from 1024 to 104857600' })
  @Min(1024, { message: 'JSON_BODY_MAX_BYTES must be an integer from 1024 to 104857600' })
  @Max(100 * 1024 * 1024, { message: 'JSON_BODY_MAX_BYTES must be an integer from 1024 to 104857600' })
  JSON_BODY_MAX_BYTES = 1024 * 1024;
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
