import { useCallback, useSyncExternalStore, type RefObject } from 'react';
import { flushSync } from 'react-dom';
import { BackgroundUpdates } from '../state/background-updates';
import { MountQueue } from '../state/mount-queue';
import type { CellState, NotebookModel } from '../state/notebook-model';

/** How far outside the viewport a cell still counts as in view (a fast scroll does not show a cell out of date). */
const NEAR_MARGIN = '1000px 0px';

function laterTask(): (task: () => void) => void {
  // A message (not setTimeout, which waits 4 ms once nested): the next slice runs as soon as input had its turn.
  if (typeof MessageChannel === 'undefined') return (task) => void setTimeout(task, 0);
  const channel = new MessageChannel();
  const queue: Array<() => void> = [];
  channel.port1.onmessage = () => queue.shift()?.();
  return (task) => {
    queue.push(task);
    channel.port2.postMessage(null);
  };
}

/** After a key, how long far cells wait: a typist's next key comes sooner, a pause lets them catch up. */
const TYPING_PAUSE_MS = 150;
let lastKeyAt = -Infinity;
if (typeof document !== 'undefined') document.addEventListener('keydown', () => { lastKeyAt = performance.now(); }, { capture: true, passive: true });

type InputScheduling = { scheduling?: { isInputPending?: () => boolean } };

/** How long spare time is away: a key is waiting (Chromium tells), or one came less than a pause ago. */
function typingHold(): number {
  if ((navigator as InputScheduling).scheduling?.isInputPending?.() === true) return 16;
  return Math.max(0, lastKeyAt + TYPING_PAUSE_MS - performance.now());
}

/** Each far cell's render committed on its own (React would otherwise batch them all into the slice's end). */
const backgroundUpdates = new BackgroundUpdates((update) => flushSync(update), {
  now: () => performance.now(),
  later: laterTask(),
  holdFor: typingHold,
  after: (ms, task) => void setTimeout(task, ms),
});

/** Editors of cells that came near, built one per task (LazyCodeEditor). */
export const editorMounts = new MountQueue({ later: laterTask() });

// One observer for every cell, told both ways (in view, out of view); a cell's state re-renders and its lazy editor
// (LazyCodeEditor) both listen to it, so each cell costs the browser one observed element per frame, not two.
type NearListener = (near: boolean, distance: number) => void;
const listeners = new Map<Element, Set<NearListener>>();
const lastSeen = new WeakMap<Element, { near: boolean; distance: number }>();

/** How far (px) the element was from the viewport when observed: 0 in view. */
function distanceFromView(entry: IntersectionObserverEntry): number {
  const box = entry.boundingClientRect;
  return Math.max(0, box.top - window.innerHeight, -box.bottom);
}
let observer: IntersectionObserver | null = null;

/**
 * Calls `changed` with whether the element is within about a screen of the viewport (and how far from it it was, in
 * px), now (if known) and at each change.
 */
export function watchNearViewport(element: Element, changed: NearListener): () => void {
  if (typeof IntersectionObserver === 'undefined') return () => undefined; // jsdom: every cell counts as in view
  observer ??= new IntersectionObserver((entries) => {
    for (const entry of entries) {
      const seen = { near: entry.isIntersecting, distance: distanceFromView(entry) };
      lastSeen.set(entry.target, seen);
      for (const listener of [...(listeners.get(entry.target) ?? [])]) listener(seen.near, seen.distance);
    }
  }, { rootMargin: NEAR_MARGIN });
  let set = listeners.get(element);
  if (!set) {
    set = new Set();
    listeners.set(element, set);
    observer.observe(element);
  }
  set.add(changed);
  const known = lastSeen.get(element);
  if (known !== undefined) changed(known.near, known.distance);
  return () => {
    const current = listeners.get(element);
    current?.delete(changed);
    if (current && current.size === 0) {
      listeners.delete(element);
      lastSeen.delete(element);
      observer?.unobserve(element);
    }
  };
}

/**
 * One cell's state, re-rendered at once while the cell is near the screen; farther away, its re-renders wait for
 * spare time ({@link BackgroundUpdates}), and run at once when it comes near. What a far cell shows may lag by some
 * frames during a cascade; the model (find, the graph, the variable list, the runs) never does.
 */
export function useCellInView(model: NotebookModel, id: string, frame: RefObject<HTMLElement | null>): CellState | undefined {
  const subscribe = useCallback((listener: () => void) => {
    // In view until the observer's first answer (a cell mounted on screen must not wait).
    let near = true;
    const update = (): void => listener();
    const stopModel = model.subscribeCell(id, () => (near ? listener() : backgroundUpdates.defer(update)));
    const element = frame.current;
    const stopWatching = element
      ? watchNearViewport(element, (isNear) => {
        near = isNear;
        if (isNear) backgroundUpdates.flush(update);
      })
      : () => undefined;
    return () => {
      stopModel();
      stopWatching();
      backgroundUpdates.cancel(update);
    };
  }, [model, id, frame]);
  const get = useCallback(() => model.getCell(id), [model, id]);
  return useSyncExternalStore(subscribe, get, get);
}
