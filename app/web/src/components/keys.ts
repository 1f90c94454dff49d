const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

/** How the Mod key is labelled on this keyboard. */
export const MOD_LABEL = isMac ? '⌘' : 'Ctrl';

/**
 * The notebook's cell shortcuts, as CodeMirror key names. They use Mod (Ctrl, or Cmd on macOS)
 * rather than Alt: on macOS Alt types characters, and CodeMirror does not match Alt+letter
 * bindings there.
 */
export const CELL_KEYS = {
  runAndAdvance: 'Shift-Enter',
  run: 'Mod-Enter',
  runAndInsert: 'Alt-Enter',
  addAbove: 'Mod-Shift-o',
  // Not Mod-Shift-p: that opens the command palette (and Firefox's private window).
  addBelow: 'Mod-Shift-b',
  moveUp: 'Ctrl-Shift-ArrowUp',
  moveDown: 'Ctrl-Shift-ArrowDown',
  deleteCell: 'Mod-Shift-Backspace',
  toggleType: 'Mod-Shift-l',
  interrupt: 'Mod-i',
} as const;

/**
 * Notebook-wide shortcuts in command mode (focus outside an editor, e.g. after Escape): a key
 * pressed twice in a row, like Jupyter's `0 0`. Plain keys outside an editor are reserved by no
 * browser or OS, and the double press keeps a stray key from wiping the kernel or the outputs.
 */
export const NOTEBOOK_KEYS = {
  runAll: 'r',
  restart: '0',
  clearOutputs: 'c',
} as const;

/**
 * Keys on a cell focused outside its editor (after Escape, or a delete: "command mode"), as JupyterLab's: plain letters,
 * which a browser or an OS reserves none of. `deleteCell` is pressed twice (`D D`), so a stray key deletes nothing.
 */
export const COMMAND_KEYS = {
  edit: 'Enter',
  addAbove: 'a',
  addBelow: 'b',
  deleteCell: 'd',
  previous: ['ArrowUp', 'k'],
  next: ['ArrowDown', 'j'],
  toMarkdown: 'm',
  toCode: 'y',
} as const;

/** The second press must follow the first within this time. */
export const DOUBLE_PRESS_MS = 800;

/** How a double-press shortcut is shown: `R R`. */
export function doublePressLabel(key: string): string {
  return `${key.toUpperCase()} ${key.toUpperCase()}`;
}

/** Shows a CodeMirror key name the way the user's keyboard labels it. */
export function keyLabel(key: string): string {
  return key
    .split('-')
    .map((part) => ({ Mod: MOD_LABEL, Ctrl: 'Ctrl', Alt: isMac ? '⌥' : 'Alt', Shift: 'Shift', ArrowUp: '↑', ArrowDown: '↓', Backspace: isMac ? '⌫' : 'Backspace' })[part] ?? (part.length === 1 ? part.toUpperCase() : part))
    .join('+');
}
