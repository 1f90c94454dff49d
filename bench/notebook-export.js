// Export of a 1,000-cell notebook with outputs (stdout, a 20-row table, a small image each) to .ipynb, HTML, markdown and
// the percent-format .py, and the .ipynb import back (target < 1 s each). Run: npm run build:ts && node bench/notebook-export.js
'use strict';
const { exportHtml, exportIpynb, exportMarkdown, importIpynb, notebookFileOf, writePercentNotebook, readPercentNotebook, TABLE_MIME } = require('@rnb/core');
const { ms, percentile, report } = require('./lib');

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='.repeat(20);
const notebook = {
  name: 'Bench export',
  lazy: false,
  cells: Array.from({ length: 1000 }, (_, i) => ({
    id: `cell-${i}`,
    type: i % 10 === 9 ? 'sql' : 'python',
    code: `df_${i} = load(${i})\nprint(len(df_${i}))`,
    status: 'success',
    stdout: `${i * 7}\n`,
    stderr: '',
    outputs: [
      { mime_type: TABLE_MIME, data: { type: 'table', columns: ['n', 'label', 'ok'], rows: Array.from({ length: 20 }, (_, r) => [r, `row ${r} of cell ${i}`, r % 2 === 0]) } },
      { mime_type: 'image/png', data: PNG },
    ],
    error: null,
  })),
};

function time(fn, rounds = 5) {
  const times = [];
  let result;
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    result = fn();
    times.push(performance.now() - start);
  }
  return { median: percentile(times, 50), result };
}

const ipynb = time(() => exportIpynb(notebook));
const html = time(() => exportHtml(notebook));
const md = time(() => exportMarkdown(notebook));
const py = time(() => writePercentNotebook(notebookFileOf(notebook)));
const back = time(() => importIpynb(ipynb.result));
const pyBack = time(() => readPercentNotebook(py.result));
const mb = (text) => `${(Buffer.byteLength(text) / 1e6).toFixed(1)} MB`;
report('1,000 cells with stdout, a 20-row table and an image each (median of 5)', {
  [`export .ipynb (${mb(ipynb.result)})`]: ms(ipynb.median),
  [`export HTML (${mb(html.result)})`]: ms(html.median),
  [`export markdown (${mb(md.result)})`]: ms(md.median),
  [`write .py (${mb(py.result)}, code only)`]: ms(py.median),
  'import the .ipynb back': ms(back.median),
  'read the .py back': ms(pyBack.median),
});
