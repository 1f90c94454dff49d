import type { Page } from 'playwright-core';
import { cell, describeInBrowser, openNewNotebook, typeInto, useBrowserHost, waitForCellText, waitForFocusIn, waitForStatus, type Host } from './harness';

/**
 * stderr in the page, typed and run as a user would with real Pyodide: a tinted block apart from stdout, warnings naming
 * cells as tracebacks do, and input() explained.
 */
jest.setTimeout(120_000);

describeInBrowser('stderr and the keyboard in a real browser', () => {
  let host: Host;
  let page: Page;
  useBrowserHost({}, (started) => ({ host, page } = started));
  beforeAll(() => openNewNotebook(page, host, 'E2E stderr'));

  it('shows stderr in a tinted block apart from stdout, with warnings naming the cell by position', async () => {
    await typeInto(page, 0, 'import warnings\ncareful = lambda: warnings.warn("careful")');
    await page.keyboard.press('Shift+Enter');
    await waitForFocusIn(page, 1);
    await page.keyboard.type('import sys\nprint("result")\nprint("progress", file=sys.stderr)\ncareful()');
    await page.keyboard.press('Shift+Enter');
    await waitForCellText(page, 1, 'UserWarning: careful');
    expect(await waitForStatus(page, 1, ['success', 'error'])).toBe('success');

    const stdout = cell(page, 1).getByLabel('Standard output');
    const stderr = cell(page, 1).getByLabel('Standard error');
    expect(await stdout.textContent()).toBe('result\n');
    expect(await stderr.textContent()).toBe('progress\n<cell 1>:2: UserWarning: careful\n  careful = lambda: warnings.warn("careful")\n');
    const background = (locator: typeof stdout) => locator.evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(await background(stderr)).not.toBe(await background(stdout));
  });

  it('says that input() cannot read from the keyboard', async () => {
    await waitForFocusIn(page, 2);
    await page.keyboard.type('name = input("Your name? ")');
    await page.keyboard.press('Shift+Enter');
    expect(await waitForStatus(page, 2, ['error', 'success'])).toBe('error');
    await waitForCellText(page, 2, 'input() is not available: a notebook cell cannot read from the keyboard');
    expect(await cell(page, 2).locator('.cell__outputs').textContent()).not.toMatch(/OSError/);
  });
});
