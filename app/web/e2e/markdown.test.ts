import type { Dialog, Page } from 'playwright-core';
import {
  api, cell, describeInBrowser, runAndWait, editorText, screenshot, typeInto, useBrowserHost,
  waitForCellText, waitForFocusIn, waitForStatus, type Host,
} from './harness';

/**
 * Markdown cells in Chromium against the real host and real Pyodide, with real keystrokes: a cell typed at full
 * speed renders (heading, table, math) on Shift+Enter, opens on double-click, renders again on Escape, follows a
 * Python value it reads, and every XSS attempt in it (its own script, onerror, javascript: link, and an HTML string
 * from Python interpolated) stays inert: no dialog, no script run, no handler in the page.
 */
jest.setTimeout(180_000);

describeInBrowser('markdown cells in a real browser', () => {
  let host: Host;
  let page: Page;
  const dialogs: string[] = [];
  const pageErrors: string[] = [];
  useBrowserHost({ viewport: { width: 1280, height: 1000 } }, (started) => {
    ({ host, page } = started);
    page.on('dialog', (dialog: Dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });

  const preview = (index: number) => cell(page, index).locator('.output--markdown');
  const editorHidden = (index: number) => cell(page, index).locator('.cell__editor-slot').evaluate((el) => el.classList.contains('cell__editor-slot--hidden'));

  it('renders as typed, opens on double-click, follows a Python value, and keeps XSS inert', async () => {
    const id = (await api(host, 'POST', 'api/notebooks', { name: 'Markdown' })).body.notebook_id as string;
    await page.goto(`${host.url}#/n/${id}`);
    await cell(page, 0).waitFor();
    await page.waitForSelector('[data-connection="online"]');

    const python = 'x = 3.14159\nevil = \'<img src=x onerror="alert(4)">\'';
    await typeInto(page, 0, python);
    expect(await editorText(page, 0)).toBe(python);
    expect(await runAndWait(page, 0, 120_000, 'Shift+Enter')).toBe('success');

    // Shift+Enter on the last cell made a new one; it becomes markdown, and shows its empty preview.
    await cell(page, 1).waitFor();
    await cell(page, 1).getByLabel('Cell language').selectOption('markdown');
    await cell(page, 1).getByText('Empty markdown cell').waitFor();
    expect(await editorHidden(1)).toBe(true);

    // Double-click opens the editor; the text is typed at full speed.
    await cell(page, 1).getByText('Empty markdown cell').dblclick();
    await waitForFocusIn(page, 1);
    expect(await editorHidden(1)).toBe(false);
    const markdown = [
      '# Report',
      '',
      'Pi is {x:.2f}, said {evil}',
      '',
      '| region | total |',
      '|---|---|',
      '| north | 10 |',
      '',
      '$$',
      '\\frac{1}{2}',
      '$$',
      '',
      '[click](javascript:alert(2)) <img src=y onerror="alert(1)"> <a href="javascript:alert(5)">a</a>',
      '',
      '<script>alert(3)</script>',
    ].join('\n');
    await page.keyboard.type(markdown);
    expect(await editorText(page, 1)).toBe(markdown);
    expect(await runAndWait(page, 1, 60_000, 'Shift+Enter')).toBe('success');
    await waitForCellText(page, 1, 'Pi is 3.14');

    // Rendered instead of the editor: heading, table, math.
    await preview(1).locator('h1').waitFor();
    expect(await editorHidden(1)).toBe(true);
    expect(await preview(1).locator('h1').textContent()).toBe('Report');
    expect(await preview(1).locator('td').allTextContents()).toEqual(['north', '10']);
    expect(await preview(1).locator('math mfrac').count()).toBe(1);
    // The HTML string from Python is text; the cell's own markup is stripped of everything that could run.
    expect(await preview(1).textContent()).toContain('said <img src=x onerror="alert(4)">');
    const inert = await preview(1).evaluate((root) => ({
      scripts: root.querySelectorAll('script').length,
      handlers: [...root.querySelectorAll('*')].flatMap((el) => el.getAttributeNames().filter((n) => n.startsWith('on'))),
      javascriptLinks: [...root.querySelectorAll('[href]')].map((a) => a.getAttribute('href')).filter((h) => /javascript:/i.test(h ?? '')),
    }));
    expect(inert).toEqual({ scripts: 0, handlers: [], javascriptLinks: [] });
    // Clicking the would-be javascript: links runs nothing.
    for (const link of await preview(1).locator('a').all()) await link.click({ modifiers: [] }).catch(() => undefined);
    await screenshot(page, 'markdown-rendered');

    // Double-click the rendered text: the editor opens with the text; Escape renders it again (and runs it).
    await preview(1).locator('h1').dblclick();
    await waitForFocusIn(page, 1);
    expect(await editorHidden(1)).toBe(false);
    await page.keyboard.press('ControlOrMeta+End');
    await page.keyboard.type('\n\nAnd **more**.');
    await page.keyboard.press('Escape');
    await waitForCellText(page, 1, 'And more.');
    expect(await editorHidden(1)).toBe(true);
    expect(await preview(1).locator('strong').textContent()).toBe('more');
    // Escape left the focus on the cell (command mode): Enter opens it again, Shift+Enter renders it and moves on.
    await waitForFocusIn(page, 1);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.closest('.cm-editor') !== null);
    expect(await editorHidden(1)).toBe(false);
    await page.keyboard.press('Shift+Enter');
    await waitForFocusIn(page, 2);
    expect(await editorHidden(1)).toBe(true);

    // A new value of x re-renders the markdown cell that reads it, without touching it.
    await typeInto(page, 0, 'x = 2.71828\nevil = "<b>bold?</b>"');
    await page.keyboard.press('ControlOrMeta+Enter');
    await waitForCellText(page, 1, 'Pi is 2.72, said <b>bold?</b>');
    expect(await preview(1).locator('b').count()).toBe(0);
    await screenshot(page, 'markdown-updated');

    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(await page.evaluate(() => location.href.startsWith('javascript'))).toBe(false);
  });
});
