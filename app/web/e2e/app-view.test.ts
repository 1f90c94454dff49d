import type { Page } from 'playwright-core';
import { api, describeInBrowser, openNotebookWithCells, screenshot, useBrowserHost, type Host } from './harness';

/**
 * The app view in Chromium with real Pyodide: opened from the notebook page's App menu, it shows
 * outputs without code, runs in the viewer's own session, and Stop ends an endless loop.
 */
jest.setTimeout(150_000);

describeInBrowser('the app view of a notebook', () => {
  let host: Host;
  let page: Page;
  let notebookId: string;

  useBrowserHost({ viewport: { width: 1280, height: 800 } }, (started) => ({ host, page } = started));

  beforeAll(async () => {
    notebookId = await openNotebookWithCells(page, host, 'Answer app', ['secret_value = 21', 'print("the answer is", secret_value * 2)', 'import time\nwhile True:\n    pass']);
  });

  it('opens from the App menu and shows outputs without code; Stop ends the viewer\'s endless run', async () => {
    await page.getByText('App', { exact: true }).click();
    const link = page.getByRole('link', { name: 'Open app ↗' });
    await link.waitFor();
    await screenshot(page, 'app-menu');
    expect(await link.getAttribute('href')).toBe(`${host.base}app/${notebookId}`);
    const [app] = await Promise.all([page.context().waitForEvent('page'), link.click()]);
    app.on('pageerror', (err) => console.error('app page error:', err.message));
    await app.waitForURL(`${host.base}app/${notebookId}`);

    // Opening the app runs it in the viewer's own session: the loop keeps it running.
    await app.getByText('the answer is 42').waitFor({ timeout: 90_000 });
    await app.getByTestId('app-status').getByText('Running…').waitFor();
    expect(await app.getByRole('heading', { name: 'Answer app' }).isVisible()).toBe(true);
    const shown = (await app.locator('main').textContent()) ?? '';
    expect(shown).not.toContain('secret_value');
    expect(shown).not.toContain('while True');
    expect(await app.locator('.cm-content').count()).toBe(0);

    await app.getByRole('button', { name: 'Stop' }).click();
    await app.getByTestId('app-status').getByText('Idle').waitFor({ timeout: 30_000 });
    // Python stops with KeyboardInterrupt; on a machine so loaded that the worker does not get to check for the
    // interrupt within the kernel's grace (1.5 s), the kernel replaces the worker and says so. Either ends the run.
    await app.getByText(/KeyboardInterrupt|did not stop when interrupted/).first().waitFor();
    // No traceback: the error's last line only.
    expect(await app.locator('main').textContent()).not.toContain('Traceback');
    expect(await app.getByRole('button', { name: 'Stop' }).isDisabled()).toBe(true);
    await screenshot(app, 'app-view-stopped');

    // The author shows the code from the App menu: the app shows it above the outputs once reopened.
    await page.bringToFront();
    const showCode = page.getByLabel('Show code');
    if (!(await showCode.isVisible())) await page.getByText('App', { exact: true }).click();
    await showCode.click();
    // Checked once the host saved it (the box shows what the host answered).
    await page.waitForFunction(() => [...document.querySelectorAll('label')].some((l) => l.textContent?.includes('Show code') && l.querySelector('input')?.checked));
    await app.reload();
    await app.locator('.app-cell__code').filter({ hasText: 'secret_value = 21' }).waitFor();
    await app.getByText('the answer is 42').waitFor({ timeout: 90_000 });
    await app.getByRole('button', { name: 'Stop' }).click();
    await app.getByTestId('app-status').getByText('Idle').waitFor({ timeout: 30_000 });

    // The notebook itself never ran: the viewer's session is their own.
    const stored = (await api(host, 'GET', `api/notebooks/${notebookId}`)).body;
    expect(stored.cells.map((c: { status: string }) => c.status)).toEqual(['idle', 'idle', 'idle']);
  });
});
