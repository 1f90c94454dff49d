import { ApiClient } from '../api/http';
import type { Cell, NotebookEvent } from '../api/types';
import type { NotebookSocketOptions } from '../api/socket';
import { NotebookController } from './notebook-controller';
import { NotebookModel } from './notebook-model';

/**
 * The controller against a small in-memory host speaking the HTTP contract (create with a client
 * id, PUT with base_code, DELETE), with the socket replaced by a recorder that can push events.
 */
interface Request { method: string; path: string; body: Record<string, unknown> }

function fakeHost(initial: Cell[]) {
  const cells = initial.map((c) => ({ ...c }));
  const requests: Request[] = [];
  /** While set, requests wait for it (the host is slow). */
  let gate: Promise<void> | null = null;
  const reply = (status: number, body: unknown) => ({ ok: status < 300, status, text: async () => JSON.stringify(body) }) as Response;
  const fetchImpl = (async (url: string, init?: RequestInit) => {
    const path = url.replace('http://host/', '');
    const body = init?.body ? (JSON.parse(String(init.body)) as Record<string, unknown>) : {};
    requests.push({ method: init?.method ?? 'GET', path, body });
    if (gate) await gate;
    const cellMatch = /^api\/notebooks\/nb\/cells\/([^/]+)$/.exec(path);
    if (init?.method === 'POST' && path === 'api/notebooks/nb/cells') {
      const id = String(body.cell_id);
      if (body.type === 'cobol') return reply(400, { error: { code: 'RNB_ERR_UNKNOWN_LANGUAGE', message: 'Unknown cell type "cobol"' } });
      if (body.after_cell_id !== undefined && !cells.some((c) => c.id === body.after_cell_id)) return reply(404, { error: { code: 'RNB_ERR_CELL_NOT_FOUND', message: 'no such cell' } });
      if (cells.some((c) => c.id === id)) return reply(409, { error: { code: 'RNB_ERR_CELL_EXISTS', message: 'taken' } });
      const cell: Cell = { id, type: String(body.type), code: String(body.code ?? ''), status: 'idle', stdout: '', stderr: '', outputs: [], error: null, reads: [], writes: [] };
      const after = cells.findIndex((c) => c.id === body.after_cell_id);
      cells.splice(after >= 0 ? after + 1 : Number(body.index ?? cells.length), 0, cell);
      return reply(201, { cell_id: id, cell });
    }
    if (init?.method === 'PUT' && cellMatch) {
      const cell = cells.find((c) => c.id === cellMatch[1])!;
      if (body.base_code !== undefined && cell.code !== body.base_code && cell.code !== body.code) {
        return reply(409, { error: { code: 'RNB_ERR_EDIT_CONFLICT', message: 'changed', current_code: cell.code } });
      }
      cell.code = String(body.code);
      return reply(200, cell);
    }
    const moveMatch = /^api\/notebooks\/nb\/cells\/([^/]+)\/move$/.exec(path);
    if (init?.method === 'POST' && moveMatch) {
      const from = cells.findIndex((c) => c.id === moveMatch[1]);
      const [moved] = cells.splice(from, 1);
      cells.splice(Number(body.index), 0, moved!);
      return { ok: true, status: 204, text: async () => '' } as Response;
    }
    if (init?.method === 'DELETE' && cellMatch) {
      cells.splice(cells.findIndex((c) => c.id === cellMatch[1]), 1);
      return { ok: true, status: 204, text: async () => '' } as Response;
    }
    return reply(404, { error: { code: 'RNB_ERR_ROUTE_NOT_FOUND', message: path } });
  }) as unknown as typeof fetch;
  return {
    cells,
    requests,
    hold: () => {
      let release = (): void => undefined;
      gate = new Promise<void>((r) => { release = r; });
      return () => { gate = null; release(); };
    },
    api: new ApiClient({ fetchImpl, resolve: (p) => `http://host/${p}` }),
  };
}

const cell = (id: string, code: string, extra: Partial<Cell> = {}): Cell => ({
  id, type: 'python', code, status: 'idle', stdout: '', stderr: '', outputs: [], error: null, reads: [], writes: [], ...extra,
});

