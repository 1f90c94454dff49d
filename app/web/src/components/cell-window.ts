/**
 * A long notebook keeps in layout only the cells within about a screen of the viewport, the focused cell, and a cell
 * being revealed; every other cell stays in the page (its state, its outputs, its text for find and for tests) but
 * out of layout (`display: none`). The space of each run of such cells is the top margin of the next cell in layout
 * (the last run: the bottom margin of the last one), from their measured heights, or an estimate for a cell never drawn.
 *
 * Why: with every cell in layout, even with `content-visibility: auto`, each frame paid for all of them (the browser's
 * visibility observers, the list's layout, paint chunks): typing in a notebook of 1,000 cells cost 8 ms a key more
 * than in a notebook of one, and a cascade's frames grew long. Out of layout, a far cell costs a frame nothing.
 */

/** Cells in the notebook from which it is windowed; a shorter one keeps every cell in layout. */
export const WINDOW_FROM = 300;
/** How far (px) beyond the viewport cells stay in layout: a fast scroll does not show an empty page. */
const MARGIN_PX = 1200;
/** The list's gap between cells (`.cells` in styles.css). */
const GAP_PX = 12;

export interface CellWindowDeps {
  /** The cell ids in notebook order. */
  order(): readonly string[];
  /** About how tall a cell not drawn yet is. */
  estimate(cellId: string): number;
}

export class CellWindow {
  private readonly elements = new Map<string, HTMLElement>();
  private readonly heights = new Map<string, number>();
  /** Cells in layout now, and out of it (a cell just registered is in neither until placed). */
  private readonly shown = new Set<string>();
  private readonly out = new Set<string>();
  private placing = false;
  /** The list's top in the page, read when layout is clean (a scroll's frame), not right after React added cells. */
  private top: number;
  /** Cells whose style (margins, number) this window set, to clear when they no longer need it. */
  private readonly margined = new Set<string>();
  private focused: string | null = null;
  private revealed: string | null = null;
  private frame = 0;
  private disposed = false;
  private readonly resizes: ResizeObserver | null;

  constructor(
    private readonly list: HTMLElement,
    private readonly deps: CellWindowDeps,
  ) {
    this.resizes = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver((entries) => {
      for (const entry of entries) {
        const id = (entry.target as HTMLElement).dataset.cellId;
        const height = entry.borderBoxSize?.[0]?.blockSize ?? entry.contentRect.height;
        // Out of layout it measures 0: it keeps the height it had.
        if (id && height > 0) this.heights.set(id, height);
      }
    });
    this.top = this.listTop();
    window.addEventListener('scroll', this.schedule, { passive: true });
    window.addEventListener('resize', this.schedule, { passive: true });
    list.addEventListener('focusin', this.onFocus);
  }

  /** A cell's element (from its view), placed in or out of layout at once, before the browser lays it out. */
  register(cellId: string, element: HTMLElement): () => void {
    this.elements.set(cellId, element);
    this.resizes?.observe(element);
    // Cells register by the hundred in one commit: placed once, after it, before the browser lays them out.
    if (!this.placing) {
      this.placing = true;
      queueMicrotask(() => {
        this.placing = false;
        if (!this.disposed) this.update(false);
      });
    }
    return () => {
      if (this.elements.get(cellId) !== element) return;
      this.elements.delete(cellId);
      this.resizes?.unobserve(element);
      this.shown.delete(cellId);
      this.out.delete(cellId);
      this.margined.delete(cellId);
      // The element may live on without a window (the notebook got short): back in layout, without margins.
      restore(element);
      if (!this.disposed) this.schedule();
    };
  }

  /**
   * Brings a cell into layout where it belongs, scrolled near the viewport, so that a jump to it (go to definition,
   * find, a focus by keyboard) lands on it with its neighbours around it.
   */
  reveal(cellId: string): void {
    if (!this.elements.has(cellId)) return;
    this.revealed = cellId;
    if (!this.shown.has(cellId)) {
      this.top = this.listTop();
      const top = this.top + this.offsetOf(cellId);
      window.scrollTo({ top: Math.max(0, top - window.innerHeight / 3), behavior: 'instant' as ScrollBehavior });
    }
    this.update(false);
  }

  /** Whether a cell is in layout now (tests, and callers that measure it). */
  isShown(cellId: string): boolean {
    return this.shown.has(cellId);
  }

  dispose(): void {
    this.disposed = true;
    window.removeEventListener('scroll', this.schedule);
    window.removeEventListener('resize', this.schedule);
    this.list.removeEventListener('focusin', this.onFocus);
    if (this.frame) cancelAnimationFrame(this.frame);
    this.resizes?.disconnect();
    for (const element of this.elements.values()) restore(element);
  }

