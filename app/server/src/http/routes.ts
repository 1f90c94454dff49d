import { Router } from '@koa/router';
import { InvalidInputError, UnauthorizedError, type AuthProvider, type Identity, type LanguageDefinition, type NotebookShare, type NotebookSummary, type NotebookView } from '@rnb/core';
import type * as wire from '@rnb/core/wire';
import type { AssistantRoutes } from '../assistant/chat-route';
import type { CommandRouter } from '../commands/command-router';
import { HostError } from '../errors';
import { endpoint, type EndpointDeps } from './endpoint';
import { listLanguages, readBrowserModule } from './plugin-assets';
import { registerFileRoutes } from './file-routes';
import * as schema from './schemas';
import type { AppHost } from '../apps/app-host';
import type { HistoryRecorder } from '../history/history-recorder';
import { registerHistoryRoutes } from '../history/history-routes';
import type { NotebookAccess } from '../sharing/notebook-access';

/** The caller, or null for an anonymous visitor where anonymous visitors may look (public apps). */
async function optionalIdentity(auth: AuthProvider, header: string, anonymousAllowed: boolean): Promise<Identity | null> {
  if (!auth.requiresToken) return auth.authenticate(undefined);
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!bearer) {
    if (anonymousAllowed && header === '') return null;
    throw new UnauthorizedError('Sign in first: send Authorization: Bearer <token>.');
  }
  return auth.authenticate(bearer[1]);
}

function definedOnly<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}

export interface RoutesDeps extends EndpointDeps {
  commands: CommandRouter;
  auth: AuthProvider;
  prefix: string;
  /** The notebook assistant's chat routes (`/api/chat/...`). */
  assistant?: AssistantRoutes;
  health(): { status: 'ok' | 'shutting_down'; [key: string]: unknown };
  /** Version history's routes (`/api/notebooks/{id}/history...`). */
  history?: { access: NotebookAccess; recorder: HistoryRecorder };
  /** Who may open apps (`/api/apps/{id}`); absent: no app routes. */
  apps?: AppHost;
  /** The loaded languages (the registry's), listed by `/api/config` for the page's menus and editor. */
  languages?: () => readonly LanguageDefinition[];
}

/**
 * The HTTP contract under `<prefix>/api` plus `<prefix>/healthz`. Handlers
 * only translate between the wire (snake_case) and commands.
 */
