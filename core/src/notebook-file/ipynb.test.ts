import { spawnSync } from 'node:child_process';
import { TABLE_MIME, WIDGET_MIME } from '../model/types';
import { describeNeeding } from '../testing/describe-needing';
import { exportHtml } from './html-export';
import { exportIpynb, importIpynb } from './ipynb';
import { exportMarkdown } from './markdown';
import type { PortableNotebook } from './portable';

/** A tiny PNG (1×1) and SVG: real image data, as a plotting library leaves it. */
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" fill="red"/></svg>';

export function richNotebook(): PortableNotebook {
  return {
    name: 'Rich — 日本語',
    lazy: true,
    cells: [
      { id: 'intro', type: 'markdown', code: '# Title\n\nSome *text* with `code`.', status: 'idle', stdout: '', stderr: '', outputs: [], error: null },
      {
        id: 'c1',
        type: 'python',
        code: 'x = 1\nprint(x)\n',
        status: 'success',
        stdout: 'one\ntwo\n',
        stderr: 'careful\n',
        outputs: [
          { mime_type: 'text/plain', data: 'a\nb' },
          { mime_type: 'text/html', data: '<b>bold</b>' },
          { mime_type: 'image/png', data: PNG },
          { mime_type: 'image/svg+xml', data: SVG },
          { mime_type: 'application/json', data: { a: [1, 2, { b: null }] } },
          { mime_type: 'application/vnd.custom+json', data: [1, 'x'], metadata: { note: 'kept' } },
          { mime_type: 'text/x-object', data: { not: 'text' } },
        ],
        error: null,
      },
      {
        id: 'query.1:a',
        type: 'sql',
        code: '-- name: top\nSELECT * FROM t',
        status: 'success',
        stdout: '',
        stderr: '',
        outputs: [{ mime_type: TABLE_MIME, data: { type: 'table', columns: ['a', 'b'], rows: [[1, 'x'], [2, null]], truncated: 'first 2 rows' } }],
        error: null,
      },
      { id: 'bad', type: 'python', code: 'raise ValueError("no")', status: 'error', stdout: '', stderr: '', outputs: [], error: 'Traceback (most recent call last):\n  File "<cell>", line 1\nValueError: no' },
      {
        id: 'controls',
        type: 'python',
        code: 'n = ui.slider(1, 8)',
        status: 'success',
        stdout: '',
        stderr: '',
        outputs: [
          { mime_type: WIDGET_MIME, data: { widget_id: 'controls:0', kind: 'slider', value: 4, props: { start: 1, stop: 8, step: 1, label: '' } } },
          { mime_type: WIDGET_MIME, data: { widget_id: 'controls:1', kind: 'dropdown', value: '<b>', props: { options: ['a', '<b>'], label: '<script>x</script>' } } },
          { mime_type: WIDGET_MIME, data: { widget_id: 'controls:2', kind: 'table', value: [1], props: { columns: ['k'], rows: [['p'], ['q']], selection: 'multi', label: 'pick' } } },
        ],
        error: null,
      },
      {
        id: 'missing',
        type: 'python',
        code: 'import numpy',
        status: 'error',
        stdout: '',
        stderr: '',
        outputs: [],
        error: "Traceback (most recent call last):\n  File \"<cell missing>\", line 1\n  File \"<cell controls>\", line 2\nModuleNotFoundError: No module named 'numpy'\n\n\nnumpy could not be loaded: the package source cannot be reached.",
      },
      { id: 'empty', type: 'python', code: '', status: 'idle', stdout: '', stderr: '', outputs: [], error: null },
      { id: 'blocked', type: 'fake', code: 'y = x', status: 'blocked', stdout: '', stderr: '', outputs: [], error: 'Not run: upstream cell 4 did not succeed.' },
    ],
  };
}

/** Debian's python3 has python3-nbformat; a pyenv python on PATH may not. */
function pythonWithNbformat(): string | null {
  for (const python of ['/usr/bin/python3', 'python3']) {
    if (spawnSync(python, ['-c', 'import nbformat'], { encoding: 'utf8' }).status === 0) return python;
  }
  return null;
}
const python = pythonWithNbformat();

