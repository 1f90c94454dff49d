import { selectNextOccurrence, openSearchPanel } from '@codemirror/search';
import { toggleComment } from '@codemirror/commands';
import type { EditorView } from '@codemirror/view';
import { loadedLanguages, nextLanguage } from '../plugins/languages';
import type { NotebookController } from '../state/notebook-controller';
import { CELL_KEYS, doublePressLabel, keyLabel, MOD_LABEL, NOTEBOOK_KEYS } from './keys';

/**
 * Every action of the notebook page, once: the command palette lists this table, the shortcuts
 * sheet is generated from it, and the editor binds the cell keys it names (CELL_KEYS, EDITOR_KEYS,
 * PAGE_KEYS), so the palette, the sheet and the keys cannot disagree.
 *
 * Shortcuts a browser or an OS keeps for itself are avoided (PAGE_RESERVED below, checked by a
 * test): Ctrl/Cmd+T, W, N, Shift+N, Shift+T, Tab, L, Q, Cmd+H, Cmd+M, Cmd+Shift+[ / ], Cmd+Shift+F
 * (macOS full screen), Ctrl+Alt+↑/↓ (GNOME switches workspaces: more cursors come from Alt-click
 * and Ctrl+D instead), Ctrl+Shift+U (IBus Unicode input). Ctrl+Shift+P opens a private window in
 * Firefox, so the palette's own key is Ctrl+K; Ctrl+Shift+P opens it too where the browser lets it.
 */

/** Keys bound by the editor features (./editor-features) rather than by the cell keymap. */
export const EDITOR_KEYS = {
  goToDefinition: 'F12',
  showReaders: 'Shift-F12',
  findInCell: 'Mod-f',
  toggleComment: 'Mod-/',
  selectNextOccurrence: 'Mod-d',
} as const;

/** Page-wide keys, handled by the notebook page whether or not an editor has the focus. */
export const PAGE_KEYS = {
  palette: ['Mod-k', 'Mod-Shift-p'],
  findInNotebook: 'Mod-Alt-f',
  save: 'Mod-s',
} as const;

/** Keys that a browser or an OS takes before the page, or that users expect to keep: never bound. */
export const PAGE_RESERVED: readonly string[] = [
  'Mod-t', 'Mod-w', 'Mod-n', 'Mod-Shift-n', 'Mod-Shift-t', 'Mod-Shift-w', 'Ctrl-Tab', 'Ctrl-Shift-Tab', 'Mod-l', 'Mod-q',
  'Mod-h', 'Mod-m', 'Mod-Shift-[', 'Mod-Shift-]', 'Mod-Shift-f', 'Ctrl-Alt-ArrowUp', 'Ctrl-Alt-ArrowDown', 'Ctrl-Shift-u',
  'Mod-r', 'Mod-Shift-r', 'F5', 'F11', 'Mod-Shift-i', 'Mod-Shift-j', 'Mod-Shift-c', 'Alt-F4',
];

/** What an action runs on: the page's parts, the current cell and its editor (null outside one). */
export interface ActionContext {
  controller: NotebookController;
  /** The cell the action is about: the focused one, else the last one focused, else null. */
  cellId: string | null;
  editor: EditorView | null;
  ui: PageUi;
}

/** The notebook page's own panels and dialogs. */
export interface PageUi {
  openPalette(): void;
  openShortcuts(): void;
  openSettings(): void;
  openFind(): void;
  askRestart(): void;
  toggleGraph(): void;
  toggleAssistant(): void;
  showReaders(cellId: string): void;
  toggleCollapse(cellId: string, part: 'code' | 'output'): void;
}

export interface ActionSpec {
  id: string;
  title: string;
  group: 'Cell' | 'Editor' | 'Notebook' | 'Page';
  /** CodeMirror key names (`Mod-Enter`), shown as the keyboard labels them; empty: no shortcut. */
  keys: readonly string[];
  /** How the shortcut is pressed when it is not a plain key combination (`R R`, `Ctrl-click`). */
  keyText?: string;
  /** A condition of the shortcut, shown in the sheet (`outside an editor`). */
  where?: string;
  /** Needs a cell (the palette is disabled for it when there is none). */
  needsCell?: boolean;
  /** Needs an editor (the current cell's). */
  needsEditor?: boolean;
  /** Absent for what is a way of typing rather than a command (Alt-click, Tab): listed, not run. */
  run?(context: ActionContext): void;
}

