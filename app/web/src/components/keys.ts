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
  addBelow: 'Mod-Shift-p',
  moveUp: 'Ctrl-Shift-ArrowUp',
  moveDown: 'Ctrl-Shift-ArrowDown',
  deleteCell: 'Mod-Shift-Backspace',
  toggleType: 'Mod-Shift-l',
  interrupt: 'Mod-i',
} as const;

/** Shows a CodeMirror key name the way the user's keyboard labels it. */
export function keyLabel(key: string): string {
  return key
    .split('-')
    .map((part) => ({ Mod: MOD_LABEL, Ctrl: 'Ctrl', Alt: isMac ? '⌥' : 'Alt', Shift: 'Shift', ArrowUp: '↑', ArrowDown: '↓', Backspace: isMac ? '⌫' : 'Backspace' })[part] ?? (part.length === 1 ? part.toUpperCase() : part))
    .join('+');
}
