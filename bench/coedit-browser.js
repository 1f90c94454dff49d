// Issue 26, co-editing in the browser (`node bench/coedit-latency.js --browser [keystrokes=200]`, `--browser --cluster`):
// the built page in Debian's Chromium, two browser contexts (two people) on one notebook. Page A gets real key presses
// one at a time with a short random gap; page B watches its editor with a MutationObserver and notes `Date.now()` as each
// keystroke's character appears. Latency = seen in B − the time just before the press (same machine clock). The floor,
// in the same run: the same keystroke appearing in page A's own editor (input dispatch and its own render).
// --cluster: two instances (processes, real redis-server and dynalite, cluster-lib.js); page B on the owner of the
// notebook, page A on the other instance, whose updates are forwarded to the owner.
// Not a script of its own: bench/coedit-latency.js loads it (bench/run-all.js skips it).
'use strict';
const path = require('node:path');
const { percentile, ms, report, WEB_DIST, launchChromium, startPageHost, jsonRequest, openNotebookPage } = require('./lib');

/** What the cell holds before typing: a comment, so the digits typed after it are neither analysed as code nor completed. */
const PREFIX = '# ';
const KEY_GAP_MS = Number(process.env.KEY_GAP_MS) || 30;
/** Digits only: keys every layout has, and nothing the editor completes or pairs. */
const KEYS = '1234567890';

/**
 * In the page: notes the time each new character appears in the first cell's editor, as a list (index = keystroke).
 * Counts the editor's characters except whitespace and other people's cursor and name decorations.
 */
function watchEditor(prefixLength) {
  const content = document.querySelector('section[data-cell-id] .cm-content');
  const decoration = '.cm-ySelectionCaret, .cm-ySelectionInfo, .cm-placeholder';
  const count = () => {
    let n = 0;
    const walker = document.createTreeWalker(content, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.parentElement?.closest(decoration)) continue;
      n += node.data.replace(/\s/g, '').length;
    }
    return n;
  };
  const seen = [];
  const base = prefixLength;
  new MutationObserver(() => {
    const typed = count() - base;
    const now = Date.now();
    while (seen.length < typed) seen.push(now);
  }).observe(content, { childList: true, subtree: true, characterData: true });
  window.__keystrokesSeen = seen;
}

async function typeAndWatch(typist, watcher, keystrokes) {
  const prefix = PREFIX.replace(/\s/g, '').length;
  for (const page of [typist, watcher]) await page.waitForFunction((code) => document.querySelector('section[data-cell-id] .cm-content')?.textContent?.startsWith(code), PREFIX.trim(), { timeout: 30_000 });
  await typist.evaluate(watchEditor, prefix);
  await watcher.evaluate(watchEditor, prefix);
  await typist.locator('section[data-cell-id] .cm-content').first().click();
  await typist.keyboard.press('ControlOrMeta+End');
  const pressed = [];
  for (let i = 0; i < keystrokes; i++) {
    pressed.push(Date.now());
    await typist.keyboard.press(KEYS[i % KEYS.length]);
    // 30 to 80 ms between keys by default: a fast typist. KEY_GAP_MS=n makes it n to n + 50 (a slower typist: whether
    // the latency is the keystroke's own or a queue's, as the page sends one update at a time, the next once stored).
    await new Promise((resolve) => setTimeout(resolve, KEY_GAP_MS + Math.random() * 50));
  }
  await watcher.waitForFunction((n) => window.__keystrokesSeen.length >= n, keystrokes, { timeout: 60_000 });
  const text = (page) => page.evaluate(() => document.querySelector('section[data-cell-id] .cm-line')?.firstChild?.textContent ?? '');
  const typed = [...Array(keystrokes)].map((_, i) => KEYS[i % KEYS.length]).join('');
  await watcher.waitForFunction((expected) => document.querySelector('section[data-cell-id] .cm-content')?.textContent?.includes(expected), typed, { timeout: 30_000 })
    .catch(async () => { throw new Error(`page B does not hold what page A typed: ${JSON.stringify((await text(watcher)).slice(0, 200))}`); });
  const remote = await watcher.evaluate(() => window.__keystrokesSeen);
  const own = await typist.evaluate(() => window.__keystrokesSeen);
  return { remote: remote.map((t, i) => t - pressed[i]), own: own.slice(0, keystrokes).map((t, i) => t - pressed[i]) };
}

function print(title, { remote, own }) {
  report(title, {
    'seen in page B: p50': ms(percentile(remote, 50)),
    'seen in page B: p95': ms(percentile(remote, 95)),
    'seen in page B: max': ms(Math.max(...remote)),
    'floor, in page A itself: p50': ms(percentile(own, 50)),
    'floor, in page A itself: p95': ms(percentile(own, 95)),
    'floor, in page A itself: max': ms(Math.max(...own)),
  });
}

async function oneInstance(keystrokes) {
  const host = await startPageHost();
  const browser = await launchChromium();
  try {
    const { notebook_id: id } = await host.api('POST', 'notebooks', { name: 'co-edit browser bench' });
    const cellId = (await host.api('GET', `notebooks/${id}`)).cells[0].id;
    await host.api('PUT', `notebooks/${id}/cells/${cellId}`, { code: PREFIX, type: 'python' });
    const a = await openNotebookPage(browser, host.base, host.token, id);
    const b = await openNotebookPage(browser, host.base, host.token, id);
    print(`co-editing in Chromium: ${keystrokes} keystrokes pressed in page A, seen in page B (one server)`, await typeAndWatch(a, b, keystrokes));
  } finally {
    await browser.close();
    await host.stop();
  }
}

async function twoInstances(keystrokes) {
  const { fakeLanguageProject, clusterEnv, startServices, startInstance } = require('./cluster-lib');
  const dir = fakeLanguageProject();
  const services = await startServices(dir);
  const env = clusterEnv(services, 'coedit-browser-bench', { WEB_DIR: path.resolve(WEB_DIST) });
  const owner = await startInstance(dir, env);
  const other = await startInstance(dir, env);
  const browser = await launchChromium();
  try {
    const { notebook_id: id } = await jsonRequest(`${owner.url}/api/notebooks`, 'POST', { name: 'co-edit browser bench' });
    const cellId = (await jsonRequest(`${owner.url}/api/notebooks/${id}`, 'GET')).cells[0].id;
    await jsonRequest(`${owner.url}/api/notebooks/${id}/cells/${cellId}`, 'PUT', { code: PREFIX, type: 'fake' });
    // The watcher first, on the owner; the typist on the instance that forwards to it.
    const b = await openNotebookPage(browser, `${owner.url}/`, null, id);
    const a = await openNotebookPage(browser, `${other.url}/`, null, id);
    print(`co-editing in Chromium across two instances: ${keystrokes} keystrokes pressed in page A (non-owner), seen in page B (owner)`, await typeAndWatch(a, b, keystrokes));
  } finally {
    await browser.close();
    owner.child.kill('SIGKILL');
    other.child.kill('SIGKILL');
    services.stop();
  }
}

/** The browser mode of coedit-latency.js. */
function browserLatency({ cluster, keystrokes }) {
  return cluster ? twoInstances(keystrokes) : oneInstance(keystrokes);
}

module.exports = { browserLatency };
