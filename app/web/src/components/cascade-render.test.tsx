/** @jest-environment jsdom */
import { act, cleanup, render } from '@testing-library/react';
import { ApiClient } from '../api/http';
import type { NotebookSocketOptions } from '../api/socket';
import type { Cell, Notebook, PageEvent } from '../api/types';
import { renderCounts } from '../perf/render-count';
import type { FrameScheduler } from '../state/event-batcher';
import { NotebookController } from '../state/notebook-controller';
import { NotebookModel } from '../state/notebook-model';
import { CellList } from './CellList';

/**
 * A cascade's socket events reach the model once per frame, all of them, in order: the list of
 * cells renders once per frame and each touched cell once, however many events it got.
 */
const CELLS = 30;

function chain(): Notebook {
  const cells: Cell[] = Array.from({ length: CELLS }, (_, i) => ({
    id: `c${i}`, type: 'python', code: `v${i} = ${i === 0 ? '1' : `v${i - 1} + 1`}`, status: 'success', stdout: '', stderr: '',
    outputs: [{ mime_type: 'text/plain', data: 'old' }], error: null, reads: i > 0 ? [`v${i - 1}`] : [], writes: [`v${i}`],
  }));
  return { id: 'nb', name: 'chain', cells, revision: 1, lazy: false };
}

function setup() {
  let push: (event: PageEvent) => void = () => undefined;
  let frame: (() => void) | null = null;
  let framesAsked = 0;
  const scheduleFrame: FrameScheduler = (flush) => {
    framesAsked++;
    frame = flush;
    return () => { frame = null; };
  };
  const fetchImpl = (async () => ({ ok: true, status: 204, text: async () => '' })) as unknown as typeof fetch;
  const controller = new NotebookController(new NotebookModel(chain()), {
    api: new ApiClient({ fetchImpl, resolve: (p) => `http://h/${p}` }),
    getToken: async () => null,
    scheduleFrame,
    socketFactory: (options: NotebookSocketOptions) => {
      push = options.onEvent;
      return { runCell: () => undefined, interrupt: () => undefined, retry: () => undefined, close: () => undefined };
    },
  });
  controller.start();
  const draw = (): void => act(() => { const f = frame; frame = null; f?.(); });
  return { controller, push: (e: PageEvent) => push(e), draw, framesAsked: () => framesAsked };
}

/** What the kernel sends for one cell of a cascade: running, two prints, a result, success. */
function cellRun(i: number): PageEvent[] {
  const cellId = `c${i}`;
  return [
    { type: 'cell_status', cellId, status: 'running' },
    { type: 'cell_stdout', cellId, data: `first ${i}\n`, stream: 'stdout' },
    { type: 'cell_stdout', cellId, data: `second ${i}\n`, stream: 'stdout' },
    { type: 'cell_output', cellId, output: { mime_type: 'text/plain', data: String(i + 1) } },
    { type: 'cell_status', cellId, status: 'success' },
  ];
}

beforeAll(() => { renderCounts.enabled = true; });
afterAll(() => { renderCounts.enabled = false; });
afterEach(cleanup);

it('applies a cascade\'s events in one batch per frame, in order, rendering each cell once per batch', () => {
  const { controller, push, draw, framesAsked } = setup();
  const { container } = render(<CellList controller={controller} />);
  renderCounts.reset();

  // The whole cascade arrives within one frame: 5 events for each of 30 cells.
  for (let i = 0; i < CELLS; i++) for (const event of cellRun(i)) push(event);
  expect(controller.model.getCell('c0')!.status).toBe('success');
  expect(controller.model.getCell('c0')!.outputs).toEqual([{ mime_type: 'text/plain', data: 'old' }]);
  expect(renderCounts.counts.size).toBe(0);
  expect(framesAsked()).toBe(1);

  draw();
  // In order: running cleared the old output before the new one came, and the prints are in the order sent.
  for (let i = 0; i < CELLS; i++) {
    const cell = controller.model.getCell(`c${i}`)!;
    expect([cell.status, cell.stdout, cell.outputs]).toEqual(['success', `first ${i}\nsecond ${i}\n`, [{ mime_type: 'text/plain', data: String(i + 1) }]]);
  }
  expect(renderCounts.counts.size).toBe(CELLS);
  expect([...renderCounts.counts.values()].every((n) => n === 1)).toBe(true);
  const shown = [...container.querySelectorAll('section[data-cell-id]')].map((s) => s.querySelector('.cell__outputs')?.textContent ?? '');
  expect(shown.every((text, i) => text.includes(`second ${i}`) && text.includes(String(i + 1)))).toBe(true);

  // A cascade spread over two frames: two batches, each cell rendered once in each batch it is in.
  renderCounts.reset();
  for (const event of cellRun(0)) push(event);
  push(cellRun(1)[0]!);
  draw();
  for (const event of cellRun(1).slice(1)) push(event);
  draw();
  expect(Object.fromEntries(renderCounts.counts)).toEqual({ c0: 1, c1: 2 });
  expect(controller.model.getCell('c1')!.status).toBe('success');
  expect(framesAsked()).toBe(3);
  controller.dispose();
});
