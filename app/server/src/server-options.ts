/**
 * The notebook server's contract for an embedding app: what `createNotebookServer` (server.ts) takes and gives.
 */
import type * as http from 'node:http';
import type { Router } from '@koa/router';
import type {
  AnyPlugin,
  AppSessions,
  AuthProvider,
  HistoryStore,
  KernelManager,
  KernelManagerOptions,
  NotebookLimits,
  NotebookService,
  NotebookStore,
  PluginHost,
} from '@rnb/core';
import type Koa from 'koa';
import type { CoeditHub } from './coedit/coedit-hub';
import type { CommandRouter } from './commands/command-router';
import type { NotebookEventBus } from './events/event-bus';
import type { HistoryRecorder, HistorySettings } from './history/history-recorder';
import type { Logger } from './logger';
import type { SocketGateway, SocketGatewayOptions } from './realtime/socket-gateway';
import type { NotebookAccess } from './sharing/notebook-access';

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
