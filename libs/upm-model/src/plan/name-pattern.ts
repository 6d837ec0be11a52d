import { setFlagsFromString } from 'node:v8';

/** Longest `profiles.rules[].match.name` accepted. */
export const MAX_NAME_PATTERN_LENGTH = 1000;

let linearFlag: 'l' | '' | undefined;

/**
 * V8's linear-time regular-expression engine (an automaton like RE2's; the `l` flag): a pattern such as
 * `(a+)+$`, which backtracks exponentially in the default engine, is matched in time linear in the input. It
 * sits behind a V8 flag, set here once; where a V8 lacks it, '' (and only the default engine is left).
 */
function linearEngineFlag(): 'l' | '' {
  if (linearFlag !== undefined) return linearFlag;
  try {
    setFlagsFromString('--enable-experimental-regexp-engine');
    const linear: string = 'l'; // eslint's no-invalid-regexp does not know V8's `l` flag
    new RegExp('a', linear);
    linearFlag = 'l';
  } catch {
    linearFlag = '';
  }
  return linearFlag;
}

export class NamePatternError extends Error {}

/**
 * Compiles a function-name pattern of a plan spec so that matching it cannot hang a worker: with the linear-time
 * engine, whatever the pattern and input. Patterns that engine cannot run (backreferences, lookahead and
 * lookbehind) are refused, as is anything over MAX_NAME_PATTERN_LENGTH.
 */
export function compileNamePattern(pattern: string): RegExp {
  if (pattern.length > MAX_NAME_PATTERN_LENGTH)
    throw new NamePatternError(`must be at most ${MAX_NAME_PATTERN_LENGTH} characters, got ${pattern.length}`);
  try {
    new RegExp(pattern);
  } catch (e) {
    throw new NamePatternError(`must be a valid regular expression: ${(e as Error).message}`);
  }
  const flag = linearEngineFlag();
  if (flag === '') throw new NamePatternError('cannot be matched safely: this Node.js lacks V8\'s linear-time regular-expression engine');
  try {
    return new RegExp(pattern, flag);
  } catch {
    throw new NamePatternError(
      'must be a regular expression that can be matched in linear time: no backreferences (\\1), lookahead or lookbehind',
    );
  }
}
