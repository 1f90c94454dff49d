/**
 * docs/protocol.md against the code: every HTTP route the server registers,
 * every socket event either way, every event of the assistant's stream and
 * every error code must be listed there, and the document may list nothing
 * the code lacks beyond the additions agreed in issue 18 that are being built.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Router } from '@koa/router';
import { NotebookError, type CoreErrorCode } from '@rnb/core';
import { AssistantRoutes } from './assistant/chat-route';
import type { AssistantAuditLog } from './assistant/audit-log';
import { readAssistantSettings } from './assistant/settings';
import { NoAuthProvider } from './auth/no-auth';
import type { CommandRouter } from './commands/command-router';
import { LocalEventBus } from './events/event-bus';
import { createRoutes } from './http/routes';
import type { HistoryRecorder } from './history/history-recorder';
import type { NotebookAccess } from './sharing/notebook-access';
import { silentLogger } from './logger';
import { codeSurface, docSurface, notInCode, REPO_ROOT, routesOf, undocumented, type WireSurface } from './test-support/protocol-surface';

const DOC_PATH = path.join(REPO_ROOT, 'docs/protocol.md');

/**
 * In the document before they are in this branch's code: the wire decisions of
 * issue 18 that other changes build (run all, restart, clear outputs, edit
 * conflicts). Once they are in the code these entries are simply unused.
 */
const AGREED_ADDITIONS: ReadonlySet<string> = new Set([
]);

/** A dependency that registering routes must not touch. */
function unused<T extends object>(what: string): T {
  return new Proxy({} as T, {
    get: (_target, key) => {
      throw new Error(`${what}.${String(key)} was used while routes were only being registered`);
    },
  });
}

/** The server's real router (HTTP routes and the assistant's), built without starting anything. */
function serverRouter(): Router {
  const commands = unused<CommandRouter>('commands');
  const assistant = new AssistantRoutes({
    provider: undefined,
    settings: readAssistantSettings({}),
    audit: unused<AssistantAuditLog>('audit'),
    commands,
    events: new LocalEventBus(),
    languages: () => [],
    log: silentLogger,
  });
  return createRoutes({
    commands,
    auth: new NoAuthProvider(),
    log: silentLogger,
    prefix: '',
    assistant,
    history: { access: unused<NotebookAccess>('access'), recorder: unused<HistoryRecorder>('history') },
    maxBodyBytes: 1024,
    accepting: () => true,
    health: () => ({ status: 'ok' }),
  });
}

/** The document without the first table row whose first cell is `firstCell` (a name may head rows of two tables). */
function withoutRow(doc: string, firstCell: string): string {
  const lines = doc.split('\n');
  const index = lines.findIndex((line) => line.startsWith(`| ${firstCell} |`));
  expect(index).toBeGreaterThanOrEqual(0);
  return [...lines.slice(0, index), ...lines.slice(index + 1)].join('\n');
}

describe('docs/protocol.md against the code', () => {
  const docText = fs.readFileSync(DOC_PATH, 'utf8');
  const doc = docSurface(docText);
  let code: WireSurface;
  let problems: string[];

  beforeAll(() => {
    ({ surface: code, problems } = codeSurface(serverRouter()));
  });

  it('reads a plausible surface from the code (so an empty extraction cannot pass)', () => {
    expect(problems).toEqual([]);
    expect(code.routes).toEqual(expect.arrayContaining(['GET /healthz', 'PUT /api/notebooks/{}/cells/{}', 'POST /api/chat/{}', 'ANY /api/{*}']));
    expect(code.clientEvents).toEqual(expect.arrayContaining(['authenticate', 'refresh_auth', 'run_cell', 'interrupt']));
    expect(code.serverEvents).toEqual(expect.arrayContaining(['authenticated', 'error', 'cell_status', 'notebook_deleted', 'kernel_restarted']));
    expect(code.streamEvents).toEqual(expect.arrayContaining(['text', 'tool_result', 'done', 'error']));
    expect(code.errorCodes).toEqual(expect.arrayContaining(['RNB_ERR_NOTEBOOK_NOT_FOUND', 'RNB_ERR_ROUTE_NOT_FOUND', 'RNB_ERR_INTERNAL']));
  });

  it('lists every route, socket event (both ways), stream event and error code the code has', () => {
    expect(undocumented(code, doc)).toEqual([]);
  });

  it('lists nothing the code lacks, other than the agreed additions being built', () => {
    expect(notInCode(code, doc, AGREED_ADDITIONS)).toEqual([]);
  });

  it("gives each of core's error codes the HTTP status core answers with", () => {
    const coreCodes = code.errorCodes.filter((c) => new NotebookError(c as CoreErrorCode, '').status !== undefined);
    expect(coreCodes.length).toBeGreaterThan(5);
    for (const c of coreCodes) expect([c, doc.statusOf.get(c)]).toEqual([c, new NotebookError(c as CoreErrorCode, '').status]);
  });

  it('names a route, an event or an error code the document does not list', () => {
    const router = serverRouter();
    router.post('/api/notebooks/:id/undocumented_probe', () => undefined);
    expect(undocumented({ ...code, routes: routesOf(router) }, doc)).toContain('routes: POST /api/notebooks/{}/undocumented_probe');

    let edited = withoutRow(docText, '`interrupt`');
    edited = withoutRow(edited, '`cell_status`');
    edited = withoutRow(edited, '`tool_result`');
    edited = withoutRow(edited, '`RNB_ERR_CELL_NOT_FOUND`');
    edited = withoutRow(edited, '`DELETE /api/notebooks/{id}/cells/{cell_id}`');
    expect(undocumented(code, docSurface(edited))).toEqual(expect.arrayContaining([
      'routes: DELETE /api/notebooks/{}/cells/{}',
      'clientEvents: interrupt',
      'serverEvents: cell_status',
      'streamEvents: tool_result',
      'errorCodes: RNB_ERR_CELL_NOT_FOUND',
    ]));
  });
});
