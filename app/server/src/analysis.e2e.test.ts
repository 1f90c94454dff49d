/**
 * Issue 19, item 1: one user storing pathological cells never stalls the
 * server. Real server, real Python and SQL plugins, real analysis workers.
 */
import pythonPlugin from '@rnb/plugin-python';
import sqlPlugin from '@rnb/plugin-sql';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { definePlugin, LanguageRegistry } from '@rnb/core';
import { fakeLanguage } from '@rnb/core/testing';
import { startTestServer, StaticTokenAuth, type TestServer } from './test-support/harness';

const ALICE = 'alice-token';
const BOB = 'bob-token';

/** Cells an attacker stores, each within the 200,000-byte cell limit. */
const PATHOLOGICAL: { title: string; type: 'python' | 'sql'; code: string }[] = [
  { title: 'a run of dots', type: 'python', code: `x = ${'.'.repeat(199_000)}` },
  { title: 'a run of colons', type: 'python', code: `x = ${':'.repeat(199_000)}` },
  { title: 'a run of stars', type: 'python', code: `x = ${'*'.repeat(199_000)}` },
  { title: 'deep parentheses', type: 'python', code: `x = ${'('.repeat(199_000)}` },
  // Valid and big: the slowest to analyse (about half a second), so a worker is busy for real.
  { title: 'a 195 KB list literal', type: 'python', code: `data = [${Array.from({ length: 29_500 }, (_, i) => i).join(', ')}]` },
  { title: '5,000 lines of statements', type: 'python', code: Array.from({ length: 5000 }, (_, i) => `v${i} = f(${i})`).join('\n') },
  { title: 'a long JOIN chain', type: 'sql', code: `SELECT * FROM a ${'JOIN b '.repeat(28_000)}` },
];

interface StoredAnswer {
  title: string;
  status: number;
  body: { status: string; error: string | null; writes: string[]; reads: string[] };
}

/**
 * Stores the cells in each notebook (the notebooks at once, the cells in
 * order) from a child process: PUT for Python into the first cell, POST for SQL.
 */
function storeFromAnotherProcess(base: string, token: string, notebooks: { id: string; cellId: string }[], cells: typeof PATHOLOGICAL): Promise<StoredAnswer[][]> {
  const script = `
    let input = '';
    process.stdin.on('data', (chunk) => { input += chunk; });
    process.stdin.on('end', async () => {
      const { base, token, notebooks, cells } = JSON.parse(input);
      const headers = { authorization: 'Bearer ' + token, 'content-type': 'application/json' };
      const results = await Promise.all(notebooks.map(async ({ id, cellId }) => {
        const answers = [];
        for (const cell of cells) {
          const python = cell.type === 'python';
          const response = await fetch(base + '/api/notebooks/' + id + '/cells' + (python ? '/' + cellId : ''), {
            method: python ? 'PUT' : 'POST', headers, body: JSON.stringify(python ? { code: cell.code } : { type: 'sql', code: cell.code }),
          });
          const body = await response.json();
          answers.push({ title: cell.title, status: response.status, body: python ? body : body.cell });
        }
        return answers;
      }));
      process.stdout.write(JSON.stringify(results));
    });`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(output) as StoredAnswer[][]) : reject(new Error(`the storing client exited with ${code}`))));
    child.stdin.end(JSON.stringify({ base, token, notebooks, cells }));
  });
}

