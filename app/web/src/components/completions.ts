import {
  acceptCompletion, autocompletion, completionStatus, selectedCompletionIndex, setSelectedCompletion,
  type Completion, type CompletionContext, type CompletionResult,
} from '@codemirror/autocomplete';
import { syntaxTree } from '@codemirror/language';
import { Prec, type Extension } from '@codemirror/state';
import { keymap, type EditorView } from '@codemirror/view';
import type { JsonValue } from '../api/types';

/**
 * Languages whose runtime answers `complete` (docs/protocol.md, "Runtime calls"), and where in their text a name is
 * being typed: anywhere in Python; in markdown only after a single `{` (a placeholder), not in the prose.
 */
const KERNEL_COMPLETION_LANGUAGES = new Map<string, RegExp | null>([
  ['python', null],
  ['markdown', /(?:^|[^{])\{[A-Za-z_][A-Za-z0-9_]*$|(?:^|[^{])\{$/],
]);
/** The text before the cursor the kernel sees: enough for any dotted name being typed. */
const CONTEXT_CHARS = 2000;

/** The `complete` answer: `from` counts code points of the code sent. */
interface KernelCompletions {
  from: number;
  options: { label: string; type?: string; detail?: string }[];
  complete: boolean;
}

export type RuntimeCaller = (language: string, method: string, payload: JsonValue) => Promise<JsonValue>;

function isKernelCompletions(value: JsonValue): value is JsonValue & KernelCompletions {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof value.from === 'number' && Array.isArray(value.options);
}

/**
 * Completions from the notebook's live kernel: names the notebook defined, their attributes
 * (`df.` lists columns and methods), keywords and builtins, asked of the cell's language runtime
 * over the socket. Nothing is preselected, so Enter still ends the line when typing fast; Tab
 * takes the first (or the chosen) option, arrows choose, Escape closes.
 */
export function kernelCompletions(call: RuntimeCaller, languageOf: () => string): Extension {
  return [
    // interactionDelay 0: Tab right after the list appeared takes the option rather than indenting (the list
    // never opens on an empty word, so Tab at the start of a line still indents).
    autocompletion({ override: [kernelCompletionSource(call, languageOf)], selectOnOpen: false, activateOnTypingDelay: 30, interactionDelay: 0 }),
    Prec.highest(keymap.of([{ key: 'Tab', run: acceptFirst }])),
  ];
}

/** The completion source alone: asks the runtime, places its answer in the document. */
export function kernelCompletionSource(call: RuntimeCaller, languageOf: () => string): (context: CompletionContext) => Promise<CompletionResult | null> {
  return async (context) => {
    const language = languageOf();
    if (!KERNEL_COMPLETION_LANGUAGES.has(language)) return null;
    const where = KERNEL_COMPLETION_LANGUAGES.get(language);
    if (where && !where.test(context.state.sliceDoc(Math.max(0, context.pos - 200), context.pos))) return null;
    const typed = context.matchBefore(/(?:[A-Za-z_][A-Za-z0-9_]*\.)*[A-Za-z0-9_]*$/);
    const word = /[A-Za-z0-9_]*$/.exec(typed?.text ?? '')![0];
    // Typing: only once a word (or an attribute after a dot) is started. Ctrl+Space: always.
    if (!context.explicit && word === '' && !typed?.text.endsWith('.')) return null;
    const node = syntaxTree(context.state).resolveInner(context.pos, -1);
    if (/String|Comment/.test(node.name)) return null;
    // Python counts code points and JavaScript UTF-16 units: send the text before the cursor only,
    // so the cursor is its end for both, and place the answer by the length of the word typed.
    const before = context.state.sliceDoc(Math.max(0, context.pos - CONTEXT_CHARS), context.pos);
    const cursor = [...before].length;
    let answer: JsonValue;
    try {
      answer = await call(language, 'complete', { code: before, cursor });
    } catch {
      return null; // busy (a cell computes), offline, or no kernel: nothing from the kernel this time
    }
    // An answer that comes after the cursor left the editor (Shift+Enter while the kernel was busy starting) would
    // open a list nobody asked for in a cell no longer worked in, beside the next cell's own.
    if (context.aborted || (context.view !== undefined && !context.view.hasFocus) || !isKernelCompletions(answer)) return null;
    const options: Completion[] = answer.options.map((o) => ({ label: o.label, ...(o.type ? { type: o.type } : {}), ...(o.detail ? { detail: o.detail } : {}) }));
    return { from: context.pos - (cursor - answer.from), options, ...(answer.complete ? { validFor: /^[A-Za-z0-9_]*$/ } : {}) };
  };
}

/** Tab with the list open: the chosen option, or the first one when none is chosen yet. */
function acceptFirst(view: EditorView): boolean {
  if (completionStatus(view.state) !== 'active') return false;
  if ((selectedCompletionIndex(view.state) ?? -1) < 0) {
    view.dispatch({ effects: setSelectedCompletion(0) });
  }
  acceptCompletion(view);
  return true;
}
