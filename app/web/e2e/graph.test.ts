import type { Page } from 'playwright-core';
import { api, cell, describeInBrowser, screenshot, useBrowserHost, waitForFocusIn, type Host } from './harness';

/**
 * The dependency graph of a long notebook in Chromium against the real host, used with the mouse as people do: it
 * draws only the rows in view, pans by dragging, zooms with Ctrl+wheel (labels go at the smallest zoom), collapses to
 * the selected cell's lineage, a click on a node puts the cursor in its cell and lights its ancestors and
 * descendants, and only the arcs of a real cycle are red (an arc going up is not a cycle).
 */
jest.setTimeout(300_000);

const CHAIN = 140;

/**
 * A percent-format notebook: cell 1 reads `b`, which cell 2 below defines (an arc going up, no cycle); cells 3 and 4
 * read each other (a cycle); then a chain where cell i reads cell i-1 and, every other cell, cell i/2.
 */
function notebookText(): string {
  const codes = ['a = b + 1', 'b = 2', 'c = d', 'd = c', 'v0 = a'];
  for (let i = 1; i < CHAIN; i++) codes.push(i % 2 === 0 ? `v${i} = v${i - 1} + v${Math.floor(i / 2)}` : `v${i} = v${i - 1} + 1`);
  return codes.map((code) => `# %%\n${code}\n`).join('\n');
}