describe('analysis never blocks the event loop', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      plugins: [pythonPlugin(), sqlPlugin()],
      auth: new StaticTokenAuth({ [ALICE]: 'alice', [BOB]: 'bob' }),
      kernels: { warmProcesses: 0 },
      // A budget far above these cells' time, so that a loaded machine does not turn a valid one into an error here:
      // the budget has its own test below.
      limits: { analysisWorkers: 2, analysisTimeLimitMs: 20_000, maxBodyBytes: 4 * 1024 * 1024 },
    });
  });
  afterAll(() => server.close());

  async function notebook(token: string): Promise<{ id: string; cellId: string }> {
    const created = await server.request('POST', '/api/notebooks', { token, body: {} });
    expect(created.status).toBe(201);
    const view = await server.request('GET', `/api/notebooks/${created.body.notebook_id}`, { token });
    return { id: created.body.notebook_id as string, cellId: view.body.cells[0].id as string };
  }

  it('while one user stores pathological cells, /healthz and another user\'s reads answer within 100 ms, edits within 1 s', async () => {
    // Two notebooks of Alice's, edited at once (the most workers one user can keep busy), one of Bob's.
    const alice = [await notebook(ALICE), await notebook(ALICE)];
    const bob = await notebook(BOB);
    // Bob's first edit: every later one measures the server, not a first request.
    expect((await server.request('PUT', `/api/notebooks/${bob.id}/cells/${bob.cellId}`, { token: BOB, body: { code: 'y = 0' } })).status).toBe(200);

    let i = 0;
    /** One round of probes until `busy` is false: /healthz, Bob reads his notebook, Bob edits a cell. */
    const probe = async (busy: () => boolean): Promise<{ what: string; ms: number }[]> => {
      const latencies: { what: string; ms: number }[] = [];
      const timed = async (what: string, call: () => Promise<{ status: number }>): Promise<void> => {
        const started = performance.now();
        const response = await call();
        latencies.push({ what, ms: performance.now() - started });
        expect(response.status).toBe(200);
      };
      while (busy()) {
        i++;
        await timed('/healthz', () => server.request('GET', '/healthz'));
        await timed('Bob reads his notebook', () => server.request('GET', `/api/notebooks/${bob.id}`, { token: BOB }));
        await timed('Bob edits a cell', () => server.request('PUT', `/api/notebooks/${bob.id}/cells/${bob.cellId}`, { token: BOB, body: { code: `y = ${i}` } }));
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return latencies;
    };
    // The same probes on the quiet server first: on a machine loaded by others, its own jitter sets the floor.
    const quietUntil = performance.now() + 1500;
    const quiet = await probe(() => performance.now() < quietUntil);

    // Alice's client runs in another process: this one holds the server, whose event loop is what is measured.
    const attacker = storeFromAnotherProcess(server.base, ALICE, alice, PATHOLOGICAL);
    let storing = true;
    const stored = attacker.finally(() => {
      storing = false;
    });
    const latencies = await probe(() => storing);

    for (const answers of await stored) {
      expect(answers.map((a) => a.status)).toEqual(PATHOLOGICAL.map((cell) => (cell.type === 'python' ? 200 : 201)));
      const byTitle = Object.fromEntries(answers.map((a) => [a.title, a.body]));
      expect(byTitle['a run of dots']).toMatchObject({ status: 'error', error: expect.stringMatching(/^invalid syntax at "\."/) });
      expect(byTitle['deep parentheses']).toMatchObject({ status: 'error', error: expect.stringMatching(/^too many nested parentheses/) });
      expect(byTitle['a 195 KB list literal']!.writes).toEqual(['data']);
      expect(byTitle['5,000 lines of statements']!.writes).toHaveLength(5000);
      expect(byTitle['a long JOIN chain']).toMatchObject({ reads: ['a', 'b'] });
    }
    // Enough probes ran during the attack to mean something, and every one answered in time. Reads and /healthz
    // need only the event loop: 100 ms, the bound (twice the quiet server's worst when the machine itself is
    // slower than that). An edit also waits for an analysis worker, which runs at the lowest CPU priority (analysis
    // is background work): on a loaded machine it can wait for CPU, so 1 s there, below the 2 s a worker may spend on
    // one of Alice's cells (that one owner never holds every worker is tested in core's analysis-pool.test.ts).
    // Analysis on the event loop stalled these probes 1.4 to 1.8 s here; with the analysers before, 10 to 20 s.
    const worst = (list: { what: string; ms: number }[], edits: boolean): number => Math.max(0, ...list.filter((l) => (l.what === 'Bob edits a cell') === edits).map((l) => l.ms));
    const readBound = Math.max(100, 2 * worst(quiet, false));
    const editBound = Math.max(1000, 2 * worst(quiet, true));
    expect(latencies.length).toBeGreaterThanOrEqual(9);
    // One read may miss the bound by a little on a loaded CI machine (107 ms once, two suites and Chromium beside it);
    // analysis on the event loop stalls every probe for seconds, which these still catch.
    const slowReads = latencies.filter((l) => l.what !== 'Bob edits a cell' && l.ms >= readBound);
    expect(slowReads.length).toBeLessThanOrEqual(1);
    expect(slowReads.filter((l) => l.ms >= 3 * readBound)).toEqual([]);
    expect(latencies.filter((l) => l.what === 'Bob edits a cell' && l.ms >= editBound)).toEqual([]);
  }, 120_000);

  it('refuses a cell over MAX_CELL_BYTES with 413 naming the limit, on create and on edit', async () => {
    const { id, cellId } = await notebook(ALICE);
    const big = `s = "${'é'.repeat(100_001)}"`;
    const edit = await server.request('PUT', `/api/notebooks/${id}/cells/${cellId}`, { token: ALICE, body: { code: big } });
    expect(edit.status).toBe(413);
    expect(edit.body.error).toEqual({
      code: 'RNB_ERR_PAYLOAD_TOO_LARGE',
      message: 'This cell\'s code is 200,008 bytes: a cell holds at most 200,000 bytes (the server\'s MAX_CELL_BYTES). Split it into smaller cells, or read large data from a file.',
    });
    const create = await server.request('POST', `/api/notebooks/${id}/cells`, { token: ALICE, body: { type: 'python', code: big } });
    expect(create.status).toBe(413);
    expect(create.body.error.message).toMatch(/MAX_CELL_BYTES/);
    const view = await server.request('GET', `/api/notebooks/${id}`, { token: ALICE });
    expect(view.body.cells).toHaveLength(1);
    expect(view.body.cells[0].code).toBe('');
  });
});