describe('.ipynb', () => {
  it('re-imports an exported notebook identically: cells, ids, types, code, stdout, stderr, outputs, errors, statuses', () => {
    const notebook = richNotebook();
    const imported = importIpynb(exportIpynb(notebook));
    expect(imported.notebook).toEqual(notebook);
    expect(imported.notes).toEqual([]);
  });

  it('gives Jupyter a widget as a disabled control and as text, and names the exception even when a hint follows it', () => {
    const cells = JSON.parse(exportIpynb(richNotebook())).cells as { id: string; outputs?: { data?: Record<string, string[]>; ename?: string; evalue?: string }[] }[];
    const [slider, dropdown, table] = cells.find((c) => c.id === 'controls')!.outputs!.map((o) => o.data!);
    expect(slider!['text/plain']!.join('')).toBe('slider: 4');
    expect(slider!['text/html']!.join('')).toContain('<input type="range" min="1" max="8" step="1" value="4" disabled> <output>4</output>');
    expect(dropdown!['text/html']!.join('')).toContain('<span class="rnb-widget-label">&lt;script&gt;x&lt;/script&gt;</span> <select disabled><option>a</option><option selected>&lt;b&gt;</option></select>');
    expect(dropdown!['text/html']!.join('')).not.toContain('<script>');
    expect(table!['text/plain']!.join('')).toBe('pick: 1 of 2 rows selected');
    expect(table!['text/html']!.join('')).toContain('<tr><td>☐</td><td>p</td></tr>\n<tr><td>☑</td><td>q</td></tr>');
    const error = cells.find((c) => c.id === 'missing')!.outputs!.find((o) => o.ename);
    expect(error).toMatchObject({ ename: 'ModuleNotFoundError', evalue: "No module named 'numpy'" });
    // Jupyter's traceback names cells by position, as the page does; metadata.rnb keeps the exact text for the round trip.
    const missing = richNotebook().cells.findIndex((c) => c.id === 'missing') + 1;
    const controls = richNotebook().cells.findIndex((c) => c.id === 'controls') + 1;
    expect((error as { traceback: string[] }).traceback.slice(1, 3)).toEqual([`  File "<cell ${missing}>", line 1`, `  File "<cell ${controls}>", line 2`]);
    expect(exportHtml(richNotebook())).toContain(`File &quot;&lt;cell ${missing}&gt;&quot;, line 1`);
  });

  it('reads a Jupyter notebook: %%sql cells as SQL, the richest output of a bundle, errors without colour codes, out-of-order execution noted', () => {
    const jupyter = {
      nbformat: 4,
      nbformat_minor: 4,
      metadata: {},
      cells: [
        { cell_type: 'code', execution_count: 2, metadata: {}, source: ['%%sql postgresql://u:p@h/db\n', 'SELECT 1'], outputs: [] },
        {
          cell_type: 'code',
          execution_count: 1,
          metadata: {},
          source: 'import math\n!pip install x',
          outputs: [
            { output_type: 'execute_result', execution_count: 1, metadata: {}, data: { 'text/plain': ['<Figure>'], 'image/png': PNG } },
            { output_type: 'error', ename: 'NameError', evalue: 'y', traceback: ['\u001b[0;31mNameError\u001b[0m: y'] },
          ],
        },
        { cell_type: 'raw', metadata: {}, source: 'raw text' },
      ],
    };
    const { notebook, notes } = importIpynb(JSON.stringify(jupyter), 'fallback');
    expect(notebook.name).toBe('fallback');
    expect(notebook.cells.map((c) => [c.type, c.code])).toEqual([['sql', 'SELECT 1'], ['python', 'import math\n!pip install x'], ['markdown', 'raw text']]);
    expect(notebook.cells[1]).toMatchObject({ status: 'error', error: 'NameError: y', outputs: [{ mime_type: 'image/png', data: PNG }] });
    expect(notes.join('\n')).toMatch(/%%sql line's arguments/);
    expect(notes.join('\n')).toMatch(/cell 2: IPython magics or shell lines/);
    expect(notes.join('\n')).toMatch(/run out of order in Jupyter \(execution counts 2, 1\)/);
  });

  it('carries the packages, non-secret settings and the app view in metadata.rnb, dropping malformed values', () => {
    const notebook: PortableNotebook = {
      name: 'Settings',
      lazy: true,
      packages: ['rich'],
      settings: { sql: { row_limit: 500, mode: 'fast', strict: true } },
      app: { show_code: true },
      cells: [],
    };
    const text = exportIpynb(notebook);
    expect(JSON.parse(text).metadata.rnb).toEqual({ name: 'Settings', lazy: true, packages: ['rich'], settings: notebook.settings, app: { show_code: true } });
    expect(importIpynb(text).notebook).toEqual(notebook);
    const hostile = JSON.parse(text);
    hostile.metadata.rnb.settings = { sql: { row_limit: { nested: 1 }, 'bad key': 1, mode: 'ok' }, 'a.b': { c: 1 } };
    hostile.metadata.rnb.app = { show_code: 'yes', show_tracebacks: true, published: true };
    const read = importIpynb(JSON.stringify(hostile)).notebook;
    expect(read.settings).toEqual({ sql: { mode: 'ok' } });
    expect(read.app).toEqual({ show_tracebacks: true });
  });

  it('refuses what is not an nbformat 4 notebook, saying why', () => {
    expect(() => importIpynb('{')).toThrow(/not JSON/);
    expect(() => importIpynb('{"nbformat": 3, "worksheets": []}')).toThrow(/nbformat 3 is too old/);
    expect(() => importIpynb('{"cells": []}')).toThrow(/not a Jupyter notebook of nbformat 4/);
  });
});

describeNeeding('python3-nbformat', python ? null : 'python3-nbformat is not installed (apt-get install python3-nbformat)', () => {
  it('exports notebooks that nbformat validates as nbformat 4', () => {
    const result = spawnSync(python!, ['-c', 'import sys, nbformat; nb = nbformat.reads(sys.stdin.read(), as_version=4); nbformat.validate(nb); print(len(nb.cells))'], {
      input: exportIpynb(richNotebook()),
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe(String(richNotebook().cells.length));
  });
});

describe('HTML and markdown export', () => {
  it('writes one self-contained HTML file: escaped code, inlined images, static tables, no script or remote resource', () => {
    const html = exportHtml(richNotebook(), { renderMarkdown: (text) => `<div class="rendered">${text.length}</div>` });
    expect(html).toContain('<div class="rendered">');
    expect(html).toContain('print(x)');
    expect(html).toContain(`src="data:image/png;base64,${PNG}"`);
    expect(html).toContain('src="data:image/svg+xml;base64,');
    expect(html).toContain('<table class="rnb-table"><thead><tr><th>a</th><th>b</th></tr></thead>');
    // Widgets show as the control, disabled, at the value they had; their labels escaped.
    expect(html).toContain('<div class="rnb-widget" data-kind="slider"><span class="rnb-widget-label">slider</span> <input type="range" min="1" max="8" step="1" value="4" disabled>');
    expect(html).toContain('<span class="rnb-widget-label">&lt;script&gt;x&lt;/script&gt;</span>');
    expect(html).not.toContain('"widget_id"');
    // The empty cell that never ran is left out; every other cell is there.
    expect(html).not.toContain('data-cell-id="empty"');
    expect(html.match(/<section /g)).toHaveLength(richNotebook().cells.length - 1);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    expect(exportHtml(richNotebook(), { showCode: false })).not.toContain('print(x)');
    const hostile = exportHtml({ name: '<script>x</script>', lazy: false, cells: [{ id: 'a', type: 'markdown', code: '[x](javascript:alert(1)) <img onerror=1>', status: 'idle', stdout: '', stderr: '', outputs: [], error: null }] });
    expect(hostile).not.toMatch(/<script>x|href="javascript:|<img onerror/);
  });

  it('renders a markdown cell from its last output (values interpolated) with the renderer given, else shows its text escaped', () => {
    const widgets = { w: { widget_id: 'w', kind: 'slider', value: 3, props: {} } };
    const cell = { id: 'm', type: 'markdown', code: 'Pi is {x:.2f} <b>', status: 'success' as const, stdout: '', stderr: '', error: null,
      outputs: [{ mime_type: 'text/markdown', data: 'Pi is 3.14 <rnb-widget id="w"></rnb-widget>', metadata: { widgets } }] };
    const seen: unknown[] = [];
    const rendered = exportHtml({ name: 'n', lazy: false, cells: [cell] }, { renderMarkdown: (text, w) => (seen.push([text, w]), '<p>ok</p>') });
    expect(seen).toEqual([['Pi is 3.14 <rnb-widget id="w"></rnb-widget>', widgets]]);
    expect(rendered).toContain('<section class="rnb-cell rnb-markdown" data-cell-id="m"><p>ok</p></section>');
    const plain = exportHtml({ name: 'n', lazy: false, cells: [{ ...cell, outputs: [] }] });
    expect(plain).toContain('<pre class="rnb-markdown-source">Pi is {x:.2f} &lt;b&gt;</pre>');
  });

  it('writes markdown with fenced code, outputs as text and images inline', () => {
    const md = exportMarkdown(richNotebook());
    expect(md).toContain('```sql\n-- name: top\nSELECT * FROM t\n```');
    expect(md).toContain('a  b\n-  ----\n1  x\n2  null\nfirst 2 rows');
    expect(md).toContain(`![output](data:image/png;base64,${PNG})`);
  });
});
