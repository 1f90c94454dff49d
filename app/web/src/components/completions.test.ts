import { CompletionContext } from '@codemirror/autocomplete';
import { python } from '@codemirror/lang-python';
import { EditorState } from '@codemirror/state';
import type { EditorView } from '@codemirror/view';
import type { JsonValue } from '../api/types';
import { kernelCompletionSource } from './completions';

/** The page's completion source against a stand-in runtime that answers as Python's `complete` does. */
function setup(answer: (code: string, cursor: number) => JsonValue | Promise<JsonValue>, language = 'python') {
  const asked: { language: string; method: string; payload: JsonValue }[] = [];
  const source = kernelCompletionSource(async (lang, method, payload) => {
    asked.push({ language: lang, method, payload });
    const { code, cursor } = payload as { code: string; cursor: number };
    return answer(code, cursor);
  }, () => language);
  const complete = (doc: string, explicit = false, view?: EditorView) => {
    const state = EditorState.create({ doc, extensions: [python()] });
    return source(new CompletionContext(state, doc.length, explicit, view));
  };
  return { asked, complete };
}

/** Python's answer for a word at the end: `from` in code points, as Python counts. */
const wordAnswer = (labels: string[]) => (code: string, cursor: number): JsonValue => {
  const word = /[A-Za-z0-9_]*$/.exec(code)![0];
  return { from: cursor - word.length, options: labels.map((label) => ({ label, type: 'variable', detail: 'int' })), complete: true };
};

describe('kernel completion source', () => {
  it('sends the text before the cursor and its length in code points, and places the answer in UTF-16 offsets', async () => {
    const { asked, complete } = setup(wordAnswer(['my_value']));
    const doc = 'mood = "😀😀"\nmy_va';
    const result = await complete(doc);
    expect(asked).toEqual([{ language: 'python', method: 'complete', payload: { code: doc, cursor: [...doc].length } }]);
    expect([...doc].length).toBe(doc.length - 2);
    expect(result).toMatchObject({ from: doc.length - 'my_va'.length, options: [{ label: 'my_value', type: 'variable', detail: 'int' }] });
    expect(result!.validFor).toBeInstanceOf(RegExp);
  });

  it('asks after a dot, but not on an empty word, in a string or comment, or for a language without completions', async () => {
    const python = setup(wordAnswer(['sqrt']));
    expect(await python.complete('math.')).toMatchObject({ from: 5 });
    expect(await python.complete('x = ')).toBeNull();
    expect(await python.complete('s = "math.sq')).toBeNull();
    expect(await python.complete('# math.sq')).toBeNull();
    expect(python.asked).toHaveLength(1);
    expect(await python.complete('x = ', true)).not.toBeNull();
    const sql = setup(wordAnswer(['x']), 'sql');
    expect(await sql.complete('SELECT my_va')).toBeNull();
    expect(sql.asked).toEqual([]);
  });

  it('asks the markdown runtime only for a name after a single {, not for the prose', async () => {
    const markdown = setup(wordAnswer(['total']), 'markdown');
    expect(await markdown.complete('Sum: {to')).toMatchObject({ from: 'Sum: {'.length, options: [{ label: 'total' }] });
    expect(await markdown.complete('Sum of to')).toBeNull();
    expect(await markdown.complete('Literal {{to')).toBeNull();
    expect(await markdown.complete('Sum: {', true)).not.toBeNull();
    expect(markdown.asked.map((a) => a.language)).toEqual(['markdown', 'markdown']);
  });

  it('offers nothing when the runtime refuses (busy while a cell computes) or answers nonsense, and asks again for a partial list', async () => {
    expect(await setup(() => Promise.reject(new Error('RNB_ERR_RUNTIME_BUSY'))).complete('my_va')).toBeNull();
    expect(await setup(() => 'nonsense').complete('my_va')).toBeNull();
    const partial = await setup((code, cursor) => ({ from: cursor - 1, options: [{ label: 'a1' }], complete: false })).complete('a');
    expect(partial).toMatchObject({ from: 0, options: [{ label: 'a1' }] });
    expect(partial!.validFor).toBeUndefined();
  });

  it('drops an answer that comes after the cursor left the editor', async () => {
    let focused = true;
    const view = { get hasFocus() { return focused; } } as unknown as EditorView;
    let answer: (value: JsonValue) => void = () => undefined;
    const { complete } = setup(() => new Promise<JsonValue>((resolve) => { answer = resolve; }));
    const pending = complete('import ma', false, view);
    await Promise.resolve();
    focused = false;
    answer(wordAnswer(['math'])('import ma', 9));
    expect(await pending).toBeNull();
    focused = true;
    const kept = complete('import ma', false, view);
    await Promise.resolve();
    answer(wordAnswer(['math'])('import ma', 9));
    expect(await kept).toMatchObject({ options: [{ label: 'math' }] });
  });
});
