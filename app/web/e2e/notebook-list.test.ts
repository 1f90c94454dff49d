import type { Browser, Page } from 'playwright-core';
import { describeInBrowser, ensureBuilt, launchBrowser, screenshot, startHost, type Host } from './harness';

/**
 * The notebook list (issue 25): search by name as one types, sort by last change / name / last
 * run, duplicate, and each notebook's size and last run, in Debian's Chromium against the real
 * host (file storage) with real Python.
 */
jest.setTimeout(180_000);

describeInBrowser('the notebook list in a real browser', () => {
  let host: Host;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ensureBuilt();
    host = await startHost();
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1366, height: 800 } })).newPage();
    page.on('pageerror', (err) => console.error('page error:', err.message));
  });

  afterAll(async () => {
    await browser?.close();
    await host?.close();
  });

  const api = (path: string, method: string, body?: unknown) =>
    fetch(`${host.base}api/notebooks${path}`, { method, headers: { 'content-type': 'application/json', ...(host.token ? { authorization: `Bearer ${host.token}` } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) }).then((r) => r.json());
  const shownNames = (): Promise<string[]> => page.locator('.list__items .list__open').allTextContents();

  it('searches by name, sorts by last change, name or last run, duplicates, and shows size and last run', async () => {
    // Created in this order: "Beta data" is the newest change, then it is run... and "Alpha report" changed last.
    for (const name of ['alpha draft', 'Beta data', 'Alpha report']) await api('', 'POST', { name });
    const listed = (await api('', 'GET')).notebooks as { id: string; name: string }[];
    const beta = listed.find((n) => n.name === 'Beta data')!.id;
    const betaCell = (await api(`/${beta}`, 'GET')).cells[0].id as string;
    await api(`/${beta}/cells/${betaCell}`, 'PUT', { code: 'x = 1' });
    await api(`/${beta}/cells/${betaCell}/run`, 'POST');
    for (let i = 0; i < 600; i++) {
      const notebooks = (await api('', 'GET')).notebooks as { id: string; last_run_at: string | null }[];
      if (notebooks.find((n) => n.id === beta)?.last_run_at) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // Changed after Beta's run: the newest change.
    const alpha = listed.find((n) => n.name === 'Alpha report')!.id;
    await api(`/${alpha}/name`, 'PUT', { name: 'Alpha report' });

    await page.goto(host.url);
    await page.getByRole('heading', { name: 'Notebooks' }).waitFor();
    await page.locator('.list__items').waitFor();
    expect(await shownNames()).toEqual(['Alpha report', 'Beta data', 'alpha draft']);

    // Sizes and last runs.
    const betaMeta = page.locator('.list__item', { hasText: 'Beta data' }).getByTestId('notebook-meta');
    expect(await betaMeta.textContent()).toMatch(/^changed .+ · ran just now · \d+(\.\d)? (B|KB)$/);
    expect(await page.locator('.list__item', { hasText: 'alpha draft' }).getByTestId('notebook-meta').textContent()).toContain('never ran');

    // Search as one types, any case.
    await page.getByLabel('Search notebooks by name').click();
    await page.keyboard.type('ALPHA');
    expect(await shownNames()).toEqual(['Alpha report', 'alpha draft']);
    await page.keyboard.type(' rep');
    expect(await shownNames()).toEqual(['Alpha report']);
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.press('Backspace');

    // Sort by name, then by last run (never-run ones last).
    await page.getByLabel('Sort notebooks').selectOption('name');
    expect(await shownNames()).toEqual(['alpha draft', 'Alpha report', 'Beta data']);
    await page.getByLabel('Sort notebooks').selectOption('ran');
    expect((await shownNames())[0]).toBe('Beta data');

    // Duplicate: the copy is there, with the same code.
    await page.getByRole('button', { name: 'Duplicate Beta data' }).click();
    await page.locator('.list__open', { hasText: 'Beta data (copy)' }).waitFor();
    await page.getByLabel('Sort notebooks').selectOption('changed');
    expect((await shownNames())[0]).toBe('Beta data (copy)');
    await screenshot(page, 'notebook-list');
    const copy = ((await api('', 'GET')).notebooks as { id: string; name: string }[]).find((n) => n.name === 'Beta data (copy)')!;
    expect((await api(`/${copy.id}`, 'GET')).cells.map((c: { code: string }) => c.code)).toEqual(['x = 1']);
  });
});
