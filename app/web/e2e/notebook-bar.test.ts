import type { Locator, Page } from 'playwright-core';
import { api, cell, describeInBrowser, openNotebookWithCells, screenshot, useBrowserHost, type Host } from './harness';

/**
 * The notebook page's bar at laptop widths, for an owner (who has the most actions) of a lazy notebook (Run stale
 * too): every action is on screen, not cut off at the window's edge nor covered, and a click on it reaches it. The
 * bar wraps when it has no room, and the cells start below it.
 */
jest.setTimeout(120_000);

const BUTTONS = ['Run stale', 'Run all', 'Interrupt', 'Restart', 'Clear outputs', 'Graph', 'Variables', 'Assistant', 'History', 'Share', 'Settings', 'Keyboard shortcuts'];
const MENUS = ['Export', 'App'];

describeInBrowser('the notebook bar at laptop widths', () => {
  let host: Host;
  let page: Page;

  useBrowserHost({ viewport: { width: 1500, height: 800 } }, (started) => ({ host, page } = started));

  /** Whether the element is wholly inside the window and the bar, and is what a click at its middle lands on. */
  async function reachable(target: Locator): Promise<boolean> {
    return target.evaluate((el) => {
      const box = el.getBoundingClientRect();
      const bar = el.closest('.notebook__bar')!.getBoundingClientRect();
      const inside = box.width > 0 && box.left >= 0 && box.right <= window.innerWidth && box.left >= bar.left && box.right <= bar.right && box.top >= bar.top && box.bottom <= bar.bottom;
      const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
      return inside && hit !== null && el.contains(hit);
    });
  }

  it('shows every action whole at 1500 and 1000 px (and on a phone), wrapping the bar when it must', async () => {
    const id = await openNotebookWithCells(page, host, 'Quarterly sales by region and product line', ['x = 1']);
    await api(host, 'PUT', `api/notebooks/${id}/settings`, { lazy: true });
    const bar = page.locator('.notebook__bar');
    await bar.getByRole('button', { name: 'Run stale' }).waitFor();
    for (const width of [1500, 1000, 420]) {
      await page.setViewportSize({ width, height: 800 });
      const targets = [
        ...BUTTONS.map((name) => [name, bar.getByRole('button', { name, exact: true })] as const),
        ...MENUS.map((name) => [name, bar.locator('summary', { hasText: name })] as const),
      ];
      const unreachable: string[] = [];
      for (const [name, target] of targets) if (!(await reachable(target))) unreachable.push(name);
      await screenshot(page, `notebook-bar-${width}`);
      expect({ width, unreachable }).toEqual({ width, unreachable: [] });
      // A real click reaches the last action of the bar: the settings open.
      await bar.getByRole('button', { name: 'Settings', exact: true }).click();
      await page.getByRole('dialog').waitFor();
      await page.keyboard.press('Escape');
      await page.getByRole('dialog').waitFor({ state: 'detached' });
      // The panels stick below the bar by its height, and the first cell is not under it.
      const layout = await bar.evaluate((el) => ({
        height: el.getBoundingClientRect().height,
        variable: getComputedStyle(el).getPropertyValue('--notebook-bar-height').trim(),
        bottom: el.getBoundingClientRect().bottom,
      }));
      expect(layout.variable).toBe(`${Math.round(layout.height)}px`);
      expect((await cell(page, 0).boundingBox())!.y).toBeGreaterThanOrEqual(layout.bottom);
    }
  });
});
