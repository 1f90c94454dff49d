// Issue 21: a live table of 1,000,000 records (a list of dicts, the table Pyodide has without pandas) sorted by a text
// column in Pyodide (WebAssembly): the kernel's own code (python/rnb_table_views.py, loaded into Pyodide as the kernel
// loads it) asked for pages as `table_page` asks, beside the floor in the same run, Python's sorted() of that column's
// values alone, and the code before (a sort of the dicts with tuple keys per value). Python in Pyodide without the
// kernel process around it: what the sort costs, not the channel (bench/live-table-sort.js times a click in Chromium).
// Run: node bench/records-sort-pyodide.js [rows=1000000]
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { ms, report } = require('./lib');

const ROWS = Number(process.argv[2]) || 1_000_000;

(async () => {
  const { loadPyodide } = require('pyodide');
  const py = await loadPyodide();
  const views = path.join(__dirname, '..', 'plugins', 'python', 'python', 'rnb_table_views.py');
  py.FS.writeFile('/home/pyodide/rnb_table_views.py', fs.readFileSync(views, 'utf8'));
  const figures = JSON.parse(py.runPython(`
import json, random, sys, time
sys.path.insert(0, '/home/pyodide')
import rnb_table_views as views
random.seed(21)
perm = list(range(${ROWS})); random.shuffle(perm)
rows = [{"id": i, "name": "n%07d" % p} for i, p in enumerate(perm)]
keys = {}  # what the table keeps for one version of its value
def page(descending, offset):
    return views.records_view(rows, "", {"column": 1, "descending": descending}, keys)[1].page(offset, 100)
def timed(action):
    started = time.perf_counter(); action(); return (time.perf_counter() - started) * 1000
def before():
    def record_key(value):
        if isinstance(value, bool): return (0, int(value), "")
        if isinstance(value, (int, float)): return (0, value, "")
        return (1, 0, str(value))
    present = [r for r in rows if r.get("name") is not None and r.get("name") == r.get("name")]
    present.sort(key=lambda r: record_key(r.get("name")))
json.dumps({
    "first page, ascending (columns and values read, first rows selected)": timed(lambda: page(False, 0)),
    "first page, descending (values kept, first rows selected)": timed(lambda: page(True, 0)),
    "page at the middle, ascending (whole order made)": timed(lambda: page(False, ${ROWS} // 2)),
    "page at the middle, descending (from the kept ascending order)": timed(lambda: page(True, ${ROWS} // 2)),
    "page at the middle, ascending again (kept)": timed(lambda: page(False, ${ROWS} // 2)),
    "floor: sorted() of the column's values alone": timed(lambda: sorted(r["name"] for r in rows)),
    "before: the dicts sorted with tuple keys": timed(before),
})
`));
  report(`python: ${ROWS.toLocaleString('en-US')} records sorted by a text column in Pyodide (rnb_table_views.py)`, Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, ms(v)])));
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
