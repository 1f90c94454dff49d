// Runs every benchmark script in this folder, one after another.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const only = process.argv[2];
for (const file of fs.readdirSync(__dirname).sort()) {
  if (!file.endsWith('.js') || ['lib.js', 'cluster-lib.js', 'coedit-browser.js', 'run-all.js', 'page-profile.js'].includes(file)) continue;
  if (only && !file.includes(only)) continue;
  console.log(`\n=== ${file}`);
  const result = spawnSync(process.execPath, [path.join(__dirname, file)], { stdio: 'inherit' });
  if (result.status !== 0) console.log(`(${file} exited with ${result.status})`);
}
