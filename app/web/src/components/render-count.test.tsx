/** @jest-environment jsdom */
import { EditorView } from '@codemirror/view';
import { act, cleanup, render, waitFor } from '@testing-library/react';
import { ApiClient } from '../api/http';
import type { Cell, Notebook } from '../api/types';
import { renderCounts } from '../perf/render-count';
import { NotebookController } from '../state/notebook-controller';
import { NotebookModel } from '../state/notebook-model';
import { CellList } from './CellList';

/**
 * Typing in one cell of a 200-cell notebook must not re-render the other 199: the cost of a
 * keystroke stays constant whatever the notebook's size. The notebook renders for real (every
 * cell with its CodeMirror editor); only the host is replaced, by a recording fetch.
 */
const CELLS = 200;
const TYPED = 100;

function makeNotebook(): Notebook {
  const cells: Cell[] = Array.from({ length: CELLS }, (_, i) => ({
    id: `c${i}`,
    type: i % 10 === 9 ? 'sql' : 'python',
    code: `v${i} = ${i}`,
    status: 'success',
    stdout: '',
    stderr: '',
    outputs: [{ mime_type: 'text/plain', data: String(i) }],
    error: null,
    reads: i > 0 ? [`v${i - 1}`] : [],
    writes: [`v${i}`],
  }));
  return { id: 'nb1', name: 'big', cells, revision: 1, lazy: false };
}

function setup() {
  const puts: Array<{ url: string; body: { code: string } }> = [];
  const fetchImpl = (async (url: string, init?: RequestInit) => {
    const body = JSON.parse(String(init?.body)) as { code: string };
    puts.push({ url, body });
    const cell: Cell = { ...makeNotebook().cells[TYPED]!, code: body.code, reads: ['v99', 'extra'], writes: ['v100'] };
    // jsdom has no Response: the client reads only these three members.
    return { ok: true, status: 200, text: async () => JSON.stringify(cell) } as Response;
  }) as unknown as typeof fetch;
  const api = new ApiClient({ fetchImpl, resolve: (p) => `http://host/${p}` });
  const controller = new NotebookController(new NotebookModel(makeNotebook()), {
    api,
    getToken: async () => null,
    saveDelayMs: 30,
    socketFactory: () => ({ runCell: () => undefined, interrupt: () => undefined, retry: () => undefined, close: () => undefined }),
  });
  return { controller, puts };
}

function othersRendered(): string[] {
  return [...renderCounts.counts.entries()].filter(([id, n]) => id !== `c${TYPED}` && n > 0).map(([id]) => id);
}

beforeAll(() => {
  renderCounts.enabled = true;
});
afterAll(() => {
  renderCounts.enabled = false;
});
afterEach(cleanup);

// jsdom lays out 200 editors: slow on a loaded 2-core machine, so a generous timeout (no time is asserted).
it('renders each of the 200 cells once, then re-renders only the typed cell while typing and saving', async () => {
  const { controller, puts } = setup();
  renderCounts.reset();
  const { container } = render(<CellList controller={controller} />);
  // The first screen first, then the rest in steps: the cells rendered before are not rendered again.
  expect(container.querySelectorAll('[data-cell-id]').length).toBeLessThan(CELLS);
  await waitFor(() => expect(container.querySelectorAll('[data-cell-id]')).toHaveLength(CELLS), { timeout: 60_000 });
  expect(renderCounts.counts.size).toBe(CELLS);
  expect([...renderCounts.counts.values()].every((n) => n === 1)).toBe(true);

  const editorDom = container.querySelector(`[data-cell-id="c${TYPED}"] .cm-editor`) as HTMLElement;
  const view = EditorView.findFromDOM(editorDom)!;
  expect(view.state.doc.toString()).toBe('v100 = 100');

  renderCounts.reset();
  const typed = ' + extra';
  act(() => {
    for (const ch of typed) {
      view.dispatch({ changes: { from: view.state.doc.length, insert: ch }, userEvent: 'input.type' });
    }
  });
  // The first keystroke marks the cell "Unsaved" and stale (one render of that cell), and the cells
  // downstream of it stale, once each, as the host will; the other keystrokes change nothing React sees.
  const downstream = Array.from({ length: CELLS - TYPED - 1 }, (_, i) => `c${TYPED + 1 + i}`);
  expect(othersRendered()).toEqual(downstream);
  expect(downstream.every((id) => renderCounts.counts.get(id) === 1 && controller.model.getCell(id)?.status === 'stale')).toBe(true);
  expect(renderCounts.counts.get(`c${TYPED}`) ?? 0).toBeLessThanOrEqual(1);
  expect(container.querySelector(`[data-cell-id="c${TYPED}"] .save`)?.textContent).toBe('Unsaved');
  renderCounts.reset();

  // The debounced save sends the whole typed code once, then the host's analysis comes back.
  await waitFor(() => expect(container.querySelector(`[data-cell-id="c${TYPED}"] .save`)).toBeNull());
  expect(puts).toHaveLength(1);
  expect(puts[0]!.url).toBe(`http://host/api/notebooks/nb1/cells/c${TYPED}`);
  expect(puts[0]!.body.code).toBe('v100 = 100 + extra');
  expect(container.querySelector(`[data-cell-id="c${TYPED}"]`)!.textContent).toContain('extra');
  expect(othersRendered()).toEqual([]);

  // Running it: status, streamed stdout and output events reach that cell only.
  act(() => {
    controller.model.apply({ type: 'cell_status', cellId: `c${TYPED}`, status: 'running' });
    controller.model.apply({ type: 'cell_stdout', cellId: `c${TYPED}`, data: 'hello\n', stream: 'stdout' });
    controller.model.apply({ type: 'cell_output', cellId: `c${TYPED}`, output: { mime_type: 'text/plain', data: '200' } });
    controller.model.apply({ type: 'cell_status', cellId: `c${TYPED}`, status: 'success' });
  });
  expect(othersRendered()).toEqual([]);
  expect(view.state.doc.toString()).toBe('v100 = 100 + extra');
  controller.dispose();
}, 120_000);

it('re-renders only the cells whose first/last position changes when a cell is added at the end', async () => {
  const { controller } = setup();
  const { container } = render(<CellList controller={controller} />);
  await waitFor(() => expect(container.querySelectorAll('[data-cell-id]')).toHaveLength(CELLS), { timeout: 60_000 });
  renderCounts.reset();
  act(() => {
    controller.model.apply({
      type: 'cell_created', index: CELLS, revision: 2,
      cell: { id: 'new', type: 'python', code: '', status: 'idle', stdout: '', stderr: '', outputs: [], error: null, reads: [], writes: [] },
    });
  });
  // The new cell renders, and the old last cell (its "move down" button becomes enabled).
  expect([...renderCounts.counts.keys()].sort()).toEqual([`c${CELLS - 1}`, 'new']);
  expect(container.querySelector('[data-cell-id="new"]')).not.toBeNull();
  controller.dispose();
}, 120_000);
