/**
 * display(), IPython's rich reprs and the IPython.display shim on real Pyodide (python/rnb_display.py and its
 * siblings, the files the native runtime runs too: native/rich-output-native.test.ts covers pandas and matplotlib).
 */
import { FakeKernel, PYODIDE_START_TIMEOUT_MS } from './testing/fake-kernel';

let kernel: FakeKernel;

beforeAll(async () => {
  kernel = await FakeKernel.start();
}, PYODIDE_START_TIMEOUT_MS);

afterAll(async () => {
  await kernel?.close();
});

const VEGA_LITE = 'application/vnd.vegalite.v5+json';

describe('display()', () => {
  it('shows every displayed object in order, then the last value, with print() text kept apart', async () => {
    const result = await kernel.run('print("before")\ndisplay(1)\ndisplay("two", [3])\nprint("after")\n4');
    expect(result.error).toBeNull();
    expect(result.stdout).toBe('before\nafter\n');
    expect(result.outputs).toEqual([
      { mime_type: 'text/plain', data: '1' },
      { mime_type: 'text/plain', data: "'two'" },
      { mime_type: 'text/plain', data: '[3]' },
      { mime_type: 'text/plain', data: '4' },
    ]);
  });

  it('keeps what was displayed before a failure', async () => {
    const result = await kernel.run('display("shown")\nraise ValueError("late")');
    expect(result.error?.name).toBe('ValueError');
    expect(result.outputs).toEqual([{ mime_type: 'text/plain', data: "'shown'" }]);
  });

  it('is a builtin a cell can shadow, and display(raw=True) takes a MIME bundle', async () => {
    const raw = await kernel.run('display({"text/html": "<p>raw</p>", "text/plain": "raw"}, raw=True)');
    expect(raw.outputs).toEqual([{ mime_type: 'text/html', data: '<p>raw</p>', metadata: { 'text/plain': 'raw' } }]);
    const shadowed = await kernel.run('def display(x): print("mine", x)\ndisplay(5)\ndel display');
    expect(shadowed.stdout).toBe('mine 5\n');
    expect((await kernel.run('display(6)')).outputs).toEqual([{ mime_type: 'text/plain', data: '6' }]);
  });

  it('replaces a displayed value over the output limit by a note, and bounds a loop of displays', async () => {
    const big = await kernel.run('class Big:\n    def _repr_html_(self): return "x" * (9 * 1024 * 1024)\ndisplay(Big())');
    expect(big.outputs).toEqual([{ mime_type: 'text/plain', data: 'Output of 9 MB not shown: the limit is 8 MB.' }]);
    const loop = await kernel.run('for i in range(1000): display(i)');
    // As many as core keeps of a cell (50): none is rendered only to be dropped there.
    expect(loop.outputs).toHaveLength(51);
    expect(loop.outputs[50]).toEqual({ mime_type: 'text/plain', data: '950 more outputs not shown: a cell shows at most 50.' });
  });
});

