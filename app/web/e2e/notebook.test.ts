import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  cell, cellCount, describeInBrowser, editorText, ensureBuilt, launchBrowser, screenshot, startHost,
  typeInto, waitForCellText, waitForFocusIn, waitForStatus, type Host,
} from './harness';

/**
 * The notebook as a user drives it, in Debian's Chromium against the real host. The steps share
 * one notebook and run in order, like a session at the keyboard.
 */
jest.setTimeout(120_000);

/** A cell whose HTML output tries to reach the page around it. */
const HTML_PROBE = [
  'class Probe:',
  '    def _repr_html_(self):',
  '        return """<p id="r">pending</p><script>',
  'var out = [];',
  "try { parent.document.title = 'pwned'; out.push('parent:reached'); } catch (e) { out.push('parent:' + e.name); }",
  "try { out.push('storage:' + localStorage.length); } catch (e) { out.push('storage:' + e.name); }",
  "function show() { document.getElementById('r').textContent = out.join(' '); }",
  "fetch('/api/notebooks').then(function () { out.push('fetch:ok'); show(); }, function () { out.push('fetch:blocked'); show(); });",
  '</script>"""',
  'Probe()',
].join('\n');

describeInBrowser('the notebook in a real browser', () => {
  let host: Host;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let notebookUrl = '';

  beforeAll(async () => {
    ensureBuilt();
    host = await startHost();
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1366, height: 800 } });
    page = await context.newPage();
    page.on('pageerror', (err) => console.error('page error:', err.message));
  });

  afterAll(async () => {
    await browser?.close();
    await host?.close();
  });

  it('creates a notebook from the list and opens it', async () => {
    await page.goto(host.url);
    await page.getByRole('heading', { name: 'Notebooks' }).waitFor();
    await page.getByLabel('New notebook name').fill('E2E reactive');
    await page.getByRole('button', { name: '+ New notebook' }).click();
    await page.waitForURL(/#\/n\//);
    notebookUrl = page.url();
    await cell(page, 0).waitFor();
    expect(await page.locator('.notebook__title').textContent()).toBe('E2E reactive');
    await page.waitForSelector('[data-connection="online"]');
    expect(await cellCount(page)).toBe(1);

    await page.goto(host.url);
    await page.getByRole('link', { name: 'E2E reactive' }).waitFor();
    await screenshot(page, 'notebook-list');
    await page.getByRole('link', { name: 'E2E reactive' }).click();
    await cell(page, 0).waitFor();
  });

  it('runs x = 10 / y = x + 5 / print(y) typed with Shift+Enter and shows 15', async () => {
    await typeInto(page, 0, 'x = 10');
    await page.keyboard.press('Shift+Enter');
    await waitForFocusIn(page, 1);
    await page.keyboard.type('y = x + 5');
    await page.keyboard.press('Shift+Enter');
    await waitForFocusIn(page, 2);
    await page.keyboard.type('print(y)');
    await page.keyboard.press('Shift+Enter');
    // Shift+Enter on the last cell adds an empty one and moves there.
    await waitForFocusIn(page, 3);
    expect(await cellCount(page)).toBe(4);
    await waitForCellText(page, 2, '15');
    expect(await waitForStatus(page, 2, ['success'])).toBe('success');
    expect(await editorText(page, 2)).toBe('print(y)');
    // What each cell defines and reads, as chips; a read chip jumps to its definition.
    expect(await cell(page, 1).locator('.chip--def').allTextContents()).toEqual(['y']);
    expect(await cell(page, 1).locator('.chip--ref').allTextContents()).toEqual(['x']);
    await cell(page, 2).getByRole('button', { name: 'y', exact: true }).click();
    await waitForFocusIn(page, 1);
    await screenshot(page, 'notebook-light');
  });

  it('editing x = 20 and running that cell updates print(y) downstream to 25', async () => {
    await typeInto(page, 0, 'x = 20');
    await page.keyboard.press('ControlOrMeta+Enter');
    await waitForCellText(page, 2, '25');
    expect(await cell(page, 2).locator('.output--stdout').textContent()).toContain('25');
    // Ctrl+Enter ran in place: the focus stayed in the first cell.
    await waitForFocusIn(page, 0);
  });

  it('switches the empty cell to SQL, runs it with {x} interpolated and shows the table', async () => {
    await cell(page, 3).getByLabel('Cell language').selectOption('sql');
    await page.waitForFunction(() => document.querySelectorAll('section[data-cell-id]')[3]?.getAttribute('aria-label') === 'SQL cell');
    expect(await cellCount(page)).toBe(4);
    await cell(page, 3).locator('.cm-content').click();
    await page.keyboard.type('SELECT {x} AS x_value, {x} * 2 AS doubled');
    await page.keyboard.press('ControlOrMeta+Enter');
    const table = cell(page, 3).locator('.output--table');
    await table.waitFor({ timeout: 60_000 });
    await waitForCellText(page, 3, '40');
    expect(await table.locator('th').allTextContents()).toEqual([expect.stringContaining('x_value'), expect.stringContaining('doubled')]);
    expect(await table.locator('tbody td').allTextContents()).toEqual(['20', '40']);
    expect(await cell(page, 3).locator('.chip--ref').allTextContents()).toEqual(['x']);
  });

  it('shows a cycle as an error on both cells', async () => {
    await page.getByRole('button', { name: '+ Python cell' }).click();
    await waitForFocusIn(page, 4);
    await page.keyboard.type('a = b + 1');
    await page.keyboard.press('Shift+Enter');
    await waitForFocusIn(page, 5);
    await page.keyboard.type('b = a + 1');
    await page.keyboard.press('ControlOrMeta+Enter');
    await waitForCellText(page, 4, /cycle/i);
    await waitForCellText(page, 5, /cycle/i);
    for (const i of [4, 5]) expect(['error', 'blocked']).toContain(await waitForStatus(page, i, ['error', 'blocked']));
    const graphToggle = page.getByRole('button', { name: 'Graph', exact: true });
    if ((await graphToggle.getAttribute('aria-pressed')) !== 'true') await graphToggle.click();
    await page.locator('.graph__edge--cycle').first().waitFor();
    await screenshot(page, 'notebook-cycle-graph');
    // Remove both, so that the rest of the notebook runs clean again.
    await cell(page, 5).getByRole('button', { name: 'Delete cell' }).click();
    await page.waitForFunction(() => document.querySelectorAll('section[data-cell-id]').length === 5);
    await cell(page, 4).getByRole('button', { name: 'Delete cell' }).click();
    await page.waitForFunction(() => document.querySelectorAll('section[data-cell-id]').length === 4);
  });

  it('interrupts an infinite loop from the UI and the kernel stays usable', async () => {
    await page.getByRole('button', { name: '+ Python cell' }).click();
    await waitForFocusIn(page, 4);
    await page.keyboard.type('while True: pass');
    await page.keyboard.press('ControlOrMeta+Enter');
    await waitForStatus(page, 4, ['running']);
    await page.waitForTimeout(700);
    expect(await cell(page, 4).locator('.status__elapsed').textContent()).toMatch(/\d+\.\d+s/);
    await screenshot(page, 'notebook-running');
    await cell(page, 4).getByRole('button', { name: 'Interrupt cell' }).click();
    const status = await waitForStatus(page, 4, ['error', 'idle', 'success', 'stale'], 30_000);
    expect(status).toBe('error');
    await waitForCellText(page, 4, /interrupt/i);
    await cell(page, 4).getByRole('button', { name: 'Delete cell' }).click();
    await page.waitForFunction(() => document.querySelectorAll('section[data-cell-id]').length === 4);
    await cell(page, 2).getByRole('button', { name: 'Run cell' }).click();
    await waitForStatus(page, 2, ['success']);
    await waitForCellText(page, 2, '25');
  });

  it('runs HTML output in a sandbox where its script reaches neither the app, its storage nor the network', async () => {
    await page.getByRole('button', { name: '+ Python cell' }).click();
    await waitForFocusIn(page, 4);
    // Inserted rather than typed: autoindent would re-indent the pasted block.
    await page.keyboard.insertText(HTML_PROBE);
    await page.keyboard.press('ControlOrMeta+Enter');
    const frameElement = cell(page, 4).locator('iframe.output--html');
    await frameElement.waitFor({ timeout: 60_000 });
    expect(await frameElement.getAttribute('sandbox')).toBe('allow-scripts');
    // The cell's document is the frame inside the output frame (see HtmlOutput.tsx).
    const outer = await (await frameElement.elementHandle())!.contentFrame();
    const innerElement = await outer!.waitForSelector('iframe#rnb-output');
    expect(await innerElement.getAttribute('sandbox')).toBe('allow-scripts');
    const frame = await innerElement.contentFrame();
    await frame!.waitForFunction(() => document.getElementById('r')?.textContent?.includes('fetch:'), null, { timeout: 15_000 });
    expect(await frame!.locator('#r').textContent()).toBe('parent:SecurityError storage:SecurityError fetch:blocked');
    expect(await page.title()).not.toBe('pwned');
    await cell(page, 4).getByRole('button', { name: 'Delete cell' }).click();
    await page.waitForFunction(() => document.querySelectorAll('section[data-cell-id]').length === 4);
  });

  it('shows one browser\'s edits live in a second browser context', async () => {
    const other = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page2 = await other.newPage();
      // A new browser context has no cookie yet: the printed URL first, as a second user would.
      await page2.goto(host.url);
      await page2.goto(notebookUrl);
      await page2.waitForSelector('[data-connection="online"]');
      await waitForCellText(page2, 2, '25');
      await typeInto(page, 0, 'x = 30');
      // Autosaved without running: the other browser gets the code.
      await page2.waitForFunction(() => document.querySelector('section[data-cell-id] .cm-content')?.textContent === 'x = 30', null, { timeout: 15_000 });
      await page.keyboard.press('ControlOrMeta+Enter');
      await waitForCellText(page2, 2, '35');
      await waitForCellText(page2, 3, '60');
      // And the other way round: a cell added there appears here.
      await page2.getByRole('button', { name: '+ Python cell' }).click();
      await page.waitForFunction(() => document.querySelectorAll('section[data-cell-id]').length === 5);
      await cell(page, 4).getByRole('button', { name: 'Delete cell' }).click();
      await page2.waitForFunction(() => document.querySelectorAll('section[data-cell-id]').length === 4);
    } finally {
      await other.close();
    }
  });

  it('keeps code typed while the host is down and saves it when it is back', async () => {
    if (!host.restartable) return; // an external host (RNB_E2E_URL) cannot be stopped from here
    await host.stop();
    await page.waitForSelector('[data-connection="offline"]', { timeout: 30_000 });
    await page.getByRole('alert').filter({ hasText: 'Connection to the server lost' }).waitFor();
    await typeInto(page, 1, 'y = x + 7');
    await cell(page, 1).locator('.save--offline').waitFor({ timeout: 15_000 });
    await screenshot(page, 'notebook-offline');
    await host.restart();
    await page.waitForSelector('[data-connection="online"]', { timeout: 30_000 });
    await page.waitForFunction(() => document.querySelectorAll('section[data-cell-id] .save').length === 0, null, { timeout: 15_000 });
    await page.reload();
    await cell(page, 1).waitFor();
    expect(await editorText(page, 1)).toBe('y = x + 7');
  });

  it('has settings with a masked connection string, lazy mode, a shortcut dialog and a dark theme', async () => {
    await page.getByRole('button', { name: 'Settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Notebook settings' });
    await dialog.waitFor();
    await dialog.getByLabel('Name').fill('E2E renamed');
    await dialog.getByLabel('Database connection for SQL cells').fill('postgresql://alice:s3cret@127.0.0.1:1/nowhere');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.locator('.notebook__title', { hasText: 'E2E renamed' }).waitFor();
    await page.getByRole('button', { name: 'Settings' }).click();
    const masked = await dialog.getByTestId('setting-sql-connection_string-masked').textContent();
    expect(masked).not.toContain('s3cret');
    expect(masked).toContain('alice');
    await dialog.getByLabel(/lazy/).check();
    await screenshot(page, 'notebook-settings');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.locator('.mode--lazy').waitFor();
    // Lazy: running the edited cell marks its dependents stale instead of running them.
    await typeInto(page, 0, 'x = 40');
    await page.keyboard.press('ControlOrMeta+Enter');
    await waitForStatus(page, 2, ['stale'], 30_000);
    expect(await cell(page, 2).locator('.output--stdout').textContent()).toContain('35');
    await page.getByRole('button', { name: 'Run stale' }).click();
    // y = x + 7 since the offline step.
    await waitForCellText(page, 2, '47');
    // The SQL cell now runs against the database just configured, which does not exist.
    await waitForStatus(page, 3, ['error']);
    await waitForCellText(page, 3, /could not connect/i);

    await page.locator('.notebook__title').click();
    await page.keyboard.press('?');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await screenshot(page, 'notebook-shortcuts');
    await page.keyboard.press('Escape');

    while ((await page.evaluate(() => document.documentElement.dataset.theme)) !== 'dark') {
      await page.getByRole('button', { name: /change theme/ }).click();
    }
    await screenshot(page, 'notebook-dark');
  });

  it('says at once, before any question, that the assistant is not configured on this host', async () => {
    await page.getByRole('button', { name: 'Assistant', exact: true }).click();
    const panel = page.getByRole('complementary', { name: 'Assistant' });
    await panel.getByRole('alert').waitFor();
    expect(await panel.getByRole('alert').textContent()).toMatch(/not available.*ANTHROPIC_API_KEY/s);
    expect(await panel.getByRole('button', { name: 'Send' }).isDisabled()).toBe(true);
    await panel.getByRole('button', { name: 'Close the assistant' }).click();
    await panel.waitFor({ state: 'detached' });
  });

  it('adds, moves, walks through and deletes cells from the keyboard', async () => {
    const before = await cellCount(page);
    const countIs = (n: number) => page.waitForFunction((k) => document.querySelectorAll('section[data-cell-id]').length === k, n);
    await cell(page, before - 1).locator('.cm-content').click();
    await page.keyboard.press('ControlOrMeta+Shift+B');
    await waitForFocusIn(page, before);
    await page.keyboard.type('k = 1');
    await page.keyboard.press('ControlOrMeta+Shift+O');
    await countIs(before + 2);
    await waitForFocusIn(page, before);
    // The new cell is empty: ArrowDown on its last line goes to the next cell.
    await page.keyboard.press('ArrowDown');
    await waitForFocusIn(page, before + 1);
    await page.keyboard.press('Control+Shift+ArrowUp');
    await page.waitForFunction((i) => document.querySelectorAll('section[data-cell-id]')[i]?.querySelector('.cm-content')?.textContent === 'k = 1', before);
    await waitForFocusIn(page, before);
    await page.keyboard.press('ControlOrMeta+Shift+Backspace');
    await countIs(before + 1);
    await waitForFocusIn(page, before);
    await page.keyboard.press('ControlOrMeta+Shift+Backspace');
    await countIs(before);
    // Escape leaves the editor for its cell; Tab then moves on to the cell's controls.
    await cell(page, 0).locator('.cm-content').click();
    await page.keyboard.press('Escape');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-cell-id') !== null && document.activeElement?.tagName)).toBe('SECTION');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id.startsWith('type-'))).toBe(true);
  });

  it('renames and deletes a notebook from the list, with confirmation', async () => {
    await page.goto(host.url);
    await page.getByRole('button', { name: 'Rename E2E renamed' }).click();
    await page.getByLabel('New name for E2E renamed').fill('E2E final');
    await page.keyboard.press('Enter');
    await page.getByRole('link', { name: 'E2E final' }).waitFor();
    await page.getByRole('button', { name: 'Delete E2E final' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete notebook?' });
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    expect(await page.getByRole('link', { name: 'E2E final' }).count()).toBe(1);
    await page.getByRole('button', { name: 'Delete E2E final' }).click();
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('link', { name: 'E2E final' }).waitFor({ state: 'detached' });
  });
});
