import { appErrorText, appEvent } from './app-sessions';

const HIDDEN = { show_code: false, show_tracebacks: false, published: true };
const SHOWN = { show_code: true, show_tracebacks: true, published: true };
const TRACEBACK = 'Traceback (most recent call last):\n  File "<cell 1>", line 2, in divide\n    return a / 0\nZeroDivisionError: division by zero\n';

describe('what an app viewer sees of a session', () => {
  it('cuts an error to its last line unless the author shows tracebacks', () => {
    expect(appErrorText(TRACEBACK, HIDDEN)).toBe('ZeroDivisionError: division by zero');
    expect(appErrorText(TRACEBACK, SHOWN)).toBe(TRACEBACK);
    expect(appErrorText(null, HIDDEN)).toBeNull();
    expect(appErrorText('one line', HIDDEN)).toBe('one line');
  });

  it('passes run events, shortens errors, and drops every event that carries code', () => {
    expect(appEvent({ type: 'cell_status', cellId: 'a', status: 'running' }, HIDDEN)).toEqual({ type: 'cell_status', cellId: 'a', status: 'running' });
    expect(appEvent({ type: 'cell_error', cellId: 'a', error: TRACEBACK }, HIDDEN)).toEqual({ type: 'cell_error', cellId: 'a', error: 'ZeroDivisionError: division by zero' });
    expect(appEvent({ type: 'cell_updated', cellId: 'a', code: 'secret = 1', cell_type: 'python', reads: [], writes: ['secret'], revision: 2 }, SHOWN)).toBeNull();
    expect(appEvent({ type: 'cell_created', cell: { id: 'b', type: 'python', code: 'x', status: 'idle', stdout: '', stderr: '', outputs: [], error: null, reads: [], writes: [] }, index: 0, revision: 3 }, SHOWN)).toBeNull();
    expect(appEvent({ type: 'notebook_updated', name: 'n', lazy: false, settings: {}, revision: 4 }, SHOWN)).toBeNull();
    expect(appEvent({ type: 'widget_value', cellId: 'a', widget_id: 'a:0', value: 7 }, HIDDEN)).toEqual({ type: 'widget_value', cellId: 'a', widget_id: 'a:0', value: 7 });
  });
});
