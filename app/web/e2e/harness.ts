import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';

/**
 * What the browser tests need: Debian's Chromium, the built app, and the real host. The host is
 * either one already running (`RNB_E2E_URL`) or `@rnb/server`'s `startServer` started here, in
 * this process, from the configuration contract (PORT, HOST, NOTEBOOK_STORAGE, NOTEBOOK_DIR,
 * NOTEBOOK_AUTH) on a free 127.0.0.1 port, with its notebooks in a temporary folder.
 */
export const WEB_DIR = path.resolve(__dirname, '..');
export const ARTIFACTS = path.join(WEB_DIR, 'test-artifacts');
const CHROMIUM = process.env.RNB_CHROMIUM ?? '/usr/bin/chromium';

/** The part of `@rnb/server` the tests use (typed here so the web build does not depend on the server's). */
interface ServerModule {
  loadConfig(env: Record<string, string | undefined>, options?: { defaultWebDir?: string }): unknown;
  startServer(options: { config: unknown }): Promise<{ url: string; port: number; stop(): Promise<void> }>;
}

function serverModule(): ServerModule | string {
  try {
    const mod = require('@rnb/server') as Partial<ServerModule>;
    if (typeof mod.startServer !== 'function' || typeof mod.loadConfig !== 'function') return '@rnb/server exports no startServer/loadConfig';
    return mod as ServerModule;
  } catch (err) {
    return `@rnb/server cannot be loaded (${(err as Error).message.split('\n')[0]})`;
  }
}

/** Why the suite cannot run here, or null when it can. */
export function missingPrerequisite(): string | null {
  if (!fs.existsSync(CHROMIUM)) return `Chromium not found at ${CHROMIUM} (apt-get install -y chromium, or set RNB_CHROMIUM)`;
  if (process.env.RNB_E2E_URL) return null;
  const server = serverModule();
  return typeof server === 'string' ? server : null;
}

/** `describe` when the prerequisites are there; otherwise fails under CI=true and skips loudly elsewhere. */
export function describeInBrowser(name: string, body: () => void): void {
  const missing = missingPrerequisite();
  if (missing === null) {
    describe(name, body);
  } else if (process.env.CI === 'true') {
    describe(name, () => {
      it('has its prerequisites', () => {
        throw new Error(`Browser tests cannot run: ${missing}`);
      });
    });
  } else {
    // eslint-disable-next-line no-console
    console.warn(`Skipping browser tests "${name}": ${missing}`);
    describe.skip(name, body);
  }
}

/** Builds the app when dist/ is missing or older than a source file, so the tests never drive a stale build. */
export function ensureBuilt(): void {
  const built = path.join(WEB_DIR, 'dist', 'index.html');
  if (fs.existsSync(built) && !process.env.RNB_E2E_REBUILD && newestSource() <= fs.statSync(built).mtimeMs) return;
  const vite = path.join(path.dirname(require.resolve('vite/package.json', { paths: [WEB_DIR] })), 'bin', 'vite.js');
  // NODE_ENV: jest sets it to `test`, which would make this a development build of React (twice the size, far slower),
  // left in dist/ for whatever serves the page next.
  const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: WEB_DIR, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
  if (result.status !== 0) throw new Error('vite build failed');
}

function newestSource(): number {
  let newest = fs.statSync(path.join(WEB_DIR, 'index.html')).mtimeMs;
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (!/\.test\.tsx?$/.test(entry.name)) newest = Math.max(newest, fs.statSync(full).mtimeMs);
    }
  };
  walk(path.join(WEB_DIR, 'src'));
  return newest;
}

export interface Host {
  /** The page to open: with the host's access token (`?token=`), which the first visit turns into a cookie. */
  url: string;
  /** The host's base URL, without the token. */
  base: string;
  /** The access token (`Authorization: Bearer` for requests from the test itself). */
  token: string | null;
  /** Stops the host (its notebooks stay in their folder). Only for a host started here. */
  stop(): Promise<void>;
  /** Starts it again on the same port and folder. */
  restart(): Promise<void>;
  readonly restartable: boolean;
  close(): Promise<void>;
}

