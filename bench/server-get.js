// 200 notebooks opened over HTTP at once: latency of GET /api/notebooks/{id}, all 200 requests in flight together
// (target: p95 < 50 ms). File storage in a temporary folder; the first round loads every notebook from disk.
// The HTTP client runs in a child process. Run: npm run build:ts && node bench/server-get.js [notebooks=200] [cells=20] [rounds=5]
'use strict';
const { fork } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { percentile, ms, report, embeddedServer } = require('./lib');

const NOTEBOOKS = Number(process.argv[2]) || 200;
const CELLS = Number(process.argv[3]) || 20;
const ROUNDS = Number(process.argv[4]) || 5;

if (process.argv[2] === '--client') runClient();
else runServer().catch((error) => {
  console.error(error);
  process.exit(1);
});

async function runServer() {
  const Koa = require('koa');
  const { definePlugin, LanguageRegistry } = require('@rnb/core');
  const { fakeLanguage } = require('@rnb/core/testing');
  const { fileStoragePlugin } = require('@rnb/storage-file');
  const { silentLogger } = require('@rnb/server');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnb-bench-get-'));
  const fake = definePlugin({ id: 'bench:fake', requires: { languages: LanguageRegistry }, activate: (_c, { languages }) => languages.register(fakeLanguage()) });
  const { notebooks, server } = await embeddedServer({ plugins: [fake, fileStoragePlugin({ dir })], logger: silentLogger });
  const ids = [];
  for (let n = 0; n < NOTEBOOKS; n++) {
    const view = await notebooks.service.createNotebook('local', { name: `notebook ${n}` });
    for (let c = 0; c < CELLS; c++) await notebooks.service.createCell('local', view.id, { type: 'fake', code: `x${c} = ${c}\nprint "cell ${c} of notebook ${n}"` });
    ids.push(view.id);
  }
  // Forget them: round one opens every notebook from storage, as after a restart.
  for (const id of ids) await notebooks.service.release(id);
  const url = `http://127.0.0.1:${server.address().port}`;

  const rounds = await measure(url, ids);
  const warm = rounds.slice(1).flat();
  // The floor of this machine and client: a bare Koa app answering one notebook's JSON to the same 200 requests.
  const sample = await notebooks.commands.dispatch('local', ids[0], { type: 'get_notebook' });
  const bare = new Koa();
  bare.use((ctx) => {
    ctx.body = sample;
  });
  const bareServer = http.createServer(bare.callback());
  await new Promise((resolve) => bareServer.listen(0, '127.0.0.1', resolve));
  const bareWarm = (await measure(`http://127.0.0.1:${bareServer.address().port}`, ids)).slice(1).flat();
  bareServer.close();
  report(`server: ${NOTEBOOKS} notebooks (${CELLS} cells each) opened over HTTP at once, GET latency`, {
    'first round, from file storage: p50': ms(percentile(rounds[0], 50)),
    'first round, from file storage: p95': ms(percentile(rounds[0], 95)),
    [`next ${ROUNDS - 1} rounds, open notebooks: p50`]: ms(percentile(warm, 50)),
    [`next ${ROUNDS - 1} rounds, open notebooks: p95 (target < 50 ms)`]: ms(percentile(warm, 95)),
    'floor: bare Koa, same body and client, p50': ms(percentile(bareWarm, 50)),
    'floor: bare Koa, same body and client, p95': ms(percentile(bareWarm, 95)),
  });
  await notebooks.close();
  server.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Runs the HTTP client in a child process (so it does not share the server's event loop): latencies per round. */
async function measure(url, ids) {
  const child = fork(__filename, ['--client', url, JSON.stringify(ids), String(ROUNDS)], { stdio: 'inherit' });
  const { rounds } = await new Promise((resolve) => child.once('message', resolve));
  return rounds;
}

async function runClient() {
  const [, , , url, idsJson, roundsText] = process.argv;
  const ids = JSON.parse(idsJson);
  const agent = new http.Agent({ keepAlive: true, maxSockets: ids.length });
  const get = (id) =>
    new Promise((resolve, reject) => {
      const started = performance.now();
      http
        .get(`${url}/api/notebooks/${id}`, { agent }, (res) => {
          let size = 0;
          res.on('data', (chunk) => (size += chunk.length));
          res.on('end', () => (res.statusCode === 200 && size > 0 ? resolve(performance.now() - started) : reject(new Error(`status ${res.statusCode}`))));
        })
        .on('error', reject);
    });
  const rounds = [];
  for (let round = 0; round < Number(roundsText); round++) rounds.push(await Promise.all(ids.map(get)));
  process.send({ rounds });
  agent.destroy();
  process.exit(0);
}
