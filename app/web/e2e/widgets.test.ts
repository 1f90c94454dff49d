import type { Browser, Locator, Page } from 'playwright-core';
import {
  api, cell, createNotebookWithCells, describeInBrowser, openNotebook, openPage, useBrowserHost, waitForCellText, waitForStatus, type Host,
} from './harness';

/**
 * Widgets with real input in Chromium and real Pyodide: a slider dragged with the mouse and moved
 * with the arrow keys sets `threshold.value`, the cell reading it shows the new result, a second
 * browser's slider and result follow, and the value survives a reload.
 */
jest.setTimeout(180_000);

const DEFINING = 'from rnb import ui\nthreshold = ui.slider(0, 100, value=10, label="Threshold")\nthreshold';
const READER = 'print(f"[doubled={threshold.value * 2}]")';

describeInBrowser('widgets in a real browser', () => {
  let host: Host;
  let browser: Browser;
  let pages: Page[];
  const viewport = { width: 1366, height: 900 };
  /** The values each page sent in `set_widget_value` frames, in order (its socket's frames, as Chromium sent them). */
  const sentValues = new Map<Page, number[]>();

  function trackSentValues(page: Page): void {
    const sent: number[] = [];
    sentValues.set(page, sent);
    page.on('websocket', (socket) => socket.on('framesent', ({ payload }) => {
      const frame = /^\d+\["set_widget_value",(.*)\]$/.exec(String(payload));
      if (frame) sent.push((JSON.parse(frame[1]!) as { value: number }).value);
    }));
  }

  const slider = (page: Page): Locator => cell(page, 0).getByRole('slider', { name: 'Threshold' });
  const sliderValue = async (page: Page): Promise<number> => Number(await slider(page).inputValue());

  useBrowserHost({ viewport }, (started) => {
    ({ host, browser } = started);
    pages = [started.page];
  });

  beforeAll(async () => {
    const { id, cellIds } = await createNotebookWithCells(host, 'E2E widgets', [DEFINING, READER]);
    // A second person's browser on the same notebook.
    pages.push(await openPage(browser, { viewport }));
    for (const page of pages) {
      trackSentValues(page);
      await openNotebook(page, host, id);
    }
    await api(host, 'POST', `api/notebooks/${id}/cells/${cellIds[0]}/run`);
    for (const page of pages) {
      await waitForCellText(page, 1, '[doubled=20]', 90_000);
      await slider(page).waitFor();
    }
  });

  it('a mouse drag re-runs the reader in both browsers, and moves the other browser\'s slider', async () => {
    const [first, second] = pages as [Page, Page];
    const box = (await slider(first).boundingBox())!;
    const y = box.y + box.height / 2;
    // From the thumb (at 10%) to about 70%, through many intermediate positions.
    await first.mouse.move(box.x + box.width * 0.1, y);
    await first.mouse.down();
    for (let step = 1; step <= 30; step++) await first.mouse.move(box.x + box.width * (0.1 + (0.6 * step) / 30), y);
    await first.mouse.up();
    const dragged = await sliderValue(first);
    expect(dragged).toBeGreaterThan(50);
    for (const page of pages) await waitForCellText(page, 1, `[doubled=${dragged * 2}]`);
    await second.waitForFunction((v) => (document.querySelector('section[data-cell-id] input[type="range"]') as HTMLInputElement | null)?.value === String(v), dragged);
    // The defining cell did not run again: its output is the same slider, its status still success.
    expect(await waitForStatus(first, 0, ['success'])).toBe('success');
  });

  it('arrow keys move the slider by its step; the reader follows in both browsers', async () => {
    const [first, second] = pages as [Page, Page];
    const start = await sliderValue(first);
    await slider(first).focus();
    await first.keyboard.press('ArrowRight');
    await first.keyboard.press('ArrowRight');
    await first.keyboard.press('ArrowRight');
    await first.keyboard.press('ArrowLeft');
    expect(await sliderValue(first)).toBe(start + 2);
    for (const page of pages) await waitForCellText(page, 1, `[doubled=${(start + 2) * 2}]`);
    await second.waitForFunction((v) => (document.querySelector('section[data-cell-id] input[type="range"]') as HTMLInputElement | null)?.value === String(v), start + 2);
    // Keys typed into the control are not the notebook's: no cell was added or run by them.
    expect(await first.locator('section[data-cell-id]').count()).toBe(2);
  });

  it('ArrowRight pressed 40 times at full speed: the values are coalesced, the last one is sent and the reader shows it in both browsers', async () => {
    const [first, second] = pages as [Page, Page];
    await slider(first).focus();
    await first.keyboard.press('Home');
    await waitForCellText(first, 1, '[doubled=0]');
    const sent = sentValues.get(first)!;
    const before = sent.length;
    for (let i = 0; i < 40; i++) await first.keyboard.press('ArrowRight');
    expect(await sliderValue(first)).toBe(40);
    for (const page of pages) await waitForCellText(page, 1, '[doubled=80]');
    await second.waitForFunction(() => (document.querySelector('section[data-cell-id] input[type="range"]') as HTMLInputElement | null)?.value === '40');
    const moves = sent.slice(before);
    // One value in flight, the latest next: fewer sends than presses, in order, ending with the final value.
    expect(moves[moves.length - 1]).toBe(40);
    expect(moves.length).toBeLessThan(40);
    expect([...moves].sort((a, b) => a - b)).toEqual(moves);
    // Nothing older lands after it: the slider and the reader stay at the final value once everything is answered.
    await first.waitForFunction(() => document.querySelectorAll('section[data-cell-id]')[1]?.getAttribute('data-status') === 'success');
    expect(await sliderValue(first)).toBe(40);
    await waitForCellText(first, 1, '[doubled=80]');
  });

  it('a text box typed into at full speed, a dropdown and a checkbox set the values their reader prints', async () => {
    // `ui` is a notebook name like any other: imported in one cell, read by the others.
    const { id } = await createNotebookWithCells(host, 'E2E more widgets', [
      'from rnb import ui\nname = ui.text(label="Name")\nname',
      'color = ui.dropdown(["red", "green", "blue"], label="Color")\ncolor',
      'agree = ui.checkbox(label="Agree")\nagree',
      'print(f"[{name.value}|{color.value}|{agree.value}]")',
    ]);
    const page = pages[1]!;
    await openNotebook(page, host, id);
    await api(host, 'POST', `api/notebooks/${id}/run_all`);
    await waitForCellText(page, 3, '[|None|False]', 90_000);
    await page.getByRole('textbox', { name: 'Name' }).click();
    await page.keyboard.type('Ada Lovelace');
    await waitForCellText(page, 3, '[Ada Lovelace|None|False]');
    expect(await page.getByRole('textbox', { name: 'Name' }).inputValue()).toBe('Ada Lovelace');
    await page.getByRole('combobox', { name: 'Color' }).selectOption('green');
    await page.getByRole('checkbox', { name: 'Agree' }).focus();
    await page.keyboard.press('Space');
    await waitForCellText(page, 3, '[Ada Lovelace|green|True]');
  });

  it('keeps the value after a reload', async () => {
    const [first] = pages as [Page, Page];
    const value = await sliderValue(first);
    await first.reload();
    await cell(first, 0).waitFor();
    await first.waitForSelector('[data-connection="online"]');
    expect(await sliderValue(first)).toBe(value);
    await waitForCellText(first, 1, `[doubled=${value * 2}]`);
  });
});
