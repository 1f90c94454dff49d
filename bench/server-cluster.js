// Cluster mode: two server instances (separate processes, dist/main.js) on one real redis-server and one dynalite.
// A socket.io client on each instance; the notebook's kernel lives on instance A (the owner).
//   1. run_cell from the client on A (owner) and from the client on B (forwarded to A): time to the cell's stdout at the
//      sender, and how much later the same stdout event reaches the client on B than the client on A (the Redis
//      adapter hop); both clients are in this process, so one clock.
//   2. failover: kill -9 of A while idle, then run_cell from the client on B at once: time from the kill to the first
//      stdout on B (bounded below by the lease TTL, CLUSTER_LEASE_MS).
// Needs redis-server on PATH. Run: npm run build:ts && node bench/server-cluster.js [runs=200] [leaseMs=5000]
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { percentile, ms, report } = require('./lib');

const RUNS = Number(process.argv[2]) || 200;
const LEASE_MS = Number(process.argv[3]) || 5000;
const ROOT = path.resolve(__dirname, '..');
const MAIN = path.join(ROOT, 'app/server/dist/main.js');
const sleep = (t) => new Promise((resolve) => setTimeout(resolve, t));
const now = () => performance.now();

function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** A folder whose node_modules holds a plugin package registering core's fake language. */
function fakeLanguageProject() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnb-bench-cluster-'));
  const folder = path.join(dir, 'node_modules', 'rnb-bench-fake');
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, 'package.json'), JSON.stringify({ name: 'rnb-bench-fake', version: '1.0.0', main: 'index.js' }));
  const core = JSON.stringify(path.join(ROOT, 'core/dist/index.js'));
  const testing = JSON.stringify(path.join(ROOT, 'core/dist/testing/index.js'));
  fs.writeFileSync(path.join(folder, 'index.js'), `const core = require(${core}); const { fakeLanguage } = require(${testing});
module.exports = () => core.definePlugin({ id: 'bench:fake', requires: { languages: core.LanguageRegistry }, activate: (_c, { languages }) => languages.register(fakeLanguage()) });`);
  return dir;
}

function startInstance(cwd, env) {
  const child = spawn(process.execPath, [MAIN], { cwd, env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: '0', WEB_DIR: 'none', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_REGION: 'us-east-1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (b) => (out += b));
  child.stderr.on('data', (b) => (out += b));
  return new Promise((resolve, reject) => {
    const poll = setInterval(() => {
      const match = /"msg":"notebook server listening"[^\n]*"url":"([^"]+)"/.exec(out);
      if (match) {
        clearInterval(poll);
        resolve({ child, url: match[1].replace('localhost', '127.0.0.1') });
      } else if (child.exitCode !== null) {
        clearInterval(poll);
        reject(new Error(`instance did not start:\n${out}`));
      }
    }, 20);
  });
}

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
  if (spawnSync('sh', ['-c', 'command -v redis-server']).status !== 0) throw new Error('redis-server is not on PATH (Debian: apt-get install -y redis-server)');
  if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build:ts`);
  const dir = fakeLanguageProject();
  const redisPort = await freePort();
  const pidFile = path.join(dir, 'redis.pid');
  spawnSync('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'yes', '--pidfile', pidFile, '--dir', dir]);
  const dynalite = require('dynalite')({ createTableMs: 0 });
  await new Promise((resolve) => dynalite.listen(0, '127.0.0.1', resolve));
  const env = {
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    NOTEBOOK_STORAGE: 'dynamodb',
    DYNAMODB_ENDPOINT: `http://127.0.0.1:${dynalite.address().port}`,
    DYNAMODB_TABLE: 'bench-cluster',
    DYNAMODB_CREATE_TABLE: 'true',
    NOTEBOOK_LANGUAGES: 'rnb-bench-fake',
    CLUSTER_LEASE_MS: String(LEASE_MS),
  };
  const stopAll = [];
  try {
    for (let i = 0; i < 50 && !fs.existsSync(pidFile); i++) await sleep(50);
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
    if (fs.existsSync(pidFile)) process.kill(Number(fs.readFileSync(pidFile, 'utf8').trim()), 'SIGTERM');
    dynalite.close();
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
