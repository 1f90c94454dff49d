import type { Page } from 'playwright-core';
import { describeInBrowser, runAndWait, editorText, openNewNotebook, typeInto, useBrowserHost, waitForFocusIn, waitForStatus, type Host } from './harness';

/**
 * Python completions from the live kernel, typed at full speed in Chromium: attributes of a
 * module the notebook imported, names it defined, and Enter still ending the line.
 */
jest.setTimeout(120_000);

const LIST = '.cm-tooltip-autocomplete';

describeInBrowser('kernel completions in a real browser', () => {
  let host: Host;
  let page: Page;
  useBrowserHost({}, (started) => ({ host, page } = started));
  beforeAll(() => openNewNotebook(page, host, 'E2E completions'));

  /** The labels the open completion list shows. */
  async function offered(): Promise<string[]> {
    await page.locator(LIST).waitFor({ timeout: 15_000 });
    return page.locator(`${LIST} li .cm-completionLabel`).allTextContents();
  }

  it('offers sqrt for math.sq once import math ran, and Tab takes it', async () => {
    await typeInto(page, 0, 'import math');
    expect(await runAndWait(page, 0, 60_000, 'Shift+Enter')).toBe('success');
    await waitForFocusIn(page, 1);
    await page.keyboard.type('math.sq');
    await page.locator(LIST, { hasText: 'sqrt' }).waitFor({ timeout: 15_000 });
    expect(await offered()).toContain('sqrt');
    await page.keyboard.press('Tab');
    expect(await editorText(page, 1)).toBe('math.sqrt');
    await page.keyboard.type('(16)');
    expect(await runAndWait(page, 1, 60_000, 'Shift+Enter')).toBe('success');
  });

  it('offers my_value for my_va after my_value = 1 ran, and Enter still starts a new line', async () => {
    await waitForFocusIn(page, 2);
    await page.keyboard.type('my_value = 1');
    expect(await runAndWait(page, 2, 60_000, 'Shift+Enter')).toBe('success');
    await waitForFocusIn(page, 3);
    await page.keyboard.type('my_va');
    await page.locator(LIST, { hasText: 'my_value' }).waitFor({ timeout: 15_000 });
    expect(await offered()).toContain('my_value');
    // Nothing is preselected: Enter ends the line as typed, the list closes.
    await page.keyboard.press('Enter');
    await page.keyboard.type('x = 2');
    expect(await editorText(page, 3)).toBe('my_va\nx = 2');
  });
});
