/**
 * Cluster mode for real: two server instances as separate processes
 * (dist/main.js), one real redis-server, one real dynalite, real socket.io
 * clients. The fake language keeps runs fast; the lease TTL is short so that
 * failover takes about a second and a half.
 */
import { createClient } from 'redis';
import { pluginProject } from '../test-support/fixtures';
import { TestClient, statusesOf } from '../test-support/harness';
import { api, describeCluster, fakeNotebook, freePort, runInstance, startDynalite, startInstance, startRedis, until, waitForLog, type Instance, type TestRedis } from '../test-support/cluster';

// Generous: each instance's first kernel loads Pyodide too, which takes many seconds on a loaded 2-core CI machine.
jest.setTimeout(120_000);
/** A wait that includes starting a kernel (Python included) on a loaded machine. */
const KERNEL_START_MS = 50_000;

describeCluster('cluster mode (two processes, real Redis and dynalite)', () => {
  let project: { dir: string; remove(): void };
  let redis: TestRedis;
  let dynamo: { endpoint: string; close(): Promise<void> };
  let a: Instance;
  let b: Instance;
  const clients: TestClient[] = [];
  const env = (): Record<string, string> => ({
    REDIS_URL: redis.url,
    NOTEBOOK_STORAGE: 'dynamodb',
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    DYNAMODB_TABLE: 'cluster-e2e',
    DYNAMODB_CREATE_TABLE: 'true',
    NOTEBOOK_LANGUAGES: 'rnb-test-fake,python',
    // Short, so failover is quick; not so short that a loaded CI machine's late renewal loses it.
    CLUSTER_LEASE_MS: '2000',
    // info: the test reads the "listening" line.
    LOG_LEVEL: 'info',
  });
  const connect = (instance: Instance, notebookId: string, auth: Record<string, unknown> = {}): TestClient => {
    const client = new TestClient(instance.url, '/socket.io', notebookId, { auth });
    clients.push(client);
    return client;
  };
  const leaseOf = async (notebookId: string): Promise<string | null> => {
    const client = createClient({ url: redis.url });
    await client.connect();
    try {
      return await client.get(`rnb:lease:${notebookId}`);
    } finally {
      client.destroy();
    }
  };
  /**
   * Subscribers of the socket.io adapters' request channel: one per instance. Each adapter subscribes to it right after
   * its events' pattern, on the same connection, so once an instance counts here its pattern is in place too.
   */
  const adapterSubscribers = async (): Promise<number> => {
    const client = createClient({ url: redis.url });
    await client.connect();
    try {
      const reply = (await client.sendCommand(['PUBSUB', 'NUMSUB', 'rnb-socket.io-request#/#'])) as [string, number];
      return Number(reply[1]);
    } finally {
      client.destroy();
    }
  };
  const health = async (instance: Instance): Promise<{ kernels: number; notebooks: number }> => (await api(instance.url, 'GET', '/healthz')).body;

  beforeAll(async () => {
    project = pluginProject();
    [redis, dynamo] = await Promise.all([startRedis(), startDynalite()]);
    // Started together: both create the missing table at once, and both must succeed.
    [a, b] = await Promise.all([startInstance(project.dir, env()), startInstance(project.dir, env())]);
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await Promise.all([a, b].filter(Boolean).map((i) => i.stop('SIGKILL')));
    await redis?.stop();
    await dynamo?.close();
    project?.remove();
  });

  const notebook = (on: Instance, codes: string[]): Promise<{ id: string; cells: string[] }> => fakeNotebook(on, codes, 'cluster');

  let shared: { id: string; cells: string[] };

  it('shows a client on each instance the edits and outputs caused on the other; run_cell on the non-owner runs once on the owner', async () => {
    shared = await notebook(a, ['x = 2']);
    const onA = connect(a, shared.id);
    const onB = connect(b, shared.id);
    // Takes its events in batches (as the page does), on the instance that does not own the notebook.
    const batchedOnB = connect(b, shared.id, { batch: true });
    await Promise.all([onA.waitFor('authenticated'), onB.waitFor('authenticated'), batchedOnB.waitFor('authenticated')]);

    // An edit through B (not the owner) is forwarded to A and reaches both clients.
    const created = await api(b.url, 'POST', `/api/notebooks/${shared.id}/cells`, { type: 'fake', code: 'y = x * 10\nprint "y is", y', after_cell_id: shared.cells[0] });
    expect(created.status).toBe(201);
    shared.cells.push(created.body.cell_id);
    for (const client of [onA, onB]) await client.waitFor('cell_created', (p) => p.cell.id === shared.cells[1]);

    expect(await onB.ask('run_cell', { cellId: shared.cells[0] })).toEqual({ ok: true });
    for (const client of [onA, onB]) {
      await client.waitForStatus(shared.cells[1]!, 'success', KERNEL_START_MS);
      expect(statusesOf(client, shared.cells[0]!)).toBe('queued,running,success');
      expect(client.named('cell_stdout').filter((p) => p.cellId === shared.cells[1]).map((p) => p.data).join('')).toBe('y is 20\n');
    }
    // The batching client got the same statuses, in batches only.
    type Batched = { type: string; cellId?: string; status?: string };
    const batchedStatuses = async (cellId: string): Promise<string> => {
      await batchedOnB.waitFor('events', (p: { events: Batched[] }) => p.events.some((e) => e.type === 'cell_status' && e.cellId === shared.cells[1] && e.status === 'success'));
      const events = (batchedOnB.named('events') as { events: Batched[] }[]).flatMap((batch) => batch.events);
      return events.filter((e) => e.type === 'cell_status' && e.cellId === cellId).map((e) => e.status).join(',');
    };
    expect(await batchedStatuses(shared.cells[0]!)).toBe('queued,running,success');
    expect(batchedOnB.named('cell_status')).toEqual([]);
    // One kernel, on the owner.
    expect((await health(a)).kernels).toBe(1);
    expect((await health(b)).kernels).toBe(0);

    // The owner's errors come back through the non-owner unchanged.
    expect(await api(b.url, 'PUT', `/api/notebooks/${shared.id}/cells/nope`, { code: 'x = 1' })).toMatchObject({ status: 404, body: { error: { code: 'RNB_ERR_CELL_NOT_FOUND' } } });
    // With the fields they carry: an edit conflict answered by the owner still names the current code.
    expect(await api(b.url, 'PUT', `/api/notebooks/${shared.id}/cells/${shared.cells[0]}`, { code: 'x = 9', base_code: 'x = 1' }))
      .toMatchObject({ status: 409, body: { error: { code: 'RNB_ERR_EDIT_CONFLICT', current_code: 'x = 2' } } });

    // An edit over HTTP on A reaches the client on B, re-analysed.
    expect((await api(a.url, 'PUT', `/api/notebooks/${shared.id}/cells/${shared.cells[0]}`, { code: 'x = 3' })).status).toBe(200);
    const update = await onB.waitFor('cell_updated', (p) => p.cellId === shared.cells[0]);
    expect(update).toMatchObject({ code: 'x = 3', writes: ['x'] });
    onA.emit('run_cell', { cellId: shared.cells[0] });
    await onB.waitFor('cell_stdout', (p) => p.cellId === shared.cells[1] && p.data === 'y is 30\n');
    expect((await api(b.url, 'GET', `/api/notebooks/${shared.id}`)).body.cells[1]).toMatchObject({ status: 'success', stdout: 'y is 30\n' });
  });

  it('forwards run_all, restart_kernel and clear_outputs from the non-owner to the owner, over socket and HTTP', async () => {
    const nb = await notebook(a, ['w = 4', 'print "w is", w']);
    const onA = connect(a, nb.id);
    const onB = connect(b, nb.id);
    await Promise.all([onA.waitFor('authenticated'), onB.waitFor('authenticated')]);
    expect(await onB.ask('run_all', {})).toEqual({ ok: true });
    for (const client of [onA, onB]) await client.waitForStatus(nb.cells[1]!, 'success', KERNEL_START_MS);
    expect(await onB.ask('restart_kernel', {})).toEqual({ ok: true });
    for (const client of [onA, onB]) await client.waitFor('kernel_restarted', (p) => p.reason === 'restarted by the user');
    expect(await api(b.url, 'POST', `/api/notebooks/${nb.id}/clear_outputs`)).toMatchObject({ status: 200, body: { cleared: true } });
    await onA.waitFor('outputs_cleared');
    expect((await api(b.url, 'GET', `/api/notebooks/${nb.id}`)).body.cells.map((c: { status: string; stdout: string }) => [c.status, c.stdout])).toEqual([['stale', ''], ['stale', '']]);
    expect((await health(b)).kernels).toBe(0);
  });

  it("forwards a runtime call from the non-owner to the owner and brings the runtime's answer back, over socket and HTTP", async () => {
    const nb = await notebook(a, ['answer = 42']);
    const onB = connect(b, nb.id);
    await onB.waitFor('authenticated');
    expect(await onB.ask('run_cell', { cellId: nb.cells[0] })).toEqual({ ok: true });
    await onB.waitForStatus(nb.cells[0]!, 'success', KERNEL_START_MS);
    expect(await onB.ask('runtime_call', { language: 'fake', method: 'names', payload: { prefix: 'ans' } })).toEqual({ ok: true, value: ['answer'] });
    // null is an answer too, not "nothing".
    expect(await onB.ask('runtime_call', { language: 'fake', method: 'set', payload: { name: 'n', value: 1 } })).toEqual({ ok: true, value: null });
    expect(await api(b.url, 'POST', `/api/notebooks/${nb.id}/runtime/fake/echo`, { payload: [1, 2] })).toMatchObject({ status: 200, body: { value: [1, 2] } });
    expect(await api(b.url, 'POST', `/api/notebooks/${nb.id}/runtime/fake/nonsense`, { payload: 1 })).toMatchObject({ status: 502, body: { error: { code: 'RNB_ERR_RUNTIME_CALL_FAILED' } } });
    expect((await health(b)).kernels).toBe(0);
  });

  it('runs a forwarded Python cell once: both clients see the one random number it drew', async () => {
    const id = (await api(a.url, 'POST', '/api/notebooks', { name: 'python' })).body.notebook_id as string;
    const first = (await api(a.url, 'GET', `/api/notebooks/${id}`)).body.cells[0].id as string;
    await api(b.url, 'PUT', `/api/notebooks/${id}/cells/${first}`, { code: 'import random\nr = random.random()' });
    const second = (await api(b.url, 'POST', `/api/notebooks/${id}/cells`, { type: 'python', code: 'print(r)', after_cell_id: first })).body.cell_id as string;
    const onA = connect(a, id);
    const onB = connect(b, id);
    await Promise.all([onA.waitFor('authenticated'), onB.waitFor('authenticated')]);
    // From the client on B, which does not own the notebook: forwarded to A and run there, once.
    expect(await onB.ask('run_cell', { cellId: first })).toEqual({ ok: true });
    for (const client of [onA, onB]) await client.waitForStatus(second, 'success', KERNEL_START_MS);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const printed = [onA, onB].map((client) => client.named('cell_stdout').filter((p) => p.cellId === second).map((p) => p.data).join(''));
    expect(printed[0]).toMatch(/^0\.\d+\n$/);
    expect(printed[1]).toBe(printed[0]);
    expect((await health(b)).kernels).toBe(0);
  });

  it('sets a widget from the non-owner: forwarded to the owner, the reader re-runs there, both clients see the value and the result', async () => {
    const id = (await api(a.url, 'POST', '/api/notebooks', { name: 'widgets' })).body.notebook_id as string;
    const first = (await api(a.url, 'GET', `/api/notebooks/${id}`)).body.cells[0].id as string;
    await api(a.url, 'PUT', `/api/notebooks/${id}/cells/${first}`, { code: 'from rnb import ui\nlevel = ui.slider(0, 10)\nlevel' });
    const reader = (await api(a.url, 'POST', `/api/notebooks/${id}/cells`, { type: 'python', code: 'level.value * 10', after_cell_id: first })).body.cell_id as string;
    const onA = connect(a, id);
    const onB = connect(b, id);
    await Promise.all([onA.waitFor('authenticated'), onB.waitFor('authenticated')]);
    expect(await onA.ask('run_cell', { cellId: first })).toEqual({ ok: true });
    for (const client of [onA, onB]) await client.waitForStatus(reader, 'success', KERNEL_START_MS);
    // The creating instance (A) owns the notebook: B forwards.
    const notOwner = onB;
    for (const client of [onA, onB]) client.clear();
    expect(await notOwner.ask('set_widget_value', { widget_id: `${first}:0`, value: 7 })).toEqual({ ok: true, value: { value: 7, names: ['level'] } });
    for (const client of [onA, onB]) {
      expect(await client.waitFor('widget_value')).toEqual({ cellId: first, widget_id: `${first}:0`, value: 7 });
      expect((await client.waitFor('cell_output', (p) => p.cellId === reader, KERNEL_START_MS)).output.data).toBe('70');
    }
    expect(await notOwner.ask('set_widget_value', { widget_id: `${first}:0`, value: 11 })).toMatchObject({ error: { code: 'RNB_ERR_RUNTIME_CALL_FAILED', message: expect.stringContaining('slider value 11 is outside 0..10') } });
  });

  it('fails over when the owner is killed (-9) while idle: the survivor takes the lease, clients hear kernel_restarted, a downstream cell is right', async () => {
    const onB = clients[1]!;
    onB.clear();
    a.child.kill('SIGKILL');
    await a.exited;
    // The downstream cell: its ancestor has no value in the survivor's fresh kernel, so it runs first.
    expect(await onB.ask('run_cell', { cellId: shared.cells[1] }, 15_000)).toEqual({ ok: true });
    await onB.waitFor('kernel_restarted', undefined, KERNEL_START_MS);
    await onB.waitForStatus(shared.cells[1]!, 'success', KERNEL_START_MS);
    expect(onB.named('cell_stdout').filter((p) => p.cellId === shared.cells[1]).map((p) => p.data).join('')).toBe('y is 30\n');
    expect(statusesOf(onB, shared.cells[0]!)).toContain('running');
    expect((await health(b)).kernels).toBe(1);
  });

  it('rides out a Redis restart: the survivor reconnects, takes the notebook again and clients keep receiving events', async () => {
    const withoutA = await adapterSubscribers();
    a = await startInstance(project.dir, env());
    // A's adapter has subscribed before Redis goes: a subscription still on its way when the connection drops is not one
    // the client restores (on a loaded machine A listened before its subscription was confirmed, and never got B's events).
    await until(async () => (await adapterSubscribers()) > withoutA, "A's socket.io adapter to subscribe");
    const [beforeA, beforeB] = [a.output().length, b.output().length];
    await redis.stop();
    await redis.restart();
    // Redis came back empty: the survivor's next renewal puts its lease back (nobody took the notebook meanwhile).
    // Waited for before A's client opens the notebook, which would otherwise race it for the free lease.
    await until(async () => (await leaseOf(shared.id))?.includes(`-${b.child.pid}-`) === true, 'B to renew its lease in the restarted Redis');
    // Each connection resubscribes before it says it is back. Until A's socket.io subscriber has, events B publishes
    // for A's clients are lost (Redis pub/sub keeps nothing): the run below must not start before that.
    for (const [instance, since] of [[a, beforeA], [b, beforeB]] as const) {
      for (const role of ['main', 'adapter-sub', 'commands-sub']) await waitForLog(instance, new RegExp(`"msg":"redis connection back"[^\\n]*"role":"${role}"`), since);
    }
    // B's client, connected all along, may have missed events while B was cut off: B tells it to reload.
    const onB = clients[1]!;
    await onB.waitFor('resync');
    const onA = connect(a, shared.id);
    await onA.waitFor('authenticated', () => true, 20_000);
    onB.clear();
    expect(await onA.ask('run_cell', { cellId: shared.cells[1] }, 15_000)).toEqual({ ok: true });
    for (const client of [onA, onB]) await client.waitForStatus(shared.cells[1]!, 'success', KERNEL_START_MS);
  });

  it('on SIGTERM the owner releases its leases and drops only its own clients; another instance takes over at once', async () => {
    const nb = await notebook(a, ['z = 5\nprint z', 'sleep 20000']);
    const onA = connect(a, nb.id);
    const onB = connect(b, nb.id);
    await Promise.all([onA.waitFor('authenticated'), onB.waitFor('authenticated')]);
    onA.emit('run_cell', { cellId: nb.cells[0] });
    await onB.waitForStatus(nb.cells[0]!, 'success', KERNEL_START_MS);
    expect(await leaseOf(nb.id)).toMatch(/\|\d+$/);
    onA.emit('run_cell', { cellId: nb.cells[1] });
    await onB.waitForStatus(nb.cells[1]!, 'running', KERNEL_START_MS);

    expect(await a.stop('SIGTERM')).toBe(0);
    // The run cut short by the shutdown ends visibly for clients elsewhere too.
    expect(statusesOf(onB, nb.cells[1]!)).toMatch(/running,(error|idle|stale)$/);
    expect(await leaseOf(nb.id)).toBeNull();
    await onA.waitFor('disconnect');
    expect(onB.socket.connected).toBe(true);
    onB.clear();
    expect(await onB.ask('run_cell', { cellId: nb.cells[0] })).toEqual({ ok: true });
    expect((await onB.waitFor('kernel_restarted')).reason).toMatch(/shut down/);
    await onB.waitFor('cell_stdout', (p) => p.cellId === nb.cells[0] && p.data === '5\n');
  });

  it('shuts an idle kernel down after KERNEL_IDLE_SECONDS and releases its lease', async () => {
    const c = await startInstance(project.dir, { ...env(), KERNEL_IDLE_SECONDS: '1' });
    try {
      const nb = await notebook(c, ['w = 1']);
      await api(c.url, 'POST', `/api/notebooks/${nb.id}/cells/${nb.cells[0]}/run`);
      expect(await leaseOf(nb.id)).not.toBeNull();
      // The run waits for the kernel, which loads every language's runtime (Pyodide included) first: slow on a loaded CI machine.
      const deadline = Date.now() + 40000;
      while ((await leaseOf(nb.id)) !== null && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await leaseOf(nb.id)).toBeNull();
      expect(await health(c)).toMatchObject({ kernels: 0, notebooks: 0 });
    } finally {
      await c.stop('SIGKILL');
    }
  }, 90_000);

  it('refuses to start with a clear error when Redis is unreachable', async () => {
    const port = await freePort();
    const run = runInstance(project.dir, { ...env(), REDIS_URL: `redis://127.0.0.1:${port}` });
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain(`REDIS_URL: cannot reach Redis at redis://127.0.0.1:${port}`);
    expect(run.output()).toContain('ECONNREFUSED');
  });
});
