import type { Page } from 'playwright-core';
import { cell, describeInBrowser, editorText, openNotebookWithCells, useBrowserHost, type Host } from './harness';

/**
 * Find and replace within one cell (issue 25, "Editor"), typed at full speed in Chromium: Ctrl+F opens the cell's
 * search panel, a regular expression with match case replaces every match at once, and one Ctrl+Z undoes the whole
 * replace-all; the other cells are not touched. (Across the notebook: editor-features.test.ts.)
 */
jest.setTimeout(120_000);

describeInBrowser('find and replace within a cell', () => {
  let host: Host;
  let page: Page;
  useBrowserHost({}, (started) => ({ host, page } = started));

  it('replaces every regex match of the cell, case-sensitive, as one edit that one Ctrl+Z undoes', async () => {
    const codes = ['total = 1\nTotal = total + 10\nprint(total2)', 'total = 5'];
    await openNotebookWithCells(page, host, 'Replace in a cell', codes);
    await cell(page, 0).locator('.cm-content').click();
    await page.keyboard.press('ControlOrMeta+f');
    const panel = cell(page, 0).locator('.cm-search');
    await panel.locator('input[name="search"]').waitFor();
    await page.keyboard.type('total\\d?\\b');
    await panel.locator('input[name="re"]').check();
    await panel.locator('input[name="case"]').check();
    await panel.locator('input[name="replace"]').click();
    await page.keyboard.type('sum');
    await panel.locator('button[name="replaceAll"]').click();
    // `Total` differs in case: kept. `total2` matches the expression: replaced.
    expect(await editorText(page, 0)).toBe('sum = 1\nTotal = sum + 10\nprint(sum)');
    expect(await editorText(page, 1)).toBe('total = 5');

    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
    await page.keyboard.press('ControlOrMeta+z');
    expect(await editorText(page, 0)).toBe(codes[0]);
  });
});
