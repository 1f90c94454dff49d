/**
 * @rnb/server: the notebook server as a factory. Mount it in any Koa app:
 *
 *   const notebooks = await createNotebookServer({ prefix: '/nb', plugins, auth });
 *   app.use(notebooks.middleware);
 *   const server = app.listen(8000);
 *   notebooks.attach(server);            // socket.io at /nb/socket.io
 *
 * Only `main.ts` (npm start) listens on a port itself.
 */
export { createNotebookServer, type AttachOptions, type NotebookServer, type NotebookServerLimits, type NotebookServerOptions } from './server';
export { loadConfig, kernelSettings, DEFAULTS as CONFIG_DEFAULTS, type LoadConfigOptions, type ServerConfig } from './config';
export { pluginsFromConfig, loadPluginPackage, BUILTIN_PACKAGES, type PluginLoaderOptions } from './plugin-loader';
export { NoAuthProvider, noAuthPlugin, LOCAL_USER_ID } from './auth/no-auth';
export { createLogger, silentLogger, redact, redactString, type Logger, type LogLevel, type LogFields, type LoggerOptions } from './logger';
export { HostError, toErrorResponse, type ErrorBody, type HostErrorCode } from './errors';
export type { CommandRouter, CommandResult, CommandResults, NotebookCommand } from './commands/command-router';
export { LocalCommandRouter } from './commands/local-command-router';
export { LocalEventBus, type HostEvent, type HostEventListener, type NotebookEventBus } from './events/event-bus';
export { SocketGateway, roomOf, type SocketGatewayOptions } from './realtime/socket-gateway';
export type { ClientSessionLimits } from './realtime/client-session';
export { startServer, type RunningServer, type StartServerOptions } from './start';
export { chartLibrariesForExport } from './export/chart-libraries';
export { startCluster, type Cluster, type ClusterOptions } from './cluster/cluster';
export { AssistantRoutes, chatBody, type AssistantDeps } from './assistant/chat-route';
export { JsonLinesAuditLog, type AssistantAuditLog, type AuditEntry } from './assistant/audit-log';
export type { ChatEvent } from './assistant/agent-loop';
export { TOOL_SPECS } from './assistant/tools';
