import { api, ApiProblem } from './api';
import { h } from './dom';

export type Deletable = 'trace' | 'dump' | 'plan';

/**
 * A Delete button for one row of a list: asks first (window.confirm), then DELETE /v1/{kind}s/:id and
 * `onDeleted`. A refusal is shown in `box` in words; a 409 of a trace or dump still used by queued or running
 * plans names those plans, with links.
 */
export function deleteButton(kind: Deletable, id: string, label: string, box: HTMLElement, onDeleted: () => Promise<void> | void): HTMLButtonElement {
  const b = h('button', { type: 'button', class: 'danger', 'data-delete': id, title: `delete ${kind} ${label}` }, 'Delete');
  b.addEventListener('click', async () => {
    if (!window.confirm(`Delete ${kind} ${label}? This cannot be undone.`)) return;
    box.replaceChildren();
    b.disabled = true;
    try {
      await api('DELETE', `/v1/${kind}s/${encodeURIComponent(id)}`);
      await onDeleted();
    } catch (e) {
      b.disabled = false;
      box.append(deleteError(kind, label, e));
    }
  });
  return b;
}

/** The Delete button of a detail page and the box of its refusal; once deleted, the page goes to `listHash`. */
export function detailDelete(kind: Deletable, id: string, label: string, listHash: string): HTMLElement[] {
  const box = h('div', { class: 'list-errors' });
  return [h('div', { class: 'buttons' }, deleteButton(kind, id, label, box, () => void (location.hash = listHash))), box];
}

function deleteError(kind: Deletable, label: string, e: unknown): HTMLElement {
  const head = `Cannot delete ${kind} ${label}`;
  if (!(e instanceof ApiProblem)) return h('div', { class: 'form-error', role: 'alert' }, `${head}: ${(e as Error).message}`);
  const p = e.problem;
  const plans = Array.isArray(p.plans) ? (p.plans as string[]) : [];
  if (p.status === 409 && plans.length)
    return h(
      'div',
      { class: 'form-error', role: 'alert', 'data-conflict': kind },
      h('p', {}, `${head}: it is still used by ${plans.length === 1 ? 'plan' : 'plans'} `, ...plans.flatMap((id, i) => [i ? ', ' : '', h('a', { href: `#/plans/${id}` }, id.slice(0, 12))]), ` (queued or running). Delete it once ${plans.length === 1 ? 'it has' : 'they have'} finished.`),
    );
  return h('div', { class: 'form-error', role: 'alert', 'data-conflict': p.status === 409 ? kind : undefined }, `${head}: ${p.title} (${p.status}): ${p.detail}`);
}