  readonly schedule = (): void => {
    if (this.frame || this.disposed) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.update();
    });
  };

  private readonly onFocus = (event: FocusEvent): void => {
    const id = (event.target as HTMLElement | null)?.closest<HTMLElement>('[data-cell-id]')?.dataset.cellId ?? null;
    if (id === this.focused) return;
    this.focused = id;
    this.schedule();
  };

  /** Places every registered cell in or out of layout for the current scroll position. */
  update(measureTop = true): void {
    if (measureTop) this.top = this.listTop();
    const order = this.deps.order().filter((id) => this.elements.has(id));
    const viewTop = window.scrollY - this.top - MARGIN_PX;
    const viewBottom = viewTop + window.innerHeight + 2 * MARGIN_PX;
    // A revealed cell stays until the viewport has come to it (then it is in range anyway).
    let offset = 0;
    let revealedInRange = false;
    const wanted = new Set<string>();
    for (const id of order) {
      const height = this.heightOf(id);
      const inRange = offset + height >= viewTop && offset <= viewBottom;
      if (inRange) wanted.add(id);
      if (inRange && id === this.revealed) revealedInRange = true;
      offset += height + GAP_PX;
    }
    if (this.focused && this.elements.has(this.focused) && this.list.contains(document.activeElement)) wanted.add(this.focused);
    if (this.revealed) {
      if (revealedInRange || !this.elements.has(this.revealed)) this.revealed = null;
      else wanted.add(this.revealed);
    }
    let run = 0;
    let hiddenBefore = 0;
    let lastShown: string | null = null;
    // A cell after cells out of layout also sets its number (counter-set applies after the increment): CSS counters
    // skip elements out of layout.
    const places = new Map<string, { top: number; bottom: number; counter: string }>();
    order.forEach((id, index) => {
      if (!wanted.has(id)) {
        run += this.heightOf(id) + GAP_PX;
        hiddenBefore++;
        return;
      }
      places.set(id, { top: run, bottom: 0, counter: hiddenBefore > 0 ? `cell ${index + 1}` : '' });
      run = 0;
      hiddenBefore = 0;
      lastShown = id;
    });
    if (lastShown !== null && run > 0) places.get(lastShown)!.bottom = run;
    for (const id of order) {
      const element = this.elements.get(id)!;
      const place = places.get(id);
      if (place) {
        if (!this.shown.has(id)) {
          element.removeAttribute('data-out');
          this.shown.add(id);
          this.out.delete(id);
        }
        this.place(id, element, place);
      } else {
        if (!this.out.has(id)) {
          element.setAttribute('data-out', '');
          this.shown.delete(id);
          this.out.add(id);
        }
        this.place(id, element, NOWHERE);
      }
    }
  }

  /** Sets what the window adds to a cell's style (margins for the runs around it, its number), touching only changes. */
  private place(id: string, element: HTMLElement, { top, bottom, counter }: { top: number; bottom: number; counter: string }): void {
    if (top === 0 && bottom === 0 && counter === '') {
      if (this.margined.delete(id)) restore(element, false);
      return;
    }
    this.margined.add(id);
    const topPx = top === 0 ? '' : `${top}px`;
    const bottomPx = bottom === 0 ? '' : `${bottom}px`;
    if (element.style.marginTop !== topPx) element.style.marginTop = topPx;
    if (element.style.marginBottom !== bottomPx) element.style.marginBottom = bottomPx;
    if (element.style.counterSet !== counter) element.style.counterSet = counter;
  }

  private heightOf(cellId: string): number {
    return this.heights.get(cellId) ?? this.deps.estimate(cellId);
  }

  private offsetOf(cellId: string): number {
    let offset = 0;
    for (const id of this.deps.order()) {
      if (id === cellId) return offset;
      if (this.elements.has(id)) offset += this.heightOf(id) + GAP_PX;
    }
    return offset;
  }

  private listTop(): number {
    return this.list.getBoundingClientRect().top + window.scrollY;
  }
}

const NOWHERE = { top: 0, bottom: 0, counter: '' };

/** Takes off what the window added: back in layout (unless `inLayout` is false: only the style), no margins, no number. */
function restore(element: HTMLElement, inLayout = true): void {
  if (inLayout) element.removeAttribute('data-out');
  element.style.marginTop = '';
  element.style.marginBottom = '';
  element.style.counterSet = '';
}
