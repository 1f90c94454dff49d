import type * as http from 'node:http';
import cors from '@koa/cors';
import type { Router } from '@koa/router';
import {
  AppSessions,
  AssistantProvider,
  AuthProvider,
  ConfigError,
  KernelManager,
  LanguageRegistry,
  languageRegistryPlugin,
  MemoryNotebookStore,
  NotebookService,
  SecretBox,
  withSealedSecrets,
  SettingsCatalog,
  NotebookStore,
  PluginHost,
  type AnyPlugin,
  type KernelManagerOptions,
  type NotebookLimits,
} from '@rnb/core';
import { MemoryHistoryStore, type HistoryStore } from '@rnb/core';
import { markdownLanguage } from '@rnb/markdown';
import type Koa from 'koa';
import compose from 'koa-compose';
import { JsonLinesAuditLog } from './assistant/audit-log';
import { AppHost, refusingAppViewers } from './apps/app-host';
import { enforcingShares, NotebookAccess } from './sharing/notebook-access';
import { DEFAULT_HISTORY_SETTINGS, HistoryRecorder, type HistorySettings } from './history/history-recorder';
import { DEFAULT_APP_RUNTIME_METHODS } from './apps/app-socket';
import { AssistantRoutes } from './assistant/chat-route';
import { readAssistantSettings } from './assistant/settings';
import { NoAuthProvider } from './auth/no-auth';
import type { CommandRouter } from './commands/command-router';
import { LocalCommandRouter } from './commands/local-command-router';
import { LocalEventBus, type NotebookEventBus } from './events/event-bus';
import { AccessGuard, accessTokenProblem } from './http/access-guard';
import { createRoutes } from './http/routes';
import { staticFiles } from './http/static-files';
import { createLogger, type Logger } from './logger';
import { CoeditHub } from './coedit/coedit-hub';
import { SocketGateway, type SocketGatewayOptions } from './realtime/socket-gateway';

export interface NotebookServerLimits {
  /** Largest HTTP request body (default 2 MiB): larger ones get 413. */
  maxBodyBytes?: number;
  /** Largest socket.io message (default 1 MiB). */
  maxSocketMessageBytes?: number;
  /** A socket that has not authenticated by then is dropped (default 10 s, the protocol's). */
  authTimeoutMs?: number;
  /** Commands one socket may have in flight (default 16). */
  maxPendingCommandsPerSocket?: number;
  /** `error` replies one socket gets per second at most (default 20). */
  errorRepliesPerSecond?: number;
  /** How long close() lets interrupted cells settle (default 5 s). */
  shutdownGraceMs?: number;
  /** Size limits per notebook (cells, code, stored outputs) and per user (notebooks, bytes); defaults: core's DEFAULT_NOTEBOOK_LIMITS. */
  notebooks?: Partial<NotebookLimits>;
  /** Largest cell code in UTF-8 bytes (default 200,000): more is refused with 413 naming the limit. */
  maxCellBytes?: number;
  /** Worker threads analysing cells off the event loop (default 2). */
  analysisWorkers?: number;
  /** Time one cell's analysis may take before the cell gets a "too large or complex" error (default 2000 ms). */
  analysisTimeLimitMs?: number;
}

