// Memory of idle Python kernels in one cluster-mode instance (dist/main.js as a process, one real redis-server, dynalite),
// and how many live kernels fit a task of a given size.
//   1. the instance alone: PSS of the server process and of its kernel processes (the warm pool);
//   2. N users open one notebook each and run `x = 1` in Python: N kernel processes (sandboxed Node + Pyodide, each
//      with its warm spare worker), the worst case, since notebooks of different users never share a process;
//   3. one of them opens M more notebooks: each is a worker in that user's process, the best case.
// PSS (proportional set size, /proc/<pid>/smaps_rollup) splits shared pages among the processes sharing them, so the
// figures add up to what the task uses. A kernel costs the growth of the total (server + kernel processes) it causes;
// kernels that fit = (task memory - server and warm pool with no notebook) / cost per kernel.
// Needs redis-server on PATH. Run: npm run build:ts && node bench/cluster-memory.js [users=5] [more=4] [taskMiB=2048]
'use strict';
const fs = require('node:fs');
const { pssBytes, report } = require('./lib');
const { sleep, pluginProject, startServices, startInstance } = require('./cluster-lib');

const USERS = Number(process.argv[2]) || 5;
const MORE = Number(process.argv[3]) || 4;
const TASK_MIB = Number(process.argv[4]) || 2048;
const MiB = 2 ** 20;

/** A project folder with an auth plugin whose bearer token is the user id, so each token is its own user. */
const tokenUsersProject = () =>
  pluginProject(
    'rnb-bench-users',
    `module.exports = () => core.definePlugin({ id: 'bench:users', provides: core.AuthProvider, activate: () => ({
  id: 'bench-users', requiresToken: true,
  async authenticate(token) { if (!/^[a-z0-9]{1,20}$/.test(token || '')) throw new core.UnauthorizedError('Unknown token.'); return { userId: token }; },
}) });`,
  );

