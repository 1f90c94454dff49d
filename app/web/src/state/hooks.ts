import type { CoeditSession } from './coedit';
import { useCallback, useSyncExternalStore } from 'react';
import type { Signal } from './signal';
import type { CellPosition, CellState, NotebookMeta, NotebookModel } from './notebook-model';
import type { DraftSaver, SaveState } from './draft-saver';
import type { ConflictStore, EditConflict } from './conflicts';

export function useSignal<T>(signal: Signal<T>): T {
  return useSyncExternalStore(signal.subscribe, signal.get, signal.get);
}

/** Where a cell sits; changes only when it becomes or stops being first or last. */
export function useCellPosition(model: NotebookModel, id: string): CellPosition {
  const get = useCallback(() => model.positionOf(id), [model, id]);
  return useSyncExternalStore(model.subscribeOrder, get, get);
}

export function useOrder(model: NotebookModel): readonly string[] {
  return useSyncExternalStore(model.subscribeOrder, model.getOrder, model.getOrder);
}

export function useMeta(model: NotebookModel): NotebookMeta {
  return useSyncExternalStore(model.subscribeMeta, model.getMeta, model.getMeta);
}

export function useGraphVersion(model: NotebookModel): number {
  return useSyncExternalStore(model.subscribeGraph, model.getGraphVersion, model.getGraphVersion);
}

/** The autosave's state, or with co-editing "saving" (online) / "offline" while typed text is not stored by the host. */
export function useSaveState(saver: DraftSaver, id: string, coedit: CoeditSession | null = null, online: () => boolean = () => true): SaveState {
  const subscribe = useCallback(
    (listener: () => void) => {
      const stopSaver = saver.subscribe(id, listener);
      const stopCoedit = coedit?.subscribeUnsaved(id, listener);
      return () => {
        stopSaver();
        stopCoedit?.();
      };
    },
    [saver, coedit, id],
  );
  const get = useCallback((): SaveState => {
    const state = saver.state(id);
    if (state !== 'saved' || !coedit?.isUnsaved(id)) return state;
    return online() ? 'saving' : 'offline';
  }, [saver, coedit, id, online]);
  return useSyncExternalStore(subscribe, get, get);
}

export function useConflict(conflicts: ConflictStore, id: string): EditConflict | undefined {
  const subscribe = useCallback((listener: () => void) => conflicts.subscribe(id, listener), [conflicts, id]);
  const get = useCallback(() => conflicts.get(id), [conflicts, id]);
  return useSyncExternalStore(subscribe, get, get);
}
