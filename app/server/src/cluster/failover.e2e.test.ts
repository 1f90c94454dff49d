/**
 * Cluster mode under stress, for real: server instances as separate
 * processes (dist/main.js), one real redis-server, one real dynalite, real
 * socket.io clients, the fake language (no mocks).
 *   - the owner is killed (-9) while a cell runs on it;
 *   - an instance at its kernel limit (MAX_KERNELS=1) evicts an idle kernel,
 *     or says clearly that all are busy.
 */
import * as fs from 'node:fs';
import { createClient } from 'redis';
import { pluginProject } from '../test-support/fixtures';
import { TestClient, statusesOf } from '../test-support/harness';
import { api, describeCluster, fakeNotebook, startDynalite, startInstance, startRedis, type Instance, type TestRedis } from '../test-support/cluster';

jest.setTimeout(60_000);

/** The processes descending from `root` (a server's kernel processes and anything they started), from /proc. */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (!stat) continue;
    children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), Number(entry)]);
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function readStat(pid: number): { state: string; ppid: number } | null {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
    const [state, ppid] = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: state!, ppid: Number(ppid) };
  } catch {
    return null;
  }
}

/** Still running: exists and is not a zombie. */
const alive = (pid: number): boolean => {
  const stat = readStat(pid);
  return stat !== null && stat.state !== 'Z' && stat.state !== 'X';
};

