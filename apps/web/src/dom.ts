/** Tiny DOM helpers: elements from tag, attributes and children; text is always set as text (no innerHTML). */
type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean | undefined | ((e: Event) => void)> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (k === 'class') el.className = String(v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(typeof c === 'number' ? String(c) : c);
  return el;
}

export function table(head: string[], rows: Child[][], cls = 'grid'): HTMLTableElement {
  return h(
    'table',
    { class: cls },
    h('thead', {}, h('tr', {}, ...head.map((x) => h('th', {}, x)))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, c))))),
  );
}

export const GIB = 1073741824;
export const MIB = 1048576;
export const fmtGiB = (b: number) => `${(b / GIB).toFixed(2)} GiB`;
export const fmtPct = (x: number) => `${(100 * x).toFixed(2)}%`;
export const fmtInt = (n: number) => n.toLocaleString('en-US');
export const fmtDate = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
