// Widgets in Chromium: a slider moved (a real ArrowRight key press in the page) → the new output of a trivial cell
// reading it, visible in the page's DOM: set_widget_value over the socket, the value set in Pyodide, the reader re-run,
// its output broadcast and rendered. Timed inside the page, from the slider's `input` event to the reader's new text
// (then one animation frame, so the figure includes a paint); the page's own first step (input → its set_widget_value
// frame sent) is reported apart. Beside it, the floor measured in the same run: the
// runtime-call round trip of a no-op (`ping`) from a socket.io client, the channel a widget value travels, and the
// server's part alone (a socket.io client's set_widget_value → the reader's cell_output event).
// Target (issue 24): p95 < 50 ms for a trivial reader on a warm Pyodide. Run: npm run build:ts &&
// npm run build --workspace @rnb/web && node bench/widget-latency.js [moves=50]
'use strict';
const { percentile, ms, report, startBenchServer, createNotebook, openNotebookInChromium, connectNotebookSocket, pingRuntime } = require('./lib');

const MOVES = Number(process.argv[2]) || 50;

(async () => {
  const host = await startBenchServer('widget-latency');
  const { id, first } = await createNotebook(host, 'widget latency', `from rnb import ui\nthreshold = ui.slider(0, ${3 * MOVES + 100}, value=0, label="Threshold")\nthreshold`);
  await host.call('POST', `api/notebooks/${id}/cells`, { type: 'python', code: 'f"[v={threshold.value}]"' });

  // The page's set_widget_value frames and the cell_output frames it gets, time-stamped in the page (its own clock,
  // as the input event's): the page's own parts of the figure.
  const { browser, page } = await openNotebookInChromium(host, id, () => {
    window.__sent = [];
    window.__got = [];
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (data) {
      if (typeof data === 'string' && data.includes('set_widget_value')) window.__sent.push({ at: performance.now(), data });
      if (!this.__watched) {
        this.__watched = true;
        this.addEventListener('message', (event) => {
          if (typeof event.data === 'string' && event.data.includes('"cell_output"')) window.__got.push({ at: performance.now(), data: event.data });
        });
      }
      return send.call(this, data);
    };
  });
  await host.call('POST', `api/notebooks/${id}/cells/${first}/run`);
  await page.waitForFunction(() => document.querySelectorAll('section[data-cell-id]')[1]?.querySelector('.cell__outputs')?.textContent?.includes('[v=0]'), null, { timeout: 120_000 });
  const slider = page.getByRole('slider', { name: 'Threshold' });
  await slider.focus();

  // In the page: the time from the slider's input event to the reader showing `[v=<value>]`, plus one frame.
  await page.evaluate(() => {
    const input = document.querySelector('section[data-cell-id] input[type="range"]');
    window.__moved = 0;
    input.addEventListener('input', () => (window.__moved = performance.now()), { capture: true });
    window.__shown = (value) =>
      new Promise((resolve) => {
        const reader = () => document.querySelectorAll('section[data-cell-id]')[1];
        const done = () => requestAnimationFrame(() => resolve({ moved: window.__moved, shown: performance.now() }));
        const check = () => reader()?.querySelector('.cell__outputs')?.textContent?.includes(`[v=${value}]`);
        if (check()) return done();
        const observer = new MutationObserver(() => {
          if (!check()) return;
          observer.disconnect();
          done();
        });
        observer.observe(document.body, { subtree: true, childList: true, characterData: true });
      });
  });

  const socket = await connectNotebookSocket(host, id);
  const ping = () => pingRuntime(socket);

  const moves = [];
  const sent = [];
  const got = [];
  const floor = [];
  const warmup = 5;
  for (let i = 1; i <= MOVES + warmup; i++) {
    const shown = page.evaluate((v) => window.__shown(v), i);
    await page.keyboard.press('ArrowRight');
    const { moved, shown: at } = await shown;
    const frames = await page.evaluate((v) => ({
      sent: window.__sent.find((f) => f.data.includes(`"value":${v}}`))?.at,
      got: window.__got.find((f) => f.data.includes(`[v=${v}]`))?.at,
    }), i);
    if (i > warmup) {
      moves.push(at - moved);
      if (frames.sent !== undefined) sent.push(frames.sent - moved);
      if (frames.got !== undefined) got.push(at - frames.got);
    }
    // Interleaved, so both see the same machine load; the notebook is idle by now.
    if (i > warmup) floor.push(await ping());
  }

  // The server's part, from a socket.io client: set_widget_value sent → the reader's new cell_output received.
  // Interleaved with it, under the same load, the two kernel trips a move took before the value and its readers' run
  // shared one message: the value set by a runtime call, its answer awaited, then the readers of its names run
  // (both through the in-process service, behind the notebook's queue of edits and saves as it was then).
  const readerId = (await host.call('GET', `api/notebooks/${id}`)).cells[1].id;
  const serverPart = [];
  const twoTrips = [];
  const widgetId = `${first}:0`;
  for (let i = MOVES + warmup + 1; i <= 3 * MOVES + warmup; i++) {
    const oneTrip = i % 2 === 0;
    const started = performance.now();
    const output = new Promise((resolve) => {
      const onOutput = (p) => {
        if (p.cellId !== readerId || !String(p.output.data).includes(`[v=${i}]`)) return;
        socket.off('cell_output', onOutput);
        resolve(performance.now() - started);
      };
      socket.on('cell_output', onOutput);
    });
    if (oneTrip) {
      const ack = await socket.timeout(5000).emitWithAck('set_widget_value', { widget_id: widgetId, value: i });
      if (ack.error) throw new Error(`${ack.error.code}: ${ack.error.message}`);
    } else {
      const answer = await host.service.callRuntime(host.owner, id, 'python', 'set_widget_value', { widget_id: widgetId, value: i });
      await host.service.runReadersOf(host.owner, id, answer.names);
    }
    (oneTrip ? serverPart : twoTrips).push(await output);
    await page.evaluate((v) => window.__shown(v), i);
  }

  report(`web: slider moved (ArrowRight in Chromium) → a trivial reader's new output in the page (${MOVES} moves, warm Pyodide)`, {
    'move → output visible: p50': ms(percentile(moves, 50)),
    'move → output visible: p95 (target < 50 ms)': ms(percentile(moves, 95)),
    'move → output visible: max': ms(Math.max(...moves)),
    'page: input event → set_widget_value sent, p50': ms(percentile(sent, 50)),
    'page: input event → set_widget_value sent, p95': ms(percentile(sent, 95)),
    'page: output frame received → shown + 1 frame, p50': ms(percentile(got, 50)),
    'page: output frame received → shown + 1 frame, p95': ms(percentile(got, 95)),
    'server part (socket set → reader output): p50': ms(percentile(serverPart, 50)),
    'server part: p95': ms(percentile(serverPart, 95)),
    'same, value then readers in two kernel trips: p50': ms(percentile(twoTrips, 50)),
    'same, value then readers in two kernel trips: p95': ms(percentile(twoTrips, 95)),
    'floor, runtime_call ping round trip: p50': ms(percentile(floor, 50)),
    'floor, runtime_call ping round trip: p95': ms(percentile(floor, 95)),
  });
  socket.close();
  await browser.close();
  await host.stop();
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
