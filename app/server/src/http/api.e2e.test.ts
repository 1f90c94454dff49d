import { MemoryNotebookStore, type NotebookStore } from '@rnb/core';
import { startTestServer, type TestServer } from '../test-support/harness';

describe('HTTP API (auth none)', () => {
  let server: TestServer;
  let store: MemoryNotebookStore;
  beforeAll(async () => {
    store = new MemoryNotebookStore();
    server = await startTestServer({ store, limits: { maxBodyBytes: 64 * 1024 }, corsOrigins: ['https://app.example'] });
  });
  afterAll(() => server.close());

  async function newNotebook(name?: string): Promise<string> {
    const created = await server.request('POST', '/api/notebooks', { body: name === undefined ? {} : { name } });
    expect(created.status).toBe(201);
    return created.body.notebook_id as string;
  }

  it('serves health and the client configuration', async () => {
    expect((await server.request('GET', '/healthz')).body).toMatchObject({ status: 'ok' });
    expect((await server.request('GET', '/api/config')).body).toEqual({
      auth: 'none',
      assistant: { available: false, reason: expect.any(String) },
      languages: [
        { id: 'fake', display_name: 'Fake', file_extension: null, editor: { mode: null }, browser_module: null, settings: [] },
        { id: 'fake2', display_name: 'Fake', file_extension: null, editor: { mode: null }, browser_module: null, settings: [] },
        // Registered by the host when no markdown language is loaded, for notebooks imported with markdown cells.
        { id: 'markdown', display_name: 'Markdown', file_extension: '.md', editor: { mode: 'markdown' }, browser_module: null, settings: [] },
      ],
    });
  });

  it('answers CORS preflights for the configured origins only', async () => {
    const headers = { origin: 'https://app.example', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'authorization,content-type' };
    const allowed = await server.request('OPTIONS', '/api/notebooks/x/name', { headers });
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    const other = await server.request('OPTIONS', '/api/notebooks/x/name', { headers: { ...headers, origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const simple = await server.request('GET', '/api/notebooks', { headers: { origin: 'https://app.example' } });
    expect(simple.headers.get('access-control-allow-origin')).toBe('https://app.example');
  });

  it('creates a notebook holding one empty cell, lists it and returns it', async () => {
    const id = await newNotebook('First');
    const got = await server.request('GET', `/api/notebooks/${id}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id, name: 'First', revision: 0, lazy: false, db_conn_string: null });
    expect(got.body.cells).toHaveLength(1);
    expect(got.body.cells[0]).toMatchObject({ type: 'fake', code: '', status: 'idle', stdout: '', outputs: [], error: null, reads: [], writes: [] });
    const listed = await server.request('GET', '/api/notebooks');
    expect(listed.body.notebooks).toEqual(expect.arrayContaining([expect.objectContaining({ id, name: 'First' })]));
    const unnamed = await newNotebook();
    expect((await server.request('GET', `/api/notebooks/${unnamed}`)).body.name).toBe('Untitled notebook');
  });

  it('renames and sets lazy mode; without the SQL plugin a database connection is refused (secrets.e2e covers it with the plugin)', async () => {
    const id = await newNotebook('Before');
    expect((await server.request('PUT', `/api/notebooks/${id}/name`, { body: { name: ' After ' } })).status).toBe(200);
    expect((await server.request('PUT', `/api/notebooks/${id}/settings`, { body: { lazy: true } })).status).toBe(200);
    const db = await server.request('PUT', `/api/notebooks/${id}/db`, { body: { connection_string: 'postgresql://ann:s3cret-pw@db.example.com/sales' } });
    expect(db.status).toBe(400);
    expect(db.body.error.message).toMatch(/No loaded plugin "sql" declares settings/);
    expect(db.text).not.toContain('s3cret-pw');
    const got = await server.request('GET', `/api/notebooks/${id}`);
    expect(got.body).toMatchObject({ name: 'After', lazy: true, settings: {}, db_conn_string: null });
    expect(server.logs.join('\n')).not.toContain('s3cret-pw');
  });

  it('creates, edits (re-analysed), moves and deletes cells', async () => {
    const id = await newNotebook();
    const first = (await server.request('GET', `/api/notebooks/${id}`)).body.cells[0].id as string;
    const a = await server.request('POST', `/api/notebooks/${id}/cells`, { body: { type: 'fake', code: 'y = x + 1' } });
    expect(a.status).toBe(201);
    expect(a.body.cell_id).toEqual(expect.any(String));
    const b = await server.request('POST', `/api/notebooks/${id}/cells`, { body: { type: 'fake', code: 'x = 1', after_cell_id: first } });
    let cells = (await server.request('GET', `/api/notebooks/${id}`)).body.cells;
    expect(cells.map((c: { id: string }) => c.id)).toEqual([first, b.body.cell_id, a.body.cell_id]);
    expect(cells[2]).toMatchObject({ reads: ['x'], writes: ['y'] });

    const updated = await server.request('PUT', `/api/notebooks/${id}/cells/${a.body.cell_id}`, { body: { code: 'z = x * w' } });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ id: a.body.cell_id, code: 'z = x * w', reads: ['w', 'x'], writes: ['z'] });

    expect((await server.request('POST', `/api/notebooks/${id}/cells/${a.body.cell_id}/move`, { body: { index: 0 } })).status).toBe(200);
    cells = (await server.request('GET', `/api/notebooks/${id}`)).body.cells;
    expect(cells[0].id).toBe(a.body.cell_id);

    const top = await server.request('POST', `/api/notebooks/${id}/cells`, { body: { type: 'fake', code: 'w = 1', index: 0 } });
    cells = (await server.request('GET', `/api/notebooks/${id}`)).body.cells;
    expect(cells[0].id).toBe(top.body.cell_id);
    const retyped = await server.request('PUT', `/api/notebooks/${id}/cells/${top.body.cell_id}`, { body: { code: 'w = 2', type: 'fake2' } });
    expect(retyped.body).toMatchObject({ id: top.body.cell_id, type: 'fake2', writes: ['w'] });
    expect((await server.request('PUT', `/api/notebooks/${id}/cells/${top.body.cell_id}`, { body: { code: 'w = 2', type: 'cobol' } })).body.error.code).toBe('RNB_ERR_UNKNOWN_LANGUAGE');
    await server.request('DELETE', `/api/notebooks/${id}/cells/${top.body.cell_id}`);

    expect((await server.request('DELETE', `/api/notebooks/${id}/cells/${first}`)).status).toBe(204);
    cells = (await server.request('GET', `/api/notebooks/${id}`)).body.cells;
    expect(cells.map((c: { id: string }) => c.id)).toEqual([a.body.cell_id, b.body.cell_id]);
  });

  it('refuses a stale expected_revision with 409 and accepts the current one', async () => {
    const id = await newNotebook();
    const nb = (await server.request('GET', `/api/notebooks/${id}`)).body;
    const cellId = nb.cells[0].id;
    const ok = await server.request('PUT', `/api/notebooks/${id}/cells/${cellId}`, { body: { code: 'a = 1', expected_revision: nb.revision } });
    expect(ok.status).toBe(200);
    const stale = await server.request('PUT', `/api/notebooks/${id}/cells/${cellId}`, { body: { code: 'a = 2', expected_revision: nb.revision } });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('RNB_ERR_CONFLICT');
    expect((await server.request('GET', `/api/notebooks/${id}`)).body.cells[0].code).toBe('a = 1');
  });

  it('creates a cell with the id the client chose: a UUID, 409 when taken, 400 when not a UUID', async () => {
    const id = await newNotebook();
    const chosen = '3f0c1d2e-4b5a-4c6d-8e7f-9a0b1c2d3e4f';
    const created = await server.request('POST', `/api/notebooks/${id}/cells`, { body: { type: 'fake', code: 'q = 1', cell_id: chosen } });
    expect(created.status).toBe(201);
    expect(created.body.cell_id).toBe(chosen);
    expect((await server.request('GET', `/api/notebooks/${id}`)).body.cells[1]).toMatchObject({ id: chosen, code: 'q = 1' });
    const taken = await server.request('POST', `/api/notebooks/${id}/cells`, { body: { type: 'fake', cell_id: chosen } });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('RNB_ERR_CELL_EXISTS');
    const notUuid = await server.request('POST', `/api/notebooks/${id}/cells`, { body: { type: 'fake', cell_id: 'my-cell' } });
    expect(notUuid.status).toBe(400);
    expect(notUuid.body.error.code).toBe('RNB_ERR_INVALID_INPUT');
    // A deleted cell can come back with its id (undo).
    await server.request('DELETE', `/api/notebooks/${id}/cells/${chosen}`);
    expect((await server.request('POST', `/api/notebooks/${id}/cells`, { body: { type: 'fake', cell_id: chosen } })).status).toBe(201);
  });

  it('refuses an edit whose base_code the cell no longer holds with 409, current_code and nothing changed', async () => {
    const id = await newNotebook();
    const cellId = (await server.request('GET', `/api/notebooks/${id}`)).body.cells[0].id;
    const url = `/api/notebooks/${id}/cells/${cellId}`;
    expect((await server.request('PUT', url, { body: { code: 'a = 1', base_code: '' } })).status).toBe(200);
    // Someone else's edit started from '' too: the cell now holds 'a = 1'.
    const refused = await server.request('PUT', url, { body: { code: 'a = 2', base_code: '' } });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'RNB_ERR_EDIT_CONFLICT', current_code: 'a = 1' });
    expect((await server.request('GET', `/api/notebooks/${id}`)).body.cells[0].code).toBe('a = 1');
    // The same text as stored is no conflict; a base equal to the stored code wins; no base: last writer wins.
    expect((await server.request('PUT', url, { body: { code: 'a = 1', base_code: '' } })).status).toBe(200);
    expect((await server.request('PUT', url, { body: { code: 'a = 2', base_code: 'a = 1' } })).status).toBe(200);
    expect((await server.request('PUT', url, { body: { code: 'a = 3' } })).status).toBe(200);
    expect((await server.request('GET', `/api/notebooks/${id}`)).body.cells[0].code).toBe('a = 3');
  });

  it('deletes a notebook: 204, then 404 everywhere', async () => {
    const id = await newNotebook();
    expect((await server.request('DELETE', `/api/notebooks/${id}`)).status).toBe(204);
    for (const [method, path, body] of [
      ['GET', `/api/notebooks/${id}`, undefined],
      ['PUT', `/api/notebooks/${id}/name`, { name: 'x' }],
      ['POST', `/api/notebooks/${id}/cells`, { type: 'fake' }],
      ['DELETE', `/api/notebooks/${id}`, undefined],
    ] as const) {
      const res = await server.request(method, path, body ? { body } : {});
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('RNB_ERR_NOTEBOOK_NOT_FOUND');
    }
  });

  it.each([
    ['an unknown notebook', 'GET', '/api/notebooks/00000000-0000-0000-0000-000000000000', undefined, 404, 'RNB_ERR_NOTEBOOK_NOT_FOUND'],
    ['a notebook id that is not an id', 'GET', '/api/notebooks/..%2F..%2Fetc', undefined, 404, 'RNB_ERR_NOTEBOOK_NOT_FOUND'],
    ['an unknown endpoint', 'GET', '/api/nothing/here', undefined, 404, 'RNB_ERR_ROUTE_NOT_FOUND'],
    ['a name of the wrong type', 'PUT', '/api/notebooks/{id}/name', { name: 42 }, 400, 'RNB_ERR_INVALID_INPUT'],
    ['a missing name', 'PUT', '/api/notebooks/{id}/name', {}, 400, 'RNB_ERR_INVALID_INPUT'],
    ['an empty name', 'PUT', '/api/notebooks/{id}/name', { name: '   ' }, 400, 'RNB_ERR_INVALID_INPUT'],
    ['a body that is a list', 'PUT', '/api/notebooks/{id}/name', ['x'], 400, 'RNB_ERR_INVALID_INPUT'],
    ['lazy as a string', 'PUT', '/api/notebooks/{id}/settings', { lazy: 'yes' }, 400, 'RNB_ERR_INVALID_INPUT'],
    ['a connection string of the wrong type', 'PUT', '/api/notebooks/{id}/db', { connection_string: 5 }, 400, 'RNB_ERR_INVALID_INPUT'],
    ['a cell without a type', 'POST', '/api/notebooks/{id}/cells', { code: 'x = 1' }, 400, 'RNB_ERR_INVALID_INPUT'],
    ['a cell of an unknown language', 'POST', '/api/notebooks/{id}/cells', { type: 'cobol' }, 400, 'RNB_ERR_UNKNOWN_LANGUAGE'],
    ['a cell after an unknown cell', 'POST', '/api/notebooks/{id}/cells', { type: 'fake', after_cell_id: 'nope' }, 404, 'RNB_ERR_CELL_NOT_FOUND'],
    ['code of the wrong type', 'PUT', '/api/notebooks/{id}/cells/{cell}', { code: ['x'] }, 400, 'RNB_ERR_INVALID_INPUT'],
    ['a negative expected_revision', 'PUT', '/api/notebooks/{id}/cells/{cell}', { code: 'x', expected_revision: -1 }, 400, 'RNB_ERR_INVALID_INPUT'],
    ['an unknown cell', 'PUT', '/api/notebooks/{id}/cells/nope', { code: 'x = 1' }, 404, 'RNB_ERR_CELL_NOT_FOUND'],
    ['deleting an unknown cell', 'DELETE', '/api/notebooks/{id}/cells/nope', undefined, 404, 'RNB_ERR_CELL_NOT_FOUND'],
    ['a move without an index', 'POST', '/api/notebooks/{id}/cells/{cell}/move', { to: 1 }, 400, 'RNB_ERR_INVALID_INPUT'],
    ['a fractional move index', 'POST', '/api/notebooks/{id}/cells/{cell}/move', { index: 1.5 }, 400, 'RNB_ERR_INVALID_INPUT'],
  ])('answers %s with a typed error', async (_name, method, template, body, status, code) => {
    const id = await newNotebook();
    const cell = (await server.request('GET', `/api/notebooks/${id}`)).body.cells[0].id;
    const path = template.replace('{id}', id).replace('{cell}', cell);
    const res = await server.request(method, path, body === undefined ? {} : { body });
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ error: { code, message: expect.any(String) } });
  });

  it('answers malformed JSON with 400, other media types with 415 and bodies over the limit with 413', async () => {
    const id = await newNotebook();
    const bad = await server.request('PUT', `/api/notebooks/${id}/name`, { raw: '{"name": "x"', headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('RNB_ERR_INVALID_JSON');
    const text = await server.request('PUT', `/api/notebooks/${id}/name`, { raw: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(text.status).toBe(415);
    const huge = await server.request('PUT', `/api/notebooks/${id}/cells/x`, { body: { code: 'x'.repeat(100 * 1024) } });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('RNB_ERR_PAYLOAD_TOO_LARGE');
    // Without a Content-Length (chunked), the limit applies while reading.
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(JSON.stringify({ code: 'x'.repeat(100 * 1024) })));
        controller.close();
      },
    });
    const chunked = await fetch(`${server.base}/api/notebooks/${id}/cells/x`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: stream, duplex: 'half' } as RequestInit);
    expect(chunked.status).toBe(413);
  });

  it('runs a cell over HTTP; its last status and output are kept in storage and shown after a restart', async () => {
    const id = await newNotebook();
    const cellId = (await server.request('GET', `/api/notebooks/${id}`)).body.cells[0].id;
    await server.request('PUT', `/api/notebooks/${id}/cells/${cellId}`, { body: { code: 'x = 20\nprint "hello"\nx + 1' } });
    expect((await server.request('POST', `/api/notebooks/${id}/cells/${cellId}/run`)).status).toBe(202);
    await server.notebooks.service.whenIdle('local', id);
    const after = (await server.request('GET', `/api/notebooks/${id}`)).body.cells[0];
    expect(after).toMatchObject({ status: 'success', stdout: 'hello\n', error: null });
    expect(after.outputs[0]).toMatchObject({ mime_type: 'text/plain', data: '21' });

    const second = await startTestServer({ store });
    try {
      const reloaded = (await second.request('GET', `/api/notebooks/${id}`)).body.cells[0];
      // A new process has no values yet: the cell is stale, its last results kept.
      expect(reloaded).toMatchObject({ status: 'stale', stdout: 'hello\n' });
      expect(reloaded.outputs[0]).toMatchObject({ data: '21' });
    } finally {
      await second.close();
    }
  });

  it('answers a real fault with a generic 500 and no stack trace, and logs it', async () => {
    const broken: NotebookStore = Object.assign(Object.create(MemoryNotebookStore.prototype) as MemoryNotebookStore, new MemoryNotebookStore(), {
      list: async () => {
        throw new Error('disk exploded at /var/secret/path');
      },
    });
    const faulty = await startTestServer({ store: broken });
    try {
      const res = await faulty.request('GET', '/api/notebooks');
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ error: { code: 'RNB_ERR_INTERNAL', message: 'Internal server error.' } });
      expect(res.text).not.toMatch(/secret|at .*\.ts|stack/);
      expect(faulty.logs.join('\n')).toMatch(/disk exploded/);
    } finally {
      await faulty.close();
    }
  });

  it('writes one JSON log line per request, with method, path, status and duration', () => {
    const requests = server.logs.map((line) => JSON.parse(line)).filter((entry) => entry.msg === 'request');
    expect(requests.length).toBeGreaterThan(10);
    for (const entry of requests) expect(entry).toEqual(expect.objectContaining({ level: expect.any(String), method: expect.any(String), path: expect.any(String), status: expect.any(Number), ms: expect.any(Number) }));
  });
});
