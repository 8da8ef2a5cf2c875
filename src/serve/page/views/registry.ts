// The page's views, found by the name in the address (#/NAME?…).
import { compareView } from './compare-view.js';
import { playgroundView } from './playground-view.js';
import { runView } from './run-view.js';
import { runsView } from './runs-view.js';
import type { View } from './view.js';

const VIEWS: Record<string, View> = { runs: runsView, run: runView, compare: compareView, play: playgroundView };

/** The view an address names; the runs page for any other. */
export function viewFor(name: string): View {
  return VIEWS[name] ?? runsView;
}
