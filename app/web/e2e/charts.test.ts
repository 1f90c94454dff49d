import * as http from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { freePort } from '@rnb/core/testing';
import {
  api, cell, describeInBrowser, editorText, ensureBuilt, launchBrowser, runAndWait, screenshot, startHost, typeInto, type Host,
} from './harness';

/**
 * Charts from Python cells in Chromium against the real host and real Pyodide: a Vega-Lite spec (what altair gives
 * through _repr_mimebundle_; a plain class here, no altair needed) drawn by vega-embed, and a Plotly figure drawn
 * by plotly.js, each inside the sandboxed frames of HTML output with its library fetched on first use.
 */
jest.setTimeout(150_000);

const VEGA_LITE_CELL =
  "type('Chart', (), {'_repr_mimebundle_': lambda self, include=None, exclude=None: {'application/vnd.vegalite.v5+json': " +
  "{'mark': 'bar', 'data': {'values': [{'a': 'north', 'b': 3}, {'a': 'south', 'b': 5}, {'a': 'east', 'b': 2}]}, " +
  "'encoding': {'x': {'field': 'a', 'type': 'nominal'}, 'y': {'field': 'b', 'type': 'quantitative'}}}, 'text/plain': 'Chart'}})()";

const PLOTLY_CELL =
  "type('Figure', (), {'_repr_mimebundle_': lambda self, **kw: {'application/vnd.plotly.v1+json': " +
  "{'data': [{'type': 'bar', 'x': ['a', 'b', 'c', 'd'], 'y': [2, 4, 3, 5]}], 'layout': {'title': {'text': 'Plotly in a cell'}, 'height': 320}}}})()";

describeInBrowser('charts from Python cells in a real browser', () => {
  let host: Host;
  let browser: Browser;
  let page: Page;
  const chartRequests: string[] = [];

  beforeAll(async () => {
    ensureBuilt();
    host = await startHost();
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1200, height: 900 } })).newPage();
    page.on('pageerror', (err) => console.error('page error:', err.message));
    page.on('request', (request) => {
      if (/(chart-libraries|plotly-library)-.*\.js$/.test(request.url())) chartRequests.push(request.url());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await host?.close();
  });

  /** A server on another port that counts every request: a chart must never reach it. */
  async function probeServer(): Promise<{ url: string; hits: string[]; close(): Promise<void> }> {
    const hits: string[] = [];
    const server = http.createServer((request, response) => {
      hits.push(request.url ?? '');
      response.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
      response.end('[{"a": "leaked", "b": 9}]');
    });
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${port}`, hits, close: () => new Promise((resolve) => server.close(() => resolve())) };
  }

  async function runInNewNotebook(name: string, code: string): Promise<void> {
    const id = (await api(host, 'POST', 'api/notebooks', { name })).body.notebook_id as string;
    await page.goto(`${host.url}#/n/${id}`);
    await cell(page, 0).waitFor();
    await page.waitForSelector('[data-connection="online"]');
    await typeInto(page, 0, code);
    expect(await editorText(page, 0)).toBe(code);
    // Half-typed code shows its analysis error while typing: wait for the run itself.
    expect(await runAndWait(page, 0, 90_000)).toBe('success');
  }

  it('draws a Vega-Lite spec as an SVG chart, its library loaded only when the chart appears', async () => {
    await page.goto(host.url);
    expect(chartRequests).toEqual([]);
    await runInNewNotebook('Vega-Lite chart', VEGA_LITE_CELL);
    const frame = cell(page, 0).locator('iframe[title="Vega-Lite chart output of the cell"]');
    await frame.waitFor();
    const chart = frame.contentFrame().locator('#rnb-output').contentFrame();
    await chart.locator('svg.marks').waitFor({ timeout: 30_000 });
    // One bar per row of the spec's data.
    await expect(chart.locator('g.mark-rect path').count()).resolves.toBe(3);
    expect(await chart.locator('.rnb-chart-error').count()).toBe(0);
    expect(chartRequests.some((url) => url.includes('chart-libraries'))).toBe(true);
    expect(chartRequests.some((url) => url.includes('plotly-library'))).toBe(false);
    await frame.scrollIntoViewIfNeeded();
    expect((await frame.boundingBox())!.height).toBeGreaterThan(150);
    await screenshot(page, 'charts-vega-lite');
  });

  it('draws a Plotly figure', async () => {
    await runInNewNotebook('Plotly chart', PLOTLY_CELL);
    const frame = cell(page, 0).locator('iframe[title="Plotly chart output of the cell"]');
    await frame.waitFor();
    const chart = frame.contentFrame().locator('#rnb-output').contentFrame();
    await chart.locator('.js-plotly-plot svg.main-svg').first().waitFor({ timeout: 60_000 });
    await expect(chart.locator('g.trace.bars g.point').count()).resolves.toBe(4);
    await expect(chart.locator('.gtitle').textContent()).resolves.toBe('Plotly in a cell');
    expect(await chart.locator('.rnb-chart-error').count()).toBe(0);
    await frame.scrollIntoViewIfNeeded();
    expect((await frame.boundingBox())!.height).toBeGreaterThan(250);
    await screenshot(page, 'charts-plotly');
  });

  it("refuses a chart's data and image URLs: nothing leaves the sandboxed frame", async () => {
    const probe = await probeServer();
    try {
      const code =
        `type('Leaky', (), {'_repr_mimebundle_': lambda self, **kw: {'application/vnd.vegalite.v5+json': ` +
        `{'mark': 'bar', 'data': {'url': '${probe.url}/vega-data?secret=1'}, ` +
        `'encoding': {'x': {'field': 'a', 'type': 'nominal'}, 'y': {'field': 'b', 'type': 'quantitative'}}}}})()`;
      await runInNewNotebook('Leaky chart', code);
      const frame = cell(page, 0).locator('iframe[title="Vega-Lite chart output of the cell"]');
      await frame.waitFor();
      const chart = frame.contentFrame().locator('#rnb-output').contentFrame();
      // The load is refused by the frame's policy: the chart is drawn without the data (no bars).
      await chart.locator('svg.marks').waitFor({ timeout: 30_000 });
      expect(await chart.locator('g.mark-rect path').count()).toBe(0);
      expect(probe.hits).toEqual([]);

      const plotly =
        `type('LeakyFigure', (), {'_repr_mimebundle_': lambda self, **kw: {'application/vnd.plotly.v1+json': ` +
        `{'data': [{'type': 'bar', 'x': ['a'], 'y': [1]}], 'layout': {'images': [{'source': '${probe.url}/plotly-image.png', ` +
        `'xref': 'paper', 'yref': 'paper', 'x': 0, 'y': 1, 'sizex': 1, 'sizey': 1}]}}}})()`;
      await runInNewNotebook('Leaky figure', plotly);
      const plotFrame = cell(page, 0).locator('iframe[title="Plotly chart output of the cell"]').contentFrame().locator('#rnb-output').contentFrame();
      await plotFrame.locator('g.trace.bars g.point').first().waitFor({ timeout: 60_000 });
      // The figure is drawn, its layout image with it (an <image> element): its URL was not fetched.
      await plotFrame.locator('g.layer-above image, g.layer-below image').first().waitFor({ state: 'attached' });
      await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 500)));
      expect(probe.hits).toEqual([]);
    } finally {
      await probe.close();
    }
  });
});
