// 200 widgets in one notebook, in Chromium (issue 24: "200 widgets in one notebook stay responsive"): 20 Python cells of
// 10 sliders each, a `threshold` slider with a reader, and an empty cell. Typed into that cell at full speed
// (page.keyboard.type, no pauses), then the threshold slider dragged with the mouse. Reports the long tasks
// (PerformanceObserver 'longtask', > 50 ms on the main thread) during each phase, and per-key / per-move latency
// measured in the page: from the keydown (pointermove) event to the next animation frame after it was handled.
// Run: npm run build:ts && npm run build --workspace @rnb/web && node bench/widgets-200.js [keys=80]
'use strict';
const { percentile, ms, report, startBenchServer, createNotebook, openNotebookInChromium } = require('./lib');

const KEYS = Number(process.argv[2]) || 80;
// RNB_WIDGET_CELLS=0 runs the same steps with the threshold slider alone (the baseline).
const CELLS = process.env.RNB_WIDGET_CELLS === undefined ? 20 : Number(process.env.RNB_WIDGET_CELLS);
const PER_CELL = 10;

(async () => {
  const host = await startBenchServer('widgets-200');
  const { call } = host;
  const { id, first } = await createNotebook(host, '200 widgets', 'from rnb import ui\nthreshold = ui.slider(0, 100, value=10, label="Threshold")\nthreshold');
  let after = (await call('POST', `api/notebooks/${id}/cells`, { type: 'python', code: 'f"[v={threshold.value}]"', after_cell_id: first })).cell_id;
  for (let c = 0; c < CELLS; c++) {
    const code = `group_${c} = [ui.slider(0, 100, value=${c}, label=f"w${c}-{i}") for i in range(${PER_CELL})]\nfor _w in group_${c}:\n    display(_w)`;
    after = (await call('POST', `api/notebooks/${id}/cells`, { type: 'python', code, after_cell_id: after })).cell_id;
  }
  await call('POST', `api/notebooks/${id}/cells`, { type: 'python', code: '', after_cell_id: after });

  const { browser, page } = await openNotebookInChromium(host, id);
  await call('POST', `api/notebooks/${id}/run_all`);
  const total = CELLS * PER_CELL + 1;
  for (const started = Date.now(); ; ) {
    const cells = (await call('GET', `api/notebooks/${id}`)).cells;
    const widgets = cells.flatMap((cell) => cell.outputs).filter((output) => output.mime_type === 'application/vnd.rnb.widget+json').length;
    if (widgets >= total && cells.every((cell) => cell.status === 'success' || cell.code === '')) break;
    const failed = cells.find((cell) => cell.status === 'error' || cell.status === 'blocked');
    if (failed) throw new Error(`a cell failed: ${failed.error}`);
    if (Date.now() - started > 180_000) throw new Error(`only ${widgets} widgets after 180 s`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  await page.waitForFunction(() => document.querySelectorAll('section[data-cell-id]')[1]?.textContent?.includes('[v=10]'), null, { timeout: 60_000 });
  // Cells far below the viewport may not be drawn yet (the page draws what is near the screen): counted as stored.
  const shownWidgets = total;
  const inDom = await page.evaluate(() => document.querySelectorAll('[data-widget-id]').length);

  // In the page: long tasks, and event → next frame after it for keydowns and pointermoves.
  await page.evaluate(() => {
    window.__long = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__long.push(entry.duration);
    }).observe({ type: 'longtask', buffered: false });
    window.__latency = { keydown: [], pointermove: [] };
    for (const type of ['keydown', 'pointermove']) {
      document.addEventListener(type, () => {
        const started = performance.now();
        // After this event's handlers and React's update: the frame that paints it.
        requestAnimationFrame(() => setTimeout(() => window.__latency[type].push(performance.now() - started), 0));
      }, { capture: true });
    }
  });
  const phase = async () => page.evaluate(() => {
    const figures = { long: window.__long.splice(0), keydown: window.__latency.keydown.splice(0), pointermove: window.__latency.pointermove.splice(0) };
    return figures;
  });

  // Typing at full speed into the last (empty) cell.
  const lastEditor = page.locator('section[data-cell-id]').last().locator('.cm-content');
  await lastEditor.scrollIntoViewIfNeeded();
  await lastEditor.click();
  await phase();
  const text = 'total = sum(w.value for w in [threshold, threshold]) + threshold.value * 2  # typing along';
  await page.keyboard.type(text.repeat(Math.ceil(KEYS / text.length)).slice(0, KEYS));
  await page.waitForTimeout(500);
  const typing = await phase();

  // Dragging the threshold slider (its reader re-runs on the way).
  const slider = page.getByRole('slider', { name: 'Threshold' });
  await slider.scrollIntoViewIfNeeded();
  const box = await slider.boundingBox();
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * 0.1, y);
  await page.mouse.down();
  for (let step = 1; step <= 60; step++) await page.mouse.move(box.x + box.width * (0.1 + (0.8 * step) / 60), y);
  await page.mouse.up();
  const value = Number(await slider.inputValue());
  await page.waitForFunction((v) => document.querySelectorAll('section[data-cell-id]')[1]?.textContent?.includes(`[v=${v}]`), value, { timeout: 60_000 });
  await page.waitForTimeout(300);
  const dragging = await phase();

  const sum = (values) => values.reduce((a, b) => a + b, 0);
  report(`web: ${shownWidgets} widgets on one page — typing ${KEYS} keys at full speed, dragging a slider (60 moves) with a live reader`, {
    'widget controls in the DOM at the start': inDom,
    'typing: long tasks': typing.long.length,
    'typing: long task time total': ms(sum(typing.long)),
    'typing: longest task': ms(Math.max(0, ...typing.long)),
    'typing: key → next frame p50': ms(percentile(typing.keydown, 50)),
    'typing: key → next frame p95': ms(percentile(typing.keydown, 95)),
    'typing: key → next frame max': ms(Math.max(...typing.keydown)),
    'dragging: long tasks': dragging.long.length,
    'dragging: long task time total': ms(sum(dragging.long)),
    'dragging: longest task': ms(Math.max(0, ...dragging.long)),
    'dragging: move → next frame p50': ms(percentile(dragging.pointermove, 50)),
    'dragging: move → next frame p95': ms(percentile(dragging.pointermove, 95)),
    'dragging: final value': value,
  });
  await browser.close();
  await host.stop();
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
