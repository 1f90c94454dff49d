import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { writeBearerAuthPlugin } from './bearer-auth-plugin';
import { api, describeInBrowser, ensureBuilt, launchBrowser, startHost, type Host } from './harness';

/**
 * Widgets in the app view, in Chromium with real Pyodide: two visitors of a public app (two browser contexts, each
 * its own viewer session) drag the same slider; only the dragging viewer's dependent output changes.
 */
jest.setTimeout(180_000);

const DEFINING = 'from rnb import ui\nthreshold = ui.slider(0, 100, value=10, label="Threshold")\nthreshold';
const READER = 'print(f"[doubled={threshold.value * 2}]")';

describeInBrowser('widgets in the app view', () => {
  let host: Host;
  let owner: Host;
  let browser: Browser;
  let dir: string;
  let notebookId: string;

  beforeAll(async () => {
    ensureBuilt();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnb-e2e-auth-'));
    host = await startHost({
      NOTEBOOK_AUTH: writeBearerAuthPlugin(path.join(dir, 'auth'), { 'ann-token': 'ann' }),
      NOTEBOOK_PUBLIC_APPS: 'true',
      NOTEBOOK_SECRET_KEY: crypto.randomBytes(32).toString('base64'),
      NOTEBOOK_TOKEN: '',
    });
    owner = { ...host, token: 'ann-token' };
    browser = await launchBrowser();
    notebookId = (await api(owner, 'POST', 'api/notebooks', { name: 'Slider app' })).body.notebook_id as string;
    const first = (await api(owner, 'GET', `api/notebooks/${notebookId}`)).body.cells[0].id as string;
    await api(owner, 'PUT', `api/notebooks/${notebookId}/cells/${first}`, { code: DEFINING });
    await api(owner, 'POST', `api/notebooks/${notebookId}/cells`, { type: 'python', code: READER });
    expect((await api(owner, 'PUT', `api/notebooks/${notebookId}/app`, { published: true })).status).toBe(200);
  });

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function openApp(): Promise<Page> {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.on('pageerror', (err) => console.error('app page error:', err.message));
    await page.goto(`${host.base}app/${notebookId}`);
    await page.getByText('[doubled=20]').waitFor({ timeout: 120_000 });
    return page;
  }
  const slider = (page: Page): Locator => page.getByRole('slider', { name: 'Threshold' });
  const readerText = async (page: Page): Promise<string> => (await page.locator('main').textContent()) ?? '';

  it('two viewers\' sliders are independent: a drag changes only the dragging viewer\'s output', async () => {
    const [first, second] = [await openApp(), await openApp()];
    await first.getByTestId('app-status').getByText('Idle').waitFor({ timeout: 60_000 });
    expect(await slider(first).isEnabled()).toBe(true);
    const box = (await slider(first).boundingBox())!;
    const y = box.y + box.height / 2;
    await first.mouse.move(box.x + box.width * 0.1, y);
    await first.mouse.down();
    for (let step = 1; step <= 30; step++) await first.mouse.move(box.x + box.width * (0.1 + (0.6 * step) / 30), y);
    await first.mouse.up();
    const dragged = Number(await slider(first).inputValue());
    expect(dragged).toBeGreaterThan(50);
    await first.getByText(`[doubled=${dragged * 2}]`).waitFor({ timeout: 60_000 });
    await first.getByTestId('app-status').getByText('Idle').waitFor({ timeout: 60_000 });

    // The other viewer's session never heard of it: their slider and output stay where they were.
    await second.getByTestId('app-status').getByText('Idle').waitFor({ timeout: 60_000 });
    expect(Number(await slider(second).inputValue())).toBe(10);
    expect(await readerText(second)).toContain('[doubled=20]');
    expect(await readerText(second)).not.toContain(`[doubled=${dragged * 2}]`);

    // And the second viewer's own move stays theirs.
    await slider(second).focus();
    await second.keyboard.press('ArrowRight');
    await second.getByText('[doubled=22]').waitFor({ timeout: 60_000 });
    await first.getByTestId('app-status').getByText('Idle').waitFor();
    expect(Number(await slider(first).inputValue())).toBe(dragged);
    expect(await readerText(first)).toContain(`[doubled=${dragged * 2}]`);
    // The owner's notebook keeps its own value: nothing a viewer set is stored.
    const stored = JSON.stringify((await api(owner, 'GET', `api/notebooks/${notebookId}`)).body);
    expect(stored).not.toContain(`"value":${dragged}`);
  });
});
