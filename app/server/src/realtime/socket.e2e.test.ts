import { StaticTokenAuth, startTestServer, statusesOf, type TestClient, type TestServer } from '../test-support/harness';

/** Two users with trivial tokens: each owner gets their own kernel process, so a crash stays with its owner. */
const auth = new StaticTokenAuth({ 'ann-token': 'ann', 'bob-token': 'bob', 'ann-token-slow': 'ann' });

describe('socket.io contract', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ auth, limits: { maxPendingCommandsPerSocket: 4, errorRepliesPerSecond: 5 } });
  });
  afterAll(() => server.close());

  /** A notebook of `token`'s user with one fake cell per code. */
  async function notebookWith(codes: string[], token = 'ann-token'): Promise<{ id: string; cells: string[] }> {
    const id = (await server.request('POST', '/api/notebooks', { token, body: { name: 'socket test' } })).body.notebook_id as string;
    const first = (await server.request('GET', `/api/notebooks/${id}`, { token })).body.cells[0].id as string;
    await server.request('DELETE', `/api/notebooks/${id}/cells/${first}`, { token });
    const cells: string[] = [];
    for (const code of codes) {
      const created = await server.request('POST', `/api/notebooks/${id}/cells`, { token, body: { type: 'fake', code, ...(cells.length ? { after_cell_id: cells[cells.length - 1] } : {}) } });
      cells.push(created.body.cell_id);
    }
    return { id, cells };
  }

  async function joined(notebookId: string, token = 'ann-token'): Promise<TestClient> {
    const client = server.connect(notebookId, { token });
    await client.waitFor('authenticated');
    return client;
  }

  it('shows every client of a notebook the edits and the streamed output, whoever caused them', async () => {
    const nb = await notebookWith(['x = 2', 'y = x * 10\nprint "first"\nsleep 30\nprint "second", y']);
    const one = await joined(nb.id);
    const two = await joined(nb.id);

    one.emit('run_cell', { cellId: nb.cells[0] });
    await two.waitForStatus(nb.cells[1]!, 'success');
    await one.waitForStatus(nb.cells[1]!, 'success');
    for (const client of [one, two]) {
      // Stdout arrives in order, before the final status.
      expect(client.named('cell_stdout').filter((p) => p.cellId === nb.cells[1]).map((p) => p.data).join('')).toBe('first\nsecond 20\n');
      expect(statusesOf(client, nb.cells[0]!)).toBe('queued,running,success');
      expect(statusesOf(client, nb.cells[1]!)).toBe('queued,running,success');
    }

    // An edit over HTTP (by a third party) reaches both sockets, re-analysed.
    await server.request('PUT', `/api/notebooks/${nb.id}/cells/${nb.cells[0]}`, { token: 'ann-token', body: { code: 'x = w + 1' } });
    for (const client of [one, two]) {
      const update = await client.waitFor('cell_updated', (p) => p.cellId === nb.cells[0]);
      expect(update).toMatchObject({ code: 'x = w + 1', reads: ['w'], writes: ['x'], revision: expect.any(Number) });
    }
    const created = await server.request('POST', `/api/notebooks/${nb.id}/cells`, { token: 'ann-token', body: { type: 'fake', code: 'w = 5' } });
    await two.waitFor('cell_created', (p) => p.cell.id === created.body.cell_id && p.index === 2);
    await server.request('POST', `/api/notebooks/${nb.id}/cells/${created.body.cell_id}/move`, { token: 'ann-token', body: { index: 0 } });
    await one.waitFor('cell_moved', (p) => p.cellId === created.body.cell_id && p.index === 0);

    // Running the new definer re-runs its descendants: x, then y.
    two.clear();
    one.emit('run_cell', { cellId: created.body.cell_id });
    await two.waitFor('cell_stdout', (p) => p.cellId === nb.cells[1] && p.data.includes('second 60'));
    await server.request('DELETE', `/api/notebooks/${nb.id}/cells/${created.body.cell_id}`, { token: 'ann-token' });
    await one.waitFor('cell_deleted', (p) => p.cellId === created.body.cell_id);
  });

  it('runs a command sent right behind the token, before `authenticated` arrived', async () => {
    const nb = await notebookWith(['print "early bird"']);
    const client = server.connect(nb.id, { token: 'ann-token-slow' });
    client.emit('run_cell', { cellId: nb.cells[0] }); // buffered by socket.io until connected, sent while the token is checked
    await client.waitFor('cell_stdout', (p) => p.data === 'early bird\n');
    expect(client.events.findIndex((e) => e.name === 'authenticated')).toBe(0);
  });

  it('interrupts the running cell', async () => {
    const nb = await notebookWith(['spin', 'print "after"']);
    const client = await joined(nb.id);
    client.emit('run_cell', { cellId: nb.cells[0] });
    await client.waitForStatus(nb.cells[0]!, 'running');
    expect(await client.ask('interrupt', {})).toEqual({ ok: true });
    const error = await client.waitFor('cell_error', (p) => p.cellId === nb.cells[0]);
    expect(error.error).toMatch(/interrupt/i);
    await client.waitForStatus(nb.cells[0]!, 'error');
    // The kernel lives on.
    client.emit('run_cell', { cellId: nb.cells[1] });
    await client.waitFor('cell_stdout', (p) => p.cellId === nb.cells[1] && p.data === 'after\n');
  });

  it('answers unknown events and malformed payloads with an error to that client only, and stays connected', async () => {
    const nb = await notebookWith(['x = 1']);
    const sender = await joined(nb.id);
    const bystander = await joined(nb.id);
    const cases: [string, unknown][] = [
      ['delete_everything', {}],
      ['run_cell', undefined],
      ['run_cell', 'x'],
      ['run_cell', { cellId: 5 }],
      ['run_cell', { cellId: 'no-such-cell' }],
      ['interrupt', { cellId: ['x'] }],
    ];
    for (const [event, payload] of cases) {
      const answer = await sender.ask(event, payload);
      expect(answer.error).toEqual({ code: expect.any(String), message: expect.any(String) });
    }
    expect((await sender.ask('run_cell', { cellId: 'no-such-cell' })).error.code).toBe('RNB_ERR_CELL_NOT_FOUND');
    expect((await sender.ask('bogus', {})).error.message).toMatch(/Unknown event "bogus"/);
    // A successful command is the barrier: both clients see its events, only the sender saw errors.
    sender.emit('run_cell', { cellId: nb.cells[0] });
    await bystander.waitForStatus(nb.cells[0]!, 'success');
    await sender.waitForStatus(nb.cells[0]!, 'success');
    expect(sender.named('error').length).toBeGreaterThan(0);
    expect(bystander.named('error')).toEqual([]);
    expect(sender.socket.connected).toBe(true);
  });

  it('absorbs a flood of run_cell: the cell runs a few times, not once per event, and errors are rate-limited', async () => {
    const nb = await notebookWith(['sleep 50\nprint "ran"']);
    const client = await joined(nb.id);
    const watcher = await joined(nb.id);
    for (let i = 0; i < 3000; i++) client.emit('run_cell', { cellId: nb.cells[0] });
    for (let i = 0; i < 500; i++) client.emit('run_cell', { cellId: `missing-${i}` });
    // The flood fills this socket's in-flight budget: later commands are refused until it drains.
    let answer: { ok?: boolean; error?: { code: string } } = {};
    for (let attempt = 0; attempt < 200 && !answer.ok; attempt++) {
      answer = await client.ask('interrupt', {});
      if (!answer.ok) {
        expect(answer.error?.code).toBe('RNB_ERR_TOO_MANY_REQUESTS');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    expect(answer).toEqual({ ok: true });
    client.emit('run_cell', { cellId: nb.cells[0] });
    await watcher.waitFor('cell_stdout', (p) => p.cellId === nb.cells[0], 20_000);
    await server.notebooks.service.whenIdle('ann', nb.id);
    const runs = watcher.named('cell_status').filter((p) => p.cellId === nb.cells[0] && p.status === 'running').length;
    expect(runs).toBeGreaterThanOrEqual(1);
    expect(runs).toBeLessThan(20);
    // 500 bad requests and refusals, but at most a burst plus a few per second of `error` events.
    expect(client.named('error').length).toBeLessThan(100);
    expect(client.socket.connected).toBe(true);
  });

  it('keeps running when the client that started a cell disconnects', async () => {
    const nb = await notebookWith(['sleep 200\nprint "done"']);
    const starter = await joined(nb.id);
    const other = await joined(nb.id);
    starter.emit('run_cell', { cellId: nb.cells[0] });
    await other.waitForStatus(nb.cells[0]!, 'running');
    starter.close();
    await other.waitForStatus(nb.cells[0]!, 'success');
    expect(other.named('cell_stdout').map((p) => p.data).join('')).toBe('done\n');
  });

  it('reports a kernel crash to that notebook only; other users carry on', async () => {
    const crashing = await notebookWith(['x = 1', 'attack crash']);
    const calm = await notebookWith(['y = 2\nprint y'], 'bob-token');
    const ann = await joined(crashing.id);
    const bob = await joined(calm.id, 'bob-token');
    bob.emit('run_cell', { cellId: calm.cells[0] });
    await bob.waitForStatus(calm.cells[0]!, 'success');
    ann.emit('run_cell', { cellId: crashing.cells[0] });
    await ann.waitForStatus(crashing.cells[0]!, 'success');
    // The crashing cell runs alone: reports the kernel had not flushed yet die with it, and core blames the
    // first unfinished cell of the run.
    ann.emit('run_cell', { cellId: crashing.cells[1] });
    await ann.waitForStatus(crashing.cells[1]!, 'error');
    const restarted = await ann.waitFor('kernel_restarted');
    expect(restarted.reason).toEqual(expect.any(String));
    expect((await ann.waitFor('cell_error', (p) => p.cellId === crashing.cells[1])).error).toMatch(/kernel stopped/i);
    bob.clear();
    bob.emit('run_cell', { cellId: calm.cells[0] });
    await bob.waitFor('cell_stdout', (p) => p.data === '2\n');
    expect(bob.named('kernel_restarted')).toEqual([]);
    expect(bob.named('error')).toEqual([]);
    // Ann's notebook works again on a new kernel.
    ann.emit('run_cell', { cellId: crashing.cells[0] });
    await ann.waitFor('cell_status', (p) => p.cellId === crashing.cells[0] && p.status === 'success' && ann.named('kernel_restarted').length === 1);
  });

  it("keeps users apart: another user's notebook is not found over the socket", async () => {
    const anns = await notebookWith(['x = 1']);
    const intruder = server.connect(anns.id, { token: 'bob-token' });
    const error = await intruder.waitFor('error');
    expect(error.code).toBe('RNB_ERR_NOTEBOOK_NOT_FOUND');
    await intruder.waitFor('disconnect');
    expect(intruder.named('authenticated')).toEqual([]);
  });

  it('sends a client that asked for batches the same events, in order, in fewer messages', async () => {
    const nb = await notebookWith(Array.from({ length: 30 }, (_, i) => (i === 0 ? 'v0 = 1' : `v${i} = v${i - 1} + 1\nprint "cell ${i}"`)));
    const plain = await joined(nb.id);
    const batched = server.connect(nb.id, { token: 'ann-token', auth: { batch: true } });
    await batched.waitFor('authenticated');
    plain.emit('run_cell', { cellId: nb.cells[0] });
    const last = nb.cells[29]!;
    await plain.waitForStatus(last, 'success');
    await batched.waitFor('events', (p) => p.events.some((e: { type: string; cellId?: string; status?: string }) => e.type === 'cell_status' && e.cellId === last && e.status === 'success'));
    const NOTEBOOK_EVENTS = new Set(['cell_status', 'cell_stdout', 'cell_output', 'cell_error', 'cell_cleared', 'variables']);
    type Received = { type: string; cellId?: string; status?: string };
    // Up to the last cell's success: what follows it (the variables list) may be on its way to one client only.
    const upToLast = (events: Received[]) => events.slice(0, events.findIndex((e) => e.type === 'cell_status' && e.cellId === last && e.status === 'success') + 1);
    const plainEvents = upToLast(plain.events.filter((e) => NOTEBOOK_EVENTS.has(e.name)).map((e) => ({ type: e.name, ...e.payload })));
    const batches = batched.named('events') as { events: Received[] }[];
    const unbatched = batched.events.filter((e) => NOTEBOOK_EVENTS.has(e.name));
    expect(unbatched).toEqual([]); // nothing twice: a batching client gets its notebook's events only in batches
    expect(upToLast(batches.flatMap((b) => b.events))).toEqual(plainEvents);
    expect(plainEvents.length).toBeGreaterThan(90); // queued, running, success and a print for each of the 30 cells
    expect(batches.length).toBeLessThan(plainEvents.length / 3);

  });

  it('lets go of the clients of a deleted notebook', async () => {
    const nb = await notebookWith(['x = 1']);
    const client = await joined(nb.id);
    await server.request('DELETE', `/api/notebooks/${nb.id}`, { token: 'ann-token' });
    await client.waitFor('notebook_deleted');
    await client.waitFor('disconnect');
  });

  it('refuses a socket that names no notebook, and a browser page of another origin', async () => {
    const nameless = server.connect(undefined, { token: 'ann-token' });
    expect((await nameless.waitFor('error')).message).toMatch(/notebookId/);
    await nameless.waitFor('disconnect');
    const nb = await notebookWith(['x = 1']);
    const foreign = server.connect(nb.id, { token: 'ann-token', extraHeaders: { origin: 'https://evil.example' } });
    await foreign.waitFor('connect_error');
    const same = server.connect(nb.id, { token: 'ann-token', extraHeaders: { origin: server.url } });
    await same.waitFor('authenticated');
    const byQuery = server.connect(undefined, { token: 'ann-token', query: { notebookId: nb.id } });
    await byQuery.waitFor('authenticated');
  });
});
