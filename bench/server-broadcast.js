// 50 socket.io clients on one notebook: how long a cell's stdout takes to reach each of them after the server
// has it from the kernel (target: p95 < 50 ms). The clients run in a child process, as a browser would.
// Run: npm run build:ts && node bench/server-broadcast.js [clients=50] [lines=40] [rounds=3]
'use strict';
const { fork } = require('node:child_process');
const { percentile, ms, report, embeddedServer } = require('./lib');

const CLIENTS = Number(process.argv[2]) || 50;
const LINES = Number(process.argv[3]) || 40;
const ROUNDS = Number(process.argv[4]) || 3;
const now = () => performance.timeOrigin + performance.now();

if (process.argv[2] === '--clients') runClients();
else runServer().catch((error) => {
  console.error(error);
  process.exit(1);
});

async function runServer() {
  const { definePlugin, LanguageRegistry, MemoryNotebookStore } = require('@rnb/core');
  const { fakeLanguage } = require('@rnb/core/testing');
  const { silentLogger } = require('@rnb/server');
  const fake = definePlugin({ id: 'bench:fake', requires: { languages: LanguageRegistry }, activate: (_c, { languages }) => languages.register(fakeLanguage()) });
  const { notebooks, server } = await embeddedServer({ plugins: [fake], store: new MemoryNotebookStore(), logger: silentLogger });
  const url = `http://127.0.0.1:${server.address().port}`;

  const view = await notebooks.service.createNotebook('local', { name: 'broadcast' });
  const cellId = view.cells[0].id;
  // One stdout event per line: the kernel flushes stdout every 20 ms, so lines 30 ms apart travel alone.
  const code = Array.from({ length: LINES }, (_, i) => `print "line ${i}"\nsleep 30`).join('\n');
  await notebooks.service.updateCell('local', view.id, cellId, { code });

  const produced = new Map();
  notebooks.service.subscribe((_id, event) => {
    if (event.type === 'cell_stdout') for (const line of event.data.split('\n').filter(Boolean)) produced.set(line, now());
  });

  const child = fork(__filename, ['--clients', url, view.id, String(CLIENTS)], { stdio: 'inherit' });
  const fromChild = (type) => new Promise((resolve) => child.once('message', (m) => m.type === type && resolve(m)));
  await fromChild('ready');
  const latencies = [];
  const perRound = [];
  for (let round = 0; round < ROUNDS + 1; round++) {
    produced.clear();
    child.send({ type: 'reset' });
    await fromChild('reset');
    await notebooks.service.runCell('local', view.id, cellId);
    await notebooks.service.whenIdle('local', view.id);
    child.send({ type: 'collect', lines: LINES });
    const { received } = await fromChild('received');
    if (round === 0) continue; // warm-up: kernel start
    const roundLatencies = [];
    for (const [line, times] of Object.entries(received)) {
      const at = produced.get(line);
      if (at === undefined) continue;
      for (const t of times) roundLatencies.push(t - at);
    }
    perRound.push(percentile(roundLatencies, 95));
    latencies.push(...roundLatencies);
  }
  child.send({ type: 'exit' });
  const expected = CLIENTS * LINES * ROUNDS;
  report(`server: ${CLIENTS} socket.io clients on one notebook, stdout from the kernel to every client (${ROUNDS} rounds of ${LINES} lines)`, {
    'deliveries measured': `${latencies.length} of ${expected}`,
    p50: ms(percentile(latencies, 50)),
    'p95 (target < 50 ms)': ms(percentile(latencies, 95)),
    p99: ms(percentile(latencies, 99)),
    max: ms(Math.max(...latencies)),
    'p95 per round': perRound.map((v) => v.toFixed(1)).join(' / ') + ' ms',
  });
  await notebooks.close();
  server.close();
}

function runClients() {
  const { io } = require('socket.io-client');
  const [, , , url, notebookId, count] = process.argv;
  let received = {};
  let authenticated = 0;
  const sockets = [];
  for (let i = 0; i < Number(count); i++) {
    const socket = io(url, { auth: { notebookId }, transports: ['websocket'], reconnection: false, forceNew: true });
    socket.on('authenticated', () => {
      if (++authenticated === Number(count)) process.send({ type: 'ready' });
    });
    socket.on('cell_stdout', (payload) => {
      const at = now();
      for (const line of payload.data.split('\n').filter(Boolean)) (received[line] ??= []).push(at);
    });
    sockets.push(socket);
  }
  process.on('message', (message) => {
    if (message.type === 'reset') {
      received = {};
      process.send({ type: 'reset' });
    } else if (message.type === 'collect') {
      // The server is idle once the cell finished; give the last frames a moment to arrive.
      const deadline = Date.now() + 2000;
      const done = () => Object.values(received).reduce((n, t) => n + t.length, 0) >= message.lines * sockets.length;
      const wait = () => (done() || Date.now() > deadline ? process.send({ type: 'received', received }) : setTimeout(wait, 10));
      wait();
    } else if (message.type === 'exit') {
      for (const socket of sockets) socket.close();
      process.exit(0);
    }
  });
}
