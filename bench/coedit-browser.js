// Issue 26, co-editing in the browser (`node bench/coedit-latency.js --browser [keystrokes=200]`, `--browser --cluster`):
// the built page in Debian's Chromium, two browser contexts (two people) on one notebook. Page A gets real key presses
// one at a time with a short random gap; page B watches its editor with a MutationObserver and notes `Date.now()` as each
// keystroke's character appears. Latency = seen in B − the time just before the press (same machine clock). The floor,
// in the same run: the same keystroke appearing in page A's own editor (input dispatch and its own render).
// --cluster: two instances (processes, real redis-server and dynalite, cluster-lib.js); page B on the owner of the
// notebook, page A on the other instance, whose updates are forwarded to the owner; in turns with A, page C types on the
// owner itself (the cluster's path without the hop between instances, in the same run).
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
 * In the page: from now on, notes the time each new character appears in the first cell's editor, as a list (index =
 * keystroke), counting the editor's characters except whitespace and other people's cursor and name decorations.
 * `__editorText()` is the editor's text without those decorations.
 */
function watchEditor() {
  const content = document.querySelector('section[data-cell-id] .cm-content');
  const decoration = '.cm-ySelectionCaret, .cm-ySelectionInfo, .cm-placeholder';
  const text = () => {
    let all = '';
    const walker = document.createTreeWalker(content, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) if (!node.parentElement?.closest(decoration)) all += node.data;
    return all;
  };
  const count = () => text().replace(/\s/g, '').length;
  const seen = [];
  const base = count();
  window.__keystrokeObserver?.disconnect();
  window.__keystrokeObserver = new MutationObserver(() => {
    const typed = count() - base;
    const now = Date.now();
    while (seen.length < typed) seen.push(now);
  });
  window.__keystrokeObserver.observe(content, { childList: true, subtree: true, characterData: true });
  window.__keystrokesSeen = seen;
  window.__editorText = text;
}

/** `keystrokes` keys pressed in `typist` at its text's end; per key, when `watcher` and the typist itself showed it (ms). */
async function typeAndWatch(typist, watcher, keystrokes) {
  for (const page of [typist, watcher]) await page.waitForFunction((code) => document.querySelector('section[data-cell-id] .cm-content')?.textContent?.startsWith(code), PREFIX.trim(), { timeout: 30_000 });
  await typist.evaluate(watchEditor);
  await watcher.evaluate(watchEditor);
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
  // Every keystroke counted is the typist's: both editors end with the same text.
  const typed = await typist.evaluate(() => window.__editorText());
  await watcher.waitForFunction((expected) => window.__editorText() === expected, typed, { timeout: 30_000 })
    .catch(async () => { throw new Error(`page B does not hold what page A typed: ${JSON.stringify((await watcher.evaluate(() => window.__editorText())).slice(-200))} against ${JSON.stringify(typed.slice(-200))}`); });
  const remote = await watcher.evaluate(() => window.__keystrokesSeen);
  const own = await typist.evaluate(() => window.__keystrokesSeen);
  return { remote: remote.slice(0, keystrokes).map((t, i) => t - pressed[i]), own: own.slice(0, keystrokes).map((t, i) => t - pressed[i]) };
}

const figures = (label, values) => ({
  [`${label}: p50`]: ms(percentile(values, 50)),
  [`${label}: p95`]: ms(percentile(values, 95)),
  [`${label}: max`]: ms(Math.max(...values)),
});

async function oneInstance(keystrokes) {
  const host = await startPageHost();
  const browser = await launchChromium();
  try {
    const { notebook_id: id } = await host.api('POST', 'notebooks', { name: 'co-edit browser bench' });
    const cellId = (await host.api('GET', `notebooks/${id}`)).cells[0].id;
    await host.api('PUT', `notebooks/${id}/cells/${cellId}`, { code: PREFIX, type: 'python' });
    const a = await openNotebookPage(browser, host.base, host.token, id);
    const b = await openNotebookPage(browser, host.base, host.token, id);
    const { remote, own } = await typeAndWatch(a, b, keystrokes);
    report(`co-editing in Chromium: ${keystrokes} keystrokes pressed in page A, seen in page B (one server)`, { ...figures('seen in page B', remote), ...figures('floor, in page A itself', own) });
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
    // The watcher first, on the owner; typist A on the instance that forwards to it, typist C on the owner itself: the
    // same path without the hop between instances, in the same run. They take turns, four blocks each.
    const b = await openNotebookPage(browser, `${owner.url}/`, null, id);
    const a = await openNotebookPage(browser, `${other.url}/`, null, id);
    const c = await openNotebookPage(browser, `${owner.url}/`, null, id);
    const block = Math.ceil(keystrokes / 4);
    const across = { remote: [], own: [] };
    const within = { remote: [], own: [] };
    for (let i = 0; i < 4; i++) {
      for (const [typist, into] of [[a, across], [c, within]]) {
        const { remote, own } = await typeAndWatch(typist, b, block);
        into.remote.push(...remote);
        into.own.push(...own);
      }
    }
    report(`co-editing in Chromium across two instances: ${block * 4} keystrokes pressed in page A (non-owner), seen in page B (owner)`, {
      ...figures('seen in page B', across.remote),
      ...figures('floor, in page A itself', across.own),
      ...figures('same run, typed in page C on the owner', within.remote),
    });
  } finally {
    await browser.close();
    owner.child.kill('SIGKILL');
    other.child.kill('SIGKILL');
    services.stop();
    require('node:fs').rmSync(dir, { recursive: true, force: true });
  }
}

/** The browser mode of coedit-latency.js. */
function browserLatency({ cluster, keystrokes }) {
  return cluster ? twoInstances(keystrokes) : oneInstance(keystrokes);
}

module.exports = { browserLatency };
