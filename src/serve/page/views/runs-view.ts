// The runs page: every run under the served directory in one sortable table
// (refreshed every few seconds), a box to pick runs to compare, and the
// results table of each study or reproduce directory.
import type { RunsIndex, RunSummary, StudyTable } from '../../api-types.js';
import { getJson } from '../api.js';
import { h } from '../dom.js';
import { columnText, compareValues, RUN_COLUMNS, type RunColumn } from '../run-columns.js';
import { viewHref, type View } from './view.js';

const REFRESH_MS = 5000;

function cell(run: RunSummary, column: RunColumn, index: number): HTMLTableCellElement {
  if (index === 0) {
    return h(
      'td',
      { class: 'text' },
      h('a', { href: viewHref('run', { run: run.path }) }, run.path),
      run.damaged ? h('div', { class: 'damaged' }, `damaged: ${run.damaged}`) : null,
    );
  }
  if (column.format !== undefined) return h('td', {}, columnText(run, column));
  return h(
    'td',
    { class: `text ${column.heading === 'state' ? `state-${run.state}` : ''}`, title: column.heading === 'state' ? run.reason : undefined },
    columnText(run, column),
  );
}

function studySection(study: StudyTable): HTMLElement {
  const heading = h('h2', {}, `study: ${study.path}`);
  if (study.problem) return h('section', {}, heading, h('p', { class: 'damaged' }, study.problem));
  return h(
    'section',
    {},
    heading,
    h('p', {}, study.description),
    h(
      'table',
      { class: 'results' },
      h('thead', {}, h('tr', {}, ...study.headings.map((heading) => h('th', {}, heading)))),
      h(
        'tbody',
        {},
        ...study.rows.map((row) =>
          h(
            'tr',
            {},
            h('th', {}, row.method),
            h('td', {}, row.generator),
            h('td', {}, row.n),
            ...row.cells.map((c) => h('td', {}, c)),
            h('td', { class: 'note' }, row.note),
          ),
        ),
      ),
    ),
  );
}

export const runsView: View = {
  title: 'gankit: runs',
  render(into) {
    let sort = { column: 0, ascending: true };
    const selected = new Set<string>();
    let index: RunsIndex | undefined;
    const compareLink = h('a', { class: 'button', href: '#' }, 'compare the selected runs');
    const heading = h('p', { class: 'lead' }, 'Loading the runs…');
    const table = h('table', { class: 'runs' });
    const studies = h('div');
    into.append(heading, h('p', {}, compareLink), table, studies);

    const updateCompare = () => {
      compareLink.setAttribute('href', viewHref('compare', { run: [...selected] }));
      compareLink.classList.toggle('disabled', selected.size < 2);
    };
    const draw = () => {
      if (!index) return;
      const runs = [...index.runs].sort((a, b) => {
        const order = compareValues(RUN_COLUMNS[sort.column].value(a), RUN_COLUMNS[sort.column].value(b));
        return sort.ascending ? order : -order;
      });
      heading.textContent = `${index.runs.length} run${index.runs.length === 1 ? '' : 's'} in ${index.root}. Click a heading to sort; tick two or more runs to compare them.`;
      const headings = RUN_COLUMNS.map((column, i) =>
        h(
          'th',
          {
            class: `sortable ${sort.column === i ? (sort.ascending ? 'ascending' : 'descending') : ''}`,
            onclick: () => {
              sort = { column: i, ascending: sort.column === i ? !sort.ascending : true };
              draw();
            },
          },
          column.heading,
        ),
      );
      const rows = runs.map((run) => {
        const box = h('input', {
          type: 'checkbox',
          'aria-label': `select ${run.path}`,
          onchange: (event) => {
            if ((event.target as HTMLInputElement).checked) selected.add(run.path);
            else selected.delete(run.path);
            updateCompare();
          },
        });
        box.checked = selected.has(run.path);
        return h(
          'tr',
          { class: run.damaged ? 'has-damage' : '' },
          h('td', {}, box),
          ...RUN_COLUMNS.map((column, i) => cell(run, column, i)),
          h('td', {}, h('a', { href: viewHref('play', { run: run.path }) }, 'play')),
        );
      });
      table.replaceChildren(h('thead', {}, h('tr', {}, h('th'), ...headings, h('th'))), h('tbody', {}, ...rows));
      studies.replaceChildren(...index.studies.map(studySection));
      updateCompare();
    };
    let timer: ReturnType<typeof setTimeout> | undefined;
    let closed = false;
    // The next listing is asked for once this one is drawn: a slow listing never has a second one queued behind it.
    const load = async () => {
      try {
        const answer = (await getJson<RunsIndex>('/api/runs')).body;
        if (closed) return;
        index = answer;
        draw();
      } catch (error) {
        heading.textContent = `The runs cannot be listed: ${(error as Error).message}`;
      }
      if (!closed) timer = setTimeout(() => void load(), REFRESH_MS);
    };
    void load();
    return () => {
      closed = true;
      clearTimeout(timer);
    };
  },
};
