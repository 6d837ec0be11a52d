/**
 * What the UPM guest suites (upm-kernel, upm-functions) share: installing QEMU and the kernel source
 * (kernel/upm/scripts/deps.sh), and deciding whether the last guest run's results can be reused.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const KERNEL = join(ROOT, 'kernel');

/** Installs what is missing; a non-zero exit (3 = cannot) skips the suite, saying why. */
export function guestDependencies(): { ok: boolean; why: string } {
  const r = spawnSync('sh', [join(KERNEL, 'upm', 'scripts', 'deps.sh')], { encoding: 'utf8', timeout: 15 * 60_000 });
  if (r.status === 0) return { ok: true, why: '' };
  return { ok: false, why: (r.stderr || r.stdout || `deps.sh exited ${r.status}`).trim() };
}

/** The newest mtime of the guest's inputs: kernel/upm.mk, everything under kernel/upm/ and under extraDirs. */
export function newestInput(extraDirs: string[] = []): number {
  const files = [join(KERNEL, 'upm.mk')];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else files.push(p);
    }
  };
  for (const d of [join(KERNEL, 'upm'), ...extraDirs]) walk(d);
  return Math.max(...files.map((f) => statSync(f).mtimeMs));
}

/** The guest run can be skipped: its summary is newer than every input (UPM_KERNEL_REUSE=0 forces a run). */
export function resultsReusable(summaryFile: string, extraDirs: string[] = []): boolean {
  return process.env.UPM_KERNEL_REUSE !== '0' && existsSync(summaryFile) && statSync(summaryFile).mtimeMs > newestInput(extraDirs);
}
