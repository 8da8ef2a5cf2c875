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

/** An epoch as every page shows it: a whole one as it is ("5"), one partly trained to two decimals ("4.27"). */
export const formatEpoch = (value: number | undefined) => (Number.isInteger(value) ? String(value) : formatNumber(value, 2));

/** Scores rounded to 4 significant digits, as a person reads them (247.5, 0.5531); whole numbers as they are. */
const readable = (_key: string, value: unknown) => (typeof value === 'number' && !Number.isInteger(value) ? Number(value.toPrecision(4)) : value);

/** A two-column table of settings, or of scores (`round`: their numbers to 4 significant digits). */
export function keyValueTable(entries: Record<string, unknown>, round = false): HTMLTableElement {
  const text = (value: unknown) => JSON.stringify(value, round ? readable : undefined);
  return h('table', { class: 'settings' }, ...Object.entries(entries).map(([key, value]) => h('tr', {}, h('th', {}, key), h('td', {}, text(value)))));
}