describe('a cell over the analysis time budget', () => {
  let server: TestServer;
  let dir: string;
  beforeAll(async () => {
    // A language whose analyser (a real module in the real workers) never ends on a cell holding "endless": the
    // outcome does not depend on the machine's speed. Other cells: each `name = ...` line defines name.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnb-analysis-budget-'));
    const module = path.join(dir, 'endless-analyser.js');
    fs.writeFileSync(module, `exports.analyse = (code) => {
      if (code.includes('endless')) for (;;) {}
      return { defines: [...code.matchAll(/^(\\w+) =/gm)].map((m) => m[1]), references: [] };
    };`);
    const language = { ...fakeLanguage('endless'), analyser: { module, export: 'analyse' } };
    const plugin = definePlugin({ id: 'test:endless', requires: { languages: LanguageRegistry }, activate: (_c, { languages }) => languages.register(language) });
    server = await startTestServer({ plugins: [plugin], kernels: { warmProcesses: 0 }, limits: { analysisTimeLimitMs: 300, analysisWorkers: 1 } });
  });
  afterAll(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('gets the "too large or complex" error and status error; the rest of the notebook works, also when reopened', async () => {
    const id = (await server.request('POST', '/api/notebooks', { body: {} })).body.notebook_id as string;
    const first = (await server.request('GET', `/api/notebooks/${id}`)).body.cells[0].id as string;
    const heavy = await server.request('PUT', `/api/notebooks/${id}/cells/${first}`, { body: { code: 'x = endless' } });
    expect(heavy.status).toBe(200);
    expect(heavy.body).toMatchObject({
      status: 'error',
      writes: [],
      error: 'This cell is too large or complex to analyse (took over 0.3 s). Split it into smaller cells.',
    });
    const light = await server.request('POST', `/api/notebooks/${id}/cells`, { body: { type: 'endless', code: 'total = 3' } });
    expect(light.body.cell).toMatchObject({ status: 'idle', writes: ['total'], error: null });
    // The server goes on: the worker was replaced.
    expect((await server.request('GET', '/healthz')).status).toBe(200);

    // Opened again from storage: every cell is analysed again, in one batch; the same outcome for each.
    await server.notebooks.service.release(id);
    const reopened = (await server.request('GET', `/api/notebooks/${id}`)).body.cells as { status: string; error: string | null; writes: string[] }[];
    expect(reopened[0]).toMatchObject({ status: 'error', error: expect.stringMatching(/^This cell is too large or complex to analyse/) });
    expect(reopened[1]).toMatchObject({ writes: ['total'], error: null });
    expect(server.notebooks.service.analysis.workersStarted).toBe(3);
  }, 60_000);
});
