import type * as http from 'node:http';
import type { AuthProvider } from '@rnb/core';
import { Server, type ServerOptions } from 'socket.io';
import type { CommandRouter } from '../commands/command-router';
import type { HostEvent, NotebookEventBus } from '../events/event-bus';
import type { AccessGuard } from '../http/access-guard';
import type { Logger } from '../logger';
import { ClientSession, type ClientSessionLimits } from './client-session';
import type { NotebookAccess } from '../sharing/notebook-access';
import { deliverAppEvents, type AppSocketDeps } from '../apps/app-socket';
import { EventBatches } from './event-batches';

export interface SocketGatewayOptions {
  commands: CommandRouter;
  events: NotebookEventBus;
  auth: AuthProvider;
  log: Logger;
  limits: ClientSessionLimits;
  /** socket.io's path, e.g. `/socket.io` or `/nb/socket.io`. */
  path: string;
  /** Largest message a client may send. */
  maxMessageBytes: number;
  /** Browser origins allowed besides the server's own (`*`: any). */
  corsOrigins: string[];
  /** Host, Origin and access-token checks shared with HTTP. */
  guard: AccessGuard;
  /** Shares: a revoked user's sockets of the notebook are closed at once. */
  access?: NotebookAccess;
  /** App viewers' sessions (`/app/{id}` sockets). */
  apps?: AppSocketDeps;
  /** A socket.io adapter (cluster mode: `@socket.io/redis-adapter`), so room broadcasts reach every instance. */
  adapter?: ServerOptions['adapter'];
}

export function roomOf(notebookId: string): string {
  return `nb:${notebookId}`;
}

/** The notebook's clients that take its events in batches (`auth: { batch: true }`); they are in {@link roomOf} too. */
export function batchRoomOf(notebookId: string): string {
  return `nbb:${notebookId}`;
}

/**
 * The real-time half of the contract: one room per notebook, every event of a
 * notebook to every authenticated client in its room.
 */
export class SocketGateway {
  readonly io: Server;
  private closing = false;
  private readonly unsubscribe: () => void;
  private readonly batches = new EventBatches((notebookId, events) => this.io.to(batchRoomOf(notebookId)).emit('events', { events }));

  constructor(server: http.Server, private readonly options: SocketGatewayOptions) {
    const anyOrigin = options.corsOrigins.includes('*');
    this.io = new Server(server, {
      path: options.path,
      serveClient: false,
      maxHttpBufferSize: options.maxMessageBytes,
      ...(options.corsOrigins.length > 0 ? { cors: { origin: anyOrigin ? true : options.corsOrigins, methods: ['GET', 'POST'] } } : {}),
      allowRequest: (req, callback) => callback(null, !this.closing && this.requestAllowed(req)),
      ...(options.adapter ? { adapter: options.adapter } : {}),
    });
    // The handshake's auth arrives after allowRequest: the access token (auth `none`) is checked here.
    this.io.use((socket, next) => {
      const { headers, auth } = socket.handshake;
      if (options.guard.tokenPresented(headers.cookie, headers.authorization, (auth as { token?: unknown } | undefined)?.token)) return next();
      options.log.warn('socket refused: no access token');
      next(Object.assign(new Error('This server needs its access token: open the URL it printed when it started, or pass auth: { token }.'), { data: { code: 'RNB_ERR_UNAUTHORIZED' } }));
    });
    this.io.on('connection', (socket) => {
      new ClientSession(socket, { commands: options.commands, auth: options.auth, log: options.log, limits: options.limits, room: roomOf, batchRoom: batchRoomOf, flushEvents: (notebookId) => this.batches.flush(notebookId), ...(options.apps ? { apps: options.apps } : {}) }).start();
    });
    const unsubscribeNotebooks = options.events.subscribe((notebookId, event) => this.deliver(notebookId, event));
    // A viewer's session lives on the instance the viewer's socket reached: its events stay local.
    const unsubscribeApps = options.apps
      ? deliverAppEvents(options.apps.sessions, (room, event) => {
          const { type, ...payload } = event;
          this.io.local.to(room).emit(type, payload);
        })
      : () => undefined;
    const unsubscribeRevoked = options.access?.onRevoked((notebookId, userId) => void this.disconnectUser(notebookId, userId)) ?? (() => undefined);
    this.unsubscribe = () => {
      unsubscribeRevoked();
      unsubscribeNotebooks();
      unsubscribeApps();
    };
  }

  /** Sockets connected to this instance. */
  get connections(): number {
    return this.io.of('/').sockets.size;
  }

  /**
   * Tells this instance's clients of a notebook to reload it: events meant for them may have been lost
   * (cluster mode: the link to Redis was down). Only clients here: the others did not miss anything.
   */
  askClientsToResync(): void {
    for (const socket of this.io.of('/').sockets.values()) {
      // Authenticated clients are in their notebook's room (a socket is always in its own, too).
      if (socket.rooms.size > 1) socket.emit('resync', {});
    }
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.unsubscribe();
    this.batches.clear();
    // local: with the Redis adapter a plain disconnectSockets would drop every instance's clients.
    this.io.of('/').local.disconnectSockets(true);
    await this.io.of('/').adapter.close?.();
    // Not io.close(): that would also close the embedding app's HTTP server.
    this.io.engine.close();
  }

  /**
   * Closes `userId`'s sockets of a notebook, on every instance (the Redis adapter's fetchSockets reaches
   * them all): their share was revoked. `socket.data.userId` is set when a socket authenticates.
   */
  async disconnectUser(notebookId: string, userId: string): Promise<void> {
    try {
      const sockets = await this.io.in(roomOf(notebookId)).fetchSockets();
      for (const socket of sockets) {
        if ((socket.data as { userId?: unknown }).userId !== userId) continue;
        socket.emit('error', { message: 'The owner stopped sharing this notebook with you.', code: 'RNB_ERR_NOTEBOOK_NOT_FOUND' });
        socket.disconnect(true);
      }
    } catch (error) {
      this.options.log.warn('closing a revoked user\'s sockets failed', { notebook: notebookId, error: (error as Error)?.message });
    }
  }

  private deliver(notebookId: string, event: HostEvent): void {
    const { type, ...payload } = event;
    const room = roomOf(notebookId);
    if (event.type === 'yjs_update' || event.type === 'notebook_deleted') {
      // Not batched (co-editing's binary updates keep their own event): what is pending goes first, to keep the order.
      this.batches.flush(notebookId);
      this.io.to(room).emit(type, payload);
    } else {
      this.io.to(room).except(batchRoomOf(notebookId)).emit(type, payload);
      this.batches.add(notebookId, event);
    }
    if (type === 'notebook_deleted') this.io.in(room).disconnectSockets(true);
    if (this.options.log.isEnabled('debug')) this.options.log.debug('event', { notebook: notebookId, event: type });
  }

  /**
   * Browsers do not apply CORS to WebSockets: without the Origin check any web page could drive a
   * local no-login server; the Host check stops a DNS-rebinding page. Non-browser clients send no Origin.
   */
  private requestAllowed(req: http.IncomingMessage): boolean {
    const refusal = this.options.guard.socketRefusal(req);
    if (refusal === null) return true;
    this.options.log.warn(`socket refused: ${refusal}`, { origin: (req.headers.origin ?? '').slice(0, 200), host: (req.headers.host ?? '').slice(0, 200) });
    return false;
  }
}
