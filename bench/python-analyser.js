// Python analyser speed: a 50-line cell (target < 2 ms median) and a 1,000-cell notebook (target < 2 s), in this
// thread and through core's AnalysisPool (worker threads, as the server analyses).
// Run: npm run build:ts && node bench/python-analyser.js
'use strict';
const { analysePython } = require('@rnb/plugin-python');
const { percentile, ms, report } = require('./lib');

/** A realistic 50-line cell: imports, a class, functions, comprehensions, f-strings, a match. */
function cell(n) {
  return [
    `import math`,
    `from collections import defaultdict as _dd`,
    `import data_${n % 7}.loader as loader_${n}`,
    ``,
    `THRESHOLD_${n} = base_${n % 13} * 2`,
    ``,
    `class Model${n}:`,
    `    """A model."""`,
    `    scale: float = 1.5`,
    `    def __init__(self, rows, *, weight=DEFAULT_WEIGHT):`,
    `        self.rows = [r for r in rows if r is not None]`,
    `        self.weight = weight`,
    `    def score(self, x):`,
    `        total = 0`,
    `        for i, row in enumerate(self.rows):`,
    `            if (v := row.get("v")) and v > THRESHOLD_${n}:`,
    `                total += v * self.scale`,
    `        return total / max(1, len(self.rows))`,
    ``,
    `def summarise_${n}(frame, key="id"):`,
    `    groups = _dd(list)`,
    `    for rec in frame:`,
    `        groups[rec[key]].append(rec)`,
    `    return {k: sum(r["amount"] for r in rs) for k, rs in groups.items()}`,
    ``,
    `def classify_${n}(value):`,
    `    match value:`,
    `        case {"kind": "a", **rest}:`,
    `            return ("a", rest)`,
    `        case [first, *others] if first > limit_${n % 5}:`,
    `            return ("list", others)`,
    `        case Point(x=0, y=yy):`,
    `            return ("point", yy)`,
    `        case _:`,
    `            return None`,
    ``,
    `try:`,
    `    model_${n} = Model${n}(rows_${n % 11})`,
    `except (ValueError, TypeError) as err:`,
    `    print(f"failed: {err!r} at {THRESHOLD_${n}:.2f}")`,
    `    model_${n} = None`,
    ``,
    `scores_${n} = [model_${n}.score(x) for x in range(10)] if model_${n} else []`,
    `summary_${n} = summarise_${n}(records_${n % 3})`,
    `label_${n} = lambda s, k=THRESHOLD_${n}: f"{s}-{k}-{suffix}"`,
    `with open_resource(path_${n}) as (fh, meta_${n}):`,
    `    text_${n} = fh.read()`,
    `weights_${n} = {name: math.sqrt(w) for name, w in zip(names, raw_weights)}`,
    `result_${n} = classify_${n}(summary_${n})`,
    `result_${n}`,
  ].join('\n');
}

const sample = cell(0);
if (sample.split('\n').length !== 50) throw new Error(`the sample cell has ${sample.split('\n').length} lines`);
const check = analysePython(sample);
if (check.error) throw new Error(`the sample does not analyse: ${JSON.stringify(check.error)}`);

for (let i = 0; i < 300; i++) analysePython(cell(i)); // warm the JIT
const single = [];
for (let i = 0; i < 2000; i++) {
  const code = cell(i);
  const started = performance.now();
  analysePython(code);
  single.push(performance.now() - started);
}

// A notebook of 1,000 cells: a quarter of them 50-line cells, the rest short ones.
const notebook = [];
for (let i = 0; i < 1000; i++) notebook.push(i % 4 === 0 ? cell(i) : `v${i} = v${i - 1} + f(${i}) if ${i} else 0\nprint(v${i})`);
const whole = [];
for (let round = 0; round < 5; round++) {
  const started = performance.now();
  for (const code of notebook) analysePython(code);
  whole.push(performance.now() - started);
}

(async () => {
  // The same through core's AnalysisPool, as the server does it: worker threads, cells batched per message.
  const { AnalysisPool } = require('@rnb/core');
  const { pythonLanguage } = require('@rnb/plugin-python');
  const language = pythonLanguage();
  const pool = new AnalysisPool();
  pool.warm([language]);
  await pool.analyse(language, 'x = 1');
  const pooled = [];
  for (let round = 0; round < 5; round++) {
    const started = performance.now();
    await pool.analyseMany(notebook.map((code) => ({ language, code })));
    pooled.push(performance.now() - started);
  }
  const edits = [];
  for (let i = 0; i < 500; i++) {
    const started = performance.now();
    await pool.analyse(language, cell(i));
    edits.push(performance.now() - started);
  }
  await pool.close();
  report('python: analyser', {
    '50-line cell (median of 2,000)': ms(percentile(single, 50)),
    '50-line cell (p95)': ms(percentile(single, 95)),
    '1,000-cell notebook, 250 long + 750 short (median of 5)': ms(percentile(whole, 50)),
    '1,000 cells all 50 lines (estimate from the median)': ms(percentile(single, 50) * 1000),
    'the 1,000-cell notebook through the AnalysisPool (2 workers, batches; median of 5)': ms(percentile(pooled, 50)),
    'one 50-line edit through the AnalysisPool, round trip (median of 500)': ms(percentile(edits, 50)),
    'one 50-line edit through the AnalysisPool, round trip (p95)': ms(percentile(edits, 95)),
  });
})();