export function createRoutes(deps: RoutesDeps): Router {
  const router = new Router(deps.prefix ? { prefix: deps.prefix } : {});
  const { commands } = deps;
  const open = { auth: false } as const;

  router.get('/healthz', async (ctx) => {
    const health = deps.health();
    ctx.status = health.status === 'ok' ? 200 : 503;
    ctx.body = health;
    ctx.set('Cache-Control', 'no-store');
  });

  router.get('/api/config', endpoint(deps, open, async () => {
    const extra = (deps.auth as AuthProvider & { clientConfig?: Record<string, unknown> }).clientConfig ?? {};
    const unavailable = deps.assistant ? deps.assistant.unavailableReason() : 'The assistant is not part of this server.';
    const assistant = unavailable === null ? { available: true } : { available: false, reason: unavailable };
    const languages = listLanguages(deps.languages?.() ?? []);
    return { status: 200, body: { auth: deps.auth.requiresToken ? deps.auth.id : 'none', ...extra, assistant, languages } satisfies wire.AppConfig };
  }));

  // A plugin's browser module: public code like the page's own scripts (no token; nothing secret in it).
  router.get('/plugins/:language/browser.js', endpoint(deps, open, async ({ params }, ctx) => {
    const source = await readBrowserModule(deps.languages?.() ?? [], params.language!, (message, fields) => deps.log.warn(message, fields));
    ctx.type = 'text/javascript; charset=utf-8';
    ctx.set('X-Content-Type-Options', 'nosniff');
    return { status: 200, body: source };
  }));

  // Who the caller is, and the name others see beside their cursor (null: the auth plugin knows none; the page picks one).
  router.get('/api/me', endpoint(deps, {}, async ({ user }) => {
    const name = deps.auth.displayNameOf ? await deps.auth.displayNameOf(user.userId) : null;
    return { status: 200, body: { user_id: user.userId, name: name && name.trim() !== '' ? name.trim().slice(0, 100) : null } satisfies wire.MeAnswer };
  }));

  router.get('/api/notebooks', endpoint(deps, {}, async ({ user }) => {
    const notebooks: (NotebookSummary & { owner?: string; role?: wire.ShareRole })[] = await commands.listNotebooks(user.userId);
    const entries = notebooks.map((n) => ({ id: n.id, name: n.name, updated_at: n.updatedAt, ...(n.bytes !== undefined ? { bytes: n.bytes } : {}), last_run_at: n.lastRunAt ?? null, ...(n.owner !== undefined && n.role !== undefined ? { owner: n.owner, role: n.role } : {}) }));
    return { status: 200, body: { notebooks: entries } satisfies wire.ListNotebooksAnswer };
  }));

  // Sharing (owner only; a user the notebook is shared with gets 403, anyone else 404).
  const sharesAnswer = (shares: readonly NotebookShare[]): wire.SharesAnswer => ({ shares: shares.map((s) => ({ user_id: s.userId, role: s.role })) });
  const shareTarget = async (user: string): Promise<string> => {
    if (!user.includes('@')) return user;
    if (!deps.auth.requiresToken) throw new InvalidInputError('Sharing needs sign-in: this server has one local user and no e-mail addresses (NOTEBOOK_AUTH=none).');
    if (!deps.auth.userIdOfEmail) throw new InvalidInputError(`This server's sign-in cannot look up e-mail addresses: share with a user id instead of ${user.slice(0, 100)}.`);
    const userId = await deps.auth.userIdOfEmail(user);
    if (userId === null) throw new InvalidInputError(`No user has the e-mail address ${user.slice(0, 100)}.`);
    return userId;
  };
  router.get('/api/notebooks/:id/shares', endpoint(deps, {}, async ({ user, params }) => {
    return { status: 200, body: sharesAnswer(await commands.dispatch(user.userId, params.id!, { type: 'get_shares' })) };
  }));
  router.put('/api/notebooks/:id/shares/:user', endpoint(deps, { body: schema.putShareBody }, async ({ user, params, body }) => {
    const userId = await shareTarget(params.user!);
    return { status: 200, body: sharesAnswer(await commands.dispatch(user.userId, params.id!, { type: 'set_share', userId, role: body.role })) };
  }));
  router.delete('/api/notebooks/:id/shares/:user', endpoint(deps, {}, async ({ user, params }) => {
    const userId = await shareTarget(params.user!);
    return { status: 200, body: sharesAnswer(await commands.dispatch(user.userId, params.id!, { type: 'set_share', userId, role: null })) };
  }));

  router.post('/api/notebooks', endpoint(deps, { body: schema.createNotebookBody }, async ({ user, body }) => {
    const view = await commands.createNotebook(user.userId, body.name !== undefined ? { name: body.name } : {});
    return { status: 201, body: { notebook_id: view.id } satisfies wire.CreateNotebookAnswer };
  }));

  router.get('/api/notebooks/:id', endpoint(deps, {}, async ({ user, params }) => {
    const notebook: wire.Notebook = withDeprecatedConnection(await commands.dispatch(user.userId, params.id!, { type: 'get_notebook' }));
    return { status: 200, body: notebook };
  }));

  router.put('/api/notebooks/:id/name', endpoint(deps, { body: schema.renameNotebookBody }, async ({ user, params, body }) => {
    await commands.dispatch(user.userId, params.id!, { type: 'rename_notebook', name: body.name });
    return { status: 200, body: { id: params.id!, name: body.name.trim() } satisfies wire.RenameNotebookAnswer };
  }));

  router.put('/api/notebooks/:id/settings/:plugin', endpoint(deps, { body: schema.pluginSettingsBody }, async ({ user, params, body }) => {
    const settings = await commands.dispatch(user.userId, params.id!, { type: 'set_plugin_settings', plugin: params.plugin!, values: body });
    return { status: 200, body: { plugin: params.plugin!, settings } satisfies wire.PluginSettingsAnswer };
  }));

  /** Deprecated alias of `PUT .../settings/sql` `{ connection_string }`, kept for clients written before plugin settings. */
  router.put('/api/notebooks/:id/db', endpoint(deps, { body: schema.dbConnectionBody }, async ({ user, params, body }) => {
    const values = { [SQL_CONNECTION.field]: body.connection_string };
    const settings = await commands.dispatch(user.userId, params.id!, { type: 'set_plugin_settings', plugin: SQL_CONNECTION.plugin, values });
    const connection = settings[SQL_CONNECTION.field];
    return { status: 200, body: { db_conn_string: typeof connection === 'string' ? connection : null } satisfies wire.DbConnectionAnswer };
  }));

  router.put('/api/notebooks/:id/settings', endpoint(deps, { body: schema.settingsBody }, async ({ user, params, body }) => {
    await commands.dispatch(user.userId, params.id!, { type: 'set_lazy', lazy: body.lazy });
    return { status: 200, body: { lazy: body.lazy } satisfies wire.SettingsAnswer };
  }));

  router.put('/api/notebooks/:id/app', endpoint(deps, { body: schema.appSettingsBody }, async ({ user, params, body }) => {
    const settings = await commands.dispatch(user.userId, params.id!, { type: 'set_app_settings', settings: definedOnly(body) });
    deps.apps?.noteOwner(params.id!, user.userId);
    return { status: 200, body: settings satisfies wire.AppSettings };
  }));

  // The app view: no sign-in needed when the operator allows public apps, so the token is read here.
  router.get('/api/apps/:id', endpoint(deps, open, async ({ params }, ctx) => {
    if (!deps.apps) throw new HostError(404, 'RNB_ERR_ROUTE_NOT_FOUND', 'This server has no app view.');
    const identity = await optionalIdentity(deps.auth, ctx.get('authorization'), deps.apps.publicApps);
    const app: wire.AppNotebook = await deps.apps.view(identity, params.id!);
    return { status: 200, body: app };
  }));

  router.delete('/api/notebooks/:id', endpoint(deps, {}, async ({ user, params }) => {
    await commands.dispatch(user.userId, params.id!, { type: 'delete_notebook' });
    return { status: 204 };
  }));

  router.post('/api/notebooks/:id/cells', endpoint(deps, { body: schema.createCellBody }, async ({ user, params, body }) => {
    const cell = await commands.dispatch(user.userId, params.id!, {
      type: 'create_cell',
      cellType: body.type,
      ...(body.code !== undefined ? { code: body.code } : {}),
      ...(body.after_cell_id !== undefined ? { afterCellId: body.after_cell_id } : {}),
      ...(body.index !== undefined ? { index: body.index } : {}),
      ...(body.cell_id !== undefined ? { cellId: body.cell_id } : {}),
    });
    return { status: 201, body: { cell_id: cell.id, cell } satisfies wire.CreateCellAnswer };
  }));

  router.put('/api/notebooks/:id/cells/:cellId', endpoint(deps, { body: schema.updateCellBody }, async ({ user, params, body }) => {
    const cell = await commands.dispatch(user.userId, params.id!, {
      type: 'update_cell',
      cellId: params.cellId!,
      code: body.code,
      ...(body.type !== undefined ? { cellType: body.type } : {}),
      ...(body.expected_revision !== undefined ? { expectedRevision: body.expected_revision } : {}),
      ...(body.base_code !== undefined ? { baseCode: body.base_code } : {}),
    });
    return { status: 200, body: cell satisfies wire.UpdateCellAnswer };
  }));

  router.delete('/api/notebooks/:id/cells/:cellId', endpoint(deps, {}, async ({ user, params }) => {
    await commands.dispatch(user.userId, params.id!, { type: 'delete_cell', cellId: params.cellId! });
    return { status: 204 };
  }));

  router.post('/api/notebooks/:id/cells/:cellId/move', endpoint(deps, { body: schema.moveCellBody }, async ({ user, params, body }) => {
    await commands.dispatch(user.userId, params.id!, { type: 'move_cell', cellId: params.cellId!, index: body.index });
    return { status: 200, body: { cell_id: params.cellId!, index: body.index } satisfies wire.MoveCellAnswer };
  }));

  // Extensions for scripts and tools: the socket events over HTTP.
  router.post('/api/notebooks/:id/cells/:cellId/run', endpoint(deps, {}, async ({ user, params }) => {
    await commands.dispatch(user.userId, params.id!, { type: 'run_cell', cellId: params.cellId! });
    return { status: 202, body: { queued: true } satisfies wire.QueuedAnswer };
  }));

  router.post('/api/notebooks/:id/interrupt', endpoint(deps, {}, async ({ user, params }) => {
    await commands.dispatch(user.userId, params.id!, { type: 'interrupt' });
    return { status: 202, body: { interrupted: true } satisfies wire.InterruptedAnswer };
  }));

  router.post('/api/notebooks/:id/run_all', endpoint(deps, {}, async ({ user, params }) => {
    await commands.dispatch(user.userId, params.id!, { type: 'run_all' });
    return { status: 202, body: { queued: true } satisfies wire.QueuedAnswer };
  }));

  router.post('/api/notebooks/:id/restart', endpoint(deps, {}, async ({ user, params }) => {
    await commands.dispatch(user.userId, params.id!, { type: 'restart_kernel' });
    return { status: 200, body: { restarted: true } satisfies wire.RestartedAnswer };
  }));

  router.post('/api/notebooks/:id/clear_outputs', endpoint(deps, {}, async ({ user, params }) => {
    await commands.dispatch(user.userId, params.id!, { type: 'clear_outputs' });
    return { status: 200, body: { cleared: true } satisfies wire.ClearedAnswer };
  }));

  router.post('/api/notebooks/:id/runtime/:language/:method', endpoint(deps, { body: schema.runtimeCallBody }, async ({ user, params, body }) => {
    const value = await commands.dispatch(user.userId, params.id!, { type: 'runtime_call', language: params.language!, method: params.method!, payload: body.payload ?? null });
    return { status: 200, body: { value } satisfies wire.RuntimeCallAnswer };
  }));

  // Extension: a widget's new value, as the socket's set_widget_value (every client gets widget_value).
  router.put('/api/notebooks/:id/widgets/:widgetId', endpoint(deps, { body: schema.widgetValueBody }, async ({ user, params, body }) => {
    const answer = await commands.dispatch(user.userId, params.id!, { type: 'set_widget_value', widgetId: params.widgetId!, value: body.value ?? null });
    return { status: 200, body: answer satisfies wire.WidgetValueAnswer };
  }));

  registerFileRoutes(router, deps);
  if (deps.history) registerHistoryRoutes(router, { ...deps, access: deps.history.access, history: deps.history.recorder });
  deps.assistant?.register(router, deps);

  // Anything else under /api is a JSON 404, not the embedding app's page.
  router.all('/api/{*rest}', endpoint(deps, open, async (_input, ctx) => {
    throw new HostError(404, 'RNB_ERR_ROUTE_NOT_FOUND', `No endpoint ${ctx.method} ${ctx.path}.`);
  }));

  return router;
}

/** Where the SQL plugin keeps the connection string that the deprecated `db` route and `db_conn_string` field name. */
const SQL_CONNECTION = { plugin: 'sql', field: 'connection_string' } as const;

/** The notebook view plus the deprecated `db_conn_string` (masked), for clients written before plugin settings. */
function withDeprecatedConnection(view: NotebookView): NotebookView & { db_conn_string: string | null } {
  const masked = view.settings?.[SQL_CONNECTION.plugin]?.[SQL_CONNECTION.field];
  return { ...view, db_conn_string: typeof masked === 'string' ? masked : null };
}
