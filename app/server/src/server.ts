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
} from '@rnb/core';
import { MemoryHistoryStore } from '@rnb/core';
import { markdownLanguage } from '@rnb/markdown';
import type Koa from 'koa';
import compose from 'koa-compose';
import { JsonLinesAuditLog } from './assistant/audit-log';
import { AppHost, refusingAppViewers } from './apps/app-host';
import { enforcingShares, NotebookAccess } from './sharing/notebook-access';
import { DEFAULT_HISTORY_SETTINGS, HistoryRecorder } from './history/history-recorder';
import { DEFAULT_APP_RUNTIME_METHODS } from './apps/app-socket';
import { AssistantRoutes } from './assistant/chat-route';
import { readAssistantSettings } from './assistant/settings';
import { NoAuthProvider } from './auth/no-auth';
import { LocalCommandRouter } from './commands/local-command-router';
import { LocalEventBus } from './events/event-bus';
import { AccessGuard, accessTokenProblem } from './http/access-guard';
import { corsMiddleware, scoped } from './http/cors';
import { createRoutes } from './http/routes';
import { staticFiles } from './http/static-files';
import { createLogger, type Logger } from './logger';
import { CoeditHub } from './coedit/coedit-hub';
import { SocketGateway } from './realtime/socket-gateway';
import type { NotebookServer, NotebookServerOptions } from './server-options';

export type { AttachOptions, NotebookServer, NotebookServerLimits, NotebookServerOptions } from './server-options';

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