async function api(base, user, method, urlPath, body) {
  const response = await fetch(`${base}${urlPath}`, { method, headers: { authorization: `Bearer ${user}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  if (response.status >= 400) throw new Error(`${method} ${urlPath}: ${response.status} ${await response.text()}`);
  return response.status === 204 ? null : response.json();
}

/** Every process descending from `root`, from /proc. */
function descendants(root) {
  const children = new Map();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const found = [];
  const queue = [root];
  while (queue.length > 0) for (const child of children.get(queue.shift()) ?? []) found.push(child), queue.push(child);
  return found;
}

/** PSS of the server and of each of its kernel processes, once the total stops moving (warm pool and spare workers loaded). */
async function settledMemory(serverPid) {
  const sample = () => {
    const kernels = descendants(serverPid).map((pid) => ({ pid, pss: pssBytes(pid) ?? 0 }));
    const server = pssBytes(serverPid) ?? 0;
    return { server, kernels, kernelTotal: kernels.reduce((sum, k) => sum + k.pss, 0) };
  };
  let last = sample();
  const deadline = Date.now() + 60_000;
  for (;;) {
    await sleep(2000);
    const next = sample();
    const stable = next.kernels.length === last.kernels.length && Math.abs(next.kernelTotal - last.kernelTotal) < 2 * MiB;
    last = next;
    if (stable || Date.now() > deadline) return last;
  }
}

/** A notebook of `user` whose one Python cell ran `x = 1` (its kernel is then live and idle). */
async function idleNotebook(url, user) {
  const id = (await api(url, user, 'POST', '/api/notebooks', { name: 'memory' })).notebook_id;
  const cell = (await api(url, user, 'GET', `/api/notebooks/${id}`)).cells[0];
  if (cell.type !== 'python') throw new Error(`the first cell is ${cell.type}, not python`);
  await api(url, user, 'PUT', `/api/notebooks/${id}/cells/${cell.id}`, { code: 'x = 1' });
  await api(url, user, 'POST', `/api/notebooks/${id}/cells/${cell.id}/run`);
  const deadline = Date.now() + 120_000;
  for (;;) {
    const { status, error } = (await api(url, user, 'GET', `/api/notebooks/${id}`)).cells[0];
    if (status === 'success') return id;
    if (status === 'error' || Date.now() > deadline) throw new Error(`x = 1 did not succeed: ${status} ${error ?? ''}`);
    await sleep(200);
  }
}

async function main() {
  const dir = tokenUsersProject();
  const services = await startServices(dir);
  let instance = null;
  try {
    instance = await startInstance(dir, {
      REDIS_URL: services.redisUrl,
      NOTEBOOK_STORAGE: 'dynamodb',
      DYNAMODB_ENDPOINT: services.dynamoEndpoint,
      DYNAMODB_TABLE: 'bench-memory',
      DYNAMODB_CREATE_TABLE: 'true',
      NOTEBOOK_LANGUAGES: 'python',
      NOTEBOOK_AUTH: 'rnb-bench-users',
      NOTEBOOK_SECRET_KEY: require('node:crypto').randomBytes(32).toString('base64'), // required with auth on
      MAX_KERNELS: '1000',
      LOG_LEVEL: 'info', // the "listening" line is info
    });
    const pid = instance.child.pid;
    const base = await settledMemory(pid);

    for (let u = 0; u < USERS; u++) {
      await idleNotebook(instance.url, `user${u}`);
      await sleep(1000); // the warm pool refills between users, as it would between people arriving
    }
    const perUser = await settledMemory(pid);

    for (let m = 0; m < MORE; m++) await idleNotebook(instance.url, 'user0');
    const perNotebook = await settledMemory(pid);
    const health = await (await fetch(`${instance.url}/healthz`)).json();
    if (health.kernels !== USERS + MORE) throw new Error(`expected ${USERS + MORE} live kernels, the server has ${health.kernels}`);

    // Kernels are measured on their own: the server's PSS moves by tens of MB when V8 gives its start-up heap back,
    // which would drown a kernel's share. The server counts at the most it took in any phase.
    const server = Math.max(base.server, perUser.server, perNotebook.server);
    const kernelProcess = (perUser.kernelTotal - base.kernelTotal) / USERS;
    const furtherNotebook = (perNotebook.kernelTotal - perUser.kernelTotal) / MORE;
    const room = TASK_MIB * MiB - server - base.kernelTotal; // the server and its warm pool are there with no notebook open
    const terraform = Math.max(1, Math.floor((TASK_MIB - 512) / 180));
    const mb = (b) => `${(b / MiB).toFixed(1)} MB`;
    report(`cluster instance: idle Python kernels (PSS), ${USERS} users with one notebook each, then ${MORE} more notebooks of one user`, {
      'server process (most of three phases)': `${mb(server)} (${[base, perUser, perNotebook].map((m) => (m.server / MiB).toFixed(0)).join(', ')})`,
      [`warm pool, no notebook (${base.kernels.length} process)`]: mb(base.kernelTotal),
      [`kernel processes: ${USERS} users, then +${MORE} notebooks`]: `${mb(perUser.kernelTotal)}, ${mb(perNotebook.kernelTotal)}`,
      "idle kernel in its own process (a user's first)": mb(kernelProcess),
      "idle kernel as a worker (a user's further)": mb(furtherNotebook),
      [`live kernels in ${TASK_MIB} MiB, one per user`]: String(Math.floor(room / kernelProcess)),
      [`live kernels in ${TASK_MIB} MiB, all of one user`]: String(Math.floor((room - kernelProcess) / furtherNotebook) + 1),
      [`MAX_KERNELS by Terraform's rule, (${TASK_MIB} - 512) / 180`]: String(terraform),
    });
  } finally {
    instance?.child.kill('SIGTERM');
    if (instance) await new Promise((resolve) => (instance.child.exitCode !== null ? resolve() : instance.child.once('exit', resolve)));
    services.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
