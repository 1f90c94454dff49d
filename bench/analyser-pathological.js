// Issue 19: the analysers on pathological inputs, and the server's event loop while one user stores them.
// Part 1: each input's analysis time next to two floors measured in the same run: one pass over the characters
// (the least any analyser must do) and the analyser on ordinary code of the same size; for Python also Lezer's
// parse with error recovery, which is what the analyser did before (so what a cell of it cost the server).
// Part 2: a real server (Python + SQL, 2 analysis workers); a client in a child process stores the corpus in two of
// Alice's notebooks at once while probing /healthz and Bob's notebook; the server's event-loop delay during it,
// then the same with analysis in the server's thread (languages without an analyser module: the old behaviour).
// Run: npm run build:ts && node bench/analyser-pathological.js [sizeBytes=199000]
'use strict';
const { fork } = require('node:child_process');
const http = require('node:http');
const { monitorEventLoopDelay } = require('node:perf_hooks');
const { percentile, ms, report } = require('./lib');

const SIZE = Number(process.argv[2]) || 199_000;

/** Cells of about SIZE characters each (within the default MAX_CELL_BYTES of 200,000). */
function corpus(size) {
  const fill = (unit, prefix = '', suffix = '') => prefix + unit.repeat(Math.floor((size - prefix.length - suffix.length) / unit.length)) + suffix;
  let list = 'data = [';
  for (let i = 0; list.length < size - 10; i++) list += `${i}, `;
  list += '0]';
  let lines = '';
  for (let i = 0; lines.length < size - 40; i++) lines += `v${i} = f(v${Math.max(0, i - 1)}) + ${i}\n`;
  return [
    { name: 'python: x = ...... (dots)', type: 'python', code: fill('.', 'x = ') },
    { name: 'python: x = :::::: (colons)', type: 'python', code: fill(':', 'x = ') },
    { name: 'python: x = ****** (stars)', type: 'python', code: fill('*', 'x = ') },
    { name: 'python: 10,000 unclosed (', type: 'python', code: `x = ${'('.repeat(10_000)}` },
    { name: 'python: deep ( ... ) closed', type: 'python', code: `x = ${'('.repeat(Math.floor((size - 5) / 2))}1${')'.repeat(Math.floor((size - 5) / 2))}` },
    { name: 'python: - - - - 1 (deep unary)', type: 'python', code: fill('-', 'x = ', '1') },
    { name: 'python: a + a + ... (long chain)', type: 'python', code: fill(' + a', 'x = a') },
    { name: 'python: list literal (valid)', type: 'python', code: list },
    { name: 'python: statements (valid)', type: 'python', code: lines },
    { name: 'sql: JOIN chain', type: 'sql', code: fill('JOIN b ', 'SELECT * FROM a ') },
    { name: 'sql: chained CTEs', type: 'sql', code: (() => { let s = 'WITH c0 AS (SELECT 1)'; for (let i = 1; s.length < size - 40; i++) s += `, c${i} AS (SELECT * FROM c${i - 1})`; return `${s} SELECT * FROM c0`; })() },
    { name: 'sql: ((((( unclosed', type: 'sql', code: fill('(', 'SELECT ') },
  ];
}

/** Ordinary code of about `size` characters: the linear baseline. */
function ordinary(type, size) {
  let code = '';
  for (let i = 0; code.length < size; i++) {
    code += type === 'python'
      ? `def f_${i}(rows, k=${i}):\n    return [r * k for r in rows if r > limit]\n\nresult_${i} = f_${i}(data_${i % 7})\n`
      : `SELECT a.id, b.v FROM t_${i} AS a JOIN u_${i % 5} AS b ON a.id = b.id WHERE a.x > ${i};\n`;
  }
  return code;
}

function best(fn, rounds = 3) {
  let min = Infinity;
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    fn();
    min = Math.min(min, performance.now() - started);
  }
  return min;
}

function scan(code) {
  let n = 0;
  for (let i = 0; i < code.length; i++) n += code.charCodeAt(i) === 10 ? 1 : 0;
  return n;
}

function partOne() {
  const { analysePython } = require('@rnb/plugin-python');
  const sql = require('@rnb/plugin-sql').createSqlLanguage();
  const { parser } = require('../plugins/python/dist/analyser/parser/parser');
  const analyse = { python: analysePython, sql: (code) => sql.analyse(code) };
  for (let i = 0; i < 200; i++) analysePython(ordinary('python', 2000));
  const baselines = { python: best(() => analysePython(ordinary('python', SIZE))), sql: best(() => sql.analyse(ordinary('sql', SIZE))) };
  const figures = {};
  for (const { name, type, code } of corpus(SIZE)) {
    const result = analyse[type](code);
    const ours = best(() => analyse[type](code));
    const floor = best(() => scan(code));
    let line = `${ms(ours).padStart(10)}  (scan ${ms(floor)}, ordinary ${type} of the same size ${ms(baselines[type])}`;
    if (type === 'python') line += `, Lezer with error recovery ${ms(best(() => parser.parse(code), 1))}`;
    figures[`${name}, ${(code.length / 1000).toFixed(0)} KB`] = `${line}) → ${result.error ? `error: ${result.error.message.slice(0, 60)}` : `${result.defines.length} defines, ${result.references.length} references`}`;
  }
  report(`analysers: pathological cells of about ${(SIZE / 1000).toFixed(0)} KB, best of 3`, figures);
  void sql.close();
}

