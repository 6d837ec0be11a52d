import * as fs from 'node:fs';
import * as path from 'node:path';

/** Repository root (this file lives in test/support/). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** The real Azure trace rows committed with the repository (see test/fixtures/traces/README.md). */
export const TRACE_FIXTURES_DIR = path.join(REPO_ROOT, 'test', 'fixtures', 'traces');

/**
 * The real-trace samples: the committed fixtures, or `$UPM_SHARED_DIR/traces-raw` when that variable is set
 * (to run the same tests on another copy of the samples). Throws (so the test FAILS, never skips) when the
 * directory is missing, naming the path it looked at.
 */
export function sharedTracesDir(): string {
  const dir = process.env.UPM_SHARED_DIR ? path.join(process.env.UPM_SHARED_DIR, 'traces-raw') : TRACE_FIXTURES_DIR;
  if (!fs.existsSync(dir)) {
    throw new Error(`trace samples not found: ${dir} does not exist (unset UPM_SHARED_DIR to use test/fixtures/traces)`);
  }
  return dir;
}

/** A file under the invitro samples, e.g. invitroTrace('500', 'invocations.csv'); fails if it is missing. */
export function invitroTrace(...parts: string[]): string {
  const p = path.join(sharedTracesDir(), 'invitro', 'data', 'traces', ...parts);
  if (!fs.existsSync(p)) throw new Error(`trace sample missing: ${p}`);
  return p;
}
