import { insertNewlineAndIndent } from '@codemirror/commands';
import { getIndentUnit, language, syntaxTree } from '@codemirror/language';
import { highlightSelectionMatches, search, searchKeymap } from '@codemirror/search';
import { EditorState, Prec, type EditorState as State, type Extension } from '@codemirror/state';
import { EditorView, keymap, rectangularSelection, crosshairCursor, type Command } from '@codemirror/view';
import { EDITOR_KEYS } from './actions';

/** A Python statement after which the next line leaves the block: `return x`, `pass`, `raise E(...)`, ... */
const BLOCK_ENDING = /^\s*(?:return\b.*|pass|break|continue|raise\b.*)\s*(?:#.*)?$/;

/**
 * Enter after `return`, `pass`, `break`, `continue` or `raise` (Python cells only): a new line one
 * indent unit to the left, as Python IDEs do. Anywhere else Enter is CodeMirror's own.
 */
export const dedentAfterBlockEnd: Command = (view) => {
  const { state } = view;
  if (state.facet(language)?.name !== 'python' || state.selection.ranges.length !== 1) return false;
  const { head, empty } = state.selection.main;
  const line = state.doc.lineAt(head);
  // Only at the end of the statement (trailing spaces aside), never inside a string or a comment.
  if (!empty || state.sliceDoc(head, line.to).trim() !== '' || !BLOCK_ENDING.test(line.text)) return false;
  const node = syntaxTree(state).resolveInner(head, -1);
  if (/String|Comment/.test(node.name)) return false;
  const indent = /^[ \t]*/.exec(line.text)![0];
  if (indent === '') return false;
  const unit = getIndentUnit(state);
  const width = indent.replace(/\t/g, ' '.repeat(state.tabSize)).length;
  const target = ' '.repeat(Math.max(0, width - unit));
  view.dispatch(state.update({
    changes: { from: head, to: line.to, insert: `${state.lineBreak}${target}` },
    selection: { anchor: head + state.lineBreak.length + target.length },
    scrollIntoView: true,
    userEvent: 'input',
  }));
  return true;
};

/**
 * Typing a closing quote over one that closeBrackets put there steps over that ONE quote. Its own
 * rule steps over all three of a triple-quoted string's end at the first `"`, so typing the
 * closing `"""` by habit left `"""doc"""""`: two quotes too many.
 */
export const stepOverOneQuote = EditorView.inputHandler.of((view, from, to, text) => {
  if ((text !== '"' && text !== "'") || from !== to || view.state.selection.ranges.length !== 1) return false;
  if (view.state.facet(language)?.name !== 'python' || view.state.sliceDoc(from, from + 1) !== text) return false;
  const node = syntaxTree(view.state).resolveInner(from, 1);
  if (!/String/.test(node.name) || node.to <= from) return false;
  view.dispatch({ selection: { anchor: from + 1 }, userEvent: 'input.type' });
  return true;
});

/** The identifier under (or just before) a position, with where it starts and ends. */
export function wordAt(state: State, pos: number): { from: number; to: number; text: string } | null {
  const line = state.doc.lineAt(pos);
  const offset = pos - line.from;
  const before = /[A-Za-z_][A-Za-z0-9_]*$/.exec(line.text.slice(0, offset))?.[0] ?? '';
  const after = /^[A-Za-z0-9_]*/.exec(line.text.slice(offset))![0];
  const text = before + after;
  if (!/^[A-Za-z_]/.test(text)) return null;
  return { from: pos - before.length, to: pos + after.length, text };
}

/** The dotted name ending at a word (`df.mean` for `mean` in `df.mean()`), for the kernel's `inspect`. */
export function dottedNameAt(state: State, pos: number): { from: number; to: number; name: string } | null {
  const word = wordAt(state, pos);
  if (!word) return null;
  const line = state.doc.lineAt(word.from);
  const chain = /(?:[A-Za-z_][A-Za-z0-9_]*\s*\.\s*)*$/.exec(line.text.slice(0, word.from - line.from))![0];
  // `x.y` after a call or subscript (`f().y`) is not a plain chain: the kernel would not evaluate it.
  const preceding = line.text.slice(0, word.from - line.from - chain.length).trimEnd().slice(-1);
  if (preceding === ')' || preceding === ']' || (chain === '' && preceding === '.')) return null;
  return { from: word.from - chain.length, to: word.to, name: chain.replace(/\s+/g, '') + word.text };
}

export interface NavigationHandlers {
  /** Go to the cell that defines `name`; false when no other cell does. */
  goToDefinition(name: string): boolean;
  /** Show the cells that read this cell's names. */
  showReaders(): void;
}

/** The name at the main cursor, outside strings and comments. */
function nameAtCursor(state: State): string | null {
  const head = state.selection.main.head;
  if (/String|Comment/.test(syntaxTree(state).resolveInner(head, -1).name)) return null;
  return wordAt(state, head)?.text ?? null;
}

/**
 * Ctrl/Cmd-click or F12 on a name jumps to the cell that defines it; Shift+F12 lists the readers of
 * this cell's names. Alt-click adds a cursor (Ctrl-click, CodeMirror's default, is taken by the jump).
 */
function definitionNavigation(handlers: NavigationHandlers): Extension {
  return [
    EditorView.clickAddsSelectionRange.of((event) => event.altKey),
    EditorView.domEventHandlers({
      mousedown(event, view) {
        if (!(event.ctrlKey || event.metaKey) || event.button !== 0) return false;
        const pos = view.posAtCoords({ x: event.clientX, y: event.clientY });
        if (pos === null || /String|Comment/.test(syntaxTree(view.state).resolveInner(pos, 1).name)) return false;
        const word = wordAt(view.state, pos);
        if (!word) return false;
        event.preventDefault();
        handlers.goToDefinition(word.text);
        return true;
      },
    }),
    Prec.high(keymap.of([
      {
        key: EDITOR_KEYS.goToDefinition,
        run: (view) => {
          const name = nameAtCursor(view.state);
          if (name) handlers.goToDefinition(name);
          return true;
        },
        preventDefault: true,
      },
      { key: EDITOR_KEYS.showReaders, run: () => { handlers.showReaders(); return true; }, preventDefault: true },
    ])),
  ];
}

/**
 * What CodeMirror has and the page turns on: the search panel (Ctrl+F in a cell, with regex, case
 * and replace), highlighting of the selection's other occurrences, several cursors (Alt-click,
 * Ctrl+D for the next occurrence, Alt-drag for a rectangle), auto-dedent in Python, and the
 * definition keys. Bracket matching and comment toggling (Ctrl+/) come with editor-setup's keymap.
 */
export function editorFeatures(navigation: NavigationHandlers): Extension {
  return [
    EditorState.allowMultipleSelections.of(true),
    rectangularSelection(),
    crosshairCursor(),
    search({ top: true }),
    highlightSelectionMatches(),
    Prec.high(keymap.of([{ key: 'Enter', run: dedentAfterBlockEnd }])),
    Prec.highest(stepOverOneQuote),
    keymap.of(searchKeymap),
    definitionNavigation(navigation),
  ];
}