describeCluster('cluster mode failover and kernel limit (processes, real Redis and dynalite)', () => {
  let project: { dir: string; remove(): void };
  let redis: TestRedis;
  let dynamo: { endpoint: string; close(): Promise<void> };
  const instances: Instance[] = [];
  /** The survivor of the first test, reused as the non-owner in the second. */
  let survivor: Instance;
  const clients: TestClient[] = [];
  const env = (): Record<string, string> => ({
    REDIS_URL: redis.url,
    NOTEBOOK_STORAGE: 'dynamodb',
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    DYNAMODB_TABLE: 'failover-e2e',
    DYNAMODB_CREATE_TABLE: 'true',
    NOTEBOOK_LANGUAGES: 'rnb-test-fake',
    // Short, so that failover is quick; not shorter, so that a loaded machine does not lose leases by itself.
    CLUSTER_LEASE_MS: '2000',
    LOG_LEVEL: 'info',
  });
  const start = async (extra: Record<string, string> = {}): Promise<Instance> => {
    const instance = await startInstance(project.dir, { ...env(), ...extra });
    instances.push(instance);
    return instance;
  };
  const connect = async (instance: Instance, notebookId: string): Promise<TestClient> => {
    const client = new TestClient(instance.url, '/socket.io', notebookId, {});
    clients.push(client);
    await client.waitFor('authenticated');
    return client;
  };
  const leaseOf = async (notebookId: string): Promise<{ holder: string; fence: number } | null> => {
    const client = createClient({ url: redis.url });
    await client.connect();
    try {
      const value = await client.get(`rnb:lease:${notebookId}`);
      if (value === null) return null;
      const bar = value.lastIndexOf('|');
      return { holder: value.slice(0, bar), fence: Number(value.slice(bar + 1)) };
    } finally {
      client.destroy();
    }
  };
  const health = async (instance: Instance): Promise<{ kernels: number; notebooks: number }> => (await api(instance.url, 'GET', '/healthz')).body;
  const stdoutOf = (client: TestClient, cellId: string): string =>
    client
      .named('cell_stdout')
      .filter((p) => p.cellId === cellId)
      .map((p) => p.data)
      .join('');

  const notebook = (on: Instance, codes: string[]): Promise<{ id: string; cells: string[] }> => fakeNotebook(on, codes, 'failover');

  beforeAll(async () => {
    project = pluginProject();
    [redis, dynamo] = await Promise.all([startRedis(), startDynalite()]);
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await Promise.all(instances.map((i) => i.stop('SIGKILL')));
    await redis?.stop();
    await dynamo?.close();
    project?.remove();
  });

  // On failure, the instances' logs say what happened on the other side.
  const withLogs = async (body: () => Promise<void>): Promise<void> => {
    try {
      await body();
    } catch (error) {
      for (const [i, instance] of instances.entries()) {
        // eslint-disable-next-line no-console
        console.log(`instance ${i} (${instance.url}) log tail:\n${instance.output().split('\n').slice(-40).join('\n')}`);
      }
      for (const [i, client] of clients.entries()) {
        // eslint-disable-next-line no-console
        console.log(`client ${i} events:\n${client.events.map((e) => `${e.name} ${JSON.stringify(e.payload).slice(0, 200)}`).join('\n')}`);
      }
      throw error;
    }
  };

  it('fails over when the owner is killed (-9) while a cell runs: kernel_restarted, right downstream answer, nothing lost, never on two kernels at once', () =>
    withLogs(async () => {
      const [a, b] = await Promise.all([start(), start()]);
      survivor = b;
      const long = 'print "start"\nsleep 3000\ny = x * 10\nprint "end"';
      const nb = await notebook(a, ['x = 4', long]);
      const [x, slow] = nb.cells as [string, string];
      const onA = await connect(a, nb.id);
      const onB = await connect(b, nb.id);

      // From the non-owner: forwarded to A, which runs x = 4 and then the slow cell.
      expect(await onB.ask('run_cell', { cellId: slow })).toEqual({ ok: true });
      await onB.waitFor('cell_stdout', (p) => p.cellId === slow && p.data === 'start\n');
      // An edit acknowledged while the cell runs (forwarded to A too) must survive A's death.
      const created = await api(b.url, 'POST', `/api/notebooks/${nb.id}/cells`, { type: 'fake', code: 'print "y is", y', after_cell_id: slow });
      expect(created.status).toBe(201);
      const down = created.body.cell_id as string;
      expect(statusesOf(onB, slow)).toMatch(/running$/);
      const before = await leaseOf(nb.id);
      expect(before).not.toBeNull();
      // A's kernel processes, among them the one running the slow cell right now.
      const oldKernels = descendants(a.child.pid!);
      expect(oldKernels.length).toBeGreaterThan(0);

      // The evidence against two kernels at once: when the survivor reports the slow cell running again,
      // none of the dead owner's kernel processes may still be alive.
      const aliveAtRerun: number[][] = [];
      let restarted = false;
      onB.socket.on('kernel_restarted', () => (restarted = true));
      onB.socket.on('cell_status', (p: { cellId: string; status: string }) => {
        if (restarted && p.cellId === slow && p.status === 'running') aliveAtRerun.push(oldKernels.filter(alive));
      });

      a.child.kill('SIGKILL');
      await a.exited;
      await onA.waitFor('disconnect');
      // The downstream cell, asked for on the survivor: its ancestors have no values in a new kernel, so they run first.
      expect(await onB.ask('run_cell', { cellId: down }, 20_000)).toEqual({ ok: true });
      expect((await onB.waitFor('kernel_restarted')).reason).toMatch(/stopped responding/);
      await onB.waitForStatus(down, 'success', 20_000);
      expect(stdoutOf(onB, down)).toBe('y is 40\n');

      // The slow cell: started once on A (never finished there), then once on B, after the restart.
      const trace = onB.events
        .filter((e) => e.name === 'kernel_restarted' || (e.payload?.cellId === slow && (e.name === 'cell_status' || e.name === 'cell_stdout')))
        .map((e) => (e.name === 'kernel_restarted' ? 'RESTART' : e.name === 'cell_status' ? e.payload.status : JSON.stringify(e.payload.data)));
      const cut = trace.indexOf('RESTART');
      expect(trace.lastIndexOf('RESTART')).toBe(cut);
      expect(trace.slice(0, cut).join(' ')).toMatch(/^(queued )?running "start\\n"$/);
      expect(trace.slice(cut + 1).join(' ')).toMatch(/^(stale )?queued running "start\\n" "end\\n" success$/);
      expect(aliveAtRerun).toEqual([[]]);
      expect(oldKernels.filter(alive)).toEqual([]);
      expect(statusesOf(onB, x).split(',').filter((s) => s === 'running')).toHaveLength(2);

      // The survivor holds the lease now, under a higher fencing number, and runs the only kernel.
      const after = await leaseOf(nb.id);
      expect(after!.holder).not.toBe(before!.holder);
      expect(after!.fence).toBeGreaterThan(before!.fence);
      expect((await health(b)).kernels).toBe(1);

      // Storage lost nothing: the survivor loaded the notebook from DynamoDB when it took over.
      const view = (await api(b.url, 'GET', `/api/notebooks/${nb.id}`)).body;
      expect(view.cells.map((c: { id: string; code: string }) => [c.id, c.code])).toEqual([
        [x, 'x = 4'],
        [slow, long],
        [down, 'print "y is", y'],
      ]);
      expect(view.cells.map((c: { status: string }) => c.status)).toEqual(['success', 'success', 'success']);
    }));

  it('with MAX_KERNELS=1 evicts the idle kernel for another notebook, says "all busy" when it is busy, and the evicted notebook then runs right', () =>
    withLogs(async () => {
      const c = await start({ MAX_KERNELS: '1' });
      const b = survivor ?? (await start());
      const first = await notebook(c, ['p = 6', 'print "p+1 is", p + 1']);
      const second = await notebook(c, ['sleep 2500\nq = 2', 'print "q is", q']);
      const [p, p1] = first.cells as [string, string];
      const [q, q1] = second.cells as [string, string];
      // Clients on the other instance: every command is forwarded to c, the owner of both notebooks.
      const on1 = await connect(b, first.id);
      const on2 = await connect(b, second.id);
      const kernelsOnB = (await health(b)).kernels;

      // run_cell runs the cell and its descendants.
      expect(await on1.ask('run_cell', { cellId: p })).toEqual({ ok: true });
      await on1.waitForStatus(p1, 'success');
      expect(stdoutOf(on1, p1)).toBe('p+1 is 7\n');
      expect((await health(c)).kernels).toBe(1);
      // Idle once the run's end reaches c, right behind the last status (as below): on a loaded machine the second
      // notebook's run came first, found the only kernel busy, and nothing was evicted.
      await new Promise((resolve) => setTimeout(resolve, 300));

      // The second notebook needs a kernel: the first one's, idle, makes room.
      expect(await on2.ask('run_cell', { cellId: q })).toEqual({ ok: true });
      expect((await on1.waitFor('kernel_restarted')).reason).toMatch(/make room for another notebook/);
      await on2.waitForStatus(q, 'running');
      expect((await health(c)).kernels).toBe(1);

      // The only kernel is busy (sleeping in q): the first notebook's cells fail with a clear "all busy", the busy run goes on.
      on1.clear();
      expect(await on1.ask('run_cell', { cellId: p1 })).toEqual({ ok: true });
      for (const cellId of [p, p1]) {
        const busy = await on1.waitFor('cell_error', (e) => e.cellId === cellId);
        expect(busy.error).toBe('This server is running its maximum of 1 notebook kernels, all busy: try again in a moment.');
      }
      await on2.waitForStatus(q1, 'success');
      expect(stdoutOf(on2, q1)).toBe('q is 2\n');
      expect(on2.named('kernel_restarted')).toEqual([]);
      expect(on2.named('cell_error')).toEqual([]);

      // The second kernel is idle now (its run's end reaches c right behind the last status; a moment's slack):
      // the first notebook gets a kernel again and its missing ancestor runs first.
      await new Promise((resolve) => setTimeout(resolve, 300));
      on1.clear();
      on2.clear();
      expect(await on1.ask('run_cell', { cellId: p1 })).toEqual({ ok: true });
      await on1.waitForStatus(p1, 'success');
      expect(stdoutOf(on1, p1)).toBe('p+1 is 7\n');
      expect(statusesOf(on1, p)).toBe('queued,running,success');
      expect((await on2.waitFor('kernel_restarted')).reason).toMatch(/make room/);
      expect((await health(c)).kernels).toBe(1);
      // Run on c, the owner, never on the instance the clients are connected to.
      expect((await health(b)).kernels).toBe(kernelsOnB);
      expect((await leaseOf(first.id))!.holder).toBe((await leaseOf(second.id))!.holder);
    }));
});
