import * as fs from 'node:fs';
import * as path from 'node:path';

/** Repository root (this file lives in test/support/). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/**
 * The shared real-trace samples: `$UPM_SHARED_DIR/traces-raw`, default `<repo>/../shared/traces-raw`.
 * Throws (so the test FAILS, never skips) when the directory is missing, naming the path it looked at.
 */
export function sharedTracesDir(): string {
  const base = process.env.UPM_SHARED_DIR ?? path.resolve(REPO_ROOT, '..', 'shared');
  const dir = path.join(base, 'traces-raw');
  if (!fs.existsSync(dir)) {
    throw new Error(
      `shared trace samples not found: ${dir} does not exist (set UPM_SHARED_DIR to the directory holding traces-raw/)`,
    );
  }
  return dir;
}

/** A file under the invitro samples, e.g. invitroTrace('500', 'invocations.csv'); fails if it is missing. */
export function invitroTrace(...parts: string[]): string {
  const p = path.join(sharedTracesDir(), 'invitro', 'data', 'traces', ...parts);
  if (!fs.existsSync(p)) throw new Error(`shared trace sample missing: ${p}`);
  return p;
}
