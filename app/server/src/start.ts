import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AnyPlugin } from '@rnb/core';
import Koa from 'koa';
import type { ServerConfig } from './config';
import { createLogger, type Logger } from './logger';
import { pluginsFromConfig } from './plugin-loader';
import { startCluster } from './cluster/cluster';
import { createNotebookServer, type NotebookServer, type NotebookServerLimits } from './server';

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
  url: string;
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
  const cluster = config.redisUrl ? await startCluster({ redisUrl: config.redisUrl, leaseMs: config.clusterLeaseMs, log }) : null;
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
        ...options.limits,
      },
      kernels: { ...(config.maxKernels !== undefined ? { maxSessions: config.maxKernels } : {}), idleSessionMs: config.kernelIdleSeconds * 1000 },
      corsOrigins: config.corsOrigins,
      webDir: config.webDir,
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
  notebooks.attach(server, cluster ? { adapter: cluster.adapter } : {});
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
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  let stopping: Promise<void> | null = null;
  return {
    url: `http://${shownHost}:${port}`,
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
