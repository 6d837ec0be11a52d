import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigValidationError, validateEnvironment } from './environment';

describe('validateEnvironment', () => {
  it('applies the documented defaults when nothing is set', () => {
    const env = validateEnvironment({});
    expect(env).toMatchObject({
      PORT: 3000,
      DATABASE_URL: './data/upm-planner.sqlite',
      REDIS_URL: 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: 'upm',
      LOG_LEVEL: 'info',
      API_PROCESSES: 1,
      QUEUE_LOCK_MS: 30000,
      HOST: '127.0.0.1',
      AUTH: 'auto',
      API_KEY_CACHE_MS: 5000,
      RATE_LIMIT_WINDOW_MS: 60000,
      RATE_LIMIT_PER_ADDRESS: 1200,
      RATE_LIMIT_PER_KEY: 6000,
      JSON_BODY_MAX_BYTES: 1048576,
    });
    expect(env.BOOTSTRAP_API_KEY).toBeUndefined();
    expect(env.CORS_ORIGINS).toBeUndefined();
  });

  it('treats an empty variable like an unset one', () => {
    expect(validateEnvironment({ PORT: '' }).PORT).toBe(3000);
  });

  it('accepts a postgres URL and a sqlite path', () => {
    expect(validateEnvironment({ DATABASE_URL: 'postgres://u@h:5432/db' }).DATABASE_URL).toBe('postgres://u@h:5432/db');
    expect(validateEnvironment({ DATABASE_URL: '/var/lib/upm/x.sqlite' }).DATABASE_URL).toBe('/var/lib/upm/x.sqlite');
  });

  it.each([
    ['PORT', 'abc', /PORT must be an integer between 1 and 65535 \(got "abc"\)/],
    ['PORT', '70000', /PORT must be an integer/],
    ['REDIS_URL', 'localhost:6379', /REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/],
    ['DATABASE_URL', 'mysql://x', /DATABASE_URL must be a sqlite file path or a postgres:\/\/ URL/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL must be one of/],
    ['API_PROCESSES', '0', /API_PROCESSES must be an integer from 1 to 64/],
    ['API_PROCESSES', 'two', /API_PROCESSES must be an integer from 1 to 64/],
    ['QUEUE_LOCK_MS', '5', /QUEUE_LOCK_MS must be an integer from 1000/],
    ['HOST', 'a b', /HOST must be an IP address or host name/],
    ['AUTH', 'maybe', /AUTH must be one of auto, on, off/],
    ['BOOTSTRAP_API_KEY', 'short', /BOOTSTRAP_API_KEY must be at least 32 characters/],
    ['METRICS_TOKEN', 'short', /METRICS_TOKEN must be at least 16 characters/],
    ['CORS_ORIGINS', 'example.com', /CORS_ORIGINS must be \* or comma-separated/],
    ['RATE_LIMIT_PER_ADDRESS', '-1', /RATE_LIMIT_PER_ADDRESS must be a non-negative integer/],
    ['RATE_LIMIT_WINDOW_MS', '10', /RATE_LIMIT_WINDOW_MS must be an integer from 1000/],
    ['JSON_BODY_MAX_BYTES', '1', /JSON_BODY_MAX_BYTES must be an integer from 1024/],
    ['API_KEY_CACHE_MS', 'x', /API_KEY_CACHE_MS must be an integer/],
  ])('names %s when it is invalid (%s)', (name, value, message) => {
    expect(() => validateEnvironment({ [name]: value })).toThrow(ConfigValidationError);
    expect(() => validateEnvironment({ [name]: value })).toThrow(message);
  });

  it('names every bad variable at once', () => {
    expect(() => validateEnvironment({ PORT: 'x', REDIS_URL: 'nope' })).toThrow(/PORT[\s\S]*REDIS_URL/);
  });
});

describe('the environment table of README.md', () => {
  const root = join(__dirname, '../../../..');
  const sources = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? sources(join(dir, e.name)) : /\.ts$/.test(e.name) && !/spec\.ts$/.test(e.name) ? [join(dir, e.name)] : [],
    );
  const code = ['apps', 'libs', 'scripts']
    .flatMap((d) => sources(join(root, d)))
    .filter((f) => !f.endsWith(join('config', 'environment.ts')))
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
  const readme = readFileSync(join(root, 'README.md'), 'utf8');

  it('documents every setting, and every setting is read by some code (none is dead, as DATA_DIR was)', () => {
    const keys = Object.keys(validateEnvironment({}));
    expect(keys.length).toBeGreaterThan(5);
    for (const key of keys) {
      expect([key, readme.includes(`| \`${key}\` |`)]).toEqual([key, true]);
      expect([key, code.includes(`'${key}'`) || code.includes(`.${key}`)]).toEqual([key, true]);
    }
  });
});
