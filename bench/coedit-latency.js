// Issue 26, co-editing: a keystroke typed in one client, visible in another (both real socket.io clients with real Yjs
// documents, in a child process as browsers would be), through one server: p50 / p95 (target p95 < 50 ms). Then the
// notebook's document after 10,000 edits (inserts and some deletes in one cell, a pause every 100 edits): the stored
// bytes (what storage keeps and what a joining client downloads) and the heap a Y.Doc holding it takes; and the version
// history those pauses made (a version after each): its stored bytes (file and DynamoDB forms) and heap.
// With --cluster: the same keystroke latency across two instances (processes, real Redis and dynalite): the typist on
// the instance that does not own the notebook (its updates are forwarded to the owner), the watcher on the owner.
// With --browser [--cluster]: the same from a key pressed in one Chromium page to its character in another's editor
// (coedit-browser.js).
// Run: npm run build:ts && node --expose-gc bench/coedit-latency.js [keystrokes=500] [edits=10000]
//   ·   node bench/coedit-latency.js --cluster [keystrokes=300]
//   ·   npm run build --workspace @rnb/web && node bench/coedit-latency.js --browser [--cluster] [keystrokes=200]
'use strict';
const { fork } = require('node:child_process');
const { percentile, ms, report, embeddedServer } = require('./lib');

const BROWSER = process.argv[2] === '--browser';
const CLUSTER = process.argv[2] === '--cluster' || (BROWSER && process.argv[3] === '--cluster');
const flags = Number(BROWSER) + Number(CLUSTER);
const KEYSTROKES = Number(process.argv[2 + flags]) || (BROWSER ? 200 : CLUSTER ? 300 : 500);
const EDITS = Number(process.argv[3]) || 10_000;
/** A pause in typing every this many edits, long enough for the history to take a version (as a person stops to think). */
const PAUSE_EVERY = 100;
/**
 * The history's pause before it takes a version, shortened from the default 30 s (NOTEBOOK_HISTORY_PAUSE_SECONDS) so that
 * 100 pauses take a minute, not an hour: how many versions there are is what counts for memory, not how long they took.
 */
const HISTORY_PAUSE_MS = 200;

if (process.argv[2] === '--clients') runClients(process.argv[3].split(','), process.argv[4], process.argv[5], Number(process.argv[6]), Number(process.argv[7]), Number(process.argv[8] ?? 0));
else (BROWSER ? require('./coedit-browser').browserLatency({ cluster: CLUSTER, keystrokes: KEYSTROKES }) : CLUSTER ? cluster() : main()).catch((error) => {
  console.error(error);
  process.exit(1);
});