async function partTwo(inThread) {
  const Koa = require('koa');
  const { definePlugin, LanguageRegistry } = require('@rnb/core');
  const { pythonLanguage } = require('@rnb/plugin-python');
  const { createSqlLanguage } = require('@rnb/plugin-sql');
  const { createNotebookServer, silentLogger } = require('@rnb/server');
  const sql = createSqlLanguage();
  const languages = [pythonLanguage(), sql].map((language) => {
    if (!inThread) return language;
    const { analyser: _module, ...rest } = language;
    return rest;
  });
  const plugin = definePlugin({ id: 'bench:languages', requires: { languages: LanguageRegistry }, activate: (_c, { languages: registry }) => languages.forEach((l) => registry.register(l)) });
  const tokens = { 'alice-token': 'alice', 'bob-token': 'bob' };
  const auth = { id: 'bench-tokens', requiresToken: true, authenticate: async (token) => ({ userId: tokens[token] ?? 'nobody' }) };
  const notebooks = await createNotebookServer({ plugins: [plugin], auth, logger: silentLogger, kernels: { warmProcesses: 0 }, limits: { analysisWorkers: 2 } });
  const app = new Koa();
  app.use(notebooks.middleware);
  const server = http.createServer(app.callback());
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;

  const child = fork(__filename, ['--client', url, String(SIZE)], { stdio: 'inherit' });
  const loop = monitorEventLoopDelay({ resolution: 1 });
  await new Promise((resolve) => child.once('message', resolve)); // ready: notebooks made, warm-up done
  loop.enable();
  child.send('go');
  const result = await new Promise((resolve) => child.once('message', resolve));
  loop.disable();
  const of = (what) => result.latencies.filter((l) => l.what === what).map((l) => l.ms);
  const figures = {
    'the corpus stored twice, two notebooks at once': `${ms(result.storeMs)} (${result.latencies.length / 3} probe rounds)`,
    'server event-loop delay: p50 / p99 / max': `${ms(loop.percentile(50) / 1e6)} / ${ms(loop.percentile(99) / 1e6)} / ${ms(loop.max / 1e6)}`,
  };
  for (const what of ['/healthz', 'Bob reads', 'Bob edits']) {
    const values = of(what);
    figures[`${what}: p50 / p95 / max`] = `${ms(percentile(values, 50))} / ${ms(percentile(values, 95))} / ${ms(Math.max(...values))}`;
  }
  report(`server while Alice stores the corpus: ${inThread ? 'analysis in the server thread (before)' : 'analysis workers (now)'}`, figures);
  await notebooks.close();
  await sql.close();
  server.close();
}

async function runClient() {
  const [, , , url, sizeText] = process.argv;
  const cells = corpus(Number(sizeText));
  const call = async (method, path, token, body) => {
    const response = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
    const text = await response.text();
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 200)}`);
    return JSON.parse(text);
  };
  const notebook = async (token) => {
    const { notebook_id: id } = await call('POST', '/api/notebooks', token, {});
    const view = await call('GET', `/api/notebooks/${id}`, token);
    return { id, cellId: view.cells[0].id };
  };
  const alice = [await notebook('alice-token'), await notebook('alice-token')];
  const bob = await notebook('bob-token');
  await call('PUT', `/api/notebooks/${bob.id}/cells/${bob.cellId}`, 'bob-token', { code: 'y = 0' });
  process.send('ready');
  await new Promise((resolve) => process.once('message', resolve));
  let storing = true;
  const started = performance.now();
  const stored = Promise.all(alice.map(async ({ id, cellId }) => {
    for (const cell of cells) {
      if (cell.type === 'python') await call('PUT', `/api/notebooks/${id}/cells/${cellId}`, 'alice-token', { code: cell.code });
      else await call('POST', `/api/notebooks/${id}/cells`, 'alice-token', { type: 'sql', code: cell.code });
    }
  })).then(() => {
    storing = false;
    return performance.now() - started;
  });
  const latencies = [];
  const timed = async (what, fn) => {
    const t = performance.now();
    await fn();
    latencies.push({ what, ms: performance.now() - t });
  };
  for (let i = 1; storing; i++) {
    await timed('/healthz', () => fetch(`${url}/healthz`).then((r) => r.text()));
    await timed('Bob reads', () => call('GET', `/api/notebooks/${bob.id}`, 'bob-token'));
    await timed('Bob edits', () => call('PUT', `/api/notebooks/${bob.id}/cells/${bob.cellId}`, 'bob-token', { code: `y = ${i}` }));
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  process.send({ latencies, storeMs: await stored });
  process.disconnect();
}

if (process.argv[2] === '--client') runClient().catch((error) => {
  console.error(error);
  process.exit(1);
});
else {
  (async () => {
    partOne();
    await partTwo(false);
    await partTwo(true);
  })().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
