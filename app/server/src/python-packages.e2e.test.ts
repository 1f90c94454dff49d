import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import pythonPlugin from '@rnb/plugin-python';
// The plugin's own test kit: this machine cannot download real wheels.
import { makeWheel, serveSimpleIndex, type SimpleIndex } from '@rnb/plugin-python/testing';
import { startTestServer, type TestServer } from './test-support/harness';

/**
 * A notebook remembers its packages (issue 21): what `micropip.install` put in
 * is stored with the notebook (its `python.packages` setting), installed again
 * on a new kernel from the server's sha256-checked cache with the index gone,
 * and carried by export → import (the PEP 723 block of a `.py`, `metadata.rnb.packages` of an `.ipynb`).
 */
describe('a notebook remembers its micropip packages', () => {
  let server: TestServer;
  let index: SimpleIndex;
  let cacheDir: string;

  beforeAll(async () => {
    cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnb-packages-e2e-'));
    index = await serveSimpleIndex([makeWheel('greeter_pkg', '1.2.0', 'Hello from the index')]);
    const pypiIndexUrl = index.url;
    server = await startTestServer({ plugins: [pythonPlugin({ packageBaseUrl: 'none', pypiIndexUrl, packageCacheDir: cacheDir })] });
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await index?.close();
    fs.rmSync(cacheDir, { recursive: true, force: true });
  });

  it('stores what micropip installed with the notebook, installs it again on a restarted kernel offline, and exports and imports it', async () => {
    const id = (await server.request('POST', '/api/notebooks', { body: { name: 'with packages' } })).body.notebook_id as string;
    const cell = (await server.request('GET', `/api/notebooks/${id}`)).body.cells[0].id as string;
    await server.request('PUT', `/api/notebooks/${id}/cells/${cell}`, { body: { code: 'import micropip\nawait micropip.install("greeter-pkg")' } });
    const client = server.connect(id);
    await client.waitFor('authenticated');
    client.emit('run_cell', { cellId: cell });
    await client.waitForStatus(cell, 'success', 90_000);
    const stored = (await server.request('GET', `/api/notebooks/${id}`)).body;
    expect(stored.settings).toEqual({ python: { packages: 'greeter-pkg==1.2.0' } });
    // Every view hears it: the page's settings form shows the list.
    expect((await client.waitFor('notebook_updated', (p) => p.settings?.python?.packages !== undefined)).settings.python.packages).toBe('greeter-pkg==1.2.0');

    // A new kernel, the index gone: the import works from the notebook's list and the cache, micropip never asked.
    const before = index.requests.length;
    await index.close();
    expect((await server.request('POST', `/api/notebooks/${id}/restart`)).body).toEqual({ restarted: true });
    await server.request('PUT', `/api/notebooks/${id}/cells/${cell}`, { body: { code: 'import greeter_pkg\ngreeter_pkg.greet("a new kernel")' } });
    client.clear();
    client.emit('run_cell', { cellId: cell });
    await client.waitForStatus(cell, 'success', 90_000);
    const rerun = (await server.request('GET', `/api/notebooks/${id}`)).body.cells[0];
    expect(rerun.outputs).toEqual([expect.objectContaining({ mime_type: 'text/plain', data: "'Hello from the index, a new kernel'" })]);
    expect(rerun.stderr).toContain("loading this notebook's packages: greeter-pkg");
    expect(index.requests.length).toBe(before);

    // Export → import: the `.py` carries a PEP 723 block, the `.ipynb` its metadata; both give the list back.
    const py = (await server.request('GET', `/api/notebooks/${id}/export?format=py`)).text;
    expect(py).toContain('# /// script\n# dependencies = [\n#   "greeter-pkg==1.2.0",\n# ]\n# ///\n');
    const ipynb = (await server.request('GET', `/api/notebooks/${id}/export?format=ipynb`)).text;
    expect(JSON.parse(ipynb).metadata.rnb.packages).toEqual(['greeter-pkg==1.2.0']);
    for (const [format, content] of [['py', py], ['ipynb', ipynb]] as const) {
      const imported = await server.request('POST', '/api/notebooks/import', { body: { format, content } });
      expect(imported.status).toBe(201);
      const copy = (await server.request('GET', `/api/notebooks/${imported.body.notebook_id}`)).body;
      expect({ format, settings: copy.settings }).toEqual({ format, settings: { python: { packages: 'greeter-pkg==1.2.0' } } });
    }
    // A duplicate keeps them (they are not secret).
    const duplicate = (await server.request('POST', `/api/notebooks/${id}/duplicate`)).body.notebook_id as string;
    expect((await server.request('GET', `/api/notebooks/${duplicate}`)).body.settings).toEqual({ python: { packages: 'greeter-pkg==1.2.0' } });
    // Removing it in the settings form forgets it for the next kernel.
    await server.request('PUT', `/api/notebooks/${id}/settings/python`, { body: { packages: null } });
    expect((await server.request('GET', `/api/notebooks/${id}/export?format=py`)).text).not.toContain('# /// script');
  }, 240_000);
});
