import * as path from 'node:path';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FileHistoryStore, type AnyPlugin } from '@rnb/core';
import Koa from 'koa';
import { kernelSettings, type ServerConfig } from './config';
import { createLogger, type Logger } from './logger';
import { pluginsFromConfig } from './plugin-loader';
import { startCluster } from './cluster/cluster';
import { generateAccessToken, isLoopbackAddress } from './http/access-guard';
import { serverSecretKey } from './secret-key';
import { createNotebookServer, type NotebookServer, type NotebookServerLimits, type NotebookServerOptions } from './server';

export interface StartServerOptions {
  config: ServerConfig;
  logger?: Logger;
  /** Instead of the plugins the configuration names (tests). */
  plugins?: AnyPlugin[];
  /** Where plugin packages are resolved from. */
  pluginPaths?: string[];
  limits?: NotebookServerLimits;
}

export interface RunningServer {
  /** Where the server is: the API and the page are under it. */
  url: string;
  /** The URL to open in a browser: `url` plus `/?token=...` while the access token is on. */
  openUrl: string;
  /** The access token of this start (auth `none`), or null when there is none. */
  accessToken: string | null;
  port: number;
  http: http.Server;
  notebooks: NotebookServer;
  /** Graceful stop: no new connections, running cells interrupted, notebooks saved, kernels killed. */
  stop(): Promise<void>;
}

/** The standalone server of `npm start`: a Koa app holding only the notebook, listening on the configured port. */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { config } = options;
  const log = options.logger ?? createLogger({ level: config.logLevel });
  const plugins = options.plugins ?? pluginsFromConfig(config, options.pluginPaths ? { paths: options.pluginPaths } : {});
  // Cluster mode: Redis first, so an unreachable Redis stops the start with a clear error before anything else runs.
  const secretKey = serverSecretKey(config, log);
  const cluster = config.redisUrl ? await startCluster({ redisUrl: config.redisUrl, leaseMs: config.clusterLeaseMs, log }) : null;
  const local = localAccess(config, log);
  let notebooks: NotebookServer;
  try {
    notebooks = await createNotebookServer({
      plugins,
      config: config.values,
      logger: log,
      limits: {
        maxBodyBytes: config.maxBodyBytes,
        maxCellBytes: config.maxCellBytes,
        analysisWorkers: config.analysisWorkers,
        analysisTimeLimitMs: config.analysisTimeLimitMs,
        shutdownGraceMs: config.shutdownGraceSeconds * 1000,
        notebooks: config.notebookLimits,
        ...options.limits,
      },
      kernels: kernelSettings(config),
      history: config.history,
      // Versions beside the notebooks when they are in a folder; DynamoDB keeps them in its table (NotebookStore.history).
      ...(config.storage === 'file' || config.storage === 'folder' ? { historyStore: new FileHistoryStore(path.resolve(config.values.NOTEBOOK_DIR || './notebooks', '.rnb-history')) } : {}),
      corsOrigins: config.corsOrigins,
      publicApps: config.publicApps,
      webDir: config.webDir,
      // This server is the page's own site: nobody else frames it.
      frameAncestors: "'self'",
      ...local.options,
      ...(secretKey !== undefined ? { secretKey } : {}),
      ...(cluster
        ? { eventBus: cluster.eventBus, commandRouter: (context) => cluster.commandRouter(context), wrapStore: (store) => cluster.wrapStore(store), onNotebookReleased: (id) => cluster.onNotebookReleased(id) }
        : {}),
    });
  } catch (error) {
    await cluster?.close();
    throw error;
  }
  const app = new Koa();
  app.silent = true;
  app.on('error', (error: Error) => log.error('unhandled request error', { error: error.message }));
  app.use(notebooks.middleware);
  const server = http.createServer(app.callback());
  const gateway = notebooks.attach(server, cluster ? { adapter: cluster.adapter } : {});
  cluster?.onEventsMissed(() => gateway.askClientsToResync());
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await notebooks.close();
    await cluster?.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${shownHost}:${port}`;
  let stopping: Promise<void> | null = null;
  return {
    url,
    openUrl: local.token ? `${url}/?token=${local.token}` : url,
    accessToken: local.token,
    port,
    http: server,
    notebooks,
    stop() {
      stopping ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        // Cluster mode: runs are interrupted while the adapter still carries their last statuses to every instance.
        if (cluster) await notebooks.commands.drain(config.shutdownGraceSeconds * 1000).catch(() => undefined);
        // Closing the notebooks stops new work, saves and releases their leases; the cluster lets go of the rest.
        await notebooks.close();
        await cluster?.close();
        // Requests still open after the notebooks closed are cut.
        const timer = setTimeout(() => server.closeAllConnections(), 2000);
        await closed;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}

/**
 * Auth `none` trusts whoever reaches the server, so who can reach it is narrowed: the access
 * token (NOTEBOOK_TOKEN, else a random one per start), the Host names it answers to, and a warning
 * whenever it is reachable from other machines or the token is off.
 */
function localAccess(config: ServerConfig, log: Logger): { token: string | null; options: Pick<NotebookServerOptions, 'accessToken' | 'allowedHosts'> } {
  if (config.auth !== 'none') return { token: null, options: {} };
  const token = config.accessToken === undefined ? generateAccessToken() : config.accessToken;
  const exposed = !isLoopbackAddress(config.host);
  if (exposed) {
    log.warn(`HOST=${config.host} with NOTEBOOK_AUTH=none: other machines can reach this server, and whoever holds its access token runs code here as this user${token ? '' : ' (and the token is off: anyone who reaches it does)'}. Set HOST=127.0.0.1 for local use, or turn sign-in on (NOTEBOOK_AUTH). The names it is reached by go in ALLOWED_HOSTS.`);
  }
  if (token === null) {
    log.warn(`NOTEBOOK_TOKEN is empty: the access token is off, so any program on this machine${exposed ? ' or the network' : ''} that reaches port ${config.port} can read notebooks and run code. Unset NOTEBOOK_TOKEN to get a token per start.`);
  }
  const allowedHosts = ['localhost', '127.0.0.1', '[::1]', ...(isWildcard(config.host) ? [] : [config.host]), ...config.allowedHosts];
  return { token, options: { accessToken: token, allowedHosts } };
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}
