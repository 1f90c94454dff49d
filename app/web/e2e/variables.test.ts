import type { Page } from 'playwright-core';
import {
  cell, describeInBrowser, openNotebookWithCells, runAndWait, screenshot, typeInto, useBrowserHost,
  waitForFocusIn, waitForStatus, type Host,
} from './harness';

/**
 * The variable explorer, the dependency graph's lineage and live tables in Chromium against the
 * real host and real Pyodide, driven with real clicks and keystrokes.
 */
jest.setTimeout(180_000);

describeInBrowser('variable explorer, graph lineage and live tables', () => {
  let host: Host;
  let page: Page;
  useBrowserHost({ viewport: { width: 1500, height: 900 } }, (started) => ({ host, page } = started));

  const openNotebook = (name: string, codes: string[] = []): Promise<string> => openNotebookWithCells(page, host, name, codes);

  const explorer = () => page.getByRole('complementary', { name: 'Variable explorer' });
  const shownNames = () => explorer().locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-variable')));

  it('lists every name after a run, filters by name, shows private names on request, jumps to the defining cell, and drops a deleted cell’s names', async () => {
    await openNotebook('Explorer');
    await page.getByRole('button', { name: 'Variables', exact: true }).click();
    await explorer().getByText('No variables yet: run a cell.').waitFor();
    await typeInto(page, 0, 'base = 10\nitems = [1, 2, 3]\n_scratch = 5');
    expect(await runAndWait(page, 0, 90_000)).toBe('success');
    await page.getByRole('button', { name: '+ Python cell' }).click();
    await waitForFocusIn(page, 1);
    await page.keyboard.type('total = base + len(items)');
    expect(await runAndWait(page, 1)).toBe('success');

    await page.waitForFunction(() => document.querySelectorAll('[aria-label="Variable explorer"] tbody tr').length === 3);
    expect(await shownNames()).toEqual(['base', 'items', 'total']);
    const items = explorer().locator('tr[data-variable="items"]');
    expect(await items.locator('.vars__summary').textContent()).toBe('list[3]');
    expect(await items.locator('.vars__type').textContent()).toBe('list');
    // base is defined in cell 1 and read by cell 2.
    expect(await explorer().locator('tr[data-variable="base"] .vars__cells').textContent()).toBe('1 → 2');
    await screenshot(page, 'variables-explorer');

    await explorer().getByLabel('Private').check();
    await page.waitForFunction(() => document.querySelector('[aria-label="Variable explorer"] tr[data-variable="_scratch"]') !== null);
    await explorer().getByLabel('Private').uncheck();

    await explorer().getByLabel('Filter variables').click();
    await page.keyboard.type('tot');
    await page.waitForFunction(() => document.querySelectorAll('[aria-label="Variable explorer"] tbody tr').length === 1);
    expect(await shownNames()).toEqual(['total']);
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.press('Backspace');

    // Clicking a name puts the cursor in the cell that defines it.
    await explorer().getByRole('button', { name: 'base', exact: true }).click();
    await waitForFocusIn(page, 0);

    // Deleting cell 2: `total` leaves the list at once, without another run.
    await cell(page, 1).getByRole('button', { name: 'Delete cell' }).click();
    await page.waitForFunction(() => document.querySelector('[aria-label="Variable explorer"] tr[data-variable="total"]') === null);
    expect(await shownNames()).toEqual(['base', 'items']);
    await screenshot(page, 'variables-after-delete');
  });

  it('hides private names unless asked, drops a deleted cell’s private `_x` at once, and is pushed by the host (the page never asks)', async () => {
    await openNotebook('Private names');
    const toggle = page.getByRole('button', { name: 'Variables', exact: true });
    if ((await toggle.getAttribute('aria-pressed')) !== 'true') await toggle.click();
    // What the page sends on its socket: a request for the list would show here.
    const asked: string[] = [];
    page.on('websocket', (socket) => socket.on('framesent', (frame) => { if (String(frame.payload).includes('variables')) asked.push(String(frame.payload)); }));
    await typeInto(page, 0, '_x = 41\nkept = 1');
    expect(await runAndWait(page, 0, 90_000)).toBe('success');
    await page.getByRole('button', { name: '+ Python cell' }).click();
    await waitForFocusIn(page, 1);
    await page.keyboard.type('_y = 2\nother = 3');
    expect(await runAndWait(page, 1)).toBe('success');

    await page.waitForFunction(() => document.querySelectorAll('[aria-label="Variable explorer"] tbody tr').length === 2);
    expect(await shownNames()).toEqual(['kept', 'other']);
    await explorer().getByLabel('Private').check();
    await page.waitForFunction(() => document.querySelectorAll('[aria-label="Variable explorer"] tbody tr').length === 4);
    expect((await shownNames()).sort()).toEqual(['_x', '_y', 'kept', 'other']);
    const privateRow = explorer().locator('tr[data-variable="_x"]');
    expect(await privateRow.locator('.vars__summary').textContent()).toBe('41');
    expect(await privateRow.locator('.vars__type').textContent()).toBe('int');
    expect((await privateRow.locator('.vars__size').textContent())?.trim()).not.toBe('');

    await cell(page, 0).getByRole('button', { name: 'Delete cell' }).click();
    await page.waitForFunction(() => document.querySelector('[aria-label="Variable explorer"] tr[data-variable="_x"]') === null);
    await page.waitForFunction(() => document.querySelector('[aria-label="Variable explorer"] tr[data-variable="kept"]') === null);
    expect((await shownNames()).sort()).toEqual(['_y', 'other']);
    await explorer().getByLabel('Private').uncheck();
    expect(await shownNames()).toEqual(['other']);
    expect(asked).toEqual([]);
  });

  it('highlights the selected cell’s ancestors and descendants in the graph, and collapses the rest on request', async () => {
    await openNotebook('Lineage', ['a = 1', 'b = a + 1', 'c = b + 1', 'other = 5']);
    const graphToggle = page.getByRole('button', { name: 'Graph', exact: true });
    if ((await graphToggle.getAttribute('aria-pressed')) !== 'true') await graphToggle.click();
    await page.locator('.graph__node').first().waitFor();
    await cell(page, 1).locator('.cm-content').click();
    await page.keyboard.press('End');
    const relations = () => page.locator('.graph__node').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-relation')));
    await page.waitForFunction(() => document.querySelector('.graph__node[data-relation="selected"]') !== null);
    expect(await relations()).toEqual(['ancestor', 'selected', 'descendant', 'unrelated']);
    expect(await page.locator('.graph__edge--up').count()).toBe(1);
    expect(await page.locator('.graph__edge--down').count()).toBe(1);
    expect(await page.locator('.graph__edge--cycle').count()).toBe(0);
    await screenshot(page, 'graph-lineage');

    await page.getByLabel('Only related').check();
    await page.waitForFunction(() => document.querySelectorAll('.graph__node').length === 3);
    await page.getByLabel('Only related').uncheck();
    // Clicking a node selects it (and jumps to its cell).
    await page.locator('.graph__node').nth(3).click();
    await waitForFocusIn(page, 3);
    await page.waitForFunction(() => document.querySelectorAll('.graph__node')[3]?.getAttribute('data-relation') === 'selected');
    expect(await relations()).toEqual(['unrelated', 'unrelated', 'unrelated', 'selected']);
    await page.getByRole('button', { name: 'Zoom in' }).click();
    expect(await page.locator('.graph__zoom').textContent()).toBe('150%');
  });

  it('waits for a sort that outlasts a runtime call’s time limit, saying it is sorting, instead of failing and retrying', async () => {
    // Values whose first comparison once armed takes 5 s: the kernel's sort outlasts the 2 s limit of a runtime call.
    const slowValues = [
      'import time',
      'class Slow:',
      '    armed = False',
      '    def __init__(self, v): self.v = v',
      '    def __lt__(self, other):',
      '        if Slow.armed:',
      '            Slow.armed = False',
      '            end = time.time() + 5',
      '            while time.time() < end: pass',
      '        return self.v < other.v',
      '    def __str__(self): return f"s{self.v:05d}"',
      'rows = [{"k": Slow((i * 7919) % 3000)} for i in range(3000)]',
      'rows',
    ].join('\n');
    await openNotebook('Slow sort', [slowValues, 'Slow.armed = True']);
    await cell(page, 0).locator('.cm-content').click();
    expect(await runAndWait(page, 0, 90_000)).toBe('success');
    await cell(page, 1).locator('.cm-content').click();
    expect(await runAndWait(page, 1)).toBe('success');
    const table = cell(page, 0).locator('.live-table');
    await table.waitFor();
    // Whether the table ever reported a problem while the kernel sorted.
    await page.evaluate(() => {
      const seen = { problem: false };
      (window as unknown as { seenProblem: typeof seen }).seenProblem = seen;
      new MutationObserver(() => {
        if (document.querySelector('.live-table__problem')) seen.problem = true;
      }).observe(document.body, { subtree: true, childList: true });
    });
    await table.getByRole('button', { name: /^k/ }).click();
    await table.getByRole('status').filter({ hasText: /^Sorting all 3,000 rows in the kernel… [2-9] s$/ }).waitFor({ timeout: 15_000 });
    await page.waitForFunction(() => document.querySelector('.live-table tbody tr td:nth-of-type(1)')?.textContent === 's00000', undefined, { timeout: 30_000 });
    expect(await table.getByRole('status').count()).toBe(0);
    expect(await table.locator('.table__count').textContent()).toMatch(/^3,000 rows/);
    expect(await page.evaluate(() => (window as unknown as { seenProblem: { problem: boolean } }).seenProblem.problem)).toBe(false);
  });

  it('sorts a 5,000-row table in the kernel: the true maximum comes first, not the preview’s; after a restart it falls back to the preview', async () => {
    await openNotebook('Live table');
    await typeInto(page, 0, "rows = [{'i': i, 'v': i} for i in range(5000)]\nrows");
    expect(await runAndWait(page, 0, 90_000)).toBe('success');
    const table = cell(page, 0).locator('.live-table');
    await table.waitFor();
    // The output holds the first 1,000 rows: sorted there, the maximum would be 999.
    const header = table.getByRole('button', { name: /^v/ });
    await header.click();
    await header.click();
    expect(await header.locator('xpath=ancestor::th').getAttribute('aria-sort')).toBe('descending');
    await page.waitForFunction(() => document.querySelector('.live-table tbody tr td:nth-of-type(2)')?.textContent === '4999');
    expect(await table.locator('tbody tr').first().locator('td').nth(1).textContent()).toBe('4999');
    expect(await table.locator('.table__count').textContent()).toMatch(/^5,000 rows/);

    // Scrolling to the end fetches the last rows of the sorted view.
    await table.locator('.live-table__scroll').evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
    await page.waitForFunction(() => [...document.querySelectorAll('.live-table tbody tr td:nth-of-type(2)')].some((td) => td.textContent === '0'));
    await table.getByLabel('Filter rows').click();
    await page.keyboard.type('4321');
    await page.waitForFunction(() => document.querySelector('.live-table .table__count')?.textContent?.startsWith('1 of 5,000 rows match'));
    await screenshot(page, 'live-table-sorted');

    // A restart loses the kernel's copy: the table says so and shows the stored preview.
    await page.getByRole('button', { name: 'Restart', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Restart' }).click();
    await waitForStatus(page, 0, ['stale']);
    await table.getByLabel('Filter rows').click();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.press('Backspace');
    await page.waitForFunction(() => document.querySelector('.live-table--gone') !== null, undefined, { timeout: 20_000 });
    expect(await cell(page, 0).getByRole('note').first().textContent()).toMatch(/no longer holds this table/);
    await screenshot(page, 'live-table-gone');
  });
});
