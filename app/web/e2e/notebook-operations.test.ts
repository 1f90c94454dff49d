import type { Page } from 'playwright-core';
import { cell, describeInBrowser, editorText, openNotebookWithCells, screenshot, useBrowserHost, waitForCellText, waitForStatus, type Host } from './harness';

/**
 * Run all, Restart and Clear outputs from the notebook's toolbar and from the keyboard (command
 * mode: a key pressed twice outside an editor), in Debian's Chromium against the real host with
 * real Python.
 */
jest.setTimeout(180_000);

/** `a` is read through globals(): no dependency edge, so this cell shows what the kernel really holds. */
const CODES = ['a = 5', 'print(a * 2)', "print('a is', globals().get('a', 'gone'))"];

describeInBrowser('command mode: the keys of a cell selected with Escape, as in JupyterLab', () => {
  let host: Host;
  let page: Page;
  useBrowserHost({}, (started) => ({ host, page } = started));

  const selected = (): Promise<number> => page.evaluate(() => [...document.querySelectorAll('section[data-cell-id]')].indexOf(document.activeElement as Element));
  const types = (): Promise<(string | null)[]> => page.locator('section[data-cell-id] select').evaluateAll((els) => els.map((el) => (el as HTMLSelectElement).value));
  const count = (): Promise<number> => page.locator('section[data-cell-id]').count();

  it('Escape selects the cell at once (even with a completion asked for), then B, A, D D, K / J, M / Y, Enter and Shift+Enter', async () => {
    await openNotebookWithCells(page, host, 'Command mode', ['x = 1', 'y = x + 1']);
    // Typed at full speed, then Escape straight away: a completion the kernel has not answered yet must not keep the key.
    await cell(page, 0).locator('.cm-content').click();
    await page.keyboard.press('End');
    await page.keyboard.type('\nzz = x');
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => document.activeElement?.matches('section[data-cell-id]') === true);
    expect(await selected()).toBe(0);

    // B adds a cell below and selects it (not its editor): B again adds another; letters type nothing.
    await page.keyboard.press('b');
    await page.waitForFunction(() => document.querySelectorAll('section[data-cell-id]').length === 3);
    expect(await selected()).toBe(1);
    await page.keyboard.press('b');
    await page.waitForFunction(() => document.querySelectorAll('section[data-cell-id]').length === 4);
    expect(await selected()).toBe(2);
    // D D deletes it (Z would bring it back, see the delete tests).
    await page.keyboard.press('d');
    await page.keyboard.press('d');
    await page.waitForFunction(() => document.querySelectorAll('section[data-cell-id]').length === 3);
    // K and ↑ go up, J and ↓ down.
    await page.keyboard.press('k');
    await page.keyboard.press('ArrowUp');
    expect(await selected()).toBe(0);
    await page.keyboard.press('j');
    expect(await selected()).toBe(1);
    // A adds above; M makes it markdown, Y makes it code again.
    await page.keyboard.press('a');
    await page.waitForFunction(() => document.querySelectorAll('section[data-cell-id]').length === 4);
    expect(await selected()).toBe(1);
    await page.keyboard.press('m');
    await page.waitForFunction(() => (document.querySelectorAll('section[data-cell-id] select')[1] as HTMLSelectElement | undefined)?.value === 'markdown');
    await page.keyboard.press('y');
    await page.waitForFunction(() => (document.querySelectorAll('section[data-cell-id] select')[1] as HTMLSelectElement | undefined)?.value === 'python');
    expect(await types()).toEqual(['python', 'python', 'python', 'python']);
    // Enter edits it: what is typed goes into its code.
    await page.keyboard.press('Enter');
    await page.keyboard.type('w = 7');
    expect(await editorText(page, 1)).toBe('w = 7');
    // Shift+Enter on the selected first cell runs it and selects the next.
    await page.keyboard.press('Escape');
    await page.keyboard.press('k');
    await page.keyboard.press('Shift+Enter');
    await waitForStatus(page, 0, ['success'], 90_000);
    expect(await selected()).toBe(1);
    expect(await count()).toBe(4);
    expect(await editorText(page, 0)).toBe('x = 1\nzz = x');
  });
});

