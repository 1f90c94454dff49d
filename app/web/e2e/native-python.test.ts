import { spawnSync } from 'node:child_process';
import type { Browser, Page } from 'playwright-core';
import { cell, describeInBrowser, editorText, ensureBuilt, launchBrowser, runAndWait, screenshot, startHost, typeInto, waitForCellText, type Host } from './harness';

/**
 * PYTHON_RUNTIME=native in Chromium against the real host: a cell typed at full speed makes a pandas DataFrame and a
 * matplotlib figure; the page shows the table and the PNG (no plt.show()).
 */
jest.setTimeout(150_000);

const PYTHON = '/usr/bin/python3';

function nativeMissing(): string | null {
  if (spawnSync('bwrap', ['--version']).status !== 0) return 'bubblewrap is not installed (apt-get install -y bubblewrap)';
  if (spawnSync(PYTHON, ['-c', 'import numpy, pandas, matplotlib']).status !== 0) return `${PYTHON} lacks numpy, pandas or matplotlib`;
  return null;
}

describeInBrowser('the native Python runtime in a real browser', () => {
  let host: Host;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const missing = nativeMissing();
    if (missing) throw new Error(`the native runtime cannot run here: ${missing}`);
    ensureBuilt();
    host = await startHost({ PYTHON_RUNTIME: 'native', PYTHON_EXECUTABLE: PYTHON });
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
    page.on('pageerror', (err) => console.error('page error:', err.message));
  });

  afterAll(async () => {
    await browser?.close();
    await host?.close();
  });

  const openNewNotebook = async (name: string): Promise<void> => {
    const response = await fetch(`${host.base}api/notebooks`, { method: 'POST', headers: { 'content-type': 'application/json', ...(host.token ? { authorization: `Bearer ${host.token}` } : {}) }, body: JSON.stringify({ name }) });
    const { notebook_id: id } = (await response.json()) as { notebook_id: string };
    await page.goto(`${host.url}#/n/${id}`);
    await cell(page, 0).waitFor();
    await page.waitForSelector('[data-connection="online"]');
  };

  it('shows a pandas table and a matplotlib plot', async () => {
    await openNewNotebook('native');
    const code = 'import pandas as pd\nimport matplotlib.pyplot as plt\ndf = pd.DataFrame({"city": ["Oslo", "Lima"], "people": [709000, 10000000]})\nplt.bar(df["city"], df["people"])\ndf';
    await typeInto(page, 0, code);
    expect(await editorText(page, 0)).toBe(code);
    // runAndWait: a status shown before the run (an analysis error of half-typed code) is not the run's.
    expect(await runAndWait(page, 0, 90_000)).toBe('success');
    await waitForCellText(page, 0, 'Lima');
    const table = cell(page, 0).locator('table');
    await table.waitFor();
    expect(await table.locator('th').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('city'), expect.stringContaining('people')]));
    const image = cell(page, 0).locator('img.output--image');
    await image.waitFor();
    expect(await image.getAttribute('src')).toMatch(/^data:image\/png;base64,iVBOR/);
    // The PNG decodes in the browser: it has a real size.
    expect(await image.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(100);
  });

  it('edits Python as with Pyodide: the host lists its editor mode, so an f-string typed at full speed closes once and a colon indents', async () => {
    const config = (await (await fetch(`${host.base}api/config`)).json()) as { languages: { id: string; editor: { mode: string | null }; file_extension: string | null }[] };
    expect(config.languages.find((l) => l.id === 'python')).toMatchObject({ editor: { mode: 'python' }, file_extension: '.py' });
    await openNewNotebook('editing');
    // Without the mode, `f"` did not close and the closing quote typed after `}` opened a new string: f"n{i}"".
    await typeInto(page, 0, 'def label(i):\nreturn f"n{i}"\n');
    await page.keyboard.press('Backspace');
    await page.keyboard.type('label(3)');
    expect(await editorText(page, 0)).toBe('def label(i):\n    return f"n{i}"\nlabel(3)');
    expect(await runAndWait(page, 0, 90_000)).toBe('success');
    await waitForCellText(page, 0, "'n3'");
  });

  it('sorts a million-row DataFrame in the kernel: a header click shows the true smallest, then largest, value first', async () => {
    await openNewNotebook('million rows');
    const code = 'import numpy as np, pandas as pd\nbig = pd.DataFrame({"id": np.random.default_rng(1).permutation(1_000_000), "half": np.arange(1_000_000) // 2})\nbig';
    await typeInto(page, 0, code);
    expect(await runAndWait(page, 0, 120_000)).toBe('success');
    const table = cell(page, 0).locator('.live-table');
    await table.waitFor();
    expect(await table.locator('.table__count').textContent()).toMatch(/^1,000,000 rows/);
    // The header shows the column's summary over all rows, not the preview's.
    const idHeader = table.locator('.live-table__head th').nth(1);
    expect(await idHeader.locator('.table__stats').textContent()).toBe('int640 – 999,999');
    const firstId = () => table.locator('.live-table__body tbody tr[data-row="0"] td').first().textContent();
    const sortById = idHeader.getByRole('button', { name: /^id/ });
    // The preview's first 1,000 rows hold neither 0 nor 999,999 at the top: only a sort of all rows in the kernel gives them.
    await sortById.click();
    await page.waitForFunction(() => document.querySelector('.live-table__body tbody tr[data-row="0"] td')?.textContent === '0', undefined, { timeout: 30_000 });
    expect(await idHeader.getAttribute('aria-sort')).toBe('ascending');
    await sortById.click();
    await page.waitForFunction(() => document.querySelector('.live-table__body tbody tr[data-row="0"] td')?.textContent === '999999', undefined, { timeout: 30_000 });
    expect(await firstId()).toBe('999999');
    expect(await idHeader.getAttribute('aria-sort')).toBe('descending');
    await screenshot(page, 'live-table-million-sorted');
  });
});
