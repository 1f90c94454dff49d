import type { AppNotebook } from '../api/types';
import { applyAppEvent, EMPTY_APP_VIEW, isRunning, type AppViewState } from './app-model';

function opened(): AppViewState {
  const notebook: AppNotebook = {
    id: 'nb', name: 'App', show_code: false, show_tracebacks: false, published: true, is_owner: false,
    cells: [
      { id: 'a', type: 'python', status: 'stale', stdout: 'old\n', stderr: '', outputs: [{ mime_type: 'text/plain', data: 'old' }], error: null },
      { id: 'b', type: 'python', status: 'idle', stdout: '', stderr: '', outputs: [], error: null },
    ],
  };
  return { notebook, problem: null };
}

describe('the app view\'s state', () => {
  it('replaces a cell\'s last results when it runs again, and collects what the run streams', () => {
    let state = opened();
    state = applyAppEvent(state, { type: 'cell_status', cellId: 'a', status: 'queued' });
    expect(state.notebook!.cells[0]!.stdout).toBe('old\n');
    expect(isRunning(state.notebook)).toBe(true);
    state = applyAppEvent(state, { type: 'cell_status', cellId: 'a', status: 'running' });
    expect(state.notebook!.cells[0]).toMatchObject({ stdout: '', outputs: [], error: null });
    state = applyAppEvent(state, { type: 'cell_stdout', cellId: 'a', data: 'new\n', stream: 'stdout' });
    state = applyAppEvent(state, { type: 'cell_stdout', cellId: 'a', data: 'warn\n', stream: 'stderr' });
    state = applyAppEvent(state, { type: 'cell_output', cellId: 'a', output: { mime_type: 'text/markdown', data: '# hi' } });
    state = applyAppEvent(state, { type: 'cell_error', cellId: 'b', error: 'ZeroDivisionError: division by zero' });
    state = applyAppEvent(state, { type: 'cell_status', cellId: 'a', status: 'success' });
    expect(state.notebook!.cells[0]).toMatchObject({ status: 'success', stdout: 'new\n', stderr: 'warn\n', outputs: [{ mime_type: 'text/markdown', data: '# hi' }] });
    expect(state.notebook!.cells[1]!.error).toBe('ZeroDivisionError: division by zero');
    expect(isRunning(state.notebook)).toBe(false);
  });

  it('keeps the server\'s refusal to show, and ignores events before the app opened', () => {
    expect(applyAppEvent(EMPTY_APP_VIEW, { type: 'cell_status', cellId: 'a', status: 'running' })).toBe(EMPTY_APP_VIEW);
    expect(applyAppEvent(EMPTY_APP_VIEW, { type: 'error', message: 'No app "x"' }).problem).toBe('No app "x"');
  });

  it('moves the viewer\'s widget wherever it shows: its own output and a markdown output that embeds it', () => {
    let state = opened();
    const slider = { widget_id: 'a:0', kind: 'slider', value: 10, props: { min: 0, max: 100 } };
    state = applyAppEvent(state, { type: 'cell_output', cellId: 'a', output: { mime_type: 'application/vnd.rnb.widget+json', data: slider } });
    state = applyAppEvent(state, { type: 'cell_output', cellId: 'b', output: { mime_type: 'text/markdown', data: 'T', metadata: { widgets: { 'a:0': slider } } } });
    const moved = applyAppEvent(state, { type: 'widget_value', cellId: 'a', widget_id: 'a:0', value: 42 });
    expect(moved.notebook!.cells[0]!.outputs[1]!.data).toMatchObject({ widget_id: 'a:0', value: 42 });
    expect(moved.notebook!.cells[1]!.outputs[0]!.metadata).toMatchObject({ widgets: { 'a:0': { value: 42 } } });
    expect(applyAppEvent(state, { type: 'widget_value', cellId: 'a', widget_id: 'other:0', value: 1 })).toBe(state);
  });

  it('keeps a markdown cell\'s rendering on show while it runs again, until the new one replaces it', () => {
    let state = opened();
    const first = { mime_type: 'text/markdown', data: 'T = 10' };
    state = { ...state, notebook: { ...state.notebook!, cells: [{ id: 'm', type: 'markdown', markdown: 'T = {t}', status: 'success', stdout: '', stderr: '', outputs: [first], error: null }] } };
    state = applyAppEvent(state, { type: 'cell_status', cellId: 'm', status: 'running' });
    expect(state.notebook!.cells[0]!.outputs).toEqual([first]);
    state = applyAppEvent(state, { type: 'cell_output', cellId: 'm', output: { mime_type: 'text/markdown', data: 'T = 42' } });
    expect(state.notebook!.cells[0]!.outputs).toEqual([{ mime_type: 'text/markdown', data: 'T = 42' }]);
    state = applyAppEvent(state, { type: 'cell_status', cellId: 'm', status: 'error' });
    expect(state.notebook!.cells[0]!.outputs).toEqual([]);
  });
});
