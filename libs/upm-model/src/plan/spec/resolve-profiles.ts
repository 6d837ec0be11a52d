/** Which dumps the profiles of a spec name, and which each function of a trace uses. */
import type { Trigger } from '../../traces/types';
import { joinPath } from '../../validation';
import { compileNamePattern } from '../name-pattern';
import { PlanSpec, PlanSpecError, ProfileRule, ProfilesSpec } from './types';

/** Every dump reference the profiles name (used by the trace or not), each once, in order. */
export function profileRefs(p: ProfilesSpec): string[] {
  return [...new Set([...Object.values(p.functions).flat(), ...p.rules.flatMap((r) => r.dumps), ...(p.default ?? [])])];
}

/** The profiles with every dump reference replaced by `f(ref)` (e.g. a file path by the id it was uploaded as). */
export async function mapProfileRefs(p: ProfilesSpec, f: (ref: string) => Promise<string>): Promise<ProfilesSpec> {
  const map = (refs: string[]) => Promise.all(refs.map(f));
  const functions: Record<string, string[]> = {};
  for (const [fn, refs] of Object.entries(p.functions)) functions[fn] = await map(refs);
  const rules: ProfileRule[] = [];
  for (const r of p.rules) rules.push({ ...r, dumps: await map(r.dumps) });
  return { ...p, functions, rules, default: p.default && (await map(p.default)) };
}

/** The key of a trace function in specs and results: "<app>/<id>". */
export function functionKey(f: { app: string; id: string }): string {
  return `${f.app}/${f.id}`;
}

/**
 * Checks that every function key the spec names (profiles.functions, coldStartMs.functions) is a function of
 * the trace, as "<app>/<id>" or "<id>". Throws PlanSpecError naming the first unknown key and the closest
 * existing keys (longest common prefix), so that a typo is not silently replaced by the fallback profile.
 */
export function checkFunctionKeys(
  spec: Pick<PlanSpec, 'profiles' | 'coldStartMs'>,
  trace: { functions: readonly { id: string; app: string }[] },
): void {
  const known = new Set<string>();
  for (const f of trace.functions) {
    known.add(functionKey(f));
    known.add(f.id);
  }
  const check = (path: string, keys: string[]) => {
    for (const key of keys) {
      if (known.has(key)) continue;
      throw new PlanSpecError(
        joinPath(path, key),
        `names no function of the trace (${trace.functions.length} functions, keys "<app>/<id>" or "<id>"); closest: ${closestKeys(key, trace.functions).join(', ') || 'none'}`,
      );
    }
  };
  check('profiles.functions', Object.keys(spec.profiles.functions));
  check('coldStartMs.functions', Object.keys(spec.coldStartMs.functions));
}

/** Up to `n` function keys of the trace sharing the longest prefix with `key` (or with its id part). */
export function closestKeys(key: string, functions: readonly { id: string; app: string }[], n = 3): string[] {
  const slash = key.indexOf('/');
  const idPart = slash >= 0 ? key.slice(slash + 1) : key;
  const lcp = (a: string, b: string) => {
    let i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i++;
    return i;
  };
  const scored = functions.map((f) => {
    const k = functionKey(f);
    return { k, score: Math.max(lcp(key, k), lcp(idPart, f.id), lcp(key, f.id)) };
  });
  scored.sort((a, b) => b.score - a.score || (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  return scored.slice(0, n).map((x) => x.k);
}

export interface ResolvedProfiles {
  /** Per trace function (same index as trace.functions): the dump refs it uses, or null = the fallback profile. */
  byFunction: Array<string[] | null>;
  /** Every dump ref used, in order of first use: what the caller must load. */
  refs: string[];
}

/**
 * Which dumps each function of the trace uses. Precedence: `functions["<app>/<id>"]`, then `functions["<id>"]`,
 * then the first rule whose every given condition holds (trigger equal, app equal, `name` regex found in the
 * function id), then `default`; otherwise null (modelled from the app's memory percentiles).
 */
export function resolveProfiles(
  spec: PlanSpec,
  trace: { functions: readonly { id: string; app: string; trigger: Trigger }[] },
): ResolvedProfiles {
  const p = spec.profiles;
  const rules = p.rules.map((r) => ({ ...r, re: r.match.name === null ? null : compileNamePattern(r.match.name) }));
  const refs: string[] = [];
  const seen = new Set<string>();
  const byFunction = trace.functions.map((f) => {
    let got: string[] | null = p.functions[functionKey(f)] ?? p.functions[f.id] ?? null;
    if (got === null) {
      for (const r of rules) {
        if (r.match.trigger !== null && r.match.trigger !== f.trigger) continue;
        if (r.match.app !== null && r.match.app !== f.app) continue;
        if (r.re !== null && !r.re.test(f.id)) continue;
        got = r.dumps;
        break;
      }
    }
    if (got === null) got = p.default;
    if (got !== null) {
      for (const ref of got) {
        if (!seen.has(ref)) {
          seen.add(ref);
          refs.push(ref);
        }
      }
    }
    return got;
  });
  return { byFunction, refs };
}
