import type { CellStatus } from '../model/types';
import { MemoryNotebookStore } from '../storage/memory-store';
import type { StoredCell } from '../storage/storage';
import { createTestKernel } from '../testing';
import { notebookWith } from '../testing/notebook-fixture';
import { cellErrorText, type CellError } from './cell-error';
import { CellRunStates } from './cell-run-state';
import type { NotebookEvent } from './events';
import { graphErrorText } from './format';

const stored = (fields: Partial<StoredCell>): StoredCell => ({ id: 'c', type: 'fake', code: '', status: 'idle', stdout: '', stderr: '', outputs: [], error: null, reads: [], writes: [], ...fields });
const cycleText = graphErrorText({ kind: 'cycle', cycle: ['c', 'd'] }, { label: (id) => `cell ${id}`, cellId: 'c' });

describe('cell run states', () => {
  /** One transition (or a few) from a status, and the events it emits. */
  const transitions: [name: string, from: CellStatus, act: (states: CellRunStates) => void, to: CellStatus, events: NotebookEvent['type'][]][] = [
    ['queued then not reached, from idle: idle again', 'idle', (s) => (s.queued('c'), s.notReached('c')), 'idle', ['cell_status', 'cell_status']],
    ['queued then not reached, after a run: stale', 'success', (s) => (s.queued('c'), s.notReached('c')), 'stale', ['cell_status', 'cell_status']],
    ['started then finished', 'queued', (s) => (s.started('c'), s.finished('c')), 'success', ['cell_status', 'cell_status']],
    ['a runtime error', 'running', (s) => s.failed('c', { kind: 'runtime', message: 'boom' }), 'error', ['cell_status', 'cell_error']],
    ['an upstream failure blocks', 'stale', (s) => s.failed('c', { kind: 'upstream', message: 'Not run' }), 'blocked', ['cell_status', 'cell_error']],
    ['a time limit is the cell\'s own error', 'running', (s) => s.failed('c', { kind: 'time-limit', message: 'too long' }), 'error', ['cell_status', 'cell_error']],
    ['invalidated: a blocked cell stays blocked', 'blocked', (s) => s.invalidated('c'), 'blocked', []],
    ['invalidated: a cell that ran is stale', 'success', (s) => s.invalidated('c'), 'stale', ['cell_status']],
    ['invalidated: a cell never run stays idle', 'idle', (s) => s.invalidated('c'), 'idle', []],
  ];
  it.each(transitions)('%s', (_name, from, act, to, events) => {
    const emitted: NotebookEvent[] = [];
    const states = new CellRunStates((event) => emitted.push(event));
    states.load(stored({ status: from }));
    // Loading settles what only means something while a process runs; set the starting status as a run would.
    if (from === 'queued') states.queued('c');
    if (from === 'running') (states.queued('c'), states.started('c'));
    if (from === 'success') (states.queued('c'), states.started('c'), states.finished('c'));
    emitted.length = 0;
    act(states);
    expect(states.status('c')).toBe(to);
    expect(emitted.map((e) => e.type)).toEqual(events);
  });

  it.each<[string, CellError]>([
    ['a time limit', { kind: 'time-limit', message: 'This cell ran longer than the cell time limit of 1 s and was stopped.' }],
    ['a runtime error with its traceback', { kind: 'runtime', message: "NameError: name 'x' is not defined", traceback: 'Traceback (most recent call last):\n  File "<cell c>", line 1\nNameError: name \'x\' is not defined\n' }],
    ['an upstream failure naming its cell', { kind: 'upstream', message: 'Not run: upstream cell 1 did not succeed.', cells: ['b'] }],
  ])('stores %s structured beside its text, and reads it back', (_name, error) => {
    const states = new CellRunStates(() => undefined);
    states.add('c');
    states.failed('c', error);
    const saved = states.stored({ id: 'c', type: 'fake', code: '', reads: [], writes: [] });
    expect(saved).toMatchObject({ error: cellErrorText(error), errorDetail: error });
    const loaded = new CellRunStates(() => undefined);
    loaded.load(saved);
    expect(loaded.error('c')).toEqual(error);
    expect(loaded.view({ id: 'c', type: 'fake', code: '', reads: [], writes: [] })).toMatchObject({ error: cellErrorText(error), error_detail: error });
  });

  it('clears every cell\'s printed text and outputs, errors and statuses kept, and tells it only when asked (after the save)', () => {
    const emitted: NotebookEvent[] = [];
    const states = new CellRunStates((event) => emitted.push(event));
    states.load(stored({ id: 'c', status: 'error', stdout: 'out\n', stderr: 'err\n', outputs: [{ mime_type: 'text/plain', data: '1' }], error: 'boom' }));
    states.clearOutputs();
    expect(emitted).toEqual([]);
    expect(states.view({ id: 'c', type: 'fake', code: '', reads: [], writes: [] })).toMatchObject({ status: 'error', stdout: '', stderr: '', outputs: [], error: 'boom' });
    states.outputsCleared();
    expect(emitted).toEqual([{ type: 'outputs_cleared' }]);
  });

  describe("a running cell's clear_output()", () => {
    const clear = (wait: boolean) => ({ mime_type: 'application/vnd.rnb.clear-output+json', data: { wait } });
    const running = () => {
      const emitted: NotebookEvent[] = [];
      const states = new CellRunStates((event) => emitted.push(event));
      states.load(stored({}));
      states.queued('c');
      states.started('c');
      states.printed('c', 'step 1\n', 'stdout');
      states.output('c', { mime_type: 'text/plain', data: '1' });
      emitted.length = 0;
      return { states, emitted, cell: () => states.view({ id: 'c', type: 'fake', code: '', reads: [], writes: [] }) };
    };

    it('empties what it printed and showed so far at once, and is itself never shown', () => {
      const { states, emitted, cell } = running();
      states.output('c', clear(false));
      expect(emitted).toEqual([{ type: 'cell_cleared', cellId: 'c' }]);
      states.printed('c', 'step 2\n', 'stdout');
      expect([cell().stdout, cell().outputs]).toEqual(['step 2\n', []]);
    });

    it('with wait, clears only when the next text or output arrives (the old one stays until then)', () => {
      const { states, emitted, cell } = running();
      states.output('c', clear(true));
      expect(emitted).toEqual([]);
      expect(cell().outputs).toEqual([{ mime_type: 'text/plain', data: '1' }]);
      states.output('c', { mime_type: 'text/plain', data: '2' });
      expect(emitted.map((e) => e.type)).toEqual(['cell_cleared', 'cell_output']);
      expect([cell().stdout, cell().outputs]).toEqual(['', [{ mime_type: 'text/plain', data: '2' }]]);
    });

    it('starts the output budget again: a loop that redraws 200 times keeps showing', () => {
      const { states, cell } = running();
      for (let i = 0; i < 200; i += 1) {
        states.output('c', clear(true));
        states.output('c', { mime_type: 'text/plain', data: String(i) });
      }
      expect(cell().outputs).toEqual([{ mime_type: 'text/plain', data: '199' }]);
    });
  });

  it('shows a traceback that ends with its message alone, and puts the message first otherwise', () => {
    const traceback = 'Traceback (most recent call last):\n  File "<cell c>", line 1\nZeroDivisionError: division by zero\n';
    expect(cellErrorText({ kind: 'runtime', message: 'ZeroDivisionError: division by zero', traceback })).toBe(traceback);
    expect(cellErrorText({ kind: 'time-limit', message: 'This cell ran too long.', traceback: 'KeyboardInterrupt' })).toBe('This cell ran too long.\n\nKeyboardInterrupt');
    expect(cellErrorText({ kind: 'runtime', message: 'boom' })).toBe('boom');
  });

  it('reads the text, not a stale structure, when the text was changed outside the server', () => {
    const states = new CellRunStates(() => undefined);
    states.load(stored({ status: 'error', error: 'edited by hand', errorDetail: { kind: 'runtime', message: 'the old one' } }));
    expect(states.error('c')).toEqual({ kind: 'runtime', message: 'edited by hand' });
  });

  it('reads a notebook stored before errors were kept structured: a graph error from its text, anything else as a runtime error', () => {
    const states = new CellRunStates(() => undefined);
    states.load(stored({ id: 'c', status: 'blocked', error: cycleText }));
    states.load(stored({ id: 'd', status: 'error', error: 'NameError: x' }));
    expect(states.error('c')?.kind).toBe('cycle');
    expect(states.error('d')?.kind).toBe('runtime');
    // The graph no longer has the cycle: the stored block goes.
    states.loadedAs('c', null);
    expect([states.status('c'), states.error('c')]).toEqual(['stale', null]);
  });
});

