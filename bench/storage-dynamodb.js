// DynamoDB storage against dynalite on 127.0.0.1 (in this process): save + load of a 200-cell notebook (target < 50 ms median)
// and listing 1,000 notebooks of one user (target < 100 ms).
// Run: npm run build:ts && node bench/storage-dynamodb.js
'use strict';
const { DynamoDbNotebookStore } = require('@rnb/storage-dynamodb');
const { percentile, ms, report } = require('./lib');
const { notebook, saveAndLoad, listing } = require('./storage-file');

async function main() {
  let dynalite;
  try {
    dynalite = require('dynalite');
  } catch {
    console.error('dynalite is not installed (a devDependency of @rnb/storage-dynamodb): run npm install.');
    process.exit(1);
  }
  const server = dynalite({ createTableMs: 0 });
  await new Promise((resolve, reject) => server.listen(0, '127.0.0.1', (error) => (error ? reject(error) : resolve())));
  const store = new DynamoDbNotebookStore({ table: 'bench-notebooks', endpoint: `http://127.0.0.1:${server.address().port}` });
  try {
    await store.createTable();
    const big = await store.create(notebook('bench-user', 'big', 200));
    const { last } = await saveAndLoad(store, big, 5); // warm-up
    const { both, saves, loads } = await saveAndLoad(store, last, 40);

    const owner = 'bench-lister';
    for (let i = 0; i < 1000; i += 25) {
      await Promise.all(Array.from({ length: 25 }, (_, k) => store.create(notebook(owner, `nb-${i + k}`, 5))));
    }
    const first = await listing(store, owner, 1);
    const warm = await listing(store, owner, 20);
    if (warm.count !== 1000) throw new Error(`listed ${warm.count} notebooks, expected 1000`);

    report('DynamoDB storage (dynalite, in-process, 127.0.0.1)', {
      'save + load, median (target < 50 ms)': ms(percentile(both, 50)),
      'save + load, p95': ms(percentile(both, 95)),
      'save alone, median': ms(percentile(saves, 50)),
      'load alone, median': ms(percentile(loads, 50)),
      'list 1,000 notebooks, first (target < 100 ms)': ms(first.times[0]),
      'list 1,000 notebooks, median (target < 100 ms)': ms(percentile(warm.times, 50)),
    });
  } finally {
    await store.close();
    await new Promise((resolve) => server.close(resolve));
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
