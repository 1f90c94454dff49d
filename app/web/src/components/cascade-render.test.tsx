/** @jest-environment jsdom */
import { act, cleanup, render } from '@testing-library/react';
import { ApiClient } from '../api/http';
import type { NotebookSocketOptions } from '../api/socket';
import type { Cell, Notebook, PageEvent } from '../api/types';
import { renderCounts } from '../perf/render-count';
import type { EarlyFlush, FrameScheduler } from '../state/event-batcher';
import { pageEventEarlyFlush } from '../state/page-event-flush';
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

function setup(earlyFlush: EarlyFlush<PageEvent> | null = null) {
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
    earlyFlush,
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

it('with the page\'s early rule, a lone reader\'s run is shown as its last event arrives, and a cascade keeps its frames', () => {
  let now = 1000;
  const { controller, push, draw, framesAsked } = setup(pageEventEarlyFlush(() => now));
  const { container } = render(<CellList controller={controller} />);
  renderCounts.reset();
  const shownOf = (i: number): string => container.querySelectorAll('section[data-cell-id]')[i]?.querySelector('.cell__outputs')?.textContent ?? '';

  // A widget move's reader: queued, then its run; no frame is drawn, yet its new output is in the page, rendered once.
  act(() => {
    push({ type: 'cell_status', cellId: 'c5', status: 'queued' });
    for (const event of cellRun(5)) push(event);
  });
  expect(controller.model.getCell('c5')!.status).toBe('success');
  expect(shownOf(5)).toContain('second 5');
  expect(Object.fromEntries(renderCounts.counts)).toEqual({ c5: 1 });

  // A cascade a little later: the first cells' runs go early, until the rate of events tells a flood; the rest waits
  // for the frame, then renders each cell once.
  now += 20;
  renderCounts.reset();
  const asked = framesAsked();
  act(() => {
    for (let i = 0; i < CELLS; i++) for (const event of cellRun(i)) push(event);
  });
  const early = Array.from({ length: CELLS }, (_, i) => controller.model.getCell(`c${i}`)!.outputs[0]!.data !== 'old' && i !== 5).filter(Boolean).length;
  expect(early).toBeGreaterThanOrEqual(1);
  expect(early).toBeLessThan(6);
  expect(controller.model.getCell(`c${CELLS - 1}`)!.outputs).toEqual([{ mime_type: 'text/plain', data: 'old' }]);
  expect(framesAsked()).toBeLessThanOrEqual(asked + early + 1);
  draw();
  for (let i = 0; i < CELLS; i++) expect(shownOf(i)).toContain(`second ${i}`);
  expect([...renderCounts.counts.values()].every((n) => n === 1)).toBe(true);
  expect(renderCounts.counts.size).toBe(CELLS);
  controller.dispose();
});
