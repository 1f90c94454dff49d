import type { Browser, Page } from 'playwright-core';
import { cell, cellCount, describeInBrowser, editorText, ensureBuilt, launchBrowser, openNewNotebook, runAndWait, startHost, typeInto, type Host } from './harness';

/** Import (a .ipynb chosen on the notebook list) and Export (the notebook bar's menu) in Chromium against the real host. */
jest.setTimeout(120_000);

const IPYNB = JSON.stringify({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: {},
  cells: [
    { cell_type: 'code', id: 'a', metadata: {}, execution_count: 2, outputs: [], source: 'total = price * 2' },
    { cell_type: 'code', id: 'b', metadata: {}, execution_count: 1, outputs: [], source: 'price = 21' },
  ],
});

describeInBrowser('notebook files in the page', () => {
  let host: Host;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ensureBuilt();
    host = await startHost();
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1366, height: 800 }, acceptDownloads: true })).newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await host?.close();
  });

  it('imports a chosen .ipynb as a new notebook, shows what the import noted, then opens it', async () => {
    await page.goto(host.url);
    await page.getByRole('heading', { name: 'Notebooks' }).waitFor();
    await page.getByLabel('Import a notebook file').setInputFiles({ name: 'prices.ipynb', mimeType: 'application/json', buffer: Buffer.from(IPYNB) });
    const notes = page.getByRole('status').filter({ hasText: 'Imported prices.ipynb' });
    await notes.waitFor();
    expect(await notes.textContent()).toContain('run out of order in Jupyter');
    await page.getByRole('button', { name: 'Open it' }).click();
    await page.waitForURL(/#\/n\//);
    await cell(page, 0).waitFor();
    expect(await page.locator('.notebook__title').textContent()).toBe('prices');
    expect(await cellCount(page)).toBe(2);
    expect(await editorText(page, 0)).toBe('total = price * 2');
    expect(await editorText(page, 1)).toBe('price = 21');
  });

  it('exports the open notebook as .ipynb and .py downloads', async () => {
    await page.getByText('Export', { exact: true }).click();
    const [ipynb] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Jupyter (.ipynb)' }).click()]);
    expect(ipynb.suggestedFilename()).toBe('prices.ipynb');
    const stream = await ipynb.createReadStream();
    let text = '';
    for await (const chunk of stream) text += String(chunk);
    const exported = JSON.parse(text) as { nbformat: number; cells: { source: string[] }[] };
    expect(exported.nbformat).toBe(4);
    expect(exported.cells.map((c) => c.source.join(''))).toEqual(['total = price * 2', 'price = 21']);

    await page.getByText('Export', { exact: true }).click();
    const [py] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Python file (.py)' }).click()]);
    expect(py.suggestedFilename()).toBe('prices.py');

    // The exported file, saved under another name, imports back under the notebook's own name (metadata.rnb.name).
    await page.goto(host.url);
    await page.getByRole('heading', { name: 'Notebooks' }).waitFor();
    await page.getByLabel('Import a notebook file').setInputFiles({ name: 'prices (1).ipynb', mimeType: 'application/json', buffer: Buffer.from(text) });
    await page.waitForURL(/#\/n\//);
    await cell(page, 0).waitFor();
    expect(await page.locator('.notebook__title').textContent()).toBe('prices');
  });
});

describeInBrowser('a notebook file edited on disk (folder storage)', () => {
  let host: Host;
  let browser: Browser;
  let page: Page;
  const fs = require('node:fs') as typeof import('node:fs');
  const os = require('node:os') as typeof import('node:os');
  const path = require('node:path') as typeof import('node:path');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnb-e2e-folder-'));

  beforeAll(async () => {
    ensureBuilt();
    host = await startHost({ NOTEBOOK_STORAGE: 'folder', NOTEBOOK_DIR: dir });
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1366, height: 800 } })).newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await host?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('shows an edit made in another editor in the open page, and reports a file that does not parse', async () => {
    await page.goto(host.url);
    await page.getByLabel('New notebook name').fill('On disk');
    await page.getByRole('button', { name: '+ New notebook' }).click();
    await page.waitForURL(/#\/n\//);
    await cell(page, 0).waitFor();
    await page.waitForSelector('[data-connection="online"]');
    const id = decodeURIComponent(/#\/n\/([^/?]+)/.exec(page.url())![1]!);
    const file = path.join(dir, `${id}.py`);
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toContain('# name = "On disk"');
    fs.writeFileSync(file, text.replace(/(# %% id="[^"]+"\n)\n/, '$1answer = 42\n'));
    await page.waitForFunction(() => document.querySelector('[data-cell-id] .cm-content')?.textContent === 'answer = 42', undefined, { timeout: 15_000 });
    expect(await editorText(page, 0)).toBe('answer = 42');

    fs.writeFileSync(file, '# /// rnb\n# name = broken\n# ///\n');
    await page.getByText(/cannot be read: .*line 2/).waitFor({ timeout: 15_000 });
    expect(await editorText(page, 0)).toBe('answer = 42');
    expect(fs.readFileSync(file, 'utf8')).toBe('# /// rnb\n# name = broken\n# ///\n');
  });

  it('lists a notebook of the folder with its size and when it last ran (kept in the folder\'s cache)', async () => {
    await openNewNotebook(page, host, 'Ran on disk');
    await typeInto(page, 0, 'x = 1');
    expect(await runAndWait(page, 0, 90_000)).toBe('success');
    await page.getByRole('link', { name: 'Back to notebooks' }).click();
    const meta = page.locator('.list__item', { hasText: 'Ran on disk' }).getByTestId('notebook-meta');
    // The host stores the run's time just after the run: the list, loaded again, shows it within a few seconds.
    for (let attempt = 0; attempt < 30 && !(await meta.textContent())?.includes('ran just now'); attempt++) {
      await page.waitForTimeout(500);
      await page.reload();
    }
    expect(await meta.textContent()).toMatch(/^changed .+ · ran just now · \d+(\.\d)? (B|KB)$/);
  });
});