async function main() {
  const fs = require('node:fs');
  const os = require('node:os');
  const path = require('node:path');
  const zlib = require('node:zlib');
  const { definePlugin, FileHistoryStore, LanguageRegistry, MemoryNotebookStore } = require('@rnb/core');
  const { fakeLanguage } = require('@rnb/core/testing');
  const { silentLogger } = require('@rnb/server');
  const fake = definePlugin({ id: 'bench:fake', requires: { languages: LanguageRegistry }, activate: (_c, { languages }) => languages.register(fakeLanguage()) });
  const store = new MemoryNotebookStore();
  // The history as `rnb` keeps it beside file storage (FileHistoryStore), retention at its defaults (200 versions, 30 days).
  const historyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnb-coedit-history-'));
  const historyStore = new FileHistoryStore(historyDir);
  const { notebooks, server } = await embeddedServer({ plugins: [fake], store, logger: silentLogger, historyStore, history: { pauseMs: HISTORY_PAUSE_MS } });
  const url = `http://127.0.0.1:${server.address().port}`;
  const view = await notebooks.service.createNotebook('local', { name: 'co-edit bench' });
  const cellId = view.cells[0].id;
  await notebooks.service.updateCell('local', view.id, cellId, { code: '', type: 'fake' });
  global.gc?.();
  const heapAtStart = process.memoryUsage().heapUsed;

  const child = fork(__filename, ['--clients', `${url},${url}`, view.id, cellId, String(KEYSTROKES), String(EDITS), String(HISTORY_PAUSE_MS + 300)], { stdio: 'inherit' });
  const result = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`the clients exited with ${code}`)));
  });
  const stored = await store.loadCoedit('local', view.id);
  const code = (await notebooks.service.getNotebook('local', view.id)).cells[0].code;

  // The heap of a Y.Doc holding the stored state (what the server keeps per open notebook).
  const Y = require('yjs');
  global.gc?.();
  const before = process.memoryUsage().heapUsed;
  const doc = new Y.Doc();
  Y.applyUpdate(doc, stored.subarray(9 + new DataView(stored.buffer, stored.byteOffset).getUint32(5)));
  global.gc?.();
  const heap = process.memoryUsage().heapUsed - before;

  // The history: its file (what file storage keeps), the versions gzipped one by one (what DynamoDB storage keeps), and
  // the heap of the versions as the server holds them while it lists, diffs or restores (and what the memory store keeps).
  const historyFiles = [];
  const walk = (dir) => fs.readdirSync(dir, { withFileTypes: true }).forEach((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : historyFiles.push(path.join(dir, e.name))));
  walk(historyDir);
  const historyFileBytes = historyFiles.reduce((sum, file) => sum + fs.statSync(file).size, 0);
  // Ten copies held at once and divided by ten: one copy is small beside the heap's noise.
  const COPIES = 10;
  global.gc?.();
  const beforeHistory = process.memoryUsage().heapUsed;
  const copies = [];
  for (let i = 0; i < COPIES; i++) copies.push(await historyStore.list('local', view.id));
  global.gc?.();
  const historyHeap = (process.memoryUsage().heapUsed - beforeHistory) / COPIES;
  const versions = copies[0];
  const gzippedBytes = versions.reduce((sum, v) => sum + zlib.gzipSync(JSON.stringify(v), { level: 6 }).length, 0);
  const serverHeapGrowth = process.memoryUsage().heapUsed - heapAtStart - historyHeap * COPIES - heap;

  const gcNote = global.gc ? '' : ' (run with --expose-gc for a steadier figure)';
  report(`co-editing: ${KEYSTROKES} keystrokes from one client seen by another (one server)`, {
    'p50': ms(percentile(result.latencies, 50)),
    'p95': ms(percentile(result.latencies, 95)),
    'max': ms(Math.max(...result.latencies)),
  });
  report(`co-editing: the document after ${EDITS} more edits (inserts, every 5th a delete; a ${HISTORY_PAUSE_MS + 300} ms pause every ${PAUSE_EVERY})`, {
    'cell text (characters)': String(code.length),
    'stored document (bytes)': String(stored.length),
    [`heap of a Y.Doc holding it${gcNote}`]: `${(heap / 1024).toFixed(0)} KiB`,
    'edits applied (client, s, pauses left out)': result.editSeconds.toFixed(2),
  });
  report(`version history after those edits (a version after each pause, NOTEBOOK_HISTORY_PAUSE_SECONDS=${HISTORY_PAUSE_MS / 1000} here; retention defaults)`, {
    'versions kept': `${versions.length} (${(versions.reduce((sum, v) => sum + v.cells.reduce((n, c) => n + c.code.length, 0), 0) / 1024).toFixed(0)} K characters of code)`,
    'history file, file storage (bytes)': String(historyFileBytes),
    'versions gzipped one by one, DynamoDB (bytes)': String(gzippedBytes),
    [`heap of the versions when loaded${gcNote}`]: `${(historyHeap / 1024).toFixed(0)} KiB`,
    'server heap growth over the run (the rest)': `${(serverHeapGrowth / 1024).toFixed(0)} KiB (the notebook, its open document, socket buffers, garbage)`,
  });
  doc.destroy();
  child.kill();
  await notebooks.close();
  server.close();
  fs.rmSync(historyDir, { recursive: true, force: true });
}

