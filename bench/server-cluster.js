// Cluster mode: two server instances (separate processes, dist/main.js) on one real redis-server and one dynalite.
// A socket.io client on each instance; the notebook's kernel lives on instance A (the owner).
//   1. run_cell from the client on A (owner) and from the client on B (forwarded to A): time to the cell's stdout at the
//      sender, and how much later the same stdout event reaches the client on B than the client on A (the Redis
//      adapter hop); both clients are in this process, so one clock.
//   2. failover: kill -9 of A while idle, then run_cell from the client on B at once: time from the kill to the first
//      stdout on B (bounded below by the lease TTL, CLUSTER_LEASE_MS).
// Needs redis-server on PATH. Run: npm run build:ts && node bench/server-cluster.js [runs=200] [leaseMs=5000]
'use strict';
const fs = require('node:fs');
const { percentile, ms, report } = require('./lib');
const { sleep, fakeLanguageProject, startServices, startInstance } = require('./cluster-lib');

const RUNS = Number(process.argv[2]) || 200;
const LEASE_MS = Number(process.argv[3]) || 5000;
const now = () => performance.now();

async function api(base, method, urlPath, body) {
  const response = await fetch(`${base}${urlPath}`, { method, headers: { 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  return response.status === 204 ? null : response.json();
}

function client(url, notebookId) {
  const { io } = require('socket.io-client');
  const socket = io(url, { auth: { notebookId }, transports: ['websocket'], reconnection: false, forceNew: true });
  const waiters = [];
  socket.on('cell_stdout', (payload) => {
    const at = now();
    for (const waiter of waiters.splice(0)) waiter({ payload, at });
  });
  return {
    socket,
    ready: new Promise((resolve) => socket.once('authenticated', resolve)),
    nextStdout: () => new Promise((resolve) => waiters.push(resolve)),
  };
}

async function main() {
  const dir = fakeLanguageProject();
  const services = await startServices(dir);
  const env = {
    REDIS_URL: services.redisUrl,
    NOTEBOOK_STORAGE: 'dynamodb',
    DYNAMODB_ENDPOINT: services.dynamoEndpoint,
    DYNAMODB_TABLE: 'bench-cluster',
    DYNAMODB_CREATE_TABLE: 'true',
    NOTEBOOK_LANGUAGES: 'rnb-bench-fake',
    CLUSTER_LEASE_MS: String(LEASE_MS),
  };
  const stopAll = [];
  try {
    const [a, b] = await Promise.all([startInstance(dir, env), startInstance(dir, env)]);
    stopAll.push(() => a.child.kill('SIGKILL'), () => b.child.kill('SIGKILL'));

    const id = (await api(a.url, 'POST', '/api/notebooks', { name: 'bench' })).notebook_id;
    const cellId = (await api(a.url, 'GET', `/api/notebooks/${id}`)).cells[0].id;
    await api(a.url, 'PUT', `/api/notebooks/${id}/cells/${cellId}`, { code: 'x = 1\nprint "out", x' });
    const onA = client(a.url, id);
    const onB = client(b.url, id);
    await Promise.all([onA.ready, onB.ready]);

    const sender = { a: [], b: [] };
    const hop = [];
    for (let round = 0; round < RUNS * 2 + 10; round++) {
      const from = round % 2 === 0 ? onA : onB;
      const atA = onA.nextStdout();
      const atB = onB.nextStdout();
      const sent = now();
      from.socket.emit('run_cell', { cellId });
      const [gotA, gotB] = await Promise.all([atA, atB]);
      if (round < 10) continue; // warm-up: kernel start, JIT
      (from === onA ? sender.a : sender.b).push((from === onA ? gotA.at : gotB.at) - sent);
      hop.push(gotB.at - gotA.at);
      await sleep(2);
    }

    // Failover: the owner dies while idle; the survivor's client asks for a run straight away.
    await sleep(300);
    const first = onB.nextStdout();
    const killed = now();
    a.child.kill('SIGKILL');
    onB.socket.emit('run_cell', { cellId });
    const { at } = await first;
    const failover = at - killed;

    report(`server cluster: two instances (processes), Redis adapter, ${RUNS} runs from each client, lease TTL ${LEASE_MS} ms`, {
      'run_cell → stdout, client on owner p50': ms(percentile(sender.a, 50)),
      'run_cell → stdout, client on owner p95': ms(percentile(sender.a, 95)),
      'run_cell → stdout, client on non-owner p50': ms(percentile(sender.b, 50)),
      'run_cell → stdout, client on non-owner p95': ms(percentile(sender.b, 95)),
      'same stdout: non-owner client later by p50': ms(percentile(hop, 50)),
      'same stdout: non-owner client later by p95': ms(percentile(hop, 95)),
      'failover: kill -9 → first stdout on survivor': ms(failover),
    });
    onA.socket.close();
    onB.socket.close();
  } finally {
    for (const stop of stopAll) stop();
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
