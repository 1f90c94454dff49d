import { syntaxTree } from '@codemirror/language';
import { Prec, StateEffect, StateField, type EditorState, type Extension } from '@codemirror/state';
import { EditorView, hoverTooltip, keymap, showTooltip, ViewPlugin, type Tooltip, type ViewUpdate } from '@codemirror/view';
import type { JsonValue } from '../api/types';
import type { RuntimeCaller } from './completions';
import { dottedNameAt } from './editor-features';

/** Languages whose runtime answers `inspect` (docs/protocol.md, "Runtime calls"). */
const INSPECT_LANGUAGES = new Set(['python']);

/** The `inspect` answer. */
export interface Inspection {
  name: string;
  type: string;
  signature: string | null;
  doc: string | null;
  value: string | null;
}

function isInspection(value: JsonValue): value is JsonValue & Inspection {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof value.name === 'string' && typeof value.type === 'string';
}

export interface HoverOptions {
  call: RuntimeCaller;
  languageOf(): string;
  /** Where the notebook defines a name (`cell 3`), shown under the docs; null when no cell does. */
  definedIn(name: string): string | null;
}

async function inspectName(options: HoverOptions, name: string): Promise<Inspection | null> {
  const language = options.languageOf();
  if (!INSPECT_LANGUAGES.has(language)) return null;
  try {
    const answer = await options.call(language, 'inspect', { name });
    return isInspection(answer) ? answer : null;
  } catch {
    return null; // busy (a cell computes), offline, no kernel: no docs this time
  }
}

function inCode(state: EditorState, pos: number): boolean {
  return !/String|Comment/.test(syntaxTree(state).resolveInner(pos, 1).name);
}

/** The tooltip's content: signature line, type or value, docstring, where the notebook defines it. */
function renderDocs(info: Inspection, definedIn: string | null, kind: 'hover' | 'signature'): HTMLElement {
  const box = document.createElement('div');
  box.className = `docs docs--${kind}`;
  box.setAttribute('role', 'tooltip');
  const head = document.createElement('div');
  head.className = 'docs__head';
  const name = document.createElement('code');
  name.className = 'docs__name';
  name.textContent = `${info.name}${info.signature ?? ''}`;
  head.append(name);
  const detail = info.value !== null ? `${info.type} · ${info.value}` : info.type;
  if (kind === 'hover' && detail) {
    const type = document.createElement('span');
    type.className = 'docs__type';
    type.textContent = detail;
    head.append(type);
  }
  box.append(head);
  if (info.doc) {
    const doc = document.createElement('pre');
    doc.className = 'docs__doc';
    // Signature help stays small: the summary line only.
    doc.textContent = kind === 'signature' ? info.doc.split(/\n\s*\n/)[0]! : info.doc;
    box.append(doc);
  }
  if (kind === 'hover' && definedIn) {
    const where = document.createElement('div');
    where.className = 'docs__where';
    where.textContent = `Defined in ${definedIn} (F12 or Ctrl-click to go there)`;
    box.append(where);
  }
  return box;
}

/** Hover docs: the live kernel's signature, docstring and type of the dotted name under the pointer. */
function hoverDocs(options: HoverOptions): Extension {
  return hoverTooltip(async (view, pos) => {
    if (!inCode(view.state, pos)) return null;
    const target = dottedNameAt(view.state, pos);
    if (!target) return null;
    const info = await inspectName(options, target.name);
    if (!info) return null;
    const definedIn = target.name.includes('.') ? null : options.definedIn(target.name);
    return { pos: target.from, end: target.to, above: true, create: () => ({ dom: renderDocs(info, definedIn, 'hover') }) };
  }, { hoverTime: 250 });
}

// ---- signature help: shown while the cursor is inside the parentheses of a call typed here ----

interface OpenCall {
  /** Position of the `(`. */
  open: number;
  info: Inspection;
}

const setCall = StateEffect.define<OpenCall | null>();

/** Whether the call whose `(` starts `text` is still open at its end (brackets inside it may open and close). */
export function callStillOpen(text: string): boolean {
  let depth = 0;
  for (const ch of text.slice(1)) {
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') {
      if (depth === 0) return false;
      depth--;
    }
  }
  return text.startsWith('(');
}

const callField = StateField.define<OpenCall | null>({
  create: () => null,
  update(call, tr) {
    for (const effect of tr.effects) if (effect.is(setCall)) return effect.value;
    if (!call) return null;
    const open = tr.changes.mapPos(call.open, 1);
    const head = tr.state.selection.main.head;
    // Gone once the cursor leaves the parentheses (before the `(`, or past its `)`).
    if (head <= open || !callStillOpen(tr.state.sliceDoc(open, head))) return null;
    return { ...call, open };
  },
  provide: (field) => showTooltip.compute([field], (state): Tooltip | null => {
    const call = state.field(field);
    if (!call) return null;
    return { pos: call.open, above: true, create: () => ({ dom: renderDocs(call.info, null, 'signature') }) };
  }),
});

/** Typing `(` after a name asks the kernel for its signature, shown above the call until it closes. */
function signatureHelp(options: HoverOptions): Extension {
  const asker = ViewPlugin.fromClass(class {
    private asked = 0;
    update(update: ViewUpdate): void {
      if (!update.docChanged || !update.transactions.some((tr) => tr.isUserEvent('input.type'))) return;
      const { state } = update;
      const head = state.selection.main.head;
      // What was just typed ends with `(` (closeBrackets adds the `)` after the cursor).
      if (state.sliceDoc(head - 1, head) !== '(' || !inCode(state, head - 1)) return;
      const target = dottedNameAt(state, head - 1);
      if (!target || target.to !== head - 1) return;
      const ticket = ++this.asked;
      const view = update.view;
      void inspectName(options, target.name).then((info) => {
        if (ticket !== this.asked || !info?.signature) return;
        // The cursor must still be inside this call when the answer arrives.
        const now = view.state.selection.main.head;
        const open = head - 1;
        if (now <= open || !callStillOpen(view.state.sliceDoc(open, now))) return;
        view.dispatch({ effects: setCall.of({ open, info }) });
      });
    }
  });
  return [
    callField,
    asker,
    Prec.highest(keymap.of([{
      key: 'Escape',
      run: (view) => {
        if (!view.state.field(callField)) return false;
        view.dispatch({ effects: setCall.of(null) });
        return true;
      },
    }])),
  ];
}

/**
 * Made once: a theme made per editor is a new style module, and mounting one inserts CSS rules, which makes the
 * browser restyle the whole page (with 1,000 cells, every editor mounted on a scroll cost a full restyle).
 */
const docsTheme = EditorView.baseTheme({ '.docs': { maxWidth: '560px' } });

export function kernelDocs(options: HoverOptions): Extension {
  return [hoverDocs(options), signatureHelp(options), docsTheme];
}
