/** @jest-environment jsdom */
import { act, cleanup, render, waitFor } from '@testing-library/react';
import { renderCounts } from '../perf/render-count';
import type { NotebookController } from '../state/notebook-controller';
import { CellList } from './CellList';
import { offlineController } from '../testing/offline-controller';

/**
 * Cells far from the screen re-render in spare time, those near it at once, and a far cell coming near at once. The
 * browser's IntersectionObserver is replaced by one the test drives (jsdom has none and lays nothing out).
 */
const CELLS = 20;
const observed = new Map<Element, IntersectionObserver>();
const callbacks = new Map<IntersectionObserver, IntersectionObserverCallback>();

class DrivenObserver {
  constructor(callback: IntersectionObserverCallback) {
    callbacks.set(this as unknown as IntersectionObserver, callback);
  }
  observe(element: Element): void { observed.set(element, this as unknown as IntersectionObserver); }
  unobserve(element: Element): void { observed.delete(element); }
  disconnect(): void { /* nothing held */ }
}

/** Tells every observer of the cell's element whether it is near the screen. */
function report(container: HTMLElement, id: string, near: boolean): void {
  const element = container.querySelector(`section[data-cell-id="${id}"]`)!;
  for (const [target, observer] of observed) {
    if (target !== element) continue;
    // A near cell in view, a far one two screens below it.
    const top = near ? 0 : 2 * window.innerHeight;
    const boundingClientRect = { top, bottom: top + 100 };
    callbacks.get(observer)!([{ target, isIntersecting: near, boundingClientRect } as unknown as IntersectionObserverEntry], observer);
  }
}

const setup = (): NotebookController => offlineController(CELLS);

const statusShown = (container: HTMLElement, id: string): string | null | undefined =>
  container.querySelector(`section[data-cell-id="${id}"]`)?.getAttribute('data-status');

beforeAll(() => {
  (globalThis as { IntersectionObserver?: unknown }).IntersectionObserver = DrivenObserver;
  renderCounts.enabled = true;
});
afterAll(() => {
  delete (globalThis as { IntersectionObserver?: unknown }).IntersectionObserver;
  renderCounts.enabled = false;
});
afterEach(cleanup);

it('re-renders a near cell at once, a far one in a later task, and a far one that comes near at once', async () => {
  const controller = setup();
  const { container } = render(<CellList controller={controller} />);
  expect(container.querySelectorAll('section[data-cell-id]')).toHaveLength(CELLS);
  act(() => {
    for (let i = 0; i < CELLS; i++) report(container, `c${i}`, i < 5);
  });
  renderCounts.reset();

  act(() => {
    controller.model.apply({ type: 'cell_status', cellId: 'c2', status: 'running' });
    controller.model.apply({ type: 'cell_status', cellId: 'c15', status: 'running' });
    controller.model.apply({ type: 'cell_status', cellId: 'c16', status: 'running' });
    controller.model.apply({ type: 'cell_status', cellId: 'c16', status: 'success' });
    controller.model.apply({ type: 'cell_status', cellId: 'c16', status: 'running' });
  });
  expect(statusShown(container, 'c2')).toBe('running');
  expect(renderCounts.counts.get('c2')).toBe(1);
  // Far: not yet (the model has it: find, the graph and the runs never wait).
  expect(statusShown(container, 'c15')).toBe('success');
  expect(renderCounts.counts.get('c15')).toBeUndefined();
  expect(controller.model.getCell('c15')?.status).toBe('running');

  // c16 scrolled near before its turn: drawn at once, its three changes in one render.
  act(() => report(container, 'c16', true));
  expect(statusShown(container, 'c16')).toBe('running');
  expect(renderCounts.counts.get('c16')).toBe(1);

  // Spare time comes: c15 is drawn too, once.
  await waitFor(() => expect(statusShown(container, 'c15')).toBe('running'));
  expect(renderCounts.counts.get('c15')).toBe(1);
  expect(renderCounts.counts.get('c16')).toBe(1);
  controller.dispose();
});
