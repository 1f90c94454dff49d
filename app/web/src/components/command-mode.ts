import type { KeyboardEvent } from 'react';
import { flushSync } from 'react-dom';
import { loadedLanguages } from '../plugins/languages';
import type { NotebookController } from '../state/notebook-controller';
import { COMMAND_KEYS, DOUBLE_PRESS_MS } from './keys';

const MARKDOWN = 'markdown';

/** The last `D` pressed on a cell, for `D D`. */
let lastDelete: { cellId: string; at: number } | null = null;

/**
 * A key on a cell that has the focus itself, not its editor ("command mode", after Escape or a delete), as in
 * JupyterLab: Enter edits, A / B add a cell above / below and select it, D D deletes (Z brings it back), ↑ ↓ or K J
 * move between cells, M / Y make it markdown / code, Shift+Enter runs it and selects the next. True when handled.
 */
export function handleCommandKey(event: KeyboardEvent<HTMLElement>, cellId: string, controller: NotebookController): boolean {
  if (event.ctrlKey || event.metaKey || event.altKey) return false;
  const key = event.key;
  if (key === COMMAND_KEYS.edit && !event.shiftKey) {
    // Rendered now (a far cell's editor mounts inside this key's task): the keys typed right after Enter land in it.
    flushSync(() => controller.focusCell(cellId));
    return true;
  }
  if (matches(key, COMMAND_KEYS.previous) || matches(key, COMMAND_KEYS.next)) {
    const order = controller.model.getOrder();
    const target = order[order.indexOf(cellId) + (matches(key, COMMAND_KEYS.previous) ? -1 : 1)];
    if (target) controller.focusCellFrame(target);
    return true;
  }
  if (event.shiftKey && key === 'Enter') {
    // A viewer cannot run: the selection still moves on.
    if (!controller.readOnly) void controller.run(cellId);
    const order = controller.model.getOrder();
    const next = order[order.indexOf(cellId) + 1];
    if (next) controller.focusCellFrame(next);
    return true;
  }
  if (controller.readOnly || event.shiftKey) return false;
  const type = controller.model.getCell(cellId)?.type ?? codeLanguage();
  switch (key.toLowerCase()) {
    case COMMAND_KEYS.addAbove:
    case COMMAND_KEYS.addBelow: {
      // The new cell is selected, not edited: `B B` adds two, Enter then edits, as in JupyterLab.
      let added = '';
      flushSync(() => {
        added = controller.addCell(cellId, key.toLowerCase() === COMMAND_KEYS.addAbove ? 'above' : 'below', type === MARKDOWN ? codeLanguage() : type, '', 'cell');
      });
      controller.focusCellFrame(added);
      return true;
    }
    case COMMAND_KEYS.deleteCell: {
      const now = performance.now();
      const second = lastDelete !== null && lastDelete.cellId === cellId && now - lastDelete.at <= DOUBLE_PRESS_MS;
      lastDelete = second ? null : { cellId, at: now };
      if (second) void controller.deleteCell(cellId);
      return true;
    }
    case COMMAND_KEYS.toMarkdown:
      if (loadedLanguages.get().some((l) => l.id === MARKDOWN)) void controller.changeType(cellId, MARKDOWN);
      return true;
    case COMMAND_KEYS.toCode:
      if (type === MARKDOWN) void controller.changeType(cellId, codeLanguage());
      return true;
    default:
      return false;
  }
}

function matches(key: string, keys: readonly string[]): boolean {
  return keys.includes(key);
}

/** The host's first language that is not markdown (Python, on the default host). */
function codeLanguage(): string {
  return loadedLanguages.get().find((l) => l.id !== MARKDOWN)?.id ?? 'python';
}
