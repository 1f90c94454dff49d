/** @jest-environment jsdom */
import { act, cleanup, render, waitFor } from '@testing-library/react';
import { CellList } from './CellList';
import { offlineController } from '../testing/offline-controller';
import { WINDOW_FROM } from './cell-window';

/**
 * The cell window's wiring in the list (jsdom lays nothing out: every cell has its estimated height, the list sits at
 * the top of the page): a notebook of WINDOW_FROM cells takes far cells out of layout, a focus brings one in, and a
 * notebook that gets shorter puts every cell back. Layout itself is the page-speed browser tests' part.
 */
const setup = offlineController;

const outOfLayout = (container: HTMLElement): string[] =>
  [...container.querySelectorAll<HTMLElement>('section[data-cell-id][data-out]')].map((el) => el.dataset.cellId!);

/** An observer that never reports: editors stay static copies (CodeMirror cannot measure in jsdom). */
class SilentObserver {
  observe(): void { /* nothing reported */ }
  unobserve(): void { /* nothing held */ }
  disconnect(): void { /* nothing held */ }
}

let scrolledTo: number | null = null;
beforeAll(() => {
  (globalThis as { IntersectionObserver?: unknown }).IntersectionObserver = SilentObserver;
  window.scrollTo = ((options: ScrollToOptions) => { scrolledTo = options.top ?? 0; }) as typeof window.scrollTo;
});
afterAll(() => {
  delete (globalThis as { IntersectionObserver?: unknown }).IntersectionObserver;
});
afterEach(cleanup);

it('keeps far cells of a long notebook out of layout, brings a focused one in, and puts all back when it gets short', async () => {
  const controller = setup(WINDOW_FROM);
  const { container } = render(<CellList controller={controller} />);
  await waitFor(() => expect(container.querySelectorAll('section[data-cell-id]')).toHaveLength(WINDOW_FROM));
  await waitFor(() => expect(outOfLayout(container).length).toBeGreaterThan(WINDOW_FROM - 40));
  expect(outOfLayout(container)).not.toContain('c0');
  expect(outOfLayout(container)).toContain(`c${WINDOW_FROM - 1}`);
  // The space of the cells out of layout is kept: the last cell in layout carries the run below it.
  const lastIn = [...container.querySelectorAll<HTMLElement>('section[data-cell-id]:not([data-out])')].pop()!;
  expect(parseFloat(lastIn.style.marginBottom)).toBeGreaterThan(100 * (WINDOW_FROM - 40));

  // A focus on a far cell (the keyboard, a jump to it) brings it into layout where it belongs, scrolled to.
  act(() => controller.focusCellFrame('c250'));
  expect(outOfLayout(container)).not.toContain('c250');
  expect(scrolledTo).toBeGreaterThan(0);

  // A cell moved from far below to the top: in layout there, its number and the runs' margins follow.
  act(() => controller.model.apply({ type: 'cell_moved', cellId: 'c290', index: 0, revision: 2 }));
  expect(outOfLayout(container)).not.toContain('c290');
  expect(outOfLayout(container)).toContain('c200');

  // One cell fewer than the window's threshold: every cell is back in layout, no margins left.
  act(() => controller.model.apply({ type: 'cell_deleted', cellId: 'c10', revision: 3 }));
  expect(container.querySelectorAll('section[data-cell-id]')).toHaveLength(WINDOW_FROM - 1);
  await waitFor(() => expect(outOfLayout(container)).toEqual([]));
  const margined = [...container.querySelectorAll<HTMLElement>('section[data-cell-id]')].filter((el) => el.style.marginTop !== '' || el.style.marginBottom !== '');
  expect(margined).toEqual([]);
});

it('leaves a shorter notebook alone', async () => {
  const controller = setup(WINDOW_FROM - 1);
  const { container } = render(<CellList controller={controller} />);
  await waitFor(() => expect(container.querySelectorAll('section[data-cell-id]')).toHaveLength(WINDOW_FROM - 1));
  await act(async () => { await new Promise((resolve) => setTimeout(resolve, 20)); });
  expect(outOfLayout(container)).toEqual([]);
});
