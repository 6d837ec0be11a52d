import { matchField } from '@upm/client/problem';
import { ApiProblem } from './api';
import { h } from './dom';

/** An error the form finds itself before asking the API, about one field (a JSON path, as the API's). */
export class FormFieldError extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
  }
}

/** Clears the errors shown in a form. */
export function clearErrors(form: HTMLElement): void {
  form.querySelectorAll('.field-error, .form-error').forEach((e) => e.remove());
  form.querySelectorAll('[aria-invalid]').forEach((e) => e.removeAttribute('aria-invalid'));
}

/**
 * Shows an API error in words: each message next to the form field it names (elements with data-field="json
 * path"), the others at the top of the form.
 */
export function showErrors(form: HTMLElement, e: unknown): void {
  clearErrors(form);
  const fields = [...form.querySelectorAll<HTMLElement>('[data-field]')];
  const names = fields.map((f) => f.dataset.field!);
  const top: string[] = [];
  const list = e instanceof ApiProblem ? e.fields : e instanceof FormFieldError ? [{ field: e.field, message: e.message }] : [{ field: null, message: (e as Error)?.message ?? String(e) }];
  for (const fe of list) {
    const name = matchField(fe.field, names);
    const el = name ? fields[names.indexOf(name)] : null;
    if (el) {
      el.setAttribute('aria-invalid', 'true');
      el.closest('label, .field')?.append(h('span', { class: 'field-error', role: 'alert', 'data-error-for': name! }, fe.message));
    } else top.push(fe.message);
  }
  if (e instanceof ApiProblem && top.length) top[0] = `${e.problem.title} (${e.problem.status}): ${top[0]}`;
  if (top.length) form.prepend(h('div', { class: 'form-error', role: 'alert' }, ...top.map((t) => h('p', {}, t))));
}

/** A labelled input whose errors are shown beside it. */
export function field(label: string, input: HTMLElement, hint?: string): HTMLElement {
  return h('label', { class: 'field' }, h('span', { class: 'label' }, label), input, hint ? h('small', {}, hint) : null);
}

export function busy(button: HTMLButtonElement, on: boolean, text?: string): void {
  button.disabled = on;
  if (text) button.textContent = text;
}