function setup(initial: Cell[]) {
  const host = fakeHost(initial);
  const runs: string[] = [];
  let push: (event: NotebookEvent) => void = () => undefined;
  const controller = new NotebookController(new NotebookModel({ id: 'nb', name: 'N', cells: initial, revision: 1 }), {
    api: host.api,
    getToken: async () => null,
    saveDelayMs: 50,
    socketFactory: (options: NotebookSocketOptions) => {
      push = options.onEvent;
      options.onState('online');
      return { runCell: (id: string) => runs.push(id), interrupt: () => undefined, retry: () => undefined, close: () => undefined };
    },
  });
  controller.start();
  return { controller, host, runs, push: (event: NotebookEvent) => push(event) };
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('NotebookController', () => {
  it('Shift+Enter on the last cell shows a cell of the same language at once; its code and run follow the slow create', async () => {
    const { controller, host, runs } = setup([cell('a', 'SELECT 1', { type: 'sql' })]);
    const release = host.hold();
    controller.runAndAdvance('a');
    // Synchronously: the new cell is there, same language, before the host answered anything.
    const order = controller.model.getOrder();
    expect(order).toHaveLength(2);
    const created = order[1]!;
    expect(created).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(controller.model.getCell(created)!.type).toBe('sql');
    controller.edit(created, 'SELECT 2');
    void controller.run(created);
    await jest.advanceTimersByTimeAsync(200);
    expect(host.requests.filter((r) => r.method === 'PUT')).toHaveLength(0);
    release();
    await jest.advanceTimersByTimeAsync(200);
    expect(host.requests.map((r) => r.method)).toEqual(['POST', 'PUT']);
    expect(host.requests[0]!.body).toMatchObject({ type: 'sql', cell_id: created, after_cell_id: 'a' });
    expect(host.cells.map((c) => [c.id, c.code])).toEqual([['a', 'SELECT 1'], [created, 'SELECT 2']]);
    expect(runs).toEqual(['a', created]);
    expect(controller.saver.state(created)).toBe('saved');
    controller.dispose();
  });

  it('creates cells in order; one placed after a refused cell follows the cell before that instead, code kept', async () => {
    const { controller, host } = setup([cell('a', 'x = 1')]);
    const release = host.hold();
    const refused = controller.addCell('a', 'below', 'cobol');
    const kept = controller.addCell(refused, 'below', 'python');
    controller.edit(kept, 'y = 2');
    expect(controller.model.getOrder()).toEqual(['a', refused, kept]);
    release();
    await jest.advanceTimersByTimeAsync(200);
    expect(controller.model.getOrder()).toEqual(['a', kept]);
    expect(controller.notices.get().at(-1)?.message).toMatch(/cobol/);
    expect(host.cells.map((c) => [c.id, c.code])).toEqual([['a', 'x = 1'], [kept, 'y = 2']]);
    controller.dispose();
  });

  it('moves a cell past a new cell the host has not created yet to the same place there (the move waits for the create)', async () => {
    const { controller, host } = setup([cell('a', 'x = 1'), cell('k', 'k = 1')]);
    const release = host.hold();
    // Ctrl+Shift+O on k adds a cell above it; Ctrl+Shift+↑ then moves k above that new cell, before the host has it.
    const added = controller.addCell('k', 'above', 'python');
    void controller.moveCell('k', -1);
    await jest.advanceTimersByTimeAsync(50);
    expect(host.requests.map((r) => r.path.split('/').pop())).toEqual(['cells']);
    release();
    await jest.advanceTimersByTimeAsync(200);
    expect(host.requests.map((r) => [r.method, r.path.split('/').pop()])).toEqual([['POST', 'cells'], ['POST', 'move']]);
    expect(host.cells.map((c) => c.id)).toEqual(['a', 'k', added]);
    expect(controller.model.getOrder()).toEqual(['a', 'k', added]);
    controller.dispose();
  });

  it('shows a conflict, keeping the typed text, when another page saves a cell this page has unsaved text for', async () => {
    const { controller, host, push } = setup([cell('a', 'v = 1')]);
    controller.edit('a', 'v = 1 + 2');
    // Another page saved first.
    host.cells[0]!.code = 'v = 1 + 3';
    push({ type: 'cell_updated', cellId: 'a', code: 'v = 1 + 3', cell_type: 'python', reads: [], writes: ['v'], revision: 2 });
    expect(controller.conflicts.get('a')).toEqual({ theirs: 'v = 1 + 3' });
    expect(controller.saver.draft('a')).toBe('v = 1 + 2');
    await jest.advanceTimersByTimeAsync(500);
    expect(host.requests).toHaveLength(0);
    await controller.keepMine('a');
    expect(host.requests[0]!.body).toEqual({ code: 'v = 1 + 2', base_code: 'v = 1 + 3' });
    expect(host.cells[0]!.code).toBe('v = 1 + 2');
    expect(controller.conflicts.get('a')).toBeUndefined();
    // Its own save coming back is no conflict.
    push({ type: 'cell_updated', cellId: 'a', code: 'v = 1 + 2', cell_type: 'python', reads: [], writes: ['v'], revision: 3 });
    expect(controller.conflicts.get('a')).toBeUndefined();
    controller.dispose();
  });

  it('takes its own saves coming back late for what they are, not for a conflict', async () => {
    const { controller, push } = setup([cell('a', 'v = 1')]);
    controller.edit('a', 'v = 12');
    await controller.saver.flush('a');
    controller.edit('a', 'v = 123');
    await controller.saver.flush('a');
    controller.edit('a', 'v = 1234');
    push({ type: 'cell_updated', cellId: 'a', code: 'v = 12', cell_type: 'python', reads: [], writes: ['v'], revision: 2 });
    push({ type: 'cell_updated', cellId: 'a', code: 'v = 123', cell_type: 'python', reads: [], writes: ['v'], revision: 3 });
    expect(controller.conflicts.get('a')).toBeUndefined();
    expect(controller.saver.state('a')).toBe('pending');
    controller.dispose();
  });

  it('shows the conflict when the host refuses a save made on an old base, and takes theirs on request', async () => {
    const { controller, host } = setup([cell('a', 'v = 1')]);
    controller.edit('a', 'v = 2');
    host.cells[0]!.code = 'v = 3'; // saved elsewhere; this page has not heard yet
    await jest.advanceTimersByTimeAsync(100);
    expect(host.requests[0]!.body).toEqual({ code: 'v = 2', base_code: 'v = 1' });
    expect(controller.conflicts.get('a')).toEqual({ theirs: 'v = 3' });
    expect(controller.saver.state('a')).toBe('conflict');
    expect(controller.saver.draft('a')).toBe('v = 2');
    controller.takeTheirs('a');
    expect(controller.saver.draft('a')).toBeUndefined();
    expect(controller.conflicts.get('a')).toBeUndefined();
    expect(host.cells[0]!.code).toBe('v = 3');
    controller.dispose();
  });

  it('undoes a delete: the same id, code and place, and re-runs a cell that had run', async () => {
    const { controller, host, runs } = setup([cell('a', 'a = 5', { status: 'success' }), cell('b', 'print(a)', { status: 'success' })]);
    await controller.deleteCell('a');
    expect(controller.model.getOrder()).toEqual(['b']);
    expect(controller.canRestore()).toBe(true);
    expect(controller.notices.get().at(-1)).toMatchObject({ message: 'Cell deleted', action: { label: 'Undo' } });
    await controller.restoreDeleted();
    expect(controller.model.getOrder()).toEqual(['a', 'b']);
    expect(host.requests.at(-1)).toMatchObject({ method: 'POST', body: { cell_id: 'a', code: 'a = 5', index: 0 } });
    expect(host.cells.map((c) => c.id)).toEqual(['a', 'b']);
    expect(runs).toEqual(['a']);
    expect(controller.canRestore()).toBe(false);
    controller.dispose();
  });
});