describeInBrowser('run all, restart and clear outputs in a real browser', () => {
  let host: Host;
  let page: Page;
  useBrowserHost({}, (started) => ({ host, page } = started));

  /** A notebook holding CODES, opened in the page. */
  const openNotebook = (): Promise<string> => openNotebookWithCells(page, host, 'Operations', CODES);

  const statuses = (): Promise<(string | null)[]> => page.locator('section[data-cell-id]').evaluateAll((els) => els.map((el) => el.getAttribute('data-status')));
  const outputsShown = (): Promise<number> => page.locator('section[data-cell-id] .cell__outputs').count();

  it('the toolbar: Run all runs every cell, Restart (confirmed) empties the kernel and keeps outputs, Clear outputs empties them', async () => {
    const id = await openNotebook();
    await page.getByRole('button', { name: 'Run all' }).click();
    for (const index of [0, 1, 2]) await waitForStatus(page, index, ['success'], 90_000);
    await waitForCellText(page, 1, '10');
    await waitForCellText(page, 2, 'a is 5');

    await page.getByRole('button', { name: 'Restart', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Restart the kernel?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Restart' }).click();
    for (const index of [0, 1, 2]) await waitForStatus(page, index, ['stale']);
    // Outputs are kept (dimmed) after the restart.
    await waitForCellText(page, 1, '10');
    // The values are gone: the cell that looks `a` up itself finds nothing, and the reader stays stale.
    await cell(page, 2).getByRole('button', { name: 'Run cell' }).click();
    await waitForCellText(page, 2, 'a is gone');
    expect(await statuses()).toEqual(['stale', 'stale', 'success']);

    await page.getByRole('button', { name: 'Clear outputs' }).click();
    await page.waitForFunction(() => document.querySelectorAll('section[data-cell-id] .cell__outputs').length === 0);
    expect(await statuses()).toEqual(['stale', 'stale', 'success']);
    await screenshot(page, 'notebook-operations');
    const stored = (await (await fetch(`${host.base}api/notebooks/${id}`, { headers: host.token ? { authorization: `Bearer ${host.token}` } : {} })).json()) as { cells: { stdout: string; outputs: unknown[] }[] };
    expect(stored.cells.map((c) => [c.stdout, c.outputs.length])).toEqual([['', 0], ['', 0], ['', 0]]);
  });

  it('the keyboard: R R runs all, 0 0 asks before restarting, C C clears, and the shortcuts dialog lists them', async () => {
    await openNotebook();
    // Command mode: Escape leaves the editor.
    await cell(page, 0).locator('.cm-content').click();
    await page.keyboard.press('Escape');
    await page.keyboard.press('r');
    await page.keyboard.press('r');
    for (const index of [0, 1, 2]) await waitForStatus(page, index, ['success'], 90_000);
    await waitForCellText(page, 2, 'a is 5');

    // 0 0 only asks: cancelling the confirmation leaves the kernel alone.
    await page.keyboard.press('0');
    await page.keyboard.press('0');
    const dialog = page.getByRole('dialog', { name: 'Restart the kernel?' });
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await statuses()).toEqual(['success', 'success', 'success']);
    await page.locator('section[data-cell-id]').first().focus();
    await page.keyboard.press('0');
    await page.keyboard.press('0');
    await dialog.getByRole('button', { name: 'Restart' }).click();
    for (const index of [0, 1, 2]) await waitForStatus(page, index, ['stale']);

    expect(await outputsShown()).toBe(2);
    await page.locator('section[data-cell-id]').first().focus();
    await page.keyboard.press('c');
    await page.keyboard.press('c');
    await page.waitForFunction(() => document.querySelectorAll('section[data-cell-id] .cell__outputs').length === 0);

    // Typed inside an editor, the same keys are just text.
    await cell(page, 0).locator('.cm-content').click();
    await page.keyboard.press('End');
    await page.keyboard.type(' # rr00cc');
    expect(await statuses()).toEqual(['stale', 'stale', 'stale']);
    expect(await page.getByRole('dialog').count()).toBe(0);

    // Escape leaves the editor for its cell (a first Escape may only close a completion list that a loaded machine
    // showed late); '?' then opens the shortcuts sheet.
    await page.keyboard.press('Escape');
    if (await page.evaluate(() => document.activeElement?.closest('.cm-editor') !== null)) await page.keyboard.press('Escape');
    await page.waitForFunction(() => document.activeElement?.closest('.cm-editor') === null);
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.waitFor();
    for (const keys of ['R R', '0 0', 'C C']) expect(await help.locator('kbd', { hasText: keys }).count()).toBe(1);
  });
});
