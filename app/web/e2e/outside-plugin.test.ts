import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import {
  cell, describeInBrowser, editorText, openNotebookWithCells, runAndWait, typeInto, useBrowserHost, waitForCellText, type Host,
} from './harness';

/**
 * "A language plugin outside the repository reaches the page with its own editor mode and
 * renderer, by the README alone" (issue 20), proved as a third party would: the package in
 * ./fixtures/outside-plugin (rnb-tally, written from core/README.md and the root README's plugin
 * and configuration sections only) is copied to a folder outside the repository, gets @rnb/core
 * the way core/README.md tells an outside package (a link to the built checkout, no network),
 * is built with its own tsconfig by `tsc -p`, and is loaded by a config file entry
 * `["/abs/path/rnb-tally", { options }]`. Chromium then shows the language (named by an option)
 * in the add menu, highlights its cells with the mode of its browser module, runs a cell in the
 * kernel and draws its custom MIME output with its own renderer.
 */
jest.setTimeout(180_000);

const REPO = path.resolve(__dirname, '../../..');
const FIXTURE = path.join(__dirname, 'fixtures', 'outside-plugin');
const TALLY_MIME = 'application/vnd.tally+json';

/** Every module the package's sources import: only core's public entries and Node's own. */
function importsOf(dir: string): string[] {
  const found = new Set<string>();
  for (const file of fs.readdirSync(dir)) {
    const source = fs.readFileSync(path.join(dir, file), 'utf8');
    for (const match of source.matchAll(/(?:from\s+|require\(\s*|import\(\s*)['"]([^'"]+)['"]/g)) found.add(match[1]!);
  }
  return [...found].sort();
}

/** What `npm install` would put in the package's node_modules, linked from the checkout (core is not published). */
function linkDevDependencies(packageDir: string): void {
  const link = (name: string, target: string): void => {
    const at = path.join(packageDir, 'node_modules', name);
    fs.mkdirSync(path.dirname(at), { recursive: true });
    fs.symlinkSync(target, at, 'dir');
  };
  link('@rnb/core', path.join(REPO, 'core'));
  link('typescript', path.dirname(require.resolve('typescript/package.json')));
  link('@types/node', path.dirname(require.resolve('@types/node/package.json')));
}

describeInBrowser('a language plugin from outside the repository, by the README alone', () => {
  let root: string;
  let packageDir: string;
  let host: Host;
  let page: Page;
  let pageErrors: string[];

  /** What `npm run build` in the package does: its own tsconfig, against core's built types. Throws when it fails. */
  function buildPackage(): void {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'rnb-outside-'));
    // The kernel runs as another user and must read the runtime module (mkdtemp makes the folder private).
    fs.chmodSync(root, 0o755);
    packageDir = path.join(root, 'rnb-tally');
    fs.cpSync(FIXTURE, packageDir, { recursive: true, filter: (source) => !/[/\\](dist|node_modules)$/.test(source) });
    linkDevDependencies(packageDir);
    const build = spawnSync(process.execPath, [path.join(packageDir, 'node_modules/typescript/bin/tsc'), '-p', packageDir], { encoding: 'utf8' });
    if (build.status !== 0 || `${build.stdout}${build.stderr}` !== '') throw new Error(`The package's own build failed (status ${build.status}):\n${build.stdout}${build.stderr}`);
    for (const dir of [packageDir, path.join(packageDir, 'dist')]) fs.chmodSync(dir, 0o755);
  }

  useBrowserHost({
    viewport: { width: 1366, height: 900 },
    // Built before the host starts; loaded by a config file entry with options.
    env: () => {
      buildPackage();
      const configFile = path.join(root, 'notebook.config.json');
      fs.writeFileSync(configFile, JSON.stringify({ NOTEBOOK_PLUGINS: [[packageDir, { displayName: 'Tally (outside)', unit: 'pts' }]] }));
      return { NOTEBOOK_CONFIG: configFile };
    },
  }, (started) => ({ host, page, pageErrors } = started));

  afterAll(() => {
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('builds against @rnb/core, loads from a config file entry with options, and extends the page', async () => {
    expect(importsOf(path.join(FIXTURE, 'src'))).toEqual(['@rnb/core', '@rnb/core/browser', 'node:path']);
    // The kernel and the browser read these files alone: neither may import core at run time.
    expect(fs.readFileSync(path.join(packageDir, 'dist/runtime.js'), 'utf8')).not.toMatch(/require\(["']@rnb/);
    expect(fs.readFileSync(path.join(packageDir, 'dist/browser.mjs'), 'utf8')).not.toMatch(/\bimport\b[^(]*['"]/);
    await openNotebookWithCells(page, host, 'Tallies');

    // The menus name the language as the config file's options told the factory.
    const addMenu = page.getByRole('group', { name: 'Add a cell at the end' });
    expect(await addMenu.getByRole('button').allTextContents()).toContain('+ Tally (outside) cell');
    await addMenu.getByRole('button', { name: '+ Tally (outside) cell' }).click();
    await page.waitForFunction(() => document.querySelectorAll('section[data-cell-id]').length === 2);
    expect(await cell(page, 1).getAttribute('aria-label')).toBe('Tally (outside) cell');
    await typeInto(page, 1, 'apples = 2 + 3');
    await addMenu.getByRole('button', { name: '+ Tally (outside) cell' }).click();
    await page.waitForFunction(() => document.querySelectorAll('section[data-cell-id]').length === 3);
    await typeInto(page, 2, '$apples + 4');
    await page.keyboard.press('Enter');
    await page.keyboard.type('10');
    expect(await editorText(page, 2)).toBe('$apples + 4\n10');

    // The browser module's mode tokenises the cells: its highlight classes are on the tokens.
    await page.waitForFunction(() => document.querySelectorAll('section[data-cell-id]')[2]?.querySelector('.cm-content .tally-reference') !== null, null, { timeout: 15_000 });
    expect(await cell(page, 2).locator('.cm-content .tally-reference').allTextContents()).toEqual(['$apples']);
    expect(await cell(page, 2).locator('.cm-content .tally-number').allTextContents()).toEqual(['4', '10']);
    expect(await cell(page, 1).locator('.cm-content .tally-number').allTextContents()).toEqual(['2', '3']);
    expect(await cell(page, 0).locator('.tally-number').count()).toBe(0);

    // Run in the kernel; the package's renderer draws its MIME type, with the unit from the options.
    await cell(page, 2).locator('.cm-content').click();
    expect(await runAndWait(page, 2, 90_000)).toBe('success');
    await waitForCellText(page, 2, '10 pts');
    const rendered = cell(page, 2).locator(`[data-renderer="tally:${TALLY_MIME}"] ol.tally-output li`);
    expect(await rendered.allTextContents()).toEqual(['||||||||| 9 pts', '|||||||||| 10 pts']);
    expect(pageErrors).toEqual([]);
  });
});
