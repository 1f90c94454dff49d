import type { Cell, Notebook, PageEvent } from '../api/types';
import { buildGraph, explainBlocked } from './graph';
import { NotebookModel } from './notebook-model';

const cell = (id: string, code: string, reads: string[], writes: string[], extra: Partial<Cell> = {}): Cell => ({
  id, type: 'python', code, status: 'idle', stdout: '', stderr: '', outputs: [], error: null, reads, writes, ...extra,
});

const notebook = (cells: Cell[], revision = 1): Notebook => ({ id: 'nb', name: 'N', cells, revision, settings: {}, lazy: false });

describe('NotebookModel', () => {
  it('takes a cell\'s new language from cell_updated (the assistant or another page changed it)', () => {
    const model = new NotebookModel(notebook([cell('a', 'x = 1', [], ['x'])]));
    const before = model.getCell('a');
    model.apply({ type: 'cell_updated', cellId: 'a', code: 'x = 1', cell_type: 'sql', reads: [], writes: ['x'], revision: 2 });
    expect(model.getCell('a')?.type).toBe('sql');
    expect(model.getCell('a')).not.toBe(before);
  });

  it('clears the last run when a cell starts running and records when', () => {
    let now = 1000;
    const model = new NotebookModel(notebook([cell('a', 'x = 1', [], ['x'], { status: 'success', stdout: 'old', error: 'e' })]), () => now);
    model.apply({ type: 'cell_status', cellId: 'a', status: 'queued' });
    expect(model.getCell('a')).toMatchObject({ status: 'queued', stdout: 'old', error: null });
    now = 2000;
    model.apply({ type: 'cell_status', cellId: 'a', status: 'running' });
    expect(model.getCell('a')).toMatchObject({ status: 'running', stdout: '', outputs: [], runningSince: 2000 });
    model.apply({ type: 'cell_stdout', cellId: 'a', data: 'he', stream: 'stdout' });
    model.apply({ type: 'cell_stdout', cellId: 'a', data: 'llo\n', stream: 'stdout' });
    model.apply({ type: 'cell_output', cellId: 'a', output: { mime_type: 'text/plain', data: '1' } });
    model.apply({ type: 'cell_status', cellId: 'a', status: 'success' });
    expect(model.getCell('a')).toMatchObject({ status: 'success', stdout: 'hello\n', runningSince: null });
    expect(model.getCell('a')!.outputs).toHaveLength(1);
  });

  it('keeps a markdown cell\'s rendering while it runs again, until its new one replaces it', () => {
    const rendering = { mime_type: 'text/markdown', data: 'T = 10' };
    const model = new NotebookModel(notebook([cell('m', 'T = {t}', ['t'], [], { type: 'markdown', status: 'success', outputs: [rendering] })]));
    model.apply({ type: 'cell_status', cellId: 'm', status: 'running' });
    expect(model.getCell('m')?.outputs).toEqual([rendering]);
    model.apply({ type: 'cell_output', cellId: 'm', output: { mime_type: 'text/markdown', data: 'T = 42' } });
    model.apply({ type: 'cell_status', cellId: 'm', status: 'success' });
    expect(model.getCell('m')?.outputs).toEqual([{ mime_type: 'text/markdown', data: 'T = 42' }]);
    // A run that ends without a rendering (an error) does not leave the old one on show.
    model.apply({ type: 'cell_status', cellId: 'm', status: 'running' });
    model.apply({ type: 'cell_error', cellId: 'm', error: "NameError: name 't' is not defined" });
    model.apply({ type: 'cell_status', cellId: 'm', status: 'error' });
    expect(model.getCell('m')?.outputs).toEqual([]);
  });

  it('appends stderr apart from stdout and clears both when the cell runs again', () => {
    const model = new NotebookModel(notebook([cell('a', 'x = 1', [], ['x'])]));
    model.apply({ type: 'cell_status', cellId: 'a', status: 'running' });
    model.apply({ type: 'cell_stdout', cellId: 'a', data: 'out\n', stream: 'stdout' });
    model.apply({ type: 'cell_stdout', cellId: 'a', data: 'warn\n', stream: 'stderr' });
    model.apply({ type: 'cell_stdout', cellId: 'a', data: 'more\n', stream: 'stdout' });
    expect(model.getCell('a')).toMatchObject({ stdout: 'out\nmore\n', stderr: 'warn\n' });
    model.apply({ type: 'cell_status', cellId: 'a', status: 'success' });
    model.apply({ type: 'cell_status', cellId: 'a', status: 'running' });
    expect(model.getCell('a')).toMatchObject({ stdout: '', stderr: '' });
  });

  it('reads a cell from a host older than stderr as having none', () => {
    const { stderr: _dropped, ...old } = cell('a', 'x = 1', [], ['x']);
    const model = new NotebookModel(notebook([old as Cell]));
    expect(model.getCell('a')!.stderr).toBe('');
  });

  it('wakes only the listeners of the cell that changed', () => {
    const model = new NotebookModel(notebook([cell('a', '', [], []), cell('b', '', [], [])]));
    const woken: string[] = [];
    model.subscribeCell('a', () => woken.push('a'));
    model.subscribeCell('b', () => woken.push('b'));
    model.subscribeOrder(() => woken.push('order'));
    model.apply({ type: 'cell_stdout', cellId: 'b', data: 'x', stream: 'stdout' });
    expect(woken).toEqual(['b']);
  });

  it('inserts, moves and deletes cells from events, ignoring duplicates', () => {
    const model = new NotebookModel(notebook([cell('a', '', [], []), cell('b', '', [], [])]));
    model.apply({ type: 'cell_created', cell: cell('c', '', [], []), index: 1, revision: 2 });
    model.apply({ type: 'cell_created', cell: cell('c', '', [], []), index: 1, revision: 2 });
    expect(model.getOrder()).toEqual(['a', 'c', 'b']);
    model.apply({ type: 'cell_moved', cellId: 'a', index: 2, revision: 3 });
    expect(model.getOrder()).toEqual(['c', 'b', 'a']);
    model.apply({ type: 'cell_deleted', cellId: 'b', revision: 4 });
    expect(model.getOrder()).toEqual(['c', 'a']);
    expect(model.getMeta().revision).toBe(4);
    expect(model.positionOf('c')).toBe('first');
    expect(model.positionOf('b')).toBe('none');
  });

  it('skips structural events already contained in a snapshot when replaying', () => {
    const model = new NotebookModel(notebook([cell('a', '', [], [])], 5));
    model.apply({ type: 'cell_created', cell: cell('old', '', [], []), index: 1, revision: 5 }, 5);
    model.apply({ type: 'cell_created', cell: cell('new', '', [], []), index: 1, revision: 6 }, 5);
    expect(model.getOrder()).toEqual(['a', 'new']);
  });

  it('keeps unchanged cell objects on a resync so they do not re-render', () => {
    const model = new NotebookModel(notebook([cell('a', 'x = 1', [], ['x']), cell('b', 'y = x', ['x'], ['y'])]));
    const a = model.getCell('a');
    const b = model.getCell('b');
    model.load(notebook([cell('a', 'x = 1', [], ['x']), cell('b', 'y = x + 1', ['x'], ['y'])], 2));
    expect(model.getCell('a')).toBe(a);
    expect(model.getCell('b')).not.toBe(b);
    expect(model.getCell('b')!.code).toBe('y = x + 1');
  });

  it('marks every run cell stale when the kernel restarts, keeping outputs', () => {
    const model = new NotebookModel(notebook([
      cell('a', '', [], [], { status: 'success', outputs: [{ mime_type: 'text/plain', data: '1' }] }),
      cell('b', '', [], []),
    ]));
    model.apply({ type: 'kernel_restarted', reason: 'crash' });
    expect(model.getCell('a')).toMatchObject({ status: 'stale' });
    expect(model.getCell('a')!.outputs).toHaveLength(1);
    expect(model.getCell('b')!.status).toBe('idle');
    expect(model.getMeta().kernelNotice).toBe('crash');
  });

  it('keeps the error of a cell that killed its kernel, and its blocked readers, when the kernel restarts', () => {
    const model = new NotebookModel(notebook([cell('a', '', [], []), cell('b', '', [], []), cell('c', '', [], [], { status: 'success' })]));
    model.apply({ type: 'cell_status', cellId: 'a', status: 'error' });
    model.apply({ type: 'cell_error', cellId: 'a', error: 'The kernel stopped while this cell ran: memory' });
    model.apply({ type: 'cell_status', cellId: 'b', status: 'blocked' });
    model.apply({ type: 'kernel_restarted', reason: 'memory' });
    expect(model.getCell('a')).toMatchObject({ status: 'error', error: 'The kernel stopped while this cell ran: memory' });
    expect(model.getCell('b')!.status).toBe('blocked');
    expect(model.getCell('c')!.status).toBe('stale');
  });

  it('drops a cell error when the host says it no longer holds', () => {
    const model = new NotebookModel(notebook([cell('a', 'x = (', [], [], { status: 'error', error: 'SyntaxError', error_detail: { kind: 'analysis', message: 'SyntaxError' } })]));
    model.apply({ type: 'cell_status', cellId: 'a', status: 'stale' });
    model.apply({ type: 'cell_error', cellId: 'a', error: null });
    expect(model.getCell('a')).toMatchObject({ status: 'stale', error: null, error_detail: null });
  });

  it('keeps a cell error structured as the host sends it: the traceback apart from the message', () => {
    const model = new NotebookModel(notebook([cell('a', '1 / 0', [], [])]));
    const traceback = 'Traceback (most recent call last):\n  File "<cell a>", line 1, in <module>\nZeroDivisionError: division by zero\n';
    const detail = { kind: 'runtime' as const, message: 'ZeroDivisionError: division by zero', traceback };
    model.apply({ type: 'cell_error', cellId: 'a', error: traceback, detail });
    expect(model.getCell('a')).toMatchObject({ error: traceback, error_detail: detail });
  });

  it('shows a cell created here at once and reconciles it with the host\'s event and snapshots', () => {
    const model = new NotebookModel(notebook([cell('a', '', [], []), cell('b', '', [], [])]));
    model.insertUnconfirmed(cell('new', '', [], []), 1);
    expect(model.getOrder()).toEqual(['a', 'new', 'b']);
    expect(model.isUnconfirmed('new')).toBe(true);
    // A snapshot taken before the host had it keeps it in place.
    model.load(notebook([cell('a', '', [], []), cell('b', '', [], [])], 2));
    expect(model.getOrder()).toEqual(['a', 'new', 'b']);
    // The host's event: its place and state win.
    model.apply({ type: 'cell_created', cell: cell('new', 'x = 1', [], ['x']), index: 2, revision: 3 });
    expect(model.getOrder()).toEqual(['a', 'b', 'new']);
    expect(model.getCell('new')).toMatchObject({ code: 'x = 1', writes: ['x'] });
    expect(model.isUnconfirmed('new')).toBe(false);
    model.insertUnconfirmed(cell('refused', '', [], []), 0);
    model.dropUnconfirmed('refused');
    expect(model.getOrder()).toEqual(['a', 'b', 'new']);
  });

  it('puts a cell created here where the host put it when the host\'s answer came before its event', () => {
    const model = new NotebookModel(notebook([cell('base', '', [], [])]));
    model.insertUnconfirmed(cell('mine', '', [], []), 1);
    model.confirm('mine');
    // Someone else's cell, created below the same cell first on the host, then this one's event.
    model.apply({ type: 'cell_created', cell: cell('theirs', '', [], []), index: 1, revision: 2 });
    expect(model.getOrder()).toEqual(['base', 'theirs', 'mine']);
    model.apply({ type: 'cell_created', cell: cell('mine', '', [], []), index: 1, revision: 3 });
    expect(model.getOrder()).toEqual(['base', 'mine', 'theirs']);
    // A later duplicate of that event moves nothing.
    model.apply({ type: 'cell_moved', cellId: 'mine', index: 2, revision: 4 });
    model.apply({ type: 'cell_created', cell: cell('mine', '', [], []), index: 1, revision: 3 });
    expect(model.getOrder()).toEqual(['base', 'theirs', 'mine']);
  });

  it('marks an edited cell and what reads it stale at once, as the host will; idle and blocked stay', () => {
    const model = new NotebookModel(notebook([
      cell('a', 'x = 1', [], ['x'], { status: 'success' }),
      cell('b', 'y = x', ['x'], ['y'], { status: 'error' }),
      cell('c', 'z = y', ['y'], ['z'], { status: 'blocked' }),
      cell('d', 'w = 1', [], ['w'], { status: 'success' }),
      cell('e', 'print(x)', ['x'], [], { status: 'idle' }),
    ]));
    model.markEdited('a');
    expect(model.cellList().map((c) => c.status)).toEqual(['stale', 'stale', 'blocked', 'success', 'idle']);
  });

  it('takes the masked plugin settings from the notebook and from notebook_updated', () => {
    const model = new NotebookModel({ ...notebook([]), settings: { sql: { connection_string: 'postgresql://u:****@h/db' } } });
    expect(model.getMeta()).toMatchObject({ settings: { sql: { connection_string: 'postgresql://u:****@h/db' } } });
    model.apply({ type: 'notebook_updated', name: 'M', lazy: true, settings: {}, revision: 3 });
    expect(model.getMeta()).toMatchObject({ name: 'M', lazy: true, settings: {}, revision: 3 });
    model.apply({ type: 'notebook_updated', name: 'M', lazy: true, settings: { sql: { connection_string: '****' } }, revision: 4 });
    // A host older than plugin settings sends none (the wire now always has it): the page keeps what it had.
    model.apply({ type: 'notebook_updated', name: 'N', lazy: true, revision: 5 } as unknown as PageEvent);
    expect(model.getMeta()).toMatchObject({ name: 'N', settings: { sql: { connection_string: '****' } } });
  });
});