export interface NotebookServerOptions {
  /** Language, storage, auth and other plugins. The language registry is added when none provides it. */
  plugins?: AnyPlugin[];
  /** Settings the plugins read through their context (main.ts passes the environment's). */
  config?: Record<string, string | undefined>;
  /** Who callers are. Wins over a plugin's AuthProvider; default: a plugin's, else one local user, no login. */
  auth?: AuthProvider;
  /** Where notebooks are kept. Wins over a plugin's NotebookStore; default: a plugin's, else memory. */
  store?: NotebookStore;
  /**
   * The key that seals secrets at rest (notebooks' connection strings), AES-256-GCM: 32 bytes as 64 hex digits or
   * base64 (NOTEBOOK_SECRET_KEY). Without it secrets reach the store in clear (a warning is logged when auth is on).
   */
  secretKey?: string;
  /** The URL prefix the notebook is mounted under in the host app, e.g. `/nb` (default: the root). */
  prefix?: string;
  limits?: NotebookServerLimits;
  /** Structured logger (default: JSON lines on stdout at info). */
  logger?: Logger;
  /** Kernel settings: maxSessions, idleSessionMs, warmProcesses, limits, sandbox... */
  kernels?: Partial<Omit<KernelManagerOptions, 'languages' | 'log'>>;
  /** Browser origins allowed to call the API and open sockets besides the page's own. */
  corsOrigins?: string[];
  /**
   * With an auth that asks no token (the default one local user): a secret every API request and
   * socket must carry (the cookie a visit to `<prefix>/?token=<it>` sets, `Authorization: Bearer`,
   * or socket `auth.token`). `npm start` makes one per start; an embedding app with its own auth
   * leaves it unset.
   */
  accessToken?: string | null;
  /** Host names the Host header may carry (a DNS-rebinding guard); `*` or unset: any. */
  allowedHosts?: string[];
  /**
   * `Content-Security-Policy: frame-ancestors` sent with the page when this server serves it
   * (`webDir`), e.g. `'self'`; unset: none, the embedding app sets its own.
   */
  frameAncestors?: string;
  /**
   * With sign-in: anyone, signed in or not, may open a published app (NOTEBOOK_PUBLIC_APPS). Default false:
   * signed-in users only. The owner always may.
   */
  publicApps?: boolean;
  /** Runtime methods app viewers may call in their session (default: `table_page`, `ping`: what outputs need). */
  appRuntimeMethods?: string[];
  /** A built web app to serve under the prefix (with single-page fallback). */
  webDir?: string | null;
  /** Seam for cluster mode: where notebook events are published (default: in memory). */
  eventBus?: NotebookEventBus;
  /** Seam for cluster mode: what runs commands (default: this process's service). */
  commandRouter?: (context: { service: NotebookService; events: NotebookEventBus; log: Logger; coedit: CoeditHub }) => CommandRouter;
  /** Where versions of notebooks are kept (default: in memory). `startServer` keeps them in files beside file storage. */
  historyStore?: HistoryStore;
  /** When versions are taken and how many are kept (NOTEBOOK_HISTORY_*). */
  history?: Partial<HistorySettings>;
  /** Seam for cluster mode: wraps the store (saves fenced by the kernel lease). */
  wrapStore?: (store: NotebookStore) => NotebookStore;
  /** Co-editing timing: quiet time before typed code is analysed (`flushDelayMs`, default 400) and its longest wait (`flushMaxWaitMs`, default 2000). */
  coedit?: { flushDelayMs?: number; flushMaxWaitMs?: number; maxUpdateBytes?: number };
  /** Seam for cluster mode: core let go of a notebook (idle, deleted, taken over elsewhere), so its lease can go. */
  onNotebookReleased?: (notebookId: string) => void;
}

export interface AttachOptions {
  /** socket.io path (default `<prefix>/socket.io`). */
  path?: string;
  /** socket.io adapter, e.g. `@socket.io/redis-adapter`'s, so rooms span instances. */
  adapter?: SocketGatewayOptions['adapter'];
}

export interface NotebookServer {
  /** Everything HTTP (API, health, web app), scoped to the prefix: `app.use(server.middleware)`. */
  middleware: Koa.Middleware;
  /** The API routes alone (already prefixed), for apps that compose routers themselves. */
  router: Router;
  /** Starts socket.io on the app's HTTP server. */
  attach(server: http.Server, options?: AttachOptions): SocketGateway;
  service: NotebookService;
  /** Who may read, edit or run which notebook (shares): new socket events ask it too. */
  access: NotebookAccess;
  /** Versions of notebooks: taken on runs and after pauses in typing; restore. */
  history: HistoryRecorder;
  /** App viewers' own sessions of published notebooks. */
  apps: AppSessions;
  /** The co-editing documents of the notebooks this instance runs. */
  coedit: CoeditHub;
  commands: CommandRouter;
  events: NotebookEventBus;
  auth: AuthProvider;
  kernels: KernelManager;
  plugins: PluginHost;
  /** Stops taking requests, interrupts running cells, saves, closes sockets and kills kernels. */
  close(): Promise<void>;
}