describe('stored errors', () => {
  it('saves the kind of a graph error, so a new service reads it without parsing the text', async () => {
    const store = new MemoryNotebookStore();
    const kernel = await createTestKernel({ store });
    try {
      // The third cell's save holds the errors the second one caused.
      const nb = await notebookWith(kernel, 'kinds', ['x = 1', 'x = 2', 'y = (']);
      await kernel.service.whenIdle('kinds', nb.notebookId);
      const doc = await store.get('kinds', nb.notebookId);
      expect(doc.cells.slice(0, 2).map((c) => [c.status, c.errorDetail?.kind])).toEqual([
        ['blocked', 'multiple-definitions'],
        ['blocked', 'multiple-definitions'],
      ]);
      expect(doc.cells[2]!.errorDetail?.kind).toBe('analysis');
    } finally {
      await kernel.close();
    }
  });

  it('refuses a stored kind it does not know', async () => {
    const store = new MemoryNotebookStore();
    const doc = { id: 'nb', owner: 'o', name: 'n', settings: {}, lazy: false, revision: 0, createdAt: '', updatedAt: '', cells: [stored({ error: 'x', errorDetail: { kind: 'bogus' as never, message: 'x' } })] };
    await expect(store.create(doc)).rejects.toThrow(/errorDetail\.kind/);
  });
});