async function waitForHttp(url: string, timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() - started > timeoutMs) throw new Error(`the host did not answer ${url} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** `extraEnv`: more configuration for a host started here (e.g. the assistant's model server). */
export async function startHost(extraEnv: Record<string, string> = {}): Promise<Host> {
  const external = process.env.RNB_E2E_URL;
  if (external) {
    // RNB_E2E_URL is the URL the host printed (with ?token= when its access token is on).
    const printed = new URL(external);
    const token = printed.searchParams.get('token');
    const base = `${printed.origin}${printed.pathname.endsWith('/') ? printed.pathname : `${printed.pathname}/`}`;
    await waitForHttp(`${base}api/config`);
    return { url: token ? `${base}?token=${token}` : base, base, token, restartable: false, stop: async () => undefined, restart: async () => undefined, close: async () => undefined };
  }
  const server = serverModule();
  if (typeof server === 'string') throw new Error(server);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnb-e2e-'));
  // The access token stays on, as in production; fixed here so a restart keeps the browser's cookie valid.
  const token = `e2e-${crypto.randomBytes(18).toString('base64url')}`;
  const env = (port: number): Record<string, string> => ({
    PORT: String(port),
    HOST: '127.0.0.1',
    NOTEBOOK_STORAGE: 'file',
    NOTEBOOK_DIR: path.join(dir, 'notebooks'),
    NOTEBOOK_AUTH: 'none',
    NOTEBOOK_TOKEN: token,
    LOG_LEVEL: 'warn',
    ...extraEnv,
  });
  const start = (port: number) => server.startServer({ config: server.loadConfig(env(port), { defaultWebDir: path.join(WEB_DIR, 'dist') }) });
  let running: Awaited<ReturnType<typeof start>> | null = await start(0);
  const port = running.port;
  const base = `http://127.0.0.1:${port}/`;
  await waitForHttp(`${base}api/config`);
  const activeToken = extraEnv.NOTEBOOK_TOKEN ?? token;
  const stop = async (): Promise<void> => {
    const current = running;
    running = null;
    await current?.stop();
  };
  return {
    url: activeToken ? `${base}?token=${activeToken}` : base,
    base,
    token: activeToken || null,
    restartable: true,
    stop,
    restart: async () => {
      running = await start(port);
    },
    close: async () => {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `extraArgs`: more Chromium switches (e.g. `--host-resolver-rules` to play a DNS-rebinding name). */
export function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', ...extraArgs],
  });
}

export interface PageOptions {
  /** The page's viewport (default 1366 × 800). */
  viewport?: { width: number; height: number };
  /** More options for the page's browser context (e.g. `acceptDownloads`, `locale`). */
  context?: BrowserContextOptions;
}

export interface BrowserHostOptions extends PageOptions {
  /**
   * More configuration for the host (see {@link startHost}); a function when it must be made first (a plugin written
   * to a folder): called in `beforeAll`, before the host starts.
   */
  env?: Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>);
}

export interface BrowserHost {
  host: Host;
  browser: Browser;
  page: Page;
  /** What went wrong in the page: its uncaught errors and the console's errors (a test expects none where it says so). */
  pageErrors: string[];
}

/** A page in a browser context of its own (another person's browser), its uncaught errors logged. */
export async function openPage(browser: Browser, options: PageOptions = {}): Promise<Page> {
  const page = await (await browser.newContext({ viewport: options.viewport ?? { width: 1366, height: 800 }, ...options.context })).newPage();
  page.on('pageerror', (err) => console.error('page error:', err.message));
  return page;
}

/**
 * The setup most browser test files share, registered as jest hooks of the enclosing `describe`: `beforeAll` builds the
 * page if needed, starts the host and Chromium and opens one page (its errors logged and collected), then hands them
 * to `ready`; `afterAll` closes the browser and the host. Hooks the file registers after this call run after it.
 *
 * ```ts
 * let host: Host;
 * let page: Page;
 * useBrowserHost({ viewport: { width: 1366, height: 900 } }, (started) => ({ host, page } = started));
 * ```
 */
export function useBrowserHost(options: BrowserHostOptions, ready: (started: BrowserHost) => void): void {
  let host: Host | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    ensureBuilt();
    host = await startHost(typeof options.env === 'function' ? await options.env() : options.env);
    browser = await launchBrowser();
    const page = await openPage(browser, options);
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    ready({ host, browser, page, pageErrors });
  });
  afterAll(async () => {
    await browser?.close();
    await host?.close();
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: false });
}

// ---- page helpers ----

