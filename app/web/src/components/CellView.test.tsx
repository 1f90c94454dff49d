/** @jest-environment jsdom */
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { ApiClient } from '../api/http';
import type { Cell } from '../api/types';
import { NotebookController } from '../state/notebook-controller';
import { NotebookModel } from '../state/notebook-model';
import { CellList } from './CellList';

const cell = (id: string, code: string, reads: string[], writes: string[], extra: Partial<Cell> = {}): Cell => ({
  id, type: 'python', code, status: 'idle', stdout: '', stderr: '', outputs: [], error: null, reads, writes, ...extra,
});

function mount(cells: Cell[]) {
  const sent: Array<[string, string | undefined]> = [];
  const fetchImpl = (async () => ({ ok: true, status: 204, text: async () => '' })) as unknown as typeof fetch;
  const controller = new NotebookController(new NotebookModel({ id: 'nb', name: 'N', cells, revision: 1 }), {
    api: new ApiClient({ fetchImpl, resolve: (p) => `http://h/${p}` }),
    getToken: async () => null,
    socketFactory: () => ({
      runCell: (id) => sent.push(['run_cell', id]),
      interrupt: (id) => sent.push(['interrupt', id]),
      retry: () => undefined,
      close: () => undefined,
    }),
  });
  controller.start();
  controller.connection.set('online');
  const utils = render(<CellList controller={controller} />);
  const section = (i: number) => utils.container.querySelectorAll<HTMLElement>('section[data-cell-id]')[i]!;
  return { controller, sent, section, ...utils };
}

afterEach(cleanup);

