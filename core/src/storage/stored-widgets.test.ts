/** Widget values kept with a cell (StoredCell.widgets): read back as they were; a malformed map is dropped, not fatal. */
import { normalizeDocument } from './validation';

const cell = (extra: Record<string, unknown>) => ({
  id: 'c', type: 'python', code: '', status: 'success', stdout: '', stderr: '', outputs: [], error: null, reads: [], writes: ['w'], ...extra,
});
const doc = (cells: unknown[]) => ({ id: 'n', owner: 'o', name: 'N', lazy: false, cells, revision: 1, createdAt: '', updatedAt: '' });

describe('stored widget values', () => {
  it('are kept by id with their kind, value and props', () => {
    const widgets = { 'c:0': { kind: 'slider', value: 42, props: { start: 0, stop: 100, step: 1, label: '' } } };
    expect(normalizeDocument(doc([cell({ widgets })])).cells[0]!.widgets).toEqual(widgets);
  });

  it('are absent when the cell has none, and dropped when malformed', () => {
    expect('widgets' in normalizeDocument(doc([cell({})])).cells[0]!).toBe(false);
    for (const widgets of [[1], 'x', { 'c:0': { value: 1 } }, { 'c:0': { kind: 'slider', props: {} } }, { 'c:0': null }]) {
      expect('widgets' in normalizeDocument(doc([cell({ widgets })])).cells[0]!).toBe(false);
    }
  });
});