/** Runs a wait; when it fails, saves what the page showed, so a CI failure can be seen. */
async function orScreenshot<T>(page: Page, what: string, wait: () => Promise<T>): Promise<T> {
  try {
    return await wait();
  } catch (err) {
    const name = `failed-${what.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}-${Date.now()}`;
    await screenshot(page, name).catch(() => undefined);
    throw new Error(`${(err as Error).message}\n(waiting for ${what}; screenshot test-artifacts/${name}.png)`);
  }
}

const CELL = 'section[data-cell-id]';

export function cell(page: Page, index: number) {
  return page.locator(CELL).nth(index);
}

export async function cellCount(page: Page): Promise<number> {
  return page.locator(CELL).count();
}

/**
 * Scrolls cell `index` into view as a person would. A long notebook keeps far cells out of layout (the page's cell
 * window): the page is scrolled toward the cell, as a drag of the scrollbar would, until it is in layout, then to it.
 */
export async function scrollToCell(page: Page, index: number): Promise<void> {
  for (let attempt = 0; attempt < 40; attempt++) {
    const placed = await page.evaluate(([selector, n]) => {
      const cells = [...document.querySelectorAll<HTMLElement>(selector as string)];
      const target = cells[n as number];
      if (!target) return false;
      if (target.getClientRects().length > 0) return true;
      const shown = cells.map((c, i) => (c.getClientRects().length > 0 ? i : -1)).filter((i) => i >= 0);
      const middle = shown.length > 0 ? (shown[0]! + shown[shown.length - 1]!) / 2 : 0;
      const perCell = document.scrollingElement!.scrollHeight / cells.length;
      window.scrollBy(0, ((n as number) - middle) * perCell);
      return false;
    }, [CELL, index] as const);
    if (placed) break;
    await page.waitForTimeout(50);
  }
  await cell(page, index).scrollIntoViewIfNeeded();
}

/** Waits until the focused element is inside cell `index`. */
export async function waitForFocusIn(page: Page, index: number): Promise<void> {
  await orScreenshot(page, `focus in cell ${index}`, () => page.waitForFunction(
    ([selector, i]) => document.activeElement?.closest(selector as string) === document.querySelectorAll(selector as string)[i as number],
    [CELL, index] as const,
    { timeout: 15_000 },
  ));
}

/** Replaces a cell's code by typing it, as a user would. */
export async function typeInto(page: Page, index: number, code: string): Promise<void> {
  // Editors mount as their cell nears the screen: a far cell's appears once scrolled to.
  await scrollToCell(page, index);
  await cell(page, index).locator('.cm-content').click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type(code);
}

/** The cell's code as shown; others' cursors (co-editing draws them, with their names, inside the lines) left out. */
export async function editorText(page: Page, index: number): Promise<string> {
  // A far cell's editor mounts only near the viewport (lazy editors).
  await scrollToCell(page, index);
  return cell(page, index).locator('.cm-content').evaluate((el) =>
    [...el.querySelectorAll('.cm-line')]
      .map((line) => {
        const copy = line.cloneNode(true) as HTMLElement;
        copy.querySelectorAll('.cm-ySelectionCaret, .cm-ySelectionInfo').forEach((c) => c.remove());
        return copy.textContent;
      })
      .join('\n'),
  );
}

/** Waits until the cell's code as shown (see {@link editorText}) is `code`. */
export async function waitForEditorText(page: Page, index: number, code: string, timeout = 15_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while ((await editorText(page, index)) !== code) {
    if (Date.now() > deadline) throw new Error(`cell ${index} shows ${JSON.stringify(await editorText(page, index))}, not ${JSON.stringify(code)}`);
    await page.waitForTimeout(50);
  }
}

export async function waitForStatus(page: Page, index: number, statuses: string[], timeout = 60_000): Promise<string> {
  const handle = await orScreenshot(page, `cell ${index} ${statuses.join('|')}`, () => page.waitForFunction(
    ([selector, i, wanted]) => {
      const status = document.querySelectorAll(selector as string)[i as number]?.getAttribute('data-status');
      return status && (wanted as string[]).includes(status) ? status : null;
    },
    [CELL, index, statuses] as const,
    { timeout },
  ));
  return (await handle.jsonValue()) as string;
}

/**
 * Presses `key` (Ctrl+Enter, or Shift+Enter to run and move on; the cell's editor has the focus) and waits for that
 * run to end, returning its status. A status
 * shown before the run (an analysis error of half-typed code, flushed while typing) does not count: the run is over
 * when the cell's last-run time changes. Only for runs that reach the kernel (a cell blocked upstream never runs).
 */