const cellAction = (
  id: keyof typeof CELL_KEYS,
  title: string,
  run: (c: NotebookController, cellId: string) => void,
): ActionSpec => ({ id, title, group: 'Cell', keys: [CELL_KEYS[id]], where: 'in an editor', needsCell: true, run: (x) => x.cellId && run(x.controller, x.cellId) });

const typeOf = (c: NotebookController, cellId: string): string => c.model.getCell(cellId)?.type ?? 'python';

export const ACTIONS: readonly ActionSpec[] = [
  cellAction('runAndAdvance', 'Run the cell and go to the next one (adds one of the same language at the end)', (c, id) => c.runAndAdvance(id)),
  cellAction('run', 'Run the cell and stay', (c, id) => void c.run(id)),
  cellAction('runAndInsert', 'Run the cell and insert a cell below', (c, id) => { void c.run(id); c.addCell(id, 'below', typeOf(c, id)); }),
  cellAction('addAbove', 'Add a cell above', (c, id) => void c.addCell(id, 'above', typeOf(c, id))),
  cellAction('addBelow', 'Add a cell below', (c, id) => void c.addCell(id, 'below', typeOf(c, id))),
  cellAction('moveUp', 'Move the cell up (or drag it by its handle)', (c, id) => void c.moveCell(id, -1)),
  cellAction('moveDown', 'Move the cell down', (c, id) => void c.moveCell(id, 1)),
  cellAction('deleteCell', 'Delete the cell', (c, id) => void c.deleteCell(id)),
  cellAction('toggleType', 'Switch the cell to the next language', (c, id) => {
    void c.changeType(id, nextLanguage(loadedLanguages.get(), typeOf(c, id)));
  }),
  cellAction('interrupt', 'Interrupt the running cell', (c, id) => c.interrupt(id)),
  {
    id: 'goToDefinition', title: 'Go to the cell that defines the name at the cursor', group: 'Editor', keys: [EDITOR_KEYS.goToDefinition],
    keyText: `${keyLabel(EDITOR_KEYS.goToDefinition)} or ${MOD_LABEL}-click`, needsEditor: true,
    run: (x) => {
      const name = x.editor ? wordAtCursor(x.editor) : null;
      if (name) x.controller.jumpToDefinition(name);
    },
  },
  { id: 'showReaders', title: "List the cells that read this cell's names", group: 'Cell', keys: [EDITOR_KEYS.showReaders], needsCell: true, run: (x) => x.cellId && x.ui.showReaders(x.cellId) },
  { id: 'collapseCode', title: "Collapse or expand the cell's code", group: 'Cell', keys: [], needsCell: true, run: (x) => x.cellId && x.ui.toggleCollapse(x.cellId, 'code') },
  { id: 'collapseOutput', title: "Collapse or expand the cell's output", group: 'Cell', keys: [], needsCell: true, run: (x) => x.cellId && x.ui.toggleCollapse(x.cellId, 'output') },
  { id: 'findInCell', title: 'Find and replace in the cell (regex, case)', group: 'Editor', keys: [EDITOR_KEYS.findInCell], where: 'in an editor', needsEditor: true, run: (x) => x.editor && openSearchPanel(x.editor) },
  { id: 'toggleComment', title: 'Comment or uncomment the selected lines', group: 'Editor', keys: [EDITOR_KEYS.toggleComment], where: 'in an editor', needsEditor: true, run: (x) => x.editor && toggleComment(x.editor) },
  { id: 'selectNextOccurrence', title: 'Add a cursor at the next occurrence of the selection', group: 'Editor', keys: [EDITOR_KEYS.selectNextOccurrence], where: 'in an editor', needsEditor: true, run: (x) => x.editor && selectNextOccurrence(x.editor) },
  { id: 'addCursor', title: 'Add a cursor (Alt-drag: a rectangular selection)', group: 'Editor', keys: [], keyText: 'Alt-click', where: 'in an editor' },
  { id: 'indent', title: 'Indent / dedent in the editor', group: 'Editor', keys: [], keyText: 'Tab / Shift+Tab', where: 'in an editor' },
  { id: 'leaveEditor', title: 'Leave the editor: its cell is selected (command mode), Tab moves focus on', group: 'Editor', keys: [], keyText: 'Escape' },
  { id: 'neighbour', title: 'Go to the previous / next cell', group: 'Editor', keys: [], keyText: '↑ / ↓ on the first / last line' },
  // Command mode (./command-mode): the keys of a cell selected outside its editor, as in JupyterLab; listed, run by the cell.
  ...([
    ['commandEdit', 'Edit the selected cell', 'Enter'],
    // "Insert", not "add": searching the palette for "add cell below" finds the one action it can run.
    ['commandAdd', 'Insert a cell above / below the selected one, and select it', 'A / B'],
    ['commandDelete', 'Delete the selected cell (Z brings it back)', 'D D'],
    ['commandMove', 'Select the previous / next cell', '↑ / ↓ or K / J'],
    ['commandType', 'Make the selected cell markdown / code', 'M / Y'],
    ['commandRun', 'Run the selected cell and select the next', 'Shift+Enter'],
  ] as const).map(([id, title, keyText]): ActionSpec => ({ id, title, group: 'Cell', keys: [], keyText, where: 'on a cell selected with Escape' })),
  { id: 'palette', title: 'Command palette', group: 'Page', keys: PAGE_KEYS.palette, run: (x) => x.ui.openPalette() },
  { id: 'findInNotebook', title: 'Find and replace across the notebook', group: 'Page', keys: [PAGE_KEYS.findInNotebook], run: (x) => x.ui.openFind() },
  { id: 'save', title: 'Save every unsaved cell now (edits also save by themselves)', group: 'Page', keys: [PAGE_KEYS.save], run: (x) => void x.controller.saver.flushAll().then(() => x.controller.notify('info', 'All cells saved')) },
  { id: 'undoDelete', title: 'Bring back the last deleted cell (and re-run it)', group: 'Notebook', keys: [], keyText: `${MOD_LABEL}+Z or Z`, where: 'outside an editor', run: (x) => void x.controller.restoreDeleted() },
  { id: 'runAll', title: 'Run all cells', group: 'Notebook', keys: [], keyText: doublePressLabel(NOTEBOOK_KEYS.runAll), where: 'outside an editor', run: (x) => void x.controller.runAll() },
  { id: 'runStale', title: 'Run every stale cell', group: 'Notebook', keys: [], run: (x) => x.controller.runStale() },
  { id: 'interruptAll', title: 'Interrupt whatever runs', group: 'Notebook', keys: [], run: (x) => x.controller.interrupt() },
  { id: 'restart', title: 'Restart the kernel, after a confirmation', group: 'Notebook', keys: [], keyText: doublePressLabel(NOTEBOOK_KEYS.restart), where: 'outside an editor', run: (x) => x.ui.askRestart() },
  { id: 'clearOutputs', title: 'Clear every output', group: 'Notebook', keys: [], keyText: doublePressLabel(NOTEBOOK_KEYS.clearOutputs), where: 'outside an editor', run: (x) => void x.controller.clearOutputs() },
  { id: 'toggleGraph', title: 'Show or hide the dependency graph', group: 'Page', keys: [], run: (x) => x.ui.toggleGraph() },
  { id: 'toggleAssistant', title: 'Show or hide the assistant', group: 'Page', keys: [], run: (x) => x.ui.toggleAssistant() },
  { id: 'settings', title: 'Notebook settings', group: 'Page', keys: [], run: (x) => x.ui.openSettings() },
  { id: 'shortcuts', title: 'Keyboard shortcuts', group: 'Page', keys: [], keyText: '? or F1', where: 'outside an editor', run: (x) => x.ui.openShortcuts() },
];

