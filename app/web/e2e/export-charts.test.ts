import type { Browser, Page } from 'playwright-core';
import { exportHtml, type PortableNotebook } from '@rnb/core';
import { chartLibrariesForExport } from '@rnb/server';
import { describeInBrowser, launchBrowser, screenshot } from './harness';

/**
 * A notebook's HTML export opened in Chromium with every request refused (offline): its Vega-Lite and Plotly charts
 * are drawn by the libraries inlined into the file, while a cell's own HTML still runs no script.
 */
jest.setTimeout(90_000);

const VEGA_LITE = {
  $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
  data: { values: [{ city: 'Oslo', people: 709 }, { city: 'Lima', people: 10_000 }] },
  mark: 'bar',
  encoding: { x: { field: 'city', type: 'nominal' }, y: { field: 'people', type: 'quantitative' } },
};
const PLOTLY = { data: [{ type: 'scatter', x: [1, 2, 3], y: [2, 4, 8] }], layout: { title: { text: 'growth' } } };

const notebook = (): PortableNotebook => ({
  name: 'charts',
  lazy: false,
  cells: [
    { id: 'a', type: 'python', code: 'alt.Chart(df).mark_bar()', status: 'success', stdout: '', stderr: '', error: null,
      outputs: [{ mime_type: 'application/vnd.vegalite.v5+json', data: VEGA_LITE, metadata: { 'text/plain': 'alt.Chart(...)' } }] },
    { id: 'b', type: 'python', code: 'fig', status: 'success', stdout: '', stderr: '', error: null,
      outputs: [{ mime_type: 'application/vnd.plotly.v1+json', data: PLOTLY }] },
    { id: 'c', type: 'python', code: 'HTML(...)', status: 'success', stdout: '', stderr: '', error: null,
      outputs: [{ mime_type: 'text/html', data: '<p id="own">own</p><script>document.title = "cell script ran"</script>' }] },
  ],
});

describeInBrowser('charts in an HTML export, offline', () => {
  let browser: Browser;
  let page: Page;
  const requests: string[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    page = await (await browser.newContext({ offline: true })).newPage();
    await page.route('**/*', (route) => {
      requests.push(route.request().url());
      return route.abort();
    });
  });
  afterAll(async () => browser?.close());

  it('draws Vega-Lite and Plotly charts with the inlined libraries, and runs no script of a cell', async () => {
    const libraries = chartLibrariesForExport();
    expect(Object.keys(libraries).sort()).toEqual(['plotly', 'vega-lite']);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.setContent(exportHtml(notebook(), { chartLibraries: libraries }));
    // Vega-Lite: two bars in an SVG; Plotly: its SVG with the line's path.
    await page.waitForSelector('[data-chart="vega-lite"] svg .mark-rect path', { timeout: 30_000 });
    expect(await page.locator('[data-chart="vega-lite"] svg .mark-rect path').count()).toBe(2);
    await page.waitForSelector('[data-chart="plotly"] .main-svg .scatterlayer path.js-line', { timeout: 30_000 });
    expect(await page.locator('[data-chart="plotly"] .gtitle').textContent()).toBe('growth');
    expect(await page.locator('#own').textContent()).toBe('own');
    expect(await page.title()).toBe('charts');
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await screenshot(page, 'export-charts');
  });

  it('without the libraries shows each chart\'s text and spec, and lets no script run', async () => {
    const html = exportHtml(notebook());
    // The only script is the cell's own HTML's, and the policy allows none.
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).not.toContain('script-src');
    await page.setContent(html);
    expect(await page.title()).toBe('charts');
    expect(await page.locator('.rnb-chart-note').allTextContents()).toEqual([
      'A Vega-Lite chart: this export has no chart library to draw it with; its specification follows.',
      'A Plotly chart: this export has no chart library to draw it with; its specification follows.',
    ]);
    expect(await page.getByText('alt.Chart(...)').count()).toBe(1);
  });
});
