/** Test-only helpers for the trace specs (excluded from the build by tsconfig.build's test/ rule). */
import * as fs from 'node:fs';
import { TraceError, TraceErrorCode } from '../errors';
import { TraceSource, sourceFromBytes } from '../input';

export function readText(p: string): string {
  return fs.readFileSync(p, 'utf8');
}

/**
 * Independent oracle for an invocations file: split into lines, split on commas, sum every cell under a
 * numeric header. Deliberately naive (no streaming, no shared code with the reader).
 */
export function naiveInvocations(text: string): { rows: number; total: number; keys: Set<string> } {
  const lines = text
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.length > 0);
  const header = lines[0].replace(/^\uFEFF/, '').split(',');
  const minuteCols = header.map((h, i) => (/^\d+$/.test(h) ? i : -1)).filter((i) => i >= 0);
  const [o, a, f] = ['HashOwner', 'HashApp', 'HashFunction'].map((n) => header.indexOf(n));
  let total = 0;
  const keys = new Set<string>();
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    for (const i of minuteCols) total += Number(cells[i] || 0);
    keys.add(`${cells[o]}|${cells[a]}|${cells[f]}`);
  }
  return { rows: lines.length - 1, total, keys };
}

export function src(name: string, text: string | Buffer, chunkSize?: number): TraceSource {
  return sourceFromBytes(name, text, chunkSize);
}

/** Awaits a rejection and checks it is our TraceError with the code, returning it for more asserts. */
export async function rejectsWith(p: Promise<unknown>, code: TraceErrorCode): Promise<TraceError> {
  try {
    await p;
  } catch (e) {
    if (!(e instanceof TraceError))
      throw new Error(`expected TraceError ${code}, got ${(e as Error)?.stack ?? String(e)}`);
    if (e.code !== code) throw new Error(`expected TraceError ${code}, got ${e.code}: ${e.message}`);
    return e;
  }
  throw new Error(`expected TraceError ${code}, but it resolved`);
}

/** Lines of a CSV text (LF), dropping a trailing empty line. */
export function csvLines(text: string): string[] {
  const l = text.split('\n');
  if (l[l.length - 1] === '') l.pop();
  return l;
}
