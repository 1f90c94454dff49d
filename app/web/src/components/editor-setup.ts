import { closeBrackets, closeBracketsKeymap, closeCompletion, completionStatus } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { python, pythonLanguage } from '@codemirror/lang-python';
import { sql, StandardSQL } from '@codemirror/lang-sql';
import {
  bracketMatching, HighlightStyle, indentOnInput, indentUnit, syntaxHighlighting, type LanguageSupport,
} from '@codemirror/language';
import { Prec, type Extension } from '@codemirror/state';
import {
  drawSelection, EditorView, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers, placeholder, type KeyBinding,
} from '@codemirror/view';
import { tags as t } from '@lezer/highlight';
import { ySyncAnnotation } from 'y-codemirror.next';
import { remoteEdit } from '../state/editor-annotations';
import { editorLanguagesVersion, pluginEditorLanguage } from '../plugins/browser-modules';
import { loadedLanguages } from '../plugins/languages';
import { CELL_KEYS } from './keys';

export { remoteEdit };

/** The CodeMirror modes the page has built in, by the name a language's `editor.mode` gives. */
const BUILTIN_MODES: Record<string, () => Extension> = { python: () => python(), sql: () => sql(), markdown: () => markdownMode() };

let markdownSupport: LanguageSupport | null = null;
let markdownLoad: Promise<void> | null = null;

/**
 * Markdown's mode, loaded on first use: `@codemirror/lang-markdown` brings HTML, CSS and
 * JavaScript parsers with it (for HTML in markdown), so it is a chunk of its own that a notebook
 * without markdown cells never fetches. Until it is there the editor is plain; when it arrives
 * `editorLanguagesVersion` moves and open editors reconfigure, as for a plugin's mode.
 */
function markdownMode(): Extension {
  if (markdownSupport) return markdownSupport;
  markdownLoad ??= import('@codemirror/lang-markdown').then(({ markdown }) => {
    // Fenced code in the languages the page knows is highlighted as such.
    markdownSupport = markdown({
      codeLanguages: (info) => (/^(python|py)$/i.test(info) ? pythonLanguage : /^sql$/i.test(info) ? StandardSQL.language : null),
    });
    editorLanguagesVersion.set(editorLanguagesVersion.get() + 1);
  }, (error: unknown) => {
    markdownLoad = null;
    // eslint-disable-next-line no-console
    console.error(`The markdown editor mode failed to load: ${(error as Error)?.message ?? String(error)}`);
  });
  return [];
}

/**
 * The editor language of a cell type: its plugin's browser module's, else the built-in mode the
 * host lists for it (/api/config), else a plain editor.
 */
export function languageFor(type: string): Extension {
  const fromPlugin = pluginEditorLanguage(type);
  if (fromPlugin) {
    try {
      return fromPlugin();
    } catch (error) {
      // eslint-disable-next-line no-console
      console.error(`The editor language of "${type}" failed: ${(error as Error)?.message ?? String(error)}`);
      return [];
    }
  }
  const listed = loadedLanguages.get().find((l) => l.id === type);
  const mode = listed ? listed.editor.mode : type;
  return mode && Object.hasOwn(BUILTIN_MODES, mode) ? BUILTIN_MODES[mode]!() : [];
}

/** Colours come from CSS variables, so one style serves the light and the dark theme. */
export const highlight = HighlightStyle.define([
  { tag: [t.keyword, t.controlKeyword, t.operatorKeyword, t.definitionKeyword, t.moduleKeyword], color: 'var(--syn-keyword)' },
  { tag: [t.string, t.special(t.string)], color: 'var(--syn-string)' },
  { tag: [t.number, t.bool, t.null, t.atom], color: 'var(--syn-number)' },
  { tag: [t.comment, t.lineComment, t.blockComment], color: 'var(--syn-comment)', fontStyle: 'italic' },
  { tag: [t.function(t.variableName), t.function(t.propertyName), t.definition(t.function(t.variableName))], color: 'var(--syn-function)' },
  { tag: [t.className, t.typeName, t.definition(t.className)], color: 'var(--syn-type)' },
  { tag: [t.operator, t.punctuation, t.bracket], color: 'var(--syn-punct)' },
  { tag: [t.propertyName, t.attributeName], color: 'var(--syn-property)' },
  { tag: t.invalid, color: 'var(--danger)' },
  // Markdown (the prose keeps the text colour; structure is shown by weight, slant and accents).
  { tag: t.heading, fontWeight: 'bold', color: 'var(--syn-keyword)' },
  { tag: t.strong, fontWeight: 'bold' },
  { tag: t.emphasis, fontStyle: 'italic' },
  { tag: t.strikethrough, textDecoration: 'line-through' },
  { tag: [t.link, t.url], color: 'var(--syn-function)', textDecoration: 'underline' },
  { tag: t.monospace, color: 'var(--syn-string)' },
  { tag: [t.quote, t.contentSeparator], color: 'var(--syn-comment)' },
  { tag: [t.processingInstruction, t.labelName], color: 'var(--syn-punct)' },
]);

