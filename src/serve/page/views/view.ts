// A view of the page: what one address (#/NAME?…) shows. It draws into the
// element it is given and returns what stops its streams and timers.
export interface View {
  /** The browser tab's title. */
  title: string;
  render(into: HTMLElement, params: URLSearchParams): (() => void) | void;
}

/** An address of the page: a view's name and its parameters. */
export function viewHref(name: string, params: Record<string, string | string[]> = {}): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) for (const one of Array.isArray(value) ? value : [value]) query.append(key, one);
  const text = query.toString();
  return `#/${name}${text ? `?${text}` : ''}`;
}