describe("IPython's repr methods", () => {
  const shown = async (code: string) => {
    const result = await kernel.run(code);
    expect(result.error).toBeNull();
    expect(result.outputs).toHaveLength(1);
    return result.outputs[0]!;
  };

  it.each([
    ['_repr_html_', 'text/html', '"<b>h</b>"', '<b>h</b>'],
    ['_repr_markdown_', 'text/markdown', '"# title"', '# title'],
    ['_repr_svg_', 'image/svg+xml', '"<svg xmlns=\\"http://www.w3.org/2000/svg\\"/>"', '<svg xmlns="http://www.w3.org/2000/svg"/>'],
    ['_repr_png_', 'image/png', 'b"\\x89PNG\\r\\n"', 'iVBORw0K'],
    ['_repr_jpeg_', 'image/jpeg', 'b"\\xff\\xd8\\xff"', '/9j/'],
    ['_repr_json_', 'application/json', '{"a": [1, None]}', { a: [1, null] }],
    ['_repr_latex_', 'text/latex', 'r"$x^2$"', '$x^2$'],
  ])('%s gives %s, with repr() as the text/plain fallback in metadata', async (method, mime, value, data) => {
    const output = await shown(`class V:\n    def ${method}(self): return ${value}\n    def __repr__(self): return "V()"\nV()`);
    expect(output).toEqual({ mime_type: mime, data, metadata: { 'text/plain': 'V()' } });
  });

  it('picks the richest type the page draws: HTML over Markdown, SVG and PNG; Markdown over images', async () => {
    const all = 'def _repr_png_(self): return b"p"\n    def _repr_svg_(self): return "<svg/>"\n    def _repr_markdown_(self): return "m"';
    expect((await shown(`class V:\n    ${all}\n    def _repr_html_(self): return "h"\nV()`)).mime_type).toBe('text/html');
    expect((await shown(`class V:\n    ${all}\nV()`)).mime_type).toBe('text/markdown');
  });

  it('draws a _repr_mimebundle_ with Vega-Lite JSON (what altair gives) as Vega-Lite, keeping its text/plain', async () => {
    const code = [
      'class Chart:',
      '    def _repr_mimebundle_(self, include=None, exclude=None):',
      '        spec = {"$schema": "https://vega.github.io/schema/vega-lite/v5.json", "mark": "bar",',
      '                "data": {"values": [{"a": "x", "b": 1}, {"a": "y", "b": float("nan")}]},',
      '                "encoding": {"x": {"field": "a"}, "y": {"field": "b", "type": "quantitative"}}}',
      '        return {"application/vnd.vegalite.v5+json": spec, "text/plain": "alt.Chart(...)"}',
      'Chart()',
    ].join('\n');
    const output = await shown(code);
    expect(output.mime_type).toBe(VEGA_LITE);
    expect(output.data).toMatchObject({ mark: 'bar', data: { values: [{ a: 'x', b: 1 }, { a: 'y', b: 'NaN' }] } });
    expect(output.metadata).toEqual({ 'text/plain': 'alt.Chart(...)' });
  });

  it('accepts a (data, metadata) tuple and an old _repr_mimebundle_ without include/exclude', async () => {
    const tuple = await shown('class V:\n    def _repr_mimebundle_(self, **kw): return ({"image/png": b"\\x89PNG"}, {"image/png": {"width": 20}})\nV()');
    expect(tuple).toMatchObject({ mime_type: 'image/png', data: 'iVBORw==', metadata: { width: 20 } });
    const old = await shown('class V:\n    def _repr_mimebundle_(self): return {"application/vnd.plotly.v1+json": {"data": [], "layout": {}}}\nV()');
    expect(old).toMatchObject({ mime_type: 'application/vnd.plotly.v1+json', data: { data: [], layout: {} } });
  });
});

describe('the IPython.display shim', () => {
  it('runs Jupyter code unchanged: display, HTML, Markdown, JSON, SVG, Image, Math, clear_output', async () => {
    const code = [
      'from IPython.display import display, HTML, Markdown, JSON, SVG, Image, Math, clear_output',
      'import IPython',
      'clear_output(wait=True)',
      'display(HTML("<b>bold</b>"), Markdown("*it*"))',
      'display(JSON({"k": 1}))',
      'display(SVG("<svg xmlns=\\"http://www.w3.org/2000/svg\\"></svg>"))',
      'display(Image(data=b"\\x89PNG\\r\\n\\x1a\\nrest"))',
      'display(Math(r"x^2"))',
      'IPython.get_ipython()',
    ].join('\n');
    const result = await kernel.run(code);
    expect(result.error).toBeNull();
    expect(result.outputs.map((o) => [o.mime_type, o.data])).toEqual([
      // What clear_output asks core to do (this test drives the runtime alone; core clears and never shows it).
      ['application/vnd.rnb.clear-output+json', { wait: true }],
      ['text/html', '<b>bold</b>'],
      ['text/markdown', '*it*'],
      ['application/json', { k: 1 }],
      ['image/svg+xml', '<svg xmlns="http://www.w3.org/2000/svg"></svg>'],
      ['image/png', 'iVBORw0KGgpyZXN0'],
      ['text/latex', '$\\displaystyle x^2$'],
    ]);
  });

  it('has IPython.core.display too, and HTML as the last value renders as HTML', async () => {
    const result = await kernel.run('from IPython.core.display import HTML\nHTML("<i>last</i>")');
    expect(result.outputs).toEqual([expect.objectContaining({ mime_type: 'text/html', data: '<i>last</i>' })]);
  });

  it('says an Image from a URL is not fetched instead of failing', async () => {
    const result = await kernel.run('from IPython.display import Image\nImage(url="https://example.com/a.png")');
    expect(result.error).toBeNull();
    expect(result.outputs).toEqual([{ mime_type: 'text/plain', data: '<Image from https://example.com/a.png: not fetched, cells have no network>' }]);
  });
});
