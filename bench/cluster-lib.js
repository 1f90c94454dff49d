// What the cluster benchmarks share: a project folder holding a plugin package, a real redis-server and dynalite on
// loopback, and server instances (dist/main.js) as processes.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { freePort } = require('@rnb/core/testing');

const ROOT = path.resolve(__dirname, '..');
const MAIN = path.join(ROOT, 'app/server/dist/main.js');
const sleep = (t) => new Promise((resolve) => setTimeout(resolve, t));

/**
 * A temporary folder whose node_modules holds one plugin package `name` with the given source, which may use `core`
 * (core's built entry) and `testing` (core's test kit): the server loads it by name from that folder.
 */
function pluginProject(name, source) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${name}-`));
  const folder = path.join(dir, 'node_modules', name);
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, 'package.json'), JSON.stringify({ name, version: '1.0.0', main: 'index.js' }));
  const core = JSON.stringify(path.join(ROOT, 'core/dist/index.js'));
  const testing = JSON.stringify(path.join(ROOT, 'core/dist/testing/index.js'));
  fs.writeFileSync(path.join(folder, 'index.js'), `const core = require(${core}); const testing = require(${testing});\n${source}`);
  return dir;
}

/** A project folder whose plugin `rnb-bench-fake` registers core's fake language (instant runs, no kernel work). */
function fakeLanguageProject() {
  return pluginProject('rnb-bench-fake', "module.exports = () => core.definePlugin({ id: 'bench:fake', requires: { languages: core.LanguageRegistry }, activate: (_c, { languages }) => languages.register(testing.fakeLanguage()) });");
}

/**
 * The environment of a cluster-mode instance with the fake language on `services` (startServices), notebooks in the
 * DynamoDB `table` (created at start); `more` adds or overrides settings.
 */
function clusterEnv(services, table, more = {}) {
  return { REDIS_URL: services.redisUrl, NOTEBOOK_STORAGE: 'dynamodb', DYNAMODB_ENDPOINT: services.dynamoEndpoint, DYNAMODB_TABLE: table, DYNAMODB_CREATE_TABLE: 'true', NOTEBOOK_LANGUAGES: 'rnb-bench-fake', LOG_LEVEL: 'info', ...more };
}

/** redis-server (by pid file) and dynalite in `dir`, on free loopback ports; `stop()` ends both. */
async function startServices(dir) {
  if (spawnSync('sh', ['-c', 'command -v redis-server']).status !== 0) throw new Error('redis-server is not on PATH (Debian: apt-get install -y redis-server)');
  if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build:ts`);
  const redisPort = await freePort();
  const pidFile = path.join(dir, 'redis.pid');
  spawnSync('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'yes', '--pidfile', pidFile, '--dir', dir]);
  for (let i = 0; i < 50 && !fs.existsSync(pidFile); i++) await sleep(50);
  const dynalite = require('dynalite')({ createTableMs: 0 });
  await new Promise((resolve) => dynalite.listen(0, '127.0.0.1', resolve));
  return {
    redisUrl: `redis://127.0.0.1:${redisPort}`,
    dynamoEndpoint: `http://127.0.0.1:${dynalite.address().port}`,
    stop() {
      if (fs.existsSync(pidFile)) process.kill(Number(fs.readFileSync(pidFile, 'utf8').trim()), 'SIGTERM');
      dynalite.close();
    },
  };
}

/** A server instance as a process in `cwd`, resolved with its URL once it logs that it listens. */
function startInstance(cwd, env, timeoutMs = 60_000) {
  const child = spawn(process.execPath, [MAIN], {
    cwd,
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: '0', WEB_DIR: 'none', NOTEBOOK_TOKEN: '', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_REGION: 'us-east-1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (b) => (out += b));
  child.stderr.on('data', (b) => (out += b));
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const poll = setInterval(() => {
      const match = /"msg":"notebook server listening"[^\n]*"url":"([^"]+)"/.exec(out);
      if (match) {
        clearInterval(poll);
        resolve({ child, url: match[1].replace('localhost', '127.0.0.1') });
      } else if (child.exitCode !== null || Date.now() > deadline) {
        clearInterval(poll);
        child.kill('SIGKILL');
        reject(new Error(`instance did not start:\n${out}`));
      }
    }, 20);
  });
}

module.exports = { ROOT, MAIN, sleep, freePort, pluginProject, fakeLanguageProject, clusterEnv, startServices, startInstance };
