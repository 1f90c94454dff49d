/**
 * Real notebooks from public projects, as Debian ships them: the Jupyter Notebook's own example
 * notebooks (python-notebook-doc), nbconvert's library tutorial (python-nbconvert-doc) and
 * matplotlib's nbagg notebooks (python3-matplotlib), from under 1 KB to about 100 KB, with
 * markdown, code, images, HTML and error outputs. They are read where Debian installs them
 * (`.ci/run` installs the packages), never copied into the repository.
 *
 * Each must import with every cell kept, export as an nbformat 4 notebook that nbformat itself
 * validates with the same cell sources, re-import identically, and survive the text format.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describeNeeding } from '../testing/describe-needing';
import { exportHtml } from './html-export';
import { exportIpynb, importIpynb } from './ipynb';
import { fileOf } from './portable';
import { readPercentNotebook, writePercentNotebook } from './percent-format';

const NOTEBOOK_EXAMPLES = '/usr/share/doc/python-notebook-doc/html/examples/Notebook';
const NBCONVERT_TUTORIAL = '/usr/share/doc/python-nbconvert-doc/html/nbconvert_library.ipynb.gz';
const MATPLOTLIB_NOTEBOOKS = [
  '/usr/lib/python3/dist-packages/matplotlib/tests/test_nbagg_01.ipynb',
  '/usr/lib/python3/dist-packages/matplotlib/backends/web_backend/nbagg_uat.ipynb',
];
const NBFORMAT_PYTHON = '/usr/bin/python3';

function publicNotebookPaths(): string[] {
  const paths: string[] = [];
  if (existsSync(NOTEBOOK_EXAMPLES)) {
    for (const name of readdirSync(NOTEBOOK_EXAMPLES)) {
      if (name.endsWith('.ipynb') || name.endsWith('.ipynb.gz')) paths.push(join(NOTEBOOK_EXAMPLES, name));
    }
  }
  for (const path of [NBCONVERT_TUTORIAL, ...MATPLOTLIB_NOTEBOOKS]) if (existsSync(path)) paths.push(path);
  return paths.sort();
}

function readNotebookText(path: string): string {
  const bytes = readFileSync(path);
  return (path.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
}

/** What nbformat itself makes of a notebook: validated, then each cell's type and source. */
function nbformatCells(text: string): { type: string; source: string }[] {
  const script = [
    'import json, sys, nbformat',
    'nb = nbformat.reads(sys.stdin.read(), as_version=4)',
    'nbformat.validate(nb)',
    'print(json.dumps([{"type": c.cell_type, "source": c.source} for c in nb.cells]))',
  ].join('\n');
  const result = spawnSync(NBFORMAT_PYTHON, ['-c', script], { input: text, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`nbformat refused the notebook: ${result.stderr}`);
  return JSON.parse(result.stdout) as { type: string; source: string }[];
}

const paths = publicNotebookPaths();
const nbformatReady = spawnSync(NBFORMAT_PYTHON, ['-c', 'import nbformat'], { encoding: 'utf8' }).status === 0;
const missing =
  paths.length < 10
    ? `only ${paths.length} public notebooks found (apt-get install python-notebook-doc python-nbconvert-doc python3-matplotlib)`
    : nbformatReady
      ? null
      : 'python3-nbformat is not installed (apt-get install python3-nbformat)';

describeNeeding('real notebooks from public projects', missing, () => {
  it.each(paths.map((path) => [path.split('/').pop()!, path]))('%s: imports, exports valid nbformat 4, and round-trips', (_name, path) => {
    const original = readNotebookText(path);
    const expected = nbformatCells(original);
    const imported = importIpynb(original, 'public');
    // Every cell kept, in order, with its source (raw cells become markdown text: we have no raw type).
    expect(imported.notebook.cells.map((c) => c.code)).toEqual(expected.map((c) => c.source));
    expect(imported.notebook.cells.map((c) => (c.type === 'markdown' ? 'markdown' : 'code'))).toEqual(
      expected.map((c) => (c.type === 'code' ? 'code' : 'markdown')),
    );

    const exported = exportIpynb(imported.notebook);
    expect(nbformatCells(exported).map((c) => c.source)).toEqual(expected.map((c) => c.source));
    expect(importIpynb(exported).notebook).toEqual(imported.notebook);

    const file = fileOf(imported.notebook);
    expect(readPercentNotebook(writePercentNotebook(file))).toEqual(file);

    const html = exportHtml(imported.notebook);
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<script(?![^>]*type="application\/json")/i);
  });
});
