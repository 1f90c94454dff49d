import * as path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { StaticTokenAuth, startTestServer, type TestServer } from '../../server/src/test-support/harness';
import { cell, describeInBrowser, editorText, ensureBuilt, launchBrowser, screenshot, WEB_DIR } from './harness';

/**
 * Sharing in Chromium, multi-user: the owner shares from the Share dialog, the viewer finds the
 * notebook under "Shared with me" and gets a read-only page (typing does nothing, nothing runs),
 * and still sees the owner's edits live. The host is the server with an embedder's token auth,
 * whose page reads the token from localStorage (`rnb:token`).
 */
jest.setTimeout(120_000);

const auth = new StaticTokenAuth({ 'ann-token': 'ann', 'vic-token': 'vic' });

describeInBrowser('sharing a notebook with a viewer', () => {
  let server: TestServer;
  let browser: Browser;
  let notebookId: string;
  let firstCell: string;

  beforeAll(async () => {
    ensureBuilt();
    server = await startTestServer({ auth, webDir: path.join(WEB_DIR, 'dist') });
    notebookId = (await server.request('POST', '/api/notebooks', { token: 'ann-token', body: { name: 'Team notes' } })).body.notebook_id;
    firstCell = (await server.request('GET', `/api/notebooks/${notebookId}`, { token: 'ann-token' })).body.cells[0].id;
    await server.request('PUT', `/api/notebooks/${notebookId}/cells/${firstCell}`, { token: 'ann-token', body: { code: 'x = 1' } });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function signedIn(token: string): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addInitScript((value) => window.localStorage.setItem('rnb:token', value), token);
    const page = await context.newPage();
    page.on('pageerror', (err) => console.error('page error:', err.message));
    return { context, page };
  }

  it('the owner shares as viewer; the viewer\'s page is read-only and follows the owner\'s edits', async () => {
    const owner = await signedIn('ann-token');
    await owner.page.goto(`${server.url}/#/n/${notebookId}`);
    await cell(owner.page, 0).waitFor();
    await owner.page.getByRole('button', { name: 'Share', exact: true }).click();
    await owner.page.getByLabel('User id or e-mail').fill('vic');
    await owner.page.getByLabel('Role', { exact: true }).selectOption('viewer');
    await owner.page.getByRole('button', { name: 'Share', exact: true }).last().click();
    await owner.page.locator('[data-share-user="vic"]').waitFor();
    await screenshot(owner.page, 'sharing-dialog');
    expect((await server.request('GET', `/api/notebooks/${notebookId}/shares`, { token: 'ann-token' })).body.shares).toEqual([{ user_id: 'vic', role: 'viewer' }]);
    await owner.page.getByRole('button', { name: 'Done' }).click();

    const viewer = await signedIn('vic-token');
    await viewer.page.goto(`${server.url}/#/`);
    const shared = viewer.page.getByRole('list', { name: 'Shared with me' });
    await shared.getByText('Team notes').waitFor();
    expect(await shared.textContent()).toContain('Viewer · shared by ann');
    await screenshot(viewer.page, 'sharing-shared-with-me');
    await shared.getByRole('link', { name: 'Team notes' }).click();
    await cell(viewer.page, 0).waitFor();
    await viewer.page.getByText('View only', { exact: true }).waitFor();
    expect(await viewer.page.getByRole('button', { name: 'Run cell' }).count()).toBe(0);
    expect(await viewer.page.getByRole('button', { name: 'Run all' }).count()).toBe(0);
    expect(await viewer.page.getByRole('button', { name: 'Share', exact: true }).count()).toBe(0);

    // Typing (and the run key) in the viewer's editor changes and runs nothing.
    await cell(viewer.page, 0).locator('.cm-content').click();
    await viewer.page.keyboard.type('y = 2');
    await viewer.page.keyboard.press('Shift+Enter');
    expect(await editorText(viewer.page, 0)).toBe('x = 1');
    expect(await cell(viewer.page, 0).getAttribute('data-status')).toBe('idle');

    // The owner's edit reaches the viewer live.
    await server.request('PUT', `/api/notebooks/${notebookId}/cells/${firstCell}`, { token: 'ann-token', body: { code: 'x = 41' } });
    await viewer.page.waitForFunction(() => document.querySelector('section[data-cell-id] .cm-content')?.textContent === 'x = 41');
    await screenshot(viewer.page, 'sharing-view-only');
    const stored = await server.request('GET', `/api/notebooks/${notebookId}`, { token: 'ann-token' });
    expect([stored.body.cells.length, stored.body.cells[0].code, stored.body.cells[0].status]).toEqual([1, 'x = 41', 'idle']);
    await owner.context.close();
    await viewer.context.close();
  });

  it('the History panel shows a version\'s diff and restores it; the viewer sees the restore', async () => {
    const token = 'ann-token';
    await server.request('PUT', `/api/notebooks/${notebookId}/cells/${firstCell}`, { token, body: { code: 'x = 1\ny = 2' } });
    await server.request('POST', `/api/notebooks/${notebookId}/cells/${firstCell}/run`, { token });
    await server.request('PUT', `/api/notebooks/${notebookId}/cells/${firstCell}`, { token, body: { code: 'x = 1\ny = 3' } });
    await server.request('POST', `/api/notebooks/${notebookId}/cells/${firstCell}/run`, { token });
    // Versions are stored just after a run is queued: wait for the second.
    let versions: { id: string; summary: string }[] = [];
    while (versions.length < 2 || !(await server.request('GET', `/api/notebooks/${notebookId}/history/${versions[0]!.id}`, { token })).body.cells[0].code.endsWith('y = 3')) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      versions = (await server.request('GET', `/api/notebooks/${notebookId}/history`, { token })).body.versions;
    }
    const older = versions.find((v) => (v as { reason?: string }).reason === 'run' && v !== versions[0])!;

    const viewer = await signedIn('vic-token');
    await viewer.page.goto(`${server.url}/#/n/${notebookId}`);
    await cell(viewer.page, 0).waitFor();
    const owner = await signedIn('ann-token');
    await owner.page.goto(`${server.url}/#/n/${notebookId}`);
    await cell(owner.page, 0).waitFor();
    await owner.page.getByRole('button', { name: 'History', exact: true }).click();
    const panel = owner.page.getByRole('complementary', { name: 'History' });
    await panel.locator(`[data-version="${versions[0]!.id}"]`).waitFor();
    await panel.locator(`[data-version="${versions[0]!.id}"] .history__pick`).click();
    await panel.locator('.diff--del', { hasText: 'y = 2' }).waitFor();
    await panel.locator('.diff--add', { hasText: 'y = 3' }).waitFor();
    await screenshot(owner.page, 'history-diff');
    await panel.locator(`[data-version="${older.id}"] .history__pick`).click();
    await panel.getByRole('button', { name: 'Restore this version' }).click();
    await owner.page.waitForFunction(() => document.querySelector('section[data-cell-id] .cm-content')?.textContent === 'x = 1y = 2');
    await viewer.page.waitForFunction(() => document.querySelector('section[data-cell-id] .cm-content')?.textContent === 'x = 1y = 2');
    await panel.locator('.history__summary').first().waitFor();
    await screenshot(owner.page, 'history-restored');
    const restored = (await server.request('GET', `/api/notebooks/${notebookId}/history`, { token })).body.versions[0];
    expect([restored.reason, restored.authors]).toEqual(['restore', ['ann']]);
    // The viewer may look at the history but not restore.
    await viewer.page.getByRole('button', { name: 'History', exact: true }).click();
    const viewerPanel = viewer.page.getByRole('complementary', { name: 'History' });
    await viewerPanel.locator('.history__pick').first().click();
    expect(await viewerPanel.getByRole('button', { name: 'Restore this version' }).count()).toBe(0);
    await owner.context.close();
    await viewer.context.close();
  });
});
