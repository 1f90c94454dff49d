import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { api, describeInBrowser, ensureBuilt, launchBrowser, startHost, type Host } from './harness';

/**
 * The app view on a local server (one user, no sign-in), in Chromium with real Pyodide: two tabs of
 * `/app/{id}` in one browser are two viewers, each with a session of their own (as marimo's `run`
 * gives each tab its own), so a slider moved in one tab changes nothing in the other.
 */
jest.setTimeout(180_000);

const DEFINING = 'from rnb import ui\nthreshold = ui.slider(0, 100, value=10, label="Threshold")\nthreshold';
const READER = 'print(f"[doubled={threshold.value * 2}]")';

describeInBrowser('app tabs on a local server', () => {
  let host: Host;
  let browser: Browser;
  let context: BrowserContext;
  let notebookId: string;

  beforeAll(async () => {
    ensureBuilt();
    host = await startHost();
    browser = await launchBrowser();
    notebookId = (await api(host, 'POST', 'api/notebooks', { name: 'Tabs app' })).body.notebook_id as string;
    const first = (await api(host, 'GET', `api/notebooks/${notebookId}`)).body.cells[0].id as string;
    await api(host, 'PUT', `api/notebooks/${notebookId}/cells/${first}`, { code: DEFINING });
    await api(host, 'POST', `api/notebooks/${notebookId}/cells`, { type: 'python', code: READER });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const signIn = await context.newPage();
    await signIn.goto(host.url);
    await signIn.close();
  });

  afterAll(async () => {
    await browser?.close();
    await host?.close();
  });

  async function openTab(): Promise<Page> {
    const page = await context.newPage();
    page.on('pageerror', (err) => console.error('app page error:', err.message));
    await page.goto(`${host.base}app/${notebookId}`);
    await page.getByText('[doubled=20]').waitFor({ timeout: 120_000 });
    await page.getByTestId('app-status').getByText('Idle').waitFor({ timeout: 60_000 });
    return page;
  }
  const slider = (page: Page): Locator => page.getByRole('slider', { name: 'Threshold' });
  const shown = async (page: Page): Promise<string> => (await page.locator('main').textContent()) ?? '';

  it('two tabs of one browser have independent slider values', async () => {
    const [first, second] = [await openTab(), await openTab()];
    await slider(first).focus();
    for (let i = 0; i < 3; i++) await first.keyboard.press('ArrowRight');
    await first.getByText('[doubled=26]').waitFor({ timeout: 60_000 });
    await first.getByTestId('app-status').getByText('Idle').waitFor({ timeout: 60_000 });

    // The other tab's session never heard of it.
    expect(Number(await slider(second).inputValue())).toBe(10);
    expect(await shown(second)).toContain('[doubled=20]');

    await slider(second).focus();
    await second.keyboard.press('ArrowLeft');
    await second.getByText('[doubled=18]').waitFor({ timeout: 60_000 });
    await second.getByTestId('app-status').getByText('Idle').waitFor({ timeout: 60_000 });
    expect(Number(await slider(first).inputValue())).toBe(13);
    expect(await shown(first)).toContain('[doubled=26]');
    expect(await shown(first)).not.toContain('[doubled=18]');
  });
});
