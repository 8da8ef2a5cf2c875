// gankit serve's page: one document whose address (#/VIEW?…) picks the view.
import { viewFor } from './views/registry.js';

const main = document.getElementById('view')!;
let stopView: (() => void) | void;

function route(): void {
  stopView?.();
  const [name, query] = location.hash.replace(/^#\/?/, '').split('?');
  const view = viewFor(name);
  document.title = view.title;
  main.replaceChildren();
  stopView = view.render(main, new URLSearchParams(query ?? ''));
}

window.addEventListener('hashchange', route);
route();
