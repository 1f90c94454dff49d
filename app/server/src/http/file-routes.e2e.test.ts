/** Export and import over HTTP (fake language): GET /api/notebooks/{id}/export, POST /api/notebooks/import. */
import { definePlugin, importIpynb, LanguageRegistry, MemoryNotebookStore, readPercentNotebook, type AnyPlugin } from '@rnb/core';
import { fakeLanguage } from '@rnb/core/testing';
import { fakeLanguagePlugin, startTestServer, type TestServer } from '../test-support/harness';

/** A language with a setting that is not secret (a row limit) and one that is (a token). */
function configuredLanguagePlugin(): AnyPlugin {
  return definePlugin({
    id: 'test:configured-language',
    requires: { languages: LanguageRegistry },
    activate: (_context, { languages }) => {
      languages.register({
        ...fakeLanguage('cfg'),
        settings: [
          { name: 'row_limit', type: 'number', label: 'Row limit' },
          { name: 'token', type: 'string', label: 'Token', secret: true },
        ],
      });
    },
  }) as AnyPlugin;
}

describe('notebook files over HTTP', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ store: new MemoryNotebookStore() });
  });
  afterAll(() => server.close());

  async function notebookWithCells(codes: string[]): Promise<string> {
    const id = (await server.request('POST', '/api/notebooks', { body: { name: 'Sales report' } })).body.notebook_id as string;
    const starter = (await server.request('GET', `/api/notebooks/${id}`)).body.cells[0].id as string;
    await server.request('PUT', `/api/notebooks/${id}/cells/${starter}`, { body: { code: codes[0] } });
    for (const code of codes.slice(1)) await server.request('POST', `/api/notebooks/${id}/cells`, { body: { type: 'fake', code } });
    return id;
  }

  it('exports a notebook as .ipynb, HTML, markdown and .py, as a download named after it', async () => {
    const id = await notebookWithCells(['a = 1', 'print a']);
    const ipynb = await server.request('GET', `/api/notebooks/${id}/export?format=ipynb`);
    expect(ipynb.status).toBe(200);
    expect(ipynb.headers.get('content-type')).toBe('application/x-ipynb+json; charset=utf-8');
    expect(ipynb.headers.get('content-disposition')).toBe('attachment; filename="Sales_report.ipynb"');
    expect(importIpynb(ipynb.text).notebook.cells.map((c) => [c.type, c.code])).toEqual([['fake', 'a = 1'], ['fake', 'print a']]);
    const py = await server.request('GET', `/api/notebooks/${id}/export?format=py`);
    expect(readPercentNotebook(py.text).cells.map((c) => c.code)).toEqual(['a = 1', 'print a']);
    const html = (await server.request('GET', `/api/notebooks/${id}/export?format=html`)).text;
    expect(html).toContain('<title>Sales report</title>');
    expect(html).toContain('print a');
    expect((await server.request('GET', `/api/notebooks/${id}/export?format=html&code=false`)).text).not.toContain('print a');
    expect((await server.request('GET', `/api/notebooks/${id}/export?format=md`)).text).toContain('```fake\na = 1\n```');
    // Markdown cells are rendered by the markdown plugin's renderer, links checked, raw HTML as text.
    await server.request('POST', `/api/notebooks/${id}/cells`, { body: { type: 'markdown', code: '# Findings\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)>' } });
    const rendered = (await server.request('GET', `/api/notebooks/${id}/export?format=html`)).text;
    expect(rendered).toContain('<section class="rnb-cell rnb-markdown"');
    expect(rendered).toContain('<h1>Findings</h1>');
    expect(rendered).not.toMatch(/href="javascript:|<img src=x/);
    const wrong = await server.request('GET', `/api/notebooks/${id}/export?format=docx`);
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe('RNB_ERR_INVALID_INPUT');
  });

  it('imports a .py or .ipynb as a new notebook with its cell ids, noting cells of languages the server lacks', async () => {
    const id = await notebookWithCells(['x = 2', 'print x']);
    const text = (await server.request('GET', `/api/notebooks/${id}/export?format=ipynb`)).text;
    const withMarkdown = JSON.parse(text) as { cells: unknown[] };
    withMarkdown.cells.unshift({ cell_type: 'markdown', metadata: {}, source: '# Notes' });
    (withMarkdown.cells[2] as { outputs: unknown[] }).outputs = [{ output_type: 'stream', name: 'stdout', text: ['2\n'] }];
    const imported = await server.request('POST', '/api/notebooks/import', { body: { format: 'ipynb', content: JSON.stringify(withMarkdown), name: 'Copy' } });
    expect(imported.status).toBe(201);
    expect(imported.body).toMatchObject({ cells: 3, notes: [] });
    const copy = await server.request('GET', `/api/notebooks/${imported.body.notebook_id as string}`);
    expect(copy.body).toMatchObject({ name: 'Copy' });
    expect(copy.body.cells.map((c: { code: string }) => c.code)).toEqual(['# Notes', 'x = 2', 'print x']);
    expect(copy.body.cells[2].stdout).toBe('2\n'); // last outputs come along
    // The server holds markdown cells (the markdown plugin, registered when no plugin provides it), whatever languages it loads.
    expect(copy.body.cells[0]).toMatchObject({ type: 'markdown', status: 'idle', error: null });
    // Ids come from the file: the imported cells are the exported ones.
    const original = (await server.request('GET', `/api/notebooks/${id}`)).body.cells.map((c: { id: string }) => c.id);
    expect(copy.body.cells.slice(1).map((c: { id: string }) => c.id)).toEqual(original);

    // The file's name names a Jupyter notebook; one exported here keeps its own name; `name` overrides both.
    const plain = JSON.parse(text) as { metadata: { rnb?: unknown } };
    delete plain.metadata.rnb;
    const fromJupyter = await server.request('POST', '/api/notebooks/import', { body: { format: 'ipynb', content: JSON.stringify(plain), file_name: 'analysis-2026' } });
    expect((await server.request('GET', `/api/notebooks/${fromJupyter.body.notebook_id as string}`)).body.name).toBe('analysis-2026');
    const ours = await server.request('POST', '/api/notebooks/import', { body: { format: 'ipynb', content: text, file_name: 'Sales_report' } });
    expect((await server.request('GET', `/api/notebooks/${ours.body.notebook_id as string}`)).body.name).toBe('Sales report');

    const py = (await server.request('GET', `/api/notebooks/${id}/export?format=py`)).text;
    const fromPy = await server.request('POST', '/api/notebooks/import', { body: { format: 'py', content: `${py}\n# %% [rust]\n# fn main() {}\n` } });
    expect(fromPy.status).toBe(201);
    expect(fromPy.body.notes).toEqual(['1 rust cell kept as text: this server has no "rust" language, so it shows that as an error']);
    const again = await server.request('GET', `/api/notebooks/${fromPy.body.notebook_id as string}`);
    expect(again.body.name).toBe('Sales report');
    expect(again.body.cells.map((c: { code: string }) => c.code)).toEqual(['x = 2', 'print x', 'fn main() {}']);
  });

  it('carries settings that are not secret and the app view through export, import and duplicate; never a secret', async () => {
    const configured = await startTestServer({ store: new MemoryNotebookStore(), plugins: [fakeLanguagePlugin(), configuredLanguagePlugin()] });
    try {
      const id = (await configured.request('POST', '/api/notebooks', { body: { name: 'Configured' } })).body.notebook_id as string;
      expect((await configured.request('PUT', `/api/notebooks/${id}/settings/cfg`, { body: { row_limit: 250, token: 's3cret-token' } })).status).toBe(200);
      expect((await configured.request('PUT', `/api/notebooks/${id}/app`, { body: { show_code: true } })).status).toBe(200);
      const py = (await configured.request('GET', `/api/notebooks/${id}/export?format=py`)).text;
      expect(py).toContain('# settings.cfg.row_limit = 250\n');
      expect(py).toContain('# app.show_code = true\n');
      const ipynb = (await configured.request('GET', `/api/notebooks/${id}/export?format=ipynb`)).text;
      for (const text of [py, ipynb]) expect(text).not.toMatch(/s3cret|token/);
      expect(JSON.parse(ipynb).metadata.rnb.settings).toEqual({ cfg: { row_limit: 250 } });

      // A hand-edited file may not set a secret, nor a setting no loaded plugin declares: both are left out, with notes.
      const hostile = py.replace('# ///\n', '# settings.cfg.token = "planted"\n# settings.nope.x = 1\n# ///\n');
      const imported = await configured.request('POST', '/api/notebooks/import', { body: { format: 'py', content: hostile } });
      expect(imported.status).toBe(201);
      expect(imported.body.notes).toEqual([
        "setting cfg.token: a secret is never read from a file; set it in the notebook's settings: not imported",
        'setting nope.x: no loaded plugin declares it: not imported',
      ]);
      const copy = (await configured.request('GET', `/api/notebooks/${imported.body.notebook_id as string}`)).body;
      expect(copy.settings).toEqual({ cfg: { row_limit: 250 } });
      expect(copy.app).toMatchObject({ show_code: true, published: false });
      // A value of the wrong type is refused as the settings route refuses it, creating nothing.
      const wrong = await configured.request('POST', '/api/notebooks/import', { body: { format: 'py', content: py.replace('row_limit = 250', 'row_limit = "many"') } });
      expect(wrong.status).toBe(400);
      expect(wrong.body.error.message).toMatch(/cfg\.row_limit/);

      const duplicate = await configured.request('POST', `/api/notebooks/${id}/duplicate`);
      const copied = (await configured.request('GET', `/api/notebooks/${duplicate.body.notebook_id as string}`)).body;
      expect(copied.settings).toEqual({ cfg: { row_limit: 250 } });
      expect(copied.app).toMatchObject({ show_code: true });
    } finally {
      await configured.close();
    }
  });

  it('refuses a file it cannot read, creating nothing', async () => {
    const before = (await server.request('GET', '/api/notebooks')).body.notebooks.length as number;
    const bad = await server.request('POST', '/api/notebooks/import', { body: { format: 'ipynb', content: '{"cells": 1}' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'RNB_ERR_INVALID_INPUT', message: expect.stringMatching(/The ipynb file cannot be read: not a Jupyter notebook/) });
    expect((await server.request('GET', '/api/notebooks')).body.notebooks).toHaveLength(before);
  });
});