const theme = EditorView.theme({
  '&': { backgroundColor: 'var(--editor-bg)', color: 'var(--text)', fontSize: '13.5px' },
  '.cm-content': { fontFamily: 'var(--mono)', caretColor: 'var(--text)', padding: '6px 0' },
  '.cm-gutters': { backgroundColor: 'var(--editor-gutter)', color: 'var(--text-faint)', border: 'none' },
  '.cm-activeLine': { backgroundColor: 'var(--editor-active-line)' },
  '.cm-activeLineGutter': { backgroundColor: 'var(--editor-active-line)' },
  '&.cm-focused .cm-cursor': { borderLeftColor: 'var(--text)' },
  '&.cm-focused .cm-selectionBackground, .cm-selectionBackground': { backgroundColor: 'var(--editor-selection) !important' },
  '&.cm-focused .cm-matchingBracket': { backgroundColor: 'var(--editor-bracket)', outline: '1px solid var(--accent)' },
  '&.cm-focused .cm-nonmatchingBracket': { backgroundColor: 'var(--danger-soft)' },
  '&.cm-focused': { outline: 'none' },
  '.cm-placeholder': { color: 'var(--text-faint)' },
});

export interface CellKeyHandlers {
  run(): void;
  runAndAdvance(): void;
  runAndInsert(): void;
  addAbove(): void;
  addBelow(): void;
  moveUp(): void;
  moveDown(): void;
  deleteCell(): void;
  toggleType(): void;
  interrupt(): void;
  /** Arrow past the first or last line: go to the neighbouring cell. Returns false at the ends. */
  toNeighbour(delta: -1 | 1): boolean;
  leave(): void;
}

/**
 * The notebook's keys sit above CodeMirror's own (Prec.highest) so Shift+Enter runs instead of
 * inserting a line (the keys themselves are in ./keys). `Escape` leaves the editor so that Tab
 * moves focus again.
 */
function cellKeymap(h: CellKeyHandlers): Extension {
  const bindings: KeyBinding[] = [];
  for (const [action, key] of Object.entries(CELL_KEYS) as [keyof typeof CELL_KEYS, string][]) {
    const run = (): boolean => {
      h[action]();
      return true;
    };
    bindings.push({ key, run, preventDefault: true });
    // Mod+Shift+letter arrives as the capital letter, and CodeMirror looks that name up first
    // ("Mod-O"): bind it too, so that no default binding of that form gets there before ours.
    const letter = /^(.*)Shift-([a-z])$/.exec(key);
    if (letter) bindings.push({ key: `${letter[1]}${letter[2]!.toUpperCase()}`, run, preventDefault: true });
  }
  bindings.push(
    { key: 'Escape', run: () => { h.leave(); return true; } },
    {
      key: 'ArrowUp',
      run: (view) => {
        const sel = view.state.selection.main;
        return sel.empty && view.state.doc.lineAt(sel.head).number === 1 && h.toNeighbour(-1);
      },
    },
    {
      key: 'ArrowDown',
      run: (view) => {
        const sel = view.state.selection.main;
        return sel.empty && view.state.doc.lineAt(sel.head).number === view.state.doc.lines && h.toNeighbour(1);
      },
    },
  );
  return Prec.highest(keymap.of(bindings));
}

/**
 * Escape with a completion list asked for but not shown yet (the kernel still answering, a new kernel starting) drops
 * the request and leaves the editor: the completion keymap would take that Escape to close a list nobody sees, and
 * the key would seem to do nothing. With the list shown, Escape closes it, as before.
 */
const escapeFromPendingCompletion = Prec.highest(keymap.of([{
  key: 'Escape',
  run: (view) => {
    if (completionStatus(view.state) === 'pending') closeCompletion(view);
    return false;
  },
}]));

export function editorExtensions(options: {
  language: Extension;
  label: string;
  keys: CellKeyHandlers;
  onChange(code: string): void;
  /** A change typed here (not another person's, not the host's). */
  onLocalChange?(): void;
  /** Autocompletion (the kernel's, see ./completions): before the cell keys, so that with the list open Escape and the arrows work the list. */
  completions?: Extension;
  /** Hover docs, signature help, search, go to definition (./editor-features, ./hover-docs): before the cell keys too. */
  features?: Extension;
}): Extension[] {
  return [
    lineNumbers(),
    highlightActiveLineGutter(),
    highlightActiveLine(),
    history(),
    drawSelection(),
    indentOnInput(),
    indentUnit.of('    '),
    bracketMatching(),
    closeBrackets(),
    syntaxHighlighting(highlight),
    placeholder('Type code, Shift+Enter to run'),
    escapeFromPendingCompletion,
    options.completions ?? [],
    options.features ?? [],
    cellKeymap(options.keys),
    keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, indentWithTab]),
    options.language,
    theme,
    EditorView.lineWrapping,
    EditorView.contentAttributes.of({ 'aria-label': options.label }),
    EditorView.updateListener.of((update) => {
      if (!update.docChanged) return;
      if (update.transactions.every((tr) => tr.annotation(remoteEdit))) return;
      options.onChange(update.state.doc.toString());
      if (update.transactions.some((tr) => tr.docChanged && !tr.annotation(remoteEdit) && !tr.annotation(ySyncAnnotation))) options.onLocalChange?.();
    }),
  ];
}