describeInBrowser('the dependency graph of a long notebook', () => {
  let host: Host;
  let page: Page;
  useBrowserHost({ viewport: { width: 1800, height: 900 } }, (started) => ({ host, page } = started));

  const cells = CHAIN + 4;
  const viewport = () => page.locator('.graph__viewport');
  const nodeLabels = () => page.locator('.graph__node').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('aria-label') ?? ''));
  const scrollTop = () => viewport().evaluate((el) => el.scrollTop);
  const edges = () => page.locator('.graph__edge[data-edge]').evaluateAll((paths) => paths.map((p) => ({
    edge: p.getAttribute('data-edge') ?? '',
    cycle: p.classList.contains('graph__edge--cycle'),
    stroke: getComputedStyle(p).stroke,
  })));

  it('draws the rows in view, pans by dragging, zooms with Ctrl+wheel, collapses, jumps to a clicked cell, and reds only the cycle', async () => {
    const imported = await api(host, 'POST', 'api/notebooks/import', { format: 'py', content: notebookText(), name: 'Long graph' });
    expect(imported.status).toBe(201);
    await page.goto(`${host.url}#/n/${imported.body.notebook_id as string}`);
    // A long notebook opens slowly on a loaded machine: the waits are generous, nothing is timed.
    await page.waitForSelector('[data-connection="online"]', { timeout: 240_000 });
    await page.waitForFunction((n) => document.querySelectorAll('section[data-cell-id]').length === n, cells, { timeout: 240_000 });
    const toggle = page.getByRole('button', { name: 'Graph', exact: true });
    if ((await toggle.getAttribute('aria-pressed')) !== 'true') await toggle.click();
    await page.locator('.graph__node').first().waitFor();
    // 2→1, 3→4, 4→3, 1→5, the chain's arcs, and its arcs from cell i/2 (the same pair as i-1 for i = 2: one arc).
    const halves = Array.from({ length: CHAIN }, (_, i) => i).filter((i) => i % 2 === 0 && i >= 4).length;
    expect(await page.locator('.graph__svg').getAttribute('aria-label')).toBe(`${cells} cells, ${4 + (CHAIN - 1) + halves} dependencies`);

    // Only the rows in view (and a few to spare) are in the page.
    const drawn = await nodeLabels();
    expect(drawn.length).toBeGreaterThan(10);
    expect(drawn.length).toBeLessThan(80);
    expect(drawn[0]).toMatch(/^Cell 1: a,/);

    // Only the cycle's two arcs are red; the arc going up from cell 2 to cell 1 is drawn as any other.
    const near = await edges();
    const upward = near.find((e) => e.edge === '2→1')!;
    const cycle = near.filter((e) => e.edge === '3→4' || e.edge === '4→3');
    expect(upward.cycle).toBe(false);
    expect(cycle.map((e) => e.cycle)).toEqual([true, true]);
    expect(near.filter((e) => e.cycle)).toHaveLength(2);
    expect(upward.stroke).not.toBe(cycle[0]!.stroke);

    // Pan: drag the graph up three times by 400 px; the rows at the top leave the page, later ones come in.
    const box = (await viewport().boundingBox())!;
    for (let drag = 0; drag < 3; drag++) {
      await page.mouse.move(box.x + box.width / 2, box.y + 480);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width / 2, box.y + 280, { steps: 5 });
      await page.mouse.move(box.x + box.width / 2, box.y + 80, { steps: 5 });
      await page.mouse.up();
    }
    expect(await scrollTop()).toBeGreaterThan(1100);
    await page.waitForFunction(() => !document.querySelector('.graph__node[aria-label^="Cell 1:"]'));
    const panned = await nodeLabels();
    expect(panned.some((label) => /^Cell 40:/.test(label))).toBe(true);

    // A click on a node (not a drag) puts the cursor in its cell and lights its lineage.
    const target = page.locator('.graph__node[aria-label^="Cell 40:"]');
    await target.click();
    await waitForFocusIn(page, 39);
    expect(await target.getAttribute('data-relation')).toBe('selected');
    expect(await target.getAttribute('data-graph-cell')).toBe(await cell(page, 39).getAttribute('data-cell-id'));
    await page.locator('.graph__node[data-relation="ancestor"]').first().waitFor();
    await page.locator('.graph__node[data-relation="descendant"]').first().waitFor();
    expect(await page.locator('.graph__edge--up').count()).toBeGreaterThan(0);
    expect(await page.locator('.graph__edge--down').count()).toBeGreaterThan(0);
    await screenshot(page, 'graph-long-lineage');

    // Collapse: only the cell, its ancestors and its descendants stay: the graph loses the rows of cells 3 and 4 (the
    // cycle, the only cells unrelated to cell 40), and gets them back.
    const rowsTall = () => page.locator('.graph__svg').evaluate((svg) => Number(svg.getAttribute('height')));
    const fullHeight = await rowsTall();
    await page.getByLabel('Only related').check();
    await page.waitForFunction((full) => Number(document.querySelector('.graph__svg')?.getAttribute('height')) < full, fullHeight);
    expect(fullHeight - (await rowsTall())).toBe(2 * 34);
    const related = await page.locator('.graph__node').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-relation')));
    expect(related).toContain('selected');
    expect(related.every((r) => r === 'selected' || r === 'ancestor' || r === 'descendant')).toBe(true);
    await page.getByLabel('Only related').uncheck();
    await page.waitForFunction((full) => Number(document.querySelector('.graph__svg')?.getAttribute('height')) === full, fullHeight);

    // Zoom: Ctrl+wheel over the graph, in and out; at the smallest zoom the labels go and more rows fit.
    const zoom = page.locator('.graph__zoom');
    await viewport().hover();
    await page.keyboard.down('Control');
    await page.mouse.wheel(0, -100);
    await page.waitForFunction(() => document.querySelector('.graph__zoom')?.textContent === '150%');
    for (let i = 0; i < 3; i++) await page.mouse.wheel(0, 100);
    await page.keyboard.up('Control');
    await page.waitForFunction(() => document.querySelector('.graph__zoom')?.textContent === '50%');
    expect(await zoom.textContent()).toBe('50%');
    await page.getByRole('button', { name: 'Zoom out' }).click();
    expect(await zoom.textContent()).toBe('25%');
    await page.waitForFunction(() => document.querySelectorAll('.graph__node text').length === 0);
    expect((await nodeLabels()).length).toBeGreaterThan(drawn.length);
    // The page itself did not zoom.
    expect(await page.evaluate(() => window.visualViewport?.scale ?? 1)).toBe(1);
    await screenshot(page, 'graph-long-zoomed-out');
  });
});
