import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { cell, cellCount, describeInBrowser, ensureBuilt, launchBrowser, screenshot, startHost, waitForFocusIn, type Host } from './harness';

/**
 * The assistant panel in Chromium against the real host, whose model is a
 * fake Messages API server on 127.0.0.1 (no network).
 */
jest.setTimeout(120_000);

/** The part of the fake model server used here (typed locally so the web build does not depend on the plugin's). */
interface FakeModel {
  url: string;
  requests: { aborted: boolean }[];
  script(replies: unknown[]): void;
  whenEnded(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}
const { startFakeModelServer } = require('@rnb/plugin-assistant-anthropic/testing') as { startFakeModelServer(options: { apiKey: string }): Promise<FakeModel> };

describeInBrowser('the assistant panel', () => {
  let fake: FakeModel;
  let host: Host;
  let browser: Browser;
  let page: Page;
  let auditDir: string;

  beforeAll(async () => {
    ensureBuilt();
    fake = await startFakeModelServer({ apiKey: 'browser-test-key' });
    auditDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnb-e2e-audit-'));
    host = await startHost({ ANTHROPIC_API_KEY: 'browser-test-key', ANTHROPIC_BASE_URL: fake.url, ASSISTANT_AUDIT_DIR: auditDir, ASSISTANT_MAX_RETRIES: '0' });
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1366, height: 800 } })).newPage();
    page.on('pageerror', (err) => console.error('page error:', err.message));
  });

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await fake?.close();
    if (auditDir) fs.rmSync(auditDir, { recursive: true, force: true });
  });

  it('streams the answer and shows each tool call as a step linked to its cell; stop ends the stream', async () => {
    await page.goto(host.url);
    await page.getByLabel('New notebook name').fill('Assistant E2E');
    await page.getByRole('button', { name: '+ New notebook' }).click();
    await page.waitForURL(/#\/n\//);
    await cell(page, 0).waitFor();
    await page.waitForSelector('[data-connection="online"]');

    fake.script([
      { blocks: [{ type: 'text', text: 'Adding a cell that computes the answer.' }, { type: 'tool_use', name: 'create_cell', input: { type: 'python', code: 'answer = 6 * 7' } }], delayMs: 250 },
      { blocks: [{ type: 'text', text: 'Done: the new cell defines answer.' }], delayMs: 100 },
    ]);
    await page.getByRole('button', { name: 'Assistant', exact: true }).click();
    const panel = page.getByRole('complementary', { name: 'Assistant' });
    await panel.getByLabel('Message the assistant').fill('Add a cell computing the answer');
    await panel.getByRole('button', { name: 'Send' }).click();

    // Streaming: the first words are on screen while the answer is still being written (Stop is offered).
    await panel.getByText('Adding a cell', { exact: false }).waitFor();
    expect(await panel.getByRole('button', { name: 'Stop' }).isVisible()).toBe(true);
    expect(await panel.getByText('Done: the new cell defines answer.').count()).toBe(0);

    const step = panel.locator('.assistant__step[data-tool="create_cell"]');
    await step.locator('.assistant__step-summary').waitFor();
    await panel.getByText('Done: the new cell defines answer.').waitFor();
    expect(await step.getAttribute('class')).toContain('assistant__step--ok');
    expect(await step.textContent()).toContain('Create a cell');
    await panel.getByRole('button', { name: 'Send' }).waitFor();

    // The cell arrived through the socket like anyone's edit; the step's link jumps to it.
    await page.waitForFunction(() => document.querySelectorAll('section[data-cell-id]').length === 2);
    expect(await cellCount(page)).toBe(2);
    await step.getByRole('button', { name: 'Cell 2' }).click();
    await waitForFocusIn(page, 1);
    await screenshot(page, 'assistant-panel');

    // Stop: a slow answer is cut, the model request is cancelled.
    fake.script([{ blocks: [{ type: 'text', text: 'This is a very slow answer that will be stopped. '.repeat(8) }], delayMs: 300 }]);
    const before = fake.requests.length;
    await panel.getByLabel('Message the assistant').fill('Say something long');
    await panel.getByRole('button', { name: 'Send' }).click();
    await panel.getByText('This is a very slow', { exact: false }).waitFor();
    await panel.getByRole('button', { name: 'Stop' }).click();
    await panel.getByText('Stopped.', { exact: true }).waitFor();
    await fake.whenEnded(before + 1);
    expect(fake.requests[before]!.aborted).toBe(true);
  });
});
