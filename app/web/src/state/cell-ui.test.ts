/** @jest-environment jsdom */
import type { Cell, Notebook } from '../api/types';
import { CellUiState, readersOf } from './cell-ui';
import { NotebookModel } from './notebook-model';

const cell = (id: string, reads: string[], writes: string[], extra: Partial<Cell> = {}): Cell => ({
  id, type: 'python', code: '', status: 'idle', stdout: '', stderr: '', outputs: [], error: null, reads, writes, ...extra,
});
const notebook = (cells: Cell[]): Notebook => ({ id: 'nb', name: 'N', cells, revision: 1, db_conn_string: null, lazy: false });

describe("the page's view of cells", () => {
  it('lists the readers of a cell\'s names in notebook order, with the names each reads', () => {
    const model = new NotebookModel(notebook([cell('a', [], ['x', 'y']), cell('b', ['y'], []), cell('c', ['z'], []), cell('d', ['x', 'y'], [])]));
    expect(readersOf(model, 'a')).toEqual([{ cellId: 'b', index: 1, names: ['y'] }, { cellId: 'd', index: 3, names: ['x', 'y'] }]);
    expect(readersOf(model, 'b')).toEqual([]);
  });

  it('keeps collapsed code and output per cell in this browser, and wakes only that cell', () => {
    localStorage.clear();
    const ui = new CellUiState('rnb:collapsed:test');
    const woken: string[] = [];
    ui.subscribe('a', () => woken.push('a'));
    ui.subscribe('b', () => woken.push('b'));
    ui.toggle('a', 'output');
    expect(ui.collapsedOf('a')).toEqual({ code: false, output: true });
    expect(woken).toEqual(['a']);
    expect(new CellUiState('rnb:collapsed:test').collapsedOf('a')).toEqual({ code: false, output: true });
    ui.toggle('a', 'output');
    expect(new CellUiState('rnb:collapsed:test').collapsedOf('a')).toEqual({ code: false, output: false });
  });

  it('takes when a cell last ran and how long it took from the status that ends its run', () => {
    const model = new NotebookModel(notebook([cell('a', [], ['x'])]));
    model.apply({ type: 'cell_status', cellId: 'a', status: 'running' });
    expect(model.getCell('a')?.last_run_at ?? null).toBeNull();
    model.apply({ type: 'cell_status', cellId: 'a', status: 'success', last_run_at: '2026-01-01T00:00:00.000Z', duration_ms: 42 });
    expect(model.getCell('a')).toMatchObject({ status: 'success', last_run_at: '2026-01-01T00:00:00.000Z', duration_ms: 42 });
  });
});
