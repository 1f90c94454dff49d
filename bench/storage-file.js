// File storage: save + load of a 200-cell notebook (target < 10 ms median) and listing 1,000 notebooks of one user (target < 100 ms).
// Run: npm run build:ts && node bench/storage-file.js
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { FileNotebookStore } = require('@rnb/storage-file');
const { percentile, ms, report } = require('./lib');

/** A notebook of `cells` cells, each with stdout and a 20-row table output, like the conformance suite's. */
function notebook(owner, id, cells) {
  const now = new Date().toISOString();
  return {
    id,
    owner,
    name: `Bench notebook ${id}`,
    settings: { sql: { connection_string: 'postgresql://bench:secret@127.0.0.1/bench' } },
    lazy: false,
    revision: 0,
    createdAt: now,
    updatedAt: now,
    cells: Array.from({ length: cells }, (_, i) => ({
      id: `cell-${i}`,
      type: 'python',
      code: `df_${i} = load(${i})\nprint(len(df_${i}))`,
      status: 'success',
      stdout: `${i * 7}\n`,
      outputs: [
        {
          mime_type: 'application/vnd.notebook.table+json',
          data: { type: 'table', columns: ['n', 'label', 'ok'], rows: Array.from({ length: 20 }, (_, r) => [r, `row ${r} of cell ${i}`, r % 2 === 0]) },
        },
      ],
      error: null,
      reads: i > 0 ? [`df_${i - 1}`] : [],
      writes: [`df_${i}`],
    })),
  };
}

/** Median and p95 of `rounds` runs of save (on the current revision) followed by get. */
async function saveAndLoad(store, doc, rounds) {
  const both = [];
  const saves = [];
  const loads = [];
  let current = doc;
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    const saved = await store.save({ ...current, name: `round ${i}` }, { expectedRevision: current.revision });
    const afterSave = performance.now();
    current = await store.get(doc.owner, doc.id);
    const done = performance.now();
    saves.push(afterSave - started);
    loads.push(done - afterSave);
    both.push(done - started);
    if (current.revision !== saved.revision) throw new Error('read back another revision');
  }
  return { both, saves, loads, last: current };
}

async function listing(store, owner, rounds) {
  const times = [];
  let count = 0;
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    count = (await store.list(owner)).length;
    times.push(performance.now() - started);
  }
  return { times, count };
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnb-bench-file-'));
  try {
    const store = await FileNotebookStore.open({ dir });
    const big = await store.create(notebook('bench-user', 'big', 200));
    const size = fs.statSync(path.join(dir, fs.readdirSync(dir)[0], 'big', 'rev-0.json')).size;
    const { last } = await saveAndLoad(store, big, 5); // warm-up
    const { both, saves, loads } = await saveAndLoad(store, last, 60);

    const owner = 'bench-lister';
    for (let i = 0; i < 1000; i += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, k) => store.create(notebook(owner, `nb-${i + k}`, 5))));
    }
    const first = await listing(store, owner, 1);
    const warm = await listing(store, owner, 20);
    if (warm.count !== 1000) throw new Error(`listed ${warm.count} notebooks, expected 1000`);

    report('file storage (fsync on every save)', {
      '200-cell notebook file size': `${(size / 1024).toFixed(0)} KB`,
      'save + load, median (target < 10 ms)': ms(percentile(both, 50)),
      'save + load, p95': ms(percentile(both, 95)),
      'save alone, median': ms(percentile(saves, 50)),
      'load alone, median': ms(percentile(loads, 50)),
      'list 1,000 notebooks, first (target < 100 ms)': ms(first.times[0]),
      'list 1,000 notebooks, median (target < 100 ms)': ms(percentile(warm.times, 50)),
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// The DynamoDB benchmark uses the same notebooks and measurements.
module.exports = { notebook, saveAndLoad, listing };

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
