// Graph of 10,000 cells: build time, and editing one cell's definitions + computing what to run.
// Run: npm run build:ts && node bench/core-graph.js
'use strict';
const { DependencyGraph, planRun } = require('@rnb/core');
const { percentile, ms, report } = require('./lib');

const N = 10_000;
function makeCells(seed = 42) {
  let state = seed;
  const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const cells = [];
  for (let i = 0; i < N; i++) {
    const references = [];
    // Each cell reads up to three names defined by the 50 cells before it: a realistic, local dataflow.
    for (let k = 0; k < 3 && i > 0; k++) references.push(`v${Math.max(0, i - 1 - Math.floor(random() * 50))}`);
    cells.push({ id: `c${i}`, defines: [`v${i}`, `w${i}`], references: [...new Set(references)] });
  }
  return cells;
}

const cells = makeCells();
const position = new Map(cells.map((c, i) => [c.id, i]));
const builds = [];
let graph;
for (let round = 0; round < 7; round++) {
  const started = performance.now();
  graph = new DependencyGraph((id) => position.get(id));
  graph.load(cells);
  builds.push(performance.now() - started);
}

const edits = [];
for (let round = 0; round < 500; round++) {
  const i = 9_000 + (round % 1000);
  const cell = cells[i];
  const started = performance.now();
  // A new definition set (drops w_i, adds u_i) and a changed reference, then the run plan of that cell.
  graph.setCell(cell.id, { defines: [`v${i}`, `u${i}`], references: [`v${i - 3}`] });
  const plan = planRun(graph, { roots: [cell.id], withDescendants: true, carried: [], hasValue: () => true, staticError: () => undefined });
  edits.push(performance.now() - started);
  if (plan.runnable.length === 0) throw new Error('empty plan');
  graph.setCell(cell.id, cell);
}

const midEdits = [];
for (let round = 0; round < 200; round++) {
  const cell = cells[5_000 + round];
  const started = performance.now();
  graph.setCell(cell.id, { defines: cell.defines, references: [...cell.references, 'new_name'] });
  planRun(graph, { roots: [cell.id], withDescendants: true, carried: [], hasValue: () => true, staticError: () => undefined });
  midEdits.push(performance.now() - started);
  graph.setCell(cell.id, cell);
}

// Cell by cell, as a notebook grows by edits.
const incremental = performance.now();
const grown = new DependencyGraph((id) => position.get(id));
for (const cell of cells) grown.setCell(cell.id, cell);
const incrementalMs = performance.now() - incremental;

// A notebook of the usual shape: many short branches off a few data cells (each cell reads a data cell or a cell of its branch).
const shallow = [];
for (let i = 0; i < N; i++) {
  const branchStart = i - (i % 10);
  shallow.push({ id: `s${i}`, defines: [`s${i}`], references: i % 10 === 0 ? [`d${i % 7}`] : [`s${branchStart}`] });
}
for (let d = 0; d < 7; d++) shallow.push({ id: `d${d}`, defines: [`d${d}`], references: [] });
const shallowPosition = new Map(shallow.map((c, i) => [c.id, i]));
const shallowGraph = new DependencyGraph((id) => shallowPosition.get(id));
shallowGraph.load(shallow);
const shallowEdits = [];
for (let round = 0; round < 500; round++) {
  const cell = shallow[(round * 37) % N];
  const started = performance.now();
  shallowGraph.setCell(cell.id, { defines: [...cell.defines, `extra${round}`], references: cell.references });
  planRun(shallowGraph, { roots: [cell.id], withDescendants: true, carried: [], hasValue: () => true, staticError: () => undefined });
  shallowEdits.push(performance.now() - started);
  shallowGraph.setCell(cell.id, cell);
}

report('core: dependency graph, 10,000 cells', {
  'usual shape: edit + plan (median)': ms(percentile(shallowEdits, 50)),
  'usual shape: edit + plan (p95)': ms(percentile(shallowEdits, 95)),
  'dense: build cell by cell (setCell x 10,000)': ms(incrementalMs),
  'dense: build (load, median of 7, first excluded)': ms(percentile(builds.slice(1), 50)),
  'dense: build (load, first, cold)': ms(builds[0]),
  'dense: edit + plan, cells near the end (median)': ms(percentile(edits, 50)),
  'dense: edit + plan, ~5,000 descendants (median)': ms(percentile(midEdits, 50)),
  'dense: edit + plan, ~5,000 descendants (p95)': ms(percentile(midEdits, 95)),
  'dense: descendants of a mid-notebook cell': String(graph.descendants([cells[5000].id]).size),
});
