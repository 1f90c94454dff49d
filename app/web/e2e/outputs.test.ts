import * as fs from 'node:fs';
import type { Page } from 'playwright-core';
import {
  cell, describeInBrowser, runAndWait, editorText, openNotebookWithCells, screenshot, typeInto, useBrowserHost,
  waitForCellText, waitForFocusIn, waitForStatus, type Host,
} from './harness';

/**
 * Big and unusual outputs in Chromium against the real host and real Pyodide: a flood of printed
 * lines, an SVG with its own size, a table longer than a page, and the dependency graph's colours.
 * Each test opens its own notebook, so one failure does not cascade.
 */
jest.setTimeout(150_000);

describeInBrowser('outputs and the graph in a real browser', () => {
  let host: Host;
  let page: Page;
  useBrowserHost({ context: { acceptDownloads: true } }, (started) => ({ host, page } = started));

  const openNewNotebook = (name: string): Promise<string> => openNotebookWithCells(page, host, name);

  async function runInFirstCell(code: string): Promise<void> {
    await typeInto(page, 0, code);
    expect(await editorText(page, 0)).toBe(code);
    expect(await runAndWait(page, 0, 90_000)).toBe('success');
  }

  it('keeps 20,000 printed lines in a box under 1,000 px, with "show all" and "download"', async () => {
    await openNewNotebook('Long output');
    await runInFirstCell("for i in range(20000): print(f'line {i}')");
    await waitForCellText(page, 0, 'line 19999');
    const stdout = cell(page, 0).getByLabel('Standard output', { exact: true });
    const box = (await stdout.boundingBox())!;
    expect(box.height).toBeLessThan(1000);
    expect((await cell(page, 0).boundingBox())!.height).toBeLessThan(1300);
    // Not every line is in the page until asked for.
    expect(await stdout.textContent()).not.toContain('line 0\n');
    await screenshot(page, 'outputs-long-stdout');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      cell(page, 0).getByRole('button', { name: /download/i }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.txt$/);
    const saved = fs.readFileSync((await download.path())!, 'utf8');
    expect(saved.split('\n').filter((l) => l !== '')).toHaveLength(20_000);
    expect(saved.startsWith('line 0\nline 1\n')).toBe(true);

    await cell(page, 0).getByRole('button', { name: /show all/i }).click();
    // All lines, from the end (printed output stays at its latest lines); Home goes to the first.
    await page.waitForFunction(() => document.querySelector('[aria-label="Standard output"]')?.textContent?.includes('line 19999\n'));
    await stdout.focus();
    await page.keyboard.press('Home');
    await page.waitForFunction(() => document.querySelector('[aria-label="Standard output"]')?.textContent?.startsWith('line 0\nline 1\n'));
    expect((await stdout.boundingBox())!.height).toBeLessThan(1000);
  });

  it('shows 200,000 printed lines windowed after "show all": the keyboard reaches the last line, and the page holds only the lines in view', async () => {
    await openNewNotebook('Huge output');
    // 200,000 lines within the kernel's 256 KB of printed text per cell: mostly empty, every 1,000th and the last numbered.
    await runInFirstCell("print('\\n'.join(f'line {i}' if i % 1000 == 0 or i == 199999 else '' for i in range(200000)))");
    await waitForCellText(page, 0, 'line 199999');
    await cell(page, 0).getByRole('button', { name: 'Show all' }).click();
    const stdout = cell(page, 0).getByLabel('Standard output', { exact: true });
    expect(await stdout.getAttribute('data-lines')).toBe('200000');
    const drawnLines = (): Promise<number> => stdout.evaluate((el) => (el.textContent ?? '').split('\n').length);
    const atBottom = (): Promise<boolean> => stdout.evaluate((el) => el.scrollTop + el.clientHeight >= el.scrollHeight - 1);

    await stdout.focus();
    await page.keyboard.press('Home');
    await page.waitForFunction(() => document.querySelector('[aria-label="Standard output"]')?.textContent?.startsWith('line 0\n'));
    expect(await stdout.textContent()).not.toContain('line 199999');
    expect(await drawnLines()).toBeLessThan(500);

    // A scroll to the middle draws the lines there.
    await stdout.evaluate((el) => el.scrollTo({ top: el.scrollHeight / 2 }));
    await page.waitForFunction(() => document.querySelector('[aria-label="Standard output"]')?.textContent?.includes('line 100000\n'));
    expect(await drawnLines()).toBeLessThan(500);

    await page.keyboard.press('End');
    await page.waitForFunction(() => document.querySelector('[aria-label="Standard output"]')?.textContent?.includes('line 199999'));
    await page.waitForFunction(() => {
      const el = document.querySelector('[aria-label="Standard output"]')!;
      return el.scrollTop + el.clientHeight >= el.scrollHeight - 1;
    });
    expect(await atBottom()).toBe(true);
    // The last line is inside the box's visible area, not only in the DOM.
    const box = (await stdout.boundingBox())!;
    const last = await stdout.evaluate((el) => {
      const pre = el.querySelector('pre')!;
      const text = pre.firstChild!;
      const range = document.createRange();
      const at = (text.textContent ?? '').indexOf('line 199999');
      range.setStart(text, at);
      range.setEnd(text, at + 'line 199999'.length);
      const rect = range.getBoundingClientRect();
      return { top: rect.top, bottom: rect.bottom };
    });
    expect(last.top).toBeGreaterThanOrEqual(box.y);
    expect(last.bottom).toBeLessThanOrEqual(box.y + box.height + 1);
    expect(await drawnLines()).toBeLessThan(500);
    expect((await stdout.boundingBox())!.height).toBeLessThan(1000);
    await screenshot(page, 'outputs-windowed-stdout');
  });

  it('shows a 200×100 SVG at 200×100', async () => {
    await openNewNotebook('SVG size');
    await runInFirstCell(
      "type('Picture', (), {'_repr_svg_': lambda self: '<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"200\" height=\"100\">" +
      "<rect width=\"200\" height=\"100\" fill=\"teal\"/></svg>'})()",
    );
    const image = cell(page, 0).getByRole('img', { name: /SVG/ });
    await image.waitFor();
    await page.waitForFunction(() => (document.querySelector('img.output--image') as HTMLImageElement | null)?.complete === true);
    const box = (await image.boundingBox())!;
    await screenshot(page, 'outputs-svg');
    expect(Math.round(box.width)).toBe(200);
    expect(Math.round(box.height)).toBe(100);

    // Wider than the cell: as wide as the cell's output area, in proportion.
    await runInFirstCell(
      "type('Wide', (), {'_repr_svg_': lambda self: '<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"3000\" height=\"1500\">" +
      "<rect width=\"3000\" height=\"1500\" fill=\"teal\"/></svg>'})()",
    );
    await page.waitForFunction(() => {
      const img = document.querySelector('img.output--image') as HTMLImageElement | null;
      return img?.complete === true && decodeURIComponent(img.src).includes('width="3000"');
    });
    const wide = (await image.boundingBox())!;
    const area = await cell(page, 0).locator('.cell__outputs').evaluate((el) => el.clientWidth - parseFloat(getComputedStyle(el).paddingLeft) - parseFloat(getComputedStyle(el).paddingRight));
    expect(Math.abs(wide.width - area)).toBeLessThanOrEqual(1);
    expect(Math.abs(wide.height - wide.width / 2)).toBeLessThanOrEqual(1);
  });

  it('sorts a 3,000-row table on every row (in the kernel): the true maximum comes first', async () => {
    await openNewNotebook('Long table');
    await runInFirstCell("[{'n': i, 'label': f'row {i}'} for i in range(3000)]");
    const table = cell(page, 0).locator('.output--table');
    await table.waitFor();
    const header = table.getByRole('button', { name: /^n/ });
    await header.click();
    await header.click();
    expect(await header.locator('xpath=ancestor::th').getAttribute('aria-sort')).toBe('descending');
    // Sorted in the kernel (the output holds a 1,000-row preview): the answer arrives, then shows.
    await page.waitForFunction(() => document.querySelector('.output--table tbody tr td')?.textContent === '2999');
    // Filtering acts on every row too.
    await table.getByLabel('Filter rows').fill('row 2500');
    await page.waitForFunction(() => document.querySelectorAll('.output--table tbody tr').length === 1);
    expect(await table.locator('tbody td').first().textContent()).toBe('2500');
    await screenshot(page, 'outputs-table');

    // Past its preview the table works on all rows in the kernel, and says so.
    await runInFirstCell("[{'n': i} for i in range(12000)]");
    await page.waitForFunction(() => /^12,000 rows/.test(document.querySelector('.output--table .table__count')?.textContent ?? ''));
    await screenshot(page, 'outputs-table-preview');
  });

  it('draws an upward edge without a cycle in the normal colour and a real cycle in red', async () => {
    await openNewNotebook('Graph colours');
    const graphToggle = page.getByRole('button', { name: 'Graph', exact: true });
    if ((await graphToggle.getAttribute('aria-pressed')) !== 'true') await graphToggle.click();
    // Cell 1 reads b, which cell 2 below defines: an edge going up, and no cycle.
    await typeInto(page, 0, 'a = b + 1');
    for (const [index, code] of [[1, 'b = 2'], [2, 'c = d'], [3, 'd = c']] as const) {
      await page.getByRole('button', { name: '+ Python cell' }).click();
      await waitForFocusIn(page, index);
      await page.keyboard.type(code);
    }
    await page.keyboard.press('ControlOrMeta+Enter');
    await waitForCellText(page, 3, /cycle/i);
    await page.waitForFunction(() => document.querySelectorAll('.graph__edge').length === 3);
    await screenshot(page, 'outputs-graph-colours');
    const edges = await page.locator('.graph__edge').evaluateAll((paths) => paths.map((p) => ({
      title: p.querySelector('title')?.textContent ?? '',
      cycle: p.classList.contains('graph__edge--cycle'),
      stroke: getComputedStyle(p).stroke,
    })));
    const upward = edges.find((e) => e.title.startsWith('cell 2 → cell 1'))!;
    expect(upward.cycle).toBe(false);
    const cycle = edges.filter((e) => e.title.startsWith('cell 3 → cell 4') || e.title.startsWith('cell 4 → cell 3'));
    expect(cycle.map((e) => e.cycle)).toEqual([true, true]);
    expect(upward.stroke).not.toBe(cycle[0]!.stroke);
  });
});
