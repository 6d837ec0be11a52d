import type { ValidationError } from 'class-validator';
import { InvalidInputError } from './errors';

/** One bad field of a request: its JSON path ('' for the whole body) and what is wrong with it. */
export interface FieldError {
  path: string;
  detail: string;
}

/** A 422 listing each bad field; `detail` is the same messages as one line, each led by its path. */
export function invalidFields(prefix: string, errors: FieldError[]): InvalidInputError {
  const line = errors.map((e) => (e.path ? `${e.path} ${e.detail}` : e.detail)).join('; ');
  return new InvalidInputError(prefix ? `${prefix}: ${line}` : line, { errors });
}

/**
 * class-validator's errors as field errors with real paths: nested properties joined with dots, and the
 * property's name taken out of the message ("each value in models must be one of ..." is path `models`,
 * detail "each value must be one of ...", not a field named "each").
 */
export function fieldErrorsOf(errors: ValidationError[], parent = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const e of errors) {
    const path = /^\d+$/.test(e.property) ? `${parent}[${e.property}]` : parent ? `${parent}.${e.property}` : e.property;
    for (const [kind, message] of Object.entries(e.constraints ?? {})) {
      let detail = message;
      if (kind === 'whitelistValidation') detail = 'is not a known field';
      else if (detail.startsWith(`each value in ${e.property} `)) detail = `each value ${detail.slice(`each value in ${e.property} `.length)}`;
      else if (detail.startsWith(`${e.property} `)) detail = detail.slice(e.property.length + 1);
      out.push({ path, detail });
    }
    if (e.children?.length) out.push(...fieldErrorsOf(e.children, path));
  }
  return out;
}
