import type { Browser, Locator, Page } from 'playwright-core';
import { api, cell, createNotebookWithCells, describeInBrowser, openNotebook, openPage, useBrowserHost, waitForCellText, type Host } from './harness';

/**
 * A widget embedded in a markdown cell, with the real `rnb.ui` in Pyodide, in two browsers at once: dragging the
 * slider the markdown shows updates the markdown's text and a dependent Python cell in both, and the slider under
 * the pointer is the same element from the first move to the last (the markdown cell re-runs on every value and
 * its new rendering must not remount the control mid-drag).
 */
jest.setTimeout(180_000);

const DEFINING = 'from rnb import ui\nthreshold = ui.slider(0, 100, value=10)';
const MARKDOWN = 'Threshold: {threshold} → {threshold.value:.0f}';
const READER = 'print(f"[tripled={threshold.value * 3}]")';

describeInBrowser('a widget embedded in a markdown cell', () => {
  let host: Host;
  let browser: Browser;
  let pages: Page[];
  const viewport = { width: 1366, height: 900 };
  const embedded = (page: Page): Locator => cell(page, 1).locator('.output--markdown input[type="range"]');
  const prose = (page: Page): Locator => cell(page, 1).locator('.output--markdown p').first();

  useBrowserHost({ viewport }, (started) => {
    ({ host, browser } = started);
    pages = [started.page];
  });

  beforeAll(async () => {
    const { id } = await createNotebookWithCells(host, 'Markdown widget', [DEFINING, { type: 'markdown', code: MARKDOWN }, READER]);
    // A second person's browser on the same notebook.
    pages.push(await openPage(browser, { viewport }));
    for (const page of pages) await openNotebook(page, host, id);
    await api(host, 'POST', `api/notebooks/${id}/run_all`);
    for (const page of pages) {
      await waitForCellText(page, 2, '[tripled=30]', 120_000);
      await embedded(page).waitFor();
      await prose(page).filter({ hasText: '→ 10' }).waitFor();
    }
  });

  it('dragging the embedded slider updates the markdown text and the reader in both browsers, on one stable control', async () => {
    const [first, second] = pages as [Page, Page];
    // Marked before the drag: a remounted control would be a new element without the mark.
    await embedded(first).evaluate((el) => ((el as HTMLElement).dataset.e2eMark = 'kept'));
    const box = (await embedded(first).boundingBox())!;
    const y = box.y + box.height / 2;
    await first.mouse.move(box.x + box.width * 0.1, y);
    await first.mouse.down();
    for (let step = 1; step <= 40; step++) await first.mouse.move(box.x + box.width * (0.1 + (0.7 * step) / 40), y);
    await first.mouse.up();
    const dragged = Number(await embedded(first).inputValue());
    // The thumb followed the pointer to the end: a control remounted mid-drag would have stopped short.
    expect(dragged).toBeGreaterThan(70);
    expect(await embedded(first).getAttribute('data-e2e-mark')).toBe('kept');
    for (const page of pages) {
      await prose(page).filter({ hasText: `→ ${dragged}` }).waitFor({ timeout: 60_000 });
      await waitForCellText(page, 2, `[tripled=${dragged * 3}]`);
      await page.waitForFunction((v) => (document.querySelectorAll('section[data-cell-id]')[1]?.querySelector('.output--markdown input[type="range"]') as HTMLInputElement | null)?.value === String(v), dragged);
    }
    expect(await embedded(first).getAttribute('data-e2e-mark')).toBe('kept');
  });
});
