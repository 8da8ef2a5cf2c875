// Building the page's elements. Text goes in as text nodes, never as HTML, so
// a run named <script> shows as that name and runs nothing.
type Child = Node | string | number | null | undefined | false;
type Props = Record<string, string | number | boolean | ((event: Event) => void) | undefined>;

/** An element with attributes (on… keys become listeners) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(key.slice(2), value);
    else element.setAttribute(key, value === true ? '' : String(value));
  }
  element.append(
    ...children
      .filter((child): child is Node | string | number => child !== null && child !== undefined && child !== false)
      .map((c) => (typeof c === 'number' ? String(c) : c)),
  );
  return element;
}

/** A number for a table: fixed digits, or a dash. */
export const formatNumber = (value: number | undefined, digits: number) => (value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits));

/** A two-column table of settings. */
export function keyValueTable(entries: Record<string, unknown>): HTMLTableElement {
  return h('table', { class: 'settings' }, ...Object.entries(entries).map(([key, value]) => h('tr', {}, h('th', {}, key), h('td', {}, JSON.stringify(value)))));
}
