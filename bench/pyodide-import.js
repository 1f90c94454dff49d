// Issue 21: `import <package>` on a cold Python kernel (no warm process: the notebook waits for a new one) with the
// package cache warm, from the cell's start to its first result, beside a cold kernel's plain first result and a
// native CPython import measured in the same run.
// pandas itself cannot be downloaded on this machine (no route to the Pyodide package host), so the packages are
// pure-Python wheels built here with Python's zipfile and served from 127.0.0.1 as a Pyodide package host: a tiny one,
// one of the size of pandas' Pyodide wheel (≈ 12 MB of data standing in for its compiled parts: the cost of moving,
// checking and unpacking it), and one of 200 modules of source, all imported (the cost of compiling Python in wasm;
// Pyodide's own wheels ship byte-code, so they compile less).. The host is stopped
// before the measured runs: they load from the cache only.
// Run: npm run build:ts && node bench/pyodide-import.js
'use strict';
const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { createTestKernel, notebookWith } = require('@rnb/core/testing');
const { pythonLanguage } = require('@rnb/plugin-python');
const { percentile, ms, report } = require('./lib');

const ROUNDS = 3;

/**
 * A pure-Python wheel of `modules` modules of about `moduleBytes` each, plus `dataBytes` of incompressible data
 * (standing in for the compiled parts of a real package, which weigh in the download and the unpacking but are not
 * compiled at import), built with Python's own zipfile.
 */
function buildWheel(dir, name, modules, moduleBytes, dataBytes = 0) {
  const script = `
import sys, zipfile
import os
name, modules, size, out, data = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
info = f"{name}-1.0.0.dist-info"
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    body = "".join(f"def f{i}(x):\\n    return x + {i}\\n" for i in range(max(1, size // 32)))
    for m in range(modules):
        z.writestr(f"{name}/m{m}.py", body)
    z.writestr(f"{name}/__init__.py", "".join(f"from . import m{m}\\n" for m in range(modules)) + "def greet(who):\\n    return f'hello, {who}'\\n")
    if data:
        z.writestr(f"{name}/data.bin", os.urandom(data))
    z.writestr(f"{info}/METADATA", f"Metadata-Version: 2.1\\nName: {name}\\nVersion: 1.0.0\\n")
    z.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n")
    z.writestr(f"{info}/RECORD", "")
`;
  const fileName = `${name}-1.0.0-py3-none-any.whl`;
  const out = path.join(dir, fileName);
  const result = spawnSync('python3', ['-c', script, name, String(modules), String(moduleBytes), out, String(dataBytes)], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`building ${fileName} failed: ${result.stderr}`);
  const bytes = fs.readFileSync(out);
  return { name, fileName, bytes, sha256: crypto.createHash('sha256').update(bytes).digest('hex') };
}

async function firstResult(kernel, owner, code, expected) {
  const nb = await notebookWith(kernel, owner, [code], 'python');
  const started = performance.now();
  await nb.run(0);
  const elapsed = performance.now() - started;
  const [cell] = await nb.state();
  if (cell.text !== expected) throw new Error(`unexpected result: ${JSON.stringify(cell)}`);
  return elapsed;
}

/** A cold kernel (no warm process) per round: the time from opening the notebook's cell run to its first result. */
async function coldRounds(language, code, expected) {
  const times = [];
  for (let i = 0; i < ROUNDS; i++) {
    const kernel = await createTestKernel({ languages: [language], manager: { warmProcesses: 0 } });
    try {
      times.push(await firstResult(kernel, `cold${i}`, code, expected));
    } finally {
      await kernel.close();
    }
  }
  return times;
}

// The interpreter with the data packages: Debian's (python3-pandas) where it is there, else the one on PATH.
const NATIVE_PYTHON = process.env.RNB_NATIVE_PYTHON || (fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');

function native(module) {
  const started = performance.now();
  const result = spawnSync(NATIVE_PYTHON, ['-c', `import ${module}`], { encoding: 'utf8' });
  const elapsed = performance.now() - started;
  return result.status === 0 ? ms(elapsed) : `not installed here (${(result.stderr.trim().split('\n').pop() ?? '').slice(0, 60)})`;
}

(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnb-bench-import-'));
  const cacheDir = path.join(dir, 'cache');
  const small = buildWheel(dir, 'benchsmall', 1, 200);
  const large = buildWheel(dir, 'benchlarge', 1, 200, 12_000_000);
  const source = buildWheel(dir, 'benchsource', 200, 8_000);
  const lock = { info: {}, packages: {} };
  for (const w of [small, large, source]) {
    lock.packages[w.name] = { name: w.name, version: '1.0.0', file_name: w.fileName, sha256: w.sha256, imports: [w.name], depends: [], package_type: 'package', install_dir: 'site' };
  }
  const files = new Map([['/pyodide-lock.json', Buffer.from(JSON.stringify(lock))], [`/${small.fileName}`, small.bytes], [`/${large.fileName}`, large.bytes], [`/${source.fileName}`, source.bytes]]);
  const server = http.createServer((req, res) => {
    const body = files.get(req.url);
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}/`;
  const language = pythonLanguage({ packageBaseUrl: url, packageCacheDir: cacheDir, pypiIndexUrl: 'none' });

  // Warm the cache once (downloads through the server's service), then take the host away.
  const warmFirst = await coldRounds(language, 'import benchsmall, benchlarge, benchsource\nbenchlarge.greet("cache")', "'hello, cache'");
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));

  const baseline = await coldRounds(language, '6 * 7', '42');
  const smallTimes = await coldRounds(language, 'import benchsmall\nbenchsmall.greet("x")', "'hello, x'");
  const largeTimes = await coldRounds(language, 'import benchlarge\nbenchlarge.greet("x")', "'hello, x'");
  const sourceTimes = await coldRounds(language, 'import benchsource\nbenchsource.greet("x")', "'hello, x'");

  report('python: import on a cold Pyodide kernel, package cache warm, host stopped (median of 3)', {
    'first result, no import (cold kernel)': ms(percentile(baseline, 50)),
    [`import benchsmall (${(small.bytes.length / 1e3).toFixed(1)} kB wheel)`]: ms(percentile(smallTimes, 50)),
    [`import benchlarge (${(large.bytes.length / 1e6).toFixed(1)} MB wheel: pandas' size, 1 module)`]: ms(percentile(largeTimes, 50)),
    [`import benchsource (${(source.bytes.length / 1e3).toFixed(0)} kB wheel, 200 modules of 8 kB source)`]: ms(percentile(sourceTimes, 50)),
    'first load with download (the three wheels, cold)': ms(warmFirst[0]),
    [`native CPython: ${NATIVE_PYTHON} -c "import pandas"`]: native('pandas'),
    [`native CPython: ${NATIVE_PYTHON} -c "import numpy"`]: native('numpy'),
    'pandas on Pyodide': 'not measured: its wheels cannot be downloaded on this machine',
  });
  fs.rmSync(dir, { recursive: true, force: true });
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