async function cluster() {
  const { fakeLanguageProject, clusterEnv, startServices, startInstance } = require('./cluster-lib');
  const dir = fakeLanguageProject();
  const services = await startServices(dir);
  const env = clusterEnv(services, 'coedit-bench');
  const owner = await startInstance(dir, env);
  const other = await startInstance(dir, env);
  try {
    const json = async (url, method, body) => (await fetch(url, { method, headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body) })).json();
    const id = (await json(`${owner.url}/api/notebooks`, 'POST', { name: 'co-edit bench' })).notebook_id;
    const cellId = (await json(`${owner.url}/api/notebooks/${id}`, 'GET')).cells[0].id;
    await json(`${owner.url}/api/notebooks/${id}/cells/${cellId}`, 'PUT', { code: '', type: 'fake' });
    const child = fork(__filename, ['--clients', `${other.url},${owner.url}`, id, cellId, String(KEYSTROKES), '0'], { stdio: 'inherit' });
    const result = await new Promise((resolve, reject) => {
      child.once('message', resolve);
      child.once('exit', (code) => reject(new Error(`the clients exited with ${code}`)));
    });
    report(`co-editing across two instances: ${KEYSTROKES} keystrokes typed on the non-owner, seen on the owner`, {
      'p50': ms(percentile(result.latencies, 50)),
      'p95': ms(percentile(result.latencies, 95)),
      'max': ms(Math.max(...result.latencies)),
    });
    child.kill();
  } finally {
    owner.child.kill('SIGKILL');
    other.child.kill('SIGKILL');
    services.stop();
  }
}

/** Two clients in this process: A (on urls[0]) types, B (on urls[1]) watches; then A makes many edits. */
async function runClients(urls, notebookId, cellId, keystrokes, edits, pauseMs) {
  const Y = require('yjs');
  const { io } = require('socket.io-client');
  const connect = (url) => {
    const doc = new Y.Doc();
    const socket = io(url, { path: '/socket.io', auth: { notebookId }, transports: ['websocket'], forceNew: true });
    let pending = [];
    let inFlight = false;
    let synced = false;
    let idle = () => undefined;
    const pump = () => {
      if (inFlight || !synced || pending.length === 0) {
        if (!inFlight && pending.length === 0) idle();
        return;
      }
      const update = Y.mergeUpdates(pending.splice(0));
      inFlight = true;
      socket.emitWithAck('yjs_update', { update }).finally(() => {
        inFlight = false;
        pump();
      });
    };
    doc.on('update', (update, origin) => {
      if (origin === socket) return;
      pending.push(update);
      pump();
    });
    socket.on('yjs_update', ({ update }) => Y.applyUpdate(doc, new Uint8Array(update), socket));
    const ready = new Promise((resolve) => {
      socket.on('authenticated', async () => {
        const answer = await socket.emitWithAck('yjs_sync', { state_vector: Y.encodeStateVector(doc) });
        Y.applyUpdate(doc, new Uint8Array(answer.value.update), socket);
        synced = true;
        resolve();
      });
    });
    const settled = () => new Promise((resolve) => {
      idle = resolve;
      pump();
    });
    return { doc, text: () => doc.getMap('cells').get(cellId), ready, settled };
  };
  const a = connect(urls[0]);
  const b = connect(urls[1]);
  await Promise.all([a.ready, b.ready]);
  const latencies = [];
  for (let i = 0; i < keystrokes; i++) {
    const char = String.fromCharCode(0x4e00 + (i % 20000));
    const seen = new Promise((resolve) => {
      const check = () => {
        if (b.text().toString().endsWith(char)) {
          b.doc.off('update', check);
          resolve();
        }
      };
      b.doc.on('update', check);
    });
    const started = performance.now();
    a.text().insert(a.text().length, char);
    await seen;
    latencies.push(performance.now() - started);
    // About 50 keystrokes a second, a fast typist.
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const editStart = performance.now();
  let paused = 0;
  for (let i = 0; i < edits; i++) {
    const text = a.text();
    if (i % 5 === 4 && text.length > 0) text.delete(Math.floor(Math.random() * text.length), 1);
    else text.insert(Math.floor(Math.random() * (text.length + 1)), 'x');
    if (i % PAUSE_EVERY === PAUSE_EVERY - 1) {
      await a.settled();
      if (pauseMs > 0) {
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
        paused += pauseMs;
      }
    }
  }
  await a.settled();
  const editSeconds = (performance.now() - editStart - paused) / 1000;
  // Let the server hand the code to the notebook (400 ms pause) before the parent reads it.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  process.send({ latencies, editSeconds });
}