/** How an action's shortcut reads, `Ctrl+Enter`, `R R`, `Ctrl+K or Ctrl+Shift+P`; '' when it has none. */
export function shortcutText(action: ActionSpec): string {
  if (action.keyText) return action.keyText;
  return action.keys.map(keyLabel).join(' or ');
}

/** The shortcuts sheet's rows: every action that has a shortcut, in table order. */
export function shortcutRows(actions: readonly ActionSpec[] = ACTIONS): { id: string; keys: string; what: string }[] {
  return actions
    .filter((a) => shortcutText(a) !== '')
    .map((a) => ({ id: a.id, keys: shortcutText(a), what: a.where ? `${a.title} (${a.where})` : a.title }));
}

/** Palette filtering: every word typed appears in the title, the group or the shortcut (any case). */
export function filterActions(query: string, actions: readonly ActionSpec[] = ACTIONS): ActionSpec[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return actions.filter((a) => {
    const text = `${a.title} ${a.group} ${shortcutText(a)}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

function wordAtCursor(view: EditorView): string | null {
  const { state } = view;
  const line = state.doc.lineAt(state.selection.main.head);
  const offset = state.selection.main.head - line.from;
  const text = (/[A-Za-z_][A-Za-z0-9_]*$/.exec(line.text.slice(0, offset))?.[0] ?? '') + /^[A-Za-z0-9_]*/.exec(line.text.slice(offset))![0];
  return /^[A-Za-z_]/.test(text) ? text : null;
}