describe('a cell', () => {
  it('shows what it defines and reads, and a read chip jumps to the defining cell', () => {
    const { section } = mount([cell('a', 'x = 1', [], ['x']), cell('b', 'y = x', ['x'], ['y'])]);
    expect(within(section(0)).getByLabelText('Defines').textContent).toContain('x');
    const chip = within(section(1)).getByRole('button', { name: 'x' });
    fireEvent.click(chip);
    expect(section(0).contains(document.activeElement)).toBe(true);
    expect(section(0).classList.contains('cell--flash')).toBe(true);
  });

  it('says why it is blocked, from the host or from the graph', () => {
    const { section, controller } = mount([
      cell('a', 'x = 1/0', [], ['x'], { status: 'error', error: 'ZeroDivisionError: division by zero' }),
      cell('b', 'y = x', ['x'], ['y'], { status: 'blocked' }),
      cell('c', 'z = 1', [], ['z'], { status: 'blocked', error: 'Cycle: cells 3 and 4' }),
    ]);
    expect(within(section(0)).getByRole('alert').textContent).toContain('ZeroDivisionError: division by zero');
    expect(within(section(1)).getByRole('note').textContent).toBe('Blocked: Upstream cell 1 (defines x) failed');
    expect(within(section(2)).getByRole('note').textContent).toBe('Blocked: Cycle: cells 3 and 4');
    act(() => controller.model.apply({ type: 'cell_status', cellId: 'b', status: 'queued' }));
    expect(within(section(1)).queryByRole('note')).toBeNull();
  });

  it('streams stdout while running, shows elapsed time, and offers Stop instead of Run', () => {
    const { section, controller, sent } = mount([cell('a', 'print(1)', [], [])]);
    act(() => {
      controller.model.apply({ type: 'cell_status', cellId: 'a', status: 'running' });
      controller.model.apply({ type: 'cell_stdout', cellId: 'a', data: 'line 1\n', stream: 'stdout' });
    });
    expect(section(0).getAttribute('data-status')).toBe('running');
    expect(within(section(0)).getByLabelText('Standard output').textContent).toBe('line 1\n');
    expect(section(0).querySelector('.status__elapsed')?.textContent).toMatch(/\d\.\ds/);
    expect(within(section(0)).queryByRole('button', { name: 'Run cell' })).toBeNull();
    fireEvent.click(within(section(0)).getByRole('button', { name: 'Interrupt cell' }));
    expect(sent).toEqual([['interrupt', 'a']]);
    act(() => controller.model.apply({ type: 'cell_stdout', cellId: 'a', data: 'line 2\n', stream: 'stdout' }));
    expect(within(section(0)).getByLabelText('Standard output').textContent).toBe('line 1\nline 2\n');
  });

  it('shows stderr in its own tinted block, apart from stdout, naming cells as tracebacks do', () => {
    const { section, controller } = mount([cell('first-id', 'def f(): ...', [], ['f']), cell('second-id', 'f()', ['f'], [])]);
    act(() => {
      controller.model.apply({ type: 'cell_status', cellId: 'second-id', status: 'running' });
      controller.model.apply({ type: 'cell_stdout', cellId: 'second-id', data: 'result\n', stream: 'stdout' });
      controller.model.apply({ type: 'cell_stdout', cellId: 'second-id', data: '<cell first-id>:3: UserWarning: careful\n', stream: 'stderr' });
      controller.model.apply({ type: 'cell_stdout', cellId: 'second-id', data: '<cell second-id>:1: UserWarning: here\n', stream: 'stderr' });
    });
    const outputs = within(section(1));
    expect(outputs.getByLabelText('Standard output').textContent).toBe('result\n');
    const stderr = outputs.getByLabelText('Standard error');
    expect(stderr.textContent).toBe('<cell 1>:3: UserWarning: careful\n<this cell>:1: UserWarning: here\n');
    expect(stderr.className).toContain('output--stderr');
    expect(stderr.className).not.toContain('output--stdout');
  });

  it('runs from its Run button and dims outputs while they are stale', async () => {
    const { section, controller, sent } = mount([cell('a', '1', [], [], { status: 'success', outputs: [{ mime_type: 'text/plain', data: '1' }] })]);
    await act(async () => { fireEvent.click(within(section(0)).getByRole('button', { name: 'Run cell' })); });
    expect(sent).toEqual([['run_cell', 'a']]);
    act(() => controller.model.apply({ type: 'cell_status', cellId: 'a', status: 'stale' }));
    expect(section(0).querySelector('.cell__outputs--dim')).not.toBeNull();
    expect(screen.getByText('Stale')).toBeTruthy();
  });

  it('disables moving the first cell up and the last one down, with labelled controls', () => {
    const { section } = mount([cell('a', '', [], []), cell('b', '', [], [])]);
    const up = within(section(0)).getByRole('button', { name: 'Move cell up' }) as HTMLButtonElement;
    const down = within(section(1)).getByRole('button', { name: 'Move cell down' }) as HTMLButtonElement;
    expect(up.disabled).toBe(true);
    expect(down.disabled).toBe(true);
    expect((within(section(0)).getByRole('button', { name: 'Move cell down' }) as HTMLButtonElement).disabled).toBe(false);
    expect(within(section(0)).getByLabelText('Cell language')).toBeTruthy();
    expect(section(0).querySelector('.cm-content')?.getAttribute('aria-label')).toBe('Python code');
  });

  it('a markdown cell shows its rendering until its editor takes the focus; Escape renders it again and runs it', async () => {
    const { section, sent } = mount([
      cell('m', '# Title {x}', ['x'], [], { type: 'markdown', status: 'success', outputs: [{ mime_type: 'text/markdown', data: '# Title 3' }] }),
      cell('n', '', [], [], { type: 'markdown' }),
    ]);
    const slot = (i: number) => section(i).querySelector('.cell__editor-slot')!;
    // The renderer is a lazy chunk (markdown-it, KaTeX): its first load here may take a while.
    expect((await within(section(0)).findByRole('heading', { level: 1 }, { timeout: 15_000 })).textContent).toBe('Title 3');
    expect(slot(0).classList.contains('cell__editor-slot--hidden')).toBe(true);
    expect(within(section(1)).getByText(/Empty markdown cell/)).toBeTruthy();
    act(() => section(0).querySelector<HTMLElement>('.cm-content')!.focus());
    expect(slot(0).classList.contains('cell__editor-slot--hidden')).toBe(false);
    await act(async () => {
      fireEvent.keyDown(section(0).querySelector('.cm-content')!, { key: 'Escape' });
    });
    expect(slot(0).classList.contains('cell__editor-slot--hidden')).toBe(true);
    expect(sent).toContainEqual(['run_cell', 'm']);
    expect(section(0).contains(document.activeElement) && !slot(0).contains(document.activeElement)).toBe(true);
  });

  it('a markdown cell that failed shows its text as written above the error', async () => {
    const error = "MarkdownValueError: Markdown variable 'x' not found: no cell defines x, so {x} has no value (line 1, column 9)";
    const { section } = mount([cell('m', '# Total {x}', ['x'], [], { type: 'markdown', status: 'error', error })]);
    expect((await within(section(0)).findByRole('heading', { level: 1 }, { timeout: 15_000 })).textContent).toBe('Total {x}');
    expect(within(section(0)).getByRole('alert').textContent).toContain("Markdown variable 'x' not found");
  });
});
