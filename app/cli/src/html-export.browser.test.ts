/** The HTML export opened in Chromium with the network off: everything it shows must be inside the file. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { exportHtml, TABLE_MIME, type PortableNotebook } from '@rnb/core';
import { describeNeeding } from '@rnb/core/testing';
import { renderMarkdownHtml } from '@rnb/markdown';

const CHROMIUM = process.env.RNB_CHROMIUM ?? '/usr/bin/chromium';
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10"><rect width="20" height="10" fill="red"/></svg>';

const notebook: PortableNotebook = {
  name: 'Offline report',
  lazy: false,
  cells: [
    { id: 'm', type: 'markdown', code: '# Sales\n\nNumbers **by region**, $x^2$.', status: 'idle', stdout: '', stderr: '', outputs: [], error: null },
    {
      id: 'p',
      type: 'python',
      code: 'plot()',
      status: 'success',
      stdout: 'drawing\n',
      stderr: '',
      outputs: [
        { mime_type: 'image/png', data: PNG },
        { mime_type: 'image/svg+xml', data: SVG },
        { mime_type: TABLE_MIME, data: { type: 'table', columns: ['region', 'total'], rows: [['north', 10], ['south', 20]] } },
      ],
      error: null,
    },
  ],
};

describeNeeding('HTML export in Chromium', fs.existsSync(CHROMIUM) ? null : `Chromium not found at ${CHROMIUM} (apt-get install -y chromium, or set RNB_CHROMIUM)`, () => {
  it('renders text, images and tables with the network off, asking for nothing outside the file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnb-html-'));
    const file = path.join(dir, 'report.html');
    fs.writeFileSync(file, exportHtml(notebook, { renderMarkdown: renderMarkdownHtml }));
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
    try {
      const context = await browser.newContext({ offline: true });
      const page = await context.newPage();
      const requests: string[] = [];
      page.on('request', (request) => {
        if (!request.url().startsWith('file:') && !request.url().startsWith('data:')) requests.push(request.url());
      });
      const problems: string[] = [];
      page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
      await page.goto(`file://${file}`);
      expect(await page.textContent('h1.rnb-title')).toBe('Offline report');
      expect(await page.textContent('.rnb-markdown h1')).toBe('Sales');
      expect(await page.textContent('.rnb-markdown strong')).toBe('by region');
      expect(await page.locator('.rnb-markdown math msup').count()).toBe(1);
      const images = await page.$$eval('img', (list) => list.map((img) => ({ complete: img.complete, width: img.naturalWidth })));
      expect(images).toEqual([{ complete: true, width: 1 }, { complete: true, width: 20 }]);
      expect(await page.$$eval('table.rnb-table tbody tr', (rows) => rows.map((r) => r.textContent))).toEqual(['north10', 'south20']);
      expect(requests).toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