describe('dependency graph', () => {
  it('draws an edge from the defining cell to each reader and finds definers', () => {
    const cells = [cell('a', '', [], ['x']), cell('b', '', ['x'], ['y']), cell('c', '', ['x', 'y'], [])];
    const graph = buildGraph(cells);
    expect(graph.edges).toEqual([
      { from: 'a', to: 'b', names: ['x'] },
      { from: 'a', to: 'c', names: ['x'] },
      { from: 'b', to: 'c', names: ['y'] },
    ]);
    expect(graph.definers.get('y')).toEqual(['b']);
    expect(graph.inCycle.size).toBe(0);
  });

  it('explains a blocked cell: cycle, double definition, failed upstream', () => {
    const cycle = [cell('a', '', ['y'], ['x']), cell('b', '', ['x'], ['y']), cell('c', '', ['y'], [])];
    expect(explainBlocked('a', cycle)).toBe('Part of a dependency cycle (cells 1, 2)');
    expect(explainBlocked('c', cycle)).toBeNull();

    const twice = [cell('a', '', [], ['x']), cell('b', '', [], ['x']), cell('c', '', ['x'], [])];
    expect(explainBlocked('c', twice)).toBe('`x` is defined in more than one cell (cells 1, 2)');

    const failed = [
      cell('a', '', [], ['x'], { status: 'error' }),
      cell('b', '', ['x'], ['y'], { status: 'blocked' }),
      cell('c', '', ['y'], [], { status: 'blocked' }),
    ];
    expect(explainBlocked('c', failed)).toBe('Upstream cell 1 (defines x) failed');
  });

  it('finds cycles in a long chain without overflowing the stack', () => {
    const n = 20000;
    const cells = Array.from({ length: n }, (_, i) => cell(`c${i}`, '', [`v${(i + n - 1) % n}`], [`v${i}`]));
    expect(buildGraph(cells).inCycle.size).toBe(n);
  });
});
