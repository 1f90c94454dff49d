/** @jest-environment jsdom */
import { CellWindow } from './cell-window';

/**
 * The window's arithmetic in jsdom (which lays nothing out): every cell 100 px tall by estimate, the list at the top
 * of the page, a viewport of 1,000 px scrolled where the test says. The browser's side (display: none on `data-out`,
 * the margins) is checked by the page-speed browser tests.
 */
const CELLS = 200;
const HEIGHT = 100;
const GAP = 12;

function setup(): { list: HTMLElement; ids: string[]; cellWindow: CellWindow; at(scrollY: number): void; shown(): number[] } {
  document.body.innerHTML = '';
  const list = document.createElement('div');
  document.body.append(list);
  const ids = Array.from({ length: CELLS }, (_, i) => `c${i}`);
  Object.defineProperty(window, 'innerHeight', { value: 1000, configurable: true });
  let scrollY = 0;
  Object.defineProperty(window, 'scrollY', { get: () => scrollY, configurable: true });
  window.scrollTo = ((options: ScrollToOptions) => { scrollY = options.top ?? 0; }) as typeof window.scrollTo;
  const cellWindow = new CellWindow(list, { order: () => ids, estimate: () => HEIGHT });
  for (const id of ids) {
    const element = document.createElement('section');
    element.dataset.cellId = id;
    list.append(element);
    cellWindow.register(id, element);
  }
  cellWindow.update(false);
  const shown = (): number[] => ids.map((id, i) => (cellWindow.isShown(id) ? i : -1)).filter((i) => i >= 0);
  // jsdom lays nothing out: the list stays at the page top as first read (update(false) keeps that reading).
  return { list, ids, cellWindow, at: (y) => { scrollY = y; cellWindow.update(false); }, shown };
}

const element = (list: HTMLElement, i: number): HTMLElement => list.children[i] as HTMLElement;

describe('CellWindow', () => {
  afterEach(() => { document.body.innerHTML = ''; });

  it('keeps in layout only the cells within the viewport and its margin, the others out with their space kept', () => {
    const { list, shown, at, cellWindow } = setup();
    // 0..1,000 px in view, 1,200 px margin: cells up to 2,200 px, i.e. the first 20 (each 112 px with its gap).
    expect(shown()).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(element(list, 20).hasAttribute('data-out')).toBe(true);
    expect(element(list, 0).hasAttribute('data-out')).toBe(false);
    // The 180 cells below: the last cell in layout carries their space as its bottom margin.
    expect(element(list, 19).style.marginBottom).toBe(`${180 * (HEIGHT + GAP)}px`);

    at(10_000);
    const now = shown();
    expect(now[0]).toBe(Math.floor((10_000 - 1200 - HEIGHT) / (HEIGHT + GAP)) + 1);
    expect(now[now.length - 1]).toBe(Math.floor((10_000 + 1000 + 1200) / (HEIGHT + GAP)));
    // The run above the first cell in layout is its top margin; the earlier cells lost their margins.
    expect(element(list, now[0]!).style.marginTop).toBe(`${now[0]! * (HEIGHT + GAP)}px`);
    // Its number: CSS counters skip cells out of layout, so it sets its own (shown 1-based).
    expect(element(list, now[0]!).style.counterSet).toBe(`cell ${now[0]! + 1}`);
    expect(element(list, now[0]! + 1).style.counterSet ?? '').toBe('');
    expect(element(list, 19).style.marginBottom).toBe('');
    expect(element(list, 0).hasAttribute('data-out')).toBe(true);
    cellWindow.dispose();
    expect(list.querySelectorAll('[data-out]')).toHaveLength(0);
  });

  it('keeps the focused cell in layout wherever the page scrolls, its space split around it', () => {
    const { list, shown, at, cellWindow } = setup();
    const focusable = element(list, 5);
    focusable.tabIndex = -1;
    focusable.focus();
    at(15_000);
    expect(shown()).toContain(5);
    expect(shown()[1]! - shown()[0]!).toBeGreaterThan(1);
    // Cells 0..4 above it, 6..(first in range - 1) between it and the range.
    expect(focusable.style.marginTop).toBe(`${5 * (HEIGHT + GAP)}px`);
    const first = shown()[1]!;
    expect(element(list, first).style.marginTop).toBe(`${(first - 6) * (HEIGHT + GAP)}px`);
    focusable.blur();
    cellWindow.dispose();
  });

  it('reveals a far cell where it belongs: scrolled to its place, its neighbours in layout around it', () => {
    const { list, shown, cellWindow } = setup();
    cellWindow.reveal('c150');
    expect(shown()).toContain(150);
    expect(shown()).toContain(149);
    expect(shown()).toContain(151);
    expect(shown()).not.toContain(0);
    expect(window.scrollY).toBe(150 * (HEIGHT + GAP) - 1000 / 3);
    expect(element(list, 150).hasAttribute('data-out')).toBe(false);
    cellWindow.dispose();
  });

  it('takes a cell added later in its place and forgets a removed one', async () => {
    const { list, ids, shown, cellWindow } = setup();
    const added = document.createElement('section');
    added.dataset.cellId = 'new';
    ids.splice(1, 0, 'new');
    list.insertBefore(added, element(list, 1));
    const stop = cellWindow.register('new', added);
    await Promise.resolve();
    expect(cellWindow.isShown('new')).toBe(true);
    // One more cell above: the range ends one cell earlier.
    expect(shown()).toHaveLength(20);
    stop();
    ids.splice(1, 1);
    added.remove();
    cellWindow.update(false);
    expect(cellWindow.isShown('new')).toBe(false);
    cellWindow.dispose();
  });
});
