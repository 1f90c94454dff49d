import type { Browser, Page } from 'playwright-core';
import { api, describeInBrowser, ensureBuilt, launchBrowser, screenshot, startHost, type Host } from './harness';

/**
 * Issue 20 §4 in Debian's Chromium against the real host: the settings dialog shows a form
 * generated from the settings the SQL plugin declares (`/api/config`), its secret field is
 * write-only (the host's masked value shown, never the secret), a value the plugin refuses is
 * refused naming the field, and a saved secret is kept, replaced or removed.
 */
jest.setTimeout(120_000);

const PASSWORD = 'hunter2-e2e-secret';
const GOOD = `postgresql://ann:${PASSWORD}@db.example.com:5432/sales`;
const MASKED = 'postgresql://ann:****@db.example.com:5432/sales';

describeInBrowser('plugin settings form in a real browser', () => {
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

  const settingsOf = async (id: string): Promise<unknown> => (await api(host, 'GET', `api/notebooks/${id}`)).body.settings;

  async function openSettings() {
    await page.getByRole('button', { name: 'Settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Notebook settings' });
    await dialog.waitFor();
    return dialog;
  }

  /** Types into the SQL plugin's connection field with real keystrokes (the field is emptied first). */
  async function typeConnection(text: string): Promise<void> {
    const field = page.locator('#setting-sql-connection_string');
    await field.click();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.press('Backspace');
    await page.keyboard.type(text);
  }

  it('sets, masks, keeps and removes the SQL connection through the generated form, and refuses a bad one naming the field', async () => {
    const id = (await api(host, 'POST', 'api/notebooks', { name: 'Settings form' })).body.notebook_id as string;
    await page.goto(`${host.url}#/n/${id}`);
    await page.waitForSelector('[data-connection="online"]');

    // The form comes from the declaration: a fieldset for SQL, a password input labelled as the plugin says.
    let dialog = await openSettings();
    await dialog.locator('fieldset[data-plugin-settings="sql"] legend', { hasText: 'SQL' }).waitFor();
    expect(await dialog.getByLabel('Database connection for SQL cells').getAttribute('type')).toBe('password');

    await typeConnection(`mysql://ann:${PASSWORD}@db.example.com/sales`);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'Some settings were not saved' }).waitFor();
    await page.getByText(/sql\.connection_string: .*must start with postgresql:\/\//).first().waitFor();
    expect(await settingsOf(id)).toEqual({});

    await typeConnection(GOOD);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await settingsOf(id)).toEqual({ sql: { connection_string: MASKED } });

    // Write-only: the masked value is shown, the input starts empty, the secret is nowhere in the page.
    dialog = await openSettings();
    expect(await dialog.getByTestId('setting-sql-connection_string-masked').textContent()).toBe(MASKED);
    expect(await dialog.getByLabel('Database connection for SQL cells').inputValue()).toBe('');
    expect(await page.content()).not.toContain(PASSWORD);
    await screenshot(page, 'plugin-settings-form');

    // Saving with the secret left empty keeps it.
    await dialog.getByLabel('Name').click();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('Settings form, renamed');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.locator('.notebook__title', { hasText: 'Settings form, renamed' }).waitFor();
    expect(await settingsOf(id)).toEqual({ sql: { connection_string: MASKED } });

    // "Remove it" clears the saved secret.
    dialog = await openSettings();
    await dialog.getByLabel('Remove it').check();
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await settingsOf(id)).toEqual({});
    dialog = await openSettings();
    expect(await dialog.getByTestId('setting-sql-connection_string-masked').count()).toBe(0);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });

  it("shows the notebook's Python packages (from an imported file's PEP 723 block) and removes one with the keyboard", async () => {
    const file = [
      '# /// rnb', '# format = 1', '# name = "With packages"', '# lazy = false', '# ///',
      '# /// script', '# dependencies = [', '#   "greeter-pkg==1.2.0",', '#   "rich==13.7.1",', '# ]', '# ///', '',
      '# %% id="a"', 'x = 1', '',
    ].join('\n');
    const imported = await api(host, 'POST', 'api/notebooks/import', { format: 'py', content: file });
    const id = imported.body.notebook_id as string;
    await page.goto(`${host.url}#/n/${id}`);
    await page.waitForSelector('[data-connection="online"]');

    const dialog = await openSettings();
    await dialog.locator('fieldset[data-plugin-settings="python"] legend', { hasText: 'Python' }).waitFor();
    const packages = dialog.getByLabel('Packages');
    expect(await packages.inputValue()).toBe('greeter-pkg==1.2.0, rich==13.7.1');
    // Remove the last entry: select to the end of the field and type over it.
    await packages.click();
    await page.keyboard.press('End');
    for (let i = 0; i < ', rich==13.7.1'.length; i++) await page.keyboard.press('Backspace');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await settingsOf(id)).toEqual({ python: { packages: 'greeter-pkg==1.2.0' } });
    // The export carries what the page now shows.
    const exported = await fetch(`${host.base}api/notebooks/${id}/export?format=py`, { headers: host.token ? { authorization: `Bearer ${host.token}` } : {} });
    expect(await exported.text()).toContain('# dependencies = [\n#   "greeter-pkg==1.2.0",\n# ]');
  });
});