/**
 * Builds the notebook server without listening anywhere: mount `middleware`
 * in any Koa app and `attach` it to that app's HTTP server.
 */
export async function createNotebookServer(options: NotebookServerOptions = {}): Promise<NotebookServer> {
  const log = options.logger ?? createLogger();
  const prefix = normalizePrefix(options.prefix);
  const tokenProblem = options.accessToken ? accessTokenProblem(options.accessToken) : null;
  if (tokenProblem) throw new ConfigError(tokenProblem.replace('NOTEBOOK_TOKEN', 'accessToken'));
  const limits = {
    maxBodyBytes: options.limits?.maxBodyBytes ?? 2 * 1024 * 1024,
    maxSocketMessageBytes: options.limits?.maxSocketMessageBytes ?? 1024 * 1024,
    authTimeoutMs: options.limits?.authTimeoutMs ?? 10_000,
    maxPendingCommandsPerSocket: options.limits?.maxPendingCommandsPerSocket ?? 16,
    errorRepliesPerSecond: options.limits?.errorRepliesPerSecond ?? 20,
    shutdownGraceMs: options.limits?.shutdownGraceMs ?? 5000,
  };

  // Plugins that behave differently with sign-in on (SQL refuses private hosts) read NOTEBOOK_AUTH.
  const config = { ...(options.auth?.requiresToken ? { NOTEBOOK_AUTH: options.auth.id } : {}), ...options.config };
  const assistantSettings = readAssistantSettings(config);
  const host = new PluginHost({ config, log: (level, message, fields) => log.log(level, message, { component: 'plugin', ...fields }) });
  const plugins = options.plugins ?? [];
  host.register(...plugins);
  if (!plugins.some((p) => p.provides?.id === LanguageRegistry.id)) host.register(languageRegistryPlugin);
  try {
    await host.start();
  } catch (error) {
    await host.stop();
    throw error;
  }

  let kernels: KernelManager;
  try {
    const languages = host.get(LanguageRegistry);
    if (languages.list().length === 0) log.warn('no language plugin is loaded: cells cannot be created');
    // Text cells of imported notebooks (.ipynb, `# %% [markdown]`) are cells everywhere, not "unknown language" errors:
    // an embedding app whose plugins leave markdown out still gets @rnb/markdown's cells.
    else if (!languages.get('markdown')) languages.register(markdownLanguage());
    kernels = new KernelManager({
      languages: languages.list(),
      ...options.kernels,
      log: (level, message, fields) => log.log(level, message, { component: 'kernel', ...fields }),
    });
    log.info('kernel isolation', { missing: kernels.layers.missing, languages: languages.list().map((l) => l.id) });
  } catch (error) {
    await host.stop();
    throw error;
  }
  const pluginStore = options.store ?? host.tryGet(NotebookStore) ?? memoryStore(log);
  let baseStore = pluginStore;
  try {
    // Innermost: whatever the storage (and its revisions), it only ever receives sealed secrets.
    if (options.secretKey !== undefined) {
      // The fields plugins declare secret are sealed; a plugin not loaded cannot say, so its string values are sealed too.
      const catalog = new SettingsCatalog(() => host.get(LanguageRegistry).list());
      baseStore = withSealedSecrets(pluginStore, SecretBox.fromText(options.secretKey), {
        log: (level, message) => log.log(level, message, { component: 'secrets' }),
        isSecret: (plugin, field) => catalog.isSecret(plugin, field),
      });
    } else if (options.auth?.requiresToken || host.tryGet(AuthProvider)?.requiresToken) {
      log.warn('no secret key: notebooks\' secret settings (connection strings) are stored in clear; set NOTEBOOK_SECRET_KEY (or the secretKey option)');
    }
  } catch (error) {
    await kernels.shutdown();
    await host.stop();
    throw error;
  }
  const store = options.wrapStore ? options.wrapStore(baseStore) : baseStore;
  const auth = options.auth ?? host.tryGet(AuthProvider) ?? new NoAuthProvider();
  let coedit: CoeditHub | null = null;
  const service = new NotebookService({
    store,
    languages: host.get(LanguageRegistry),
    kernels,
    // A notebook nobody uses is let go when its kernel would be (and in cluster mode its lease with it).
    ...(options.kernels?.idleSessionMs !== undefined ? { idleReleaseMs: options.kernels.idleSessionMs } : {}),
    // The co-editing document goes with the notebook (in cluster mode the next owner loads it from storage).
    onReleased: (notebookId: string) => {
      coedit?.forget(notebookId);
      options.onNotebookReleased?.(notebookId);
    },
    ...(options.limits?.notebooks ? { limits: options.limits.notebooks } : {}),
    analysis: {
      ...(options.limits?.analysisWorkers !== undefined ? { workers: options.limits.analysisWorkers } : {}),
      ...(options.limits?.analysisTimeLimitMs !== undefined ? { timeLimitMs: options.limits.analysisTimeLimitMs } : {}),
    },
    ...(options.limits?.maxCellBytes !== undefined ? { maxCellBytes: options.limits.maxCellBytes } : {}),
  });
  // Analysis threads start now and load the analysers: the first notebook opened does not wait for them.
  service.analysis.warm(host.get(LanguageRegistry).list());
  const events = options.eventBus ?? new LocalEventBus((error) => log.error('event listener failed', { error: (error as Error)?.message }));
  const unsubscribe = service.subscribe((notebookId, event) => events.publish(notebookId, event));
  // App viewers read the notebook as stored (never through the cluster's fencing: they never write).
  const appHost = new AppHost({ store: baseStore, publicApps: options.publicApps === true });
  const apps = new AppSessions({ store: baseStore, languages: host.get(LanguageRegistry), kernels, analysis: service.analysis });
  // Subscribed after the line above: a client hears `cell_created` before the update that gives the cell its text.
  coedit = new CoeditHub({ service, store, events, log: log.child({ component: 'coedit' }), ...(options.coedit ?? {}) });
  // Shares are read from the stored notebook (never through the cluster's fencing: reading needs no lease).
  const access = new NotebookAccess({ store: baseStore });
  const ownerCommands = options.commandRouter?.({ service, events, log, coedit }) ?? new LocalCommandRouter(service, events, log, coedit);
  // The storage's own history store when it has one (DynamoDB), else memory (lost at a restart).
  const history = new HistoryRecorder(ownerCommands, options.historyStore ?? pluginStore.history ?? new MemoryHistoryStore(), access, { ...DEFAULT_HISTORY_SETTINGS, ...options.history }, log.child({ component: 'history' }));
  const commands = refusingAppViewers(history.wrap(enforcingShares(ownerCommands, access)), appHost);
  const gateways: SocketGateway[] = [];
  const assistant = new AssistantRoutes({
    provider: host.tryGet(AssistantProvider),
    settings: assistantSettings,
    audit: new JsonLinesAuditLog(assistantSettings.auditDir),
    commands,
    events,
    languages: () => host.get(LanguageRegistry).list().map((l) => l.id),
    log,
  });
  let accepting = true;

  const router = createRoutes({
    commands,
    auth,
    log,
    prefix,
    assistant,
    history: { access, recorder: history },
    apps: appHost,
    languages: () => host.get(LanguageRegistry).list(),
    maxBodyBytes: limits.maxBodyBytes,
    accepting: () => accepting,
    health: () => ({
      status: accepting ? 'ok' : 'shutting_down',
      notebooks: service.openNotebooks().length,
      kernels: kernels.sessionCount,
      connections: gateways.reduce((n, g) => n + g.connections, 0),
    }),
  });
  const corsOrigins = options.corsOrigins ?? [];
  const guard = new AccessGuard({
    prefix,
    // A token only means something where the auth provider asks none.
    accessToken: auth.requiresToken ? null : (options.accessToken ?? null),
    ...(options.allowedHosts ? { allowedHosts: options.allowedHosts } : {}),
    corsOrigins,
    // Callers are trusted without a token of their own (ambient authority): only the page's origin may change things.
    checkOrigin: !auth.requiresToken,
  });
  const layers: Koa.Middleware[] = [guard.middleware()];
  if (corsOrigins.length > 0) layers.push(scoped(`${prefix}/api`, corsMiddleware(corsOrigins)));
  layers.push(router.routes() as unknown as Koa.Middleware, router.allowedMethods() as unknown as Koa.Middleware);
  if (options.webDir) layers.push(staticFiles({ root: options.webDir, prefix, log, ...(options.frameAncestors ? { frameAncestors: options.frameAncestors } : {}) }));
  const middleware = compose(layers);

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      accepting = false;
      log.info('notebook server closing');
      assistant.abortAll();
      await Promise.all(gateways.map((g) => g.close()));
      await history.close().catch((error: unknown) => log.warn('taking the last versions failed', { error: (error as Error)?.message }));
      await commands.drain(limits.shutdownGraceMs).catch((error: unknown) => log.warn('drain failed', { error: (error as Error)?.message }));
      apps.close();
      // Typed code not yet handed to core goes to it now, so the save below keeps it.
      await coedit?.close();
      await service.close().catch((error: unknown) => log.error('saving notebooks failed', { error: (error as Error)?.message }));
      unsubscribe();
      await kernels.shutdown();
      await host.stop();
      await events.close();
      log.info('notebook server closed');
    })();
    return closing;
  };

  return {
    middleware,
    router,
    attach(server, attachOptions = {}) {
      if (!accepting) throw new ConfigError('attach() after close(): create a new notebook server.');
      const gateway = new SocketGateway(server, {
        commands,
        events,
        auth,
        log: log.child({ component: 'socket' }),
        limits: { authTimeoutMs: limits.authTimeoutMs, maxPendingCommands: limits.maxPendingCommandsPerSocket, errorRepliesPerSecond: limits.errorRepliesPerSecond },
        path: attachOptions.path ?? `${prefix}/socket.io`,
        maxMessageBytes: limits.maxSocketMessageBytes,
        corsOrigins,
        guard,
        access,
        apps: { host: appHost, sessions: apps, runtimeMethods: new Set(options.appRuntimeMethods ?? DEFAULT_APP_RUNTIME_METHODS) },
        ...(attachOptions.adapter ? { adapter: attachOptions.adapter } : {}),
      });
      gateways.push(gateway);
      return gateway;
    },
    service,
    access,
    history,
    apps,
    coedit,
    commands,
    events,
    auth,
    kernels,
    plugins: host,
    close,
  };
}

function normalizePrefix(prefix: string | undefined): string {
  const trimmed = (prefix ?? '').trim().replace(/\/+$/, '');
  if (trimmed === '') return '';
  if (!/^\/[A-Za-z0-9._~\-/]*$/.test(trimmed) || trimmed.includes('//')) {
    throw new ConfigError(`The prefix "${prefix}" is not a URL path such as "/nb".`);
  }
  return trimmed;
}

function memoryStore(log: Logger): NotebookStore {
  log.warn('no storage plugin: notebooks are kept in memory and lost when the server stops');
  return new MemoryNotebookStore();
}

function scoped(pathPrefix: string, middleware: Koa.Middleware): Koa.Middleware {
  return (ctx, next) => (ctx.path === pathPrefix || ctx.path.startsWith(`${pathPrefix}/`) ? middleware(ctx, next) : next());
}

function corsMiddleware(origins: string[]): Koa.Middleware {
  const any = origins.includes('*');
  return cors({
    origin: (ctx) => {
      const origin = ctx.get('origin');
      return any || origins.includes(origin) ? origin : '';
    },
    allowHeaders: ['Authorization', 'Content-Type'],
    allowMethods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
    maxAge: 600,
  });
}
