/** @jest-environment jsdom */
import { python } from '@codemirror/lang-python';
import { indentUnit } from '@codemirror/language';
import { EditorState } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { dedentAfterBlockEnd, dottedNameAt, wordAt } from './editor-features';
import { callStillOpen } from './hover-docs';

/** An editor holding `doc` with the cursor at `|`. */
function editor(doc: string, lang = python()): EditorView {
  const at = doc.indexOf('|');
  return new EditorView({ state: EditorState.create({ doc: doc.replace('|', ''), selection: { anchor: at }, extensions: [lang, indentUnit.of('    ')] }) });
}

describe('auto-dedent after a statement that ends a block', () => {
  it.each(['return x', 'pass', 'break', 'continue', 'raise ValueError(x)', 'return'])('Enter after `%s` goes one level left', (statement) => {
    const view = editor(`def f(x):\n    if x:\n        ${statement}|`);
    expect(dedentAfterBlockEnd(view)).toBe(true);
    expect(view.state.doc.toString()).toBe(`def f(x):\n    if x:\n        ${statement}\n    `);
    expect(view.state.selection.main.head).toBe(view.state.doc.length);
  });

  it('leaves Enter alone elsewhere: other statements, names that start like one, the middle of a line, a comment, no indent', () => {
    for (const doc of ['def f():\n    x = 1|', 'def f():\n    returned = 1|', 'def f():\n    passes|', 'def f():\n    ret|urn 1', 'def f():\n    # return|', 'return 1|']) {
      const view = editor(doc);
      expect(dedentAfterBlockEnd(view)).toBe(false);
    }
  });
});

describe('the name at a position', () => {
  it('finds the word and the dotted chain ending at it, not through calls', () => {
    const state = EditorState.create({ doc: 'y = np.linalg.norm(df.mean()).real' });
    expect(wordAt(state, 15)?.text).toBe('norm');
    expect(dottedNameAt(state, 15)?.name).toBe('np.linalg.norm');
    expect(dottedNameAt(state, 5)?.name).toBe('np');
    expect(dottedNameAt(state, 23)?.name).toBe('df.mean');
    expect(dottedNameAt(state, 31)).toBeNull(); // `.real` of a call's result
    expect(dottedNameAt(state, 2)).toBeNull(); // `=`
  });

  it('tells an open call from a closed one, for signature help', () => {
    expect(callStillOpen('(a, [1, 2], f(x)')).toBe(true);
    expect(callStillOpen('(a, [1')).toBe(true);
    expect(callStillOpen('(a)')).toBe(false);
    expect(callStillOpen('(a, [1])')).toBe(false);
  });
});
