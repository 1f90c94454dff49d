import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import {
  cell, cellCount, describeInBrowser, editorText, openNotebookWithCells, runAndWait, typeInto, useBrowserHost, waitForCellText, type Host,
} from './harness';
import { SHOUT_MIME, writeShoutPlugin } from './shout-plugin';

/**
 * A third-party language reaches the page through configuration alone: the "shout" plugin
 * (./shout-plugin.ts) is loaded by NOTEBOOK_PLUGINS into the real host, and Chromium shows it in
 * the add menu and the language switch, gives its cells the editor mode its browser module
 * contributes, and draws its own MIME output with its own renderer.
 */
jest.setTimeout(150_000);

describeInBrowser('a language plugin extends the page', () => {
  let dir: string;
  let host: Host;
  let page: Page;
  let pageErrors: string[];

  useBrowserHost({
    viewport: { width: 1366, height: 900 },
    env: () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnb-shout-'));
      // Kernels run as another user and must read the runtime module (mkdtemp makes the folder private).
      fs.chmodSync(dir, 0o755);
      return { NOTEBOOK_PLUGINS: writeShoutPlugin(path.join(dir, 'shout-plugin')) };
    },
  }, (started) => ({ host, page, pageErrors } = started));

  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('offers the language, gives its cells its editor mode, and renders its output with its renderer', async () => {
    await openNotebookWithCells(page, host, 'Shouting');

    // The add menu and the language switch follow the host's languages.
    const addMenu = page.getByRole('group', { name: 'Add a cell at the end' });
    expect(await addMenu.getByRole('button').allTextContents()).toEqual(['+ Python cell', '+ SQL cell', '+ Markdown cell', '+ Shout cell']);
    expect(await cell(page, 0).locator('select.cell__type option').allTextContents()).toEqual(['Python', 'SQL', 'Markdown', 'Shout']);

    await addMenu.getByRole('button', { name: '+ Shout cell' }).click();
    await page.waitForFunction(() => document.querySelectorAll('section[data-cell-id]').length === 2);
    expect(await cell(page, 1).getAttribute('aria-label')).toBe('Shout cell');
    await typeInto(page, 1, 'who = world');
    await addMenu.getByRole('button', { name: '+ Shout cell' }).click();
    await page.waitForFunction(() => document.querySelectorAll('section[data-cell-id]').length === 3);
    await typeInto(page, 2, 'hello {who}');
    expect(await editorText(page, 2)).toBe('hello {who}');

    // The browser module's StreamLanguage tokenises: its highlight style's classes are on the tokens.
    await page.waitForFunction(() => document.querySelectorAll('section[data-cell-id]')[2]?.querySelector('.cm-content .shout-name') !== null, null, { timeout: 15_000 });
    // (Bracket matching may split the token's span around the braces: join the pieces.)
    expect((await cell(page, 2).locator('.cm-content .shout-name').allTextContents()).join('')).toBe('{who}');
    expect(await cell(page, 1).locator('.cm-content .shout-defined').allTextContents()).toEqual(['who']);

    // A Python cell does not get the mode; switched to Shout, it does.
    await typeInto(page, 0, 'print({who})');
    expect(await cell(page, 0).locator('.shout-name').count()).toBe(0);
    await cell(page, 0).locator('select.cell__type').selectOption('shout');
    await page.waitForFunction(() => document.querySelectorAll('section[data-cell-id]')[0]?.getAttribute('aria-label') === 'Shout cell');
    // The mode is swapped in while the editor redraws its lines: wait for the redrawn line, then check it and the text.
    await page.waitForFunction(() => [...(document.querySelectorAll('section[data-cell-id]')[0]?.querySelectorAll('.cm-content .shout-name') ?? [])].map((el) => el.textContent).join('') === '{who}', null, { timeout: 15_000 });
    expect((await cell(page, 0).locator('.cm-content .shout-name').allTextContents()).join('')).toBe('{who}');
    expect(await editorText(page, 0)).toBe('print({who})');

    // Run: the kernel's runtime shouts, and the plugin's renderer draws the custom MIME output.
    await cell(page, 2).locator('.cm-content').click();
    expect(await runAndWait(page, 2, 90_000)).toBe('success');
    await waitForCellText(page, 2, 'HELLO WORLD');
    const rendered = cell(page, 2).locator(`[data-renderer="shout:${SHOUT_MIME}"] p.shout-output`);
    expect(await rendered.textContent()).toBe('📣 HELLO WORLD (volume 1)');
    expect(await cell(page, 2).locator('.cell__outputs').textContent()).not.toContain('no renderer');
    expect(await cellCount(page)).toBe(3);
    expect(pageErrors).toEqual([]);
  });
});