export async function runAndWait(page: Page, index: number, timeout = 60_000, key = 'ControlOrMeta+Enter'): Promise<string> {
  const before = (await cell(page, index).getAttribute('data-last-run')) ?? '';
  await page.keyboard.press(key);
  const handle = await orScreenshot(page, `cell ${index} run`, () => page.waitForFunction(
    ([selector, i, previous]) => {
      const section = document.querySelectorAll(selector as string)[i as number];
      const status = section?.getAttribute('data-status');
      const ran = (section?.getAttribute('data-last-run') ?? '') !== previous;
      return ran && (status === 'success' || status === 'error') ? status : null;
    },
    [CELL, index, before] as const,
    { timeout },
  ));
  return (await handle.jsonValue()) as string;
}

/** Waits for a cell's outputs (stdout, results, error, blocked note) to contain `text`. */
export async function waitForCellText(page: Page, index: number, text: string | RegExp, timeout = 60_000): Promise<void> {
  await orScreenshot(page, `cell ${index} text ${String(text)}`, () => page.waitForFunction(
    ([selector, i, source, flags]) => {
      const el = document.querySelectorAll(selector as string)[i as number];
      const scope = [...(el?.querySelectorAll('.cell__outputs, .cell__blocked') ?? [])].map((n) => n.textContent ?? '').join('\n');
      return flags === null ? scope.includes(source as string) : new RegExp(source as string, flags as string).test(scope);
    },
    [CELL, index, typeof text === 'string' ? text : text.source, typeof text === 'string' ? null : text.flags] as const,
    { timeout },
  ));
}

/** Creates a notebook named `name` from the notebook list, as a user does, and waits until it is open and online. */
export async function openNewNotebook(page: Page, host: Host, name: string): Promise<void> {
  await page.goto(host.url);
  await page.getByRole('heading', { name: 'Notebooks' }).waitFor();
  await page.getByLabel('New notebook name').fill(name);
  await page.getByRole('button', { name: '+ New notebook' }).click();
  await page.waitForURL(/#\/n\//);
  await cell(page, 0).waitFor();
  await page.waitForSelector('[data-connection="online"]');
}

/** A cell to create: Python code, or `{ type, code }` for another language. */
export type CellSource = string | { type: string; code: string };

/**
 * Creates a notebook whose cells hold `cells` (none: one empty Python cell) over the host's API, in that order.
 * Returns its id and its cells' ids.
 */
export async function createNotebookWithCells(host: Host, name: string, cells: readonly CellSource[] = []): Promise<{ id: string; cellIds: string[] }> {
  const id = (await api(host, 'POST', 'api/notebooks', { name })).body.notebook_id as string;
  const cellIds = [(await api(host, 'GET', `api/notebooks/${id}`)).body.cells[0].id as string];
  const [first, ...rest] = cells.map((source) => (typeof source === 'string' ? { type: 'python', code: source } : source));
  if (first) await api(host, 'PUT', `api/notebooks/${id}/cells/${cellIds[0]}`, first);
  for (const source of rest) cellIds.push((await api(host, 'POST', `api/notebooks/${id}/cells`, { ...source, after_cell_id: cellIds.at(-1) })).body.cell_id as string);
  return { id, cellIds };
}

/** Opens notebook `id` in `page` and waits until its first `cells` cells are there and the page is online. */
export async function openNotebook(page: Page, host: Host, id: string, cells = 1): Promise<void> {
  await page.goto(`${host.url}#/n/${id}`);
  await cell(page, Math.max(0, cells - 1)).waitFor();
  await page.waitForSelector('[data-connection="online"]');
}

/**
 * Creates a notebook whose cells hold `cells` (see {@link createNotebookWithCells}), opens it in the page and waits
 * until every cell is there and the page is online. Returns the notebook's id.
 */
export async function openNotebookWithCells(page: Page, host: Host, name: string, cells: readonly CellSource[] = []): Promise<string> {
  const { id } = await createNotebookWithCells(host, name, cells);
  await openNotebook(page, host, id, cells.length);
  return id;
}

/** A request from the test to the host's API, with the host's access token. */
export async function api(host: Host, method: string, relative: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${host.base}${relative}`, {
    method,
    headers: { ...(host.token ? { authorization: `Bearer ${host.token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}
