import type { ClientEventName, ClientEvents } from '@rnb/core/wire';
import { io, type Socket } from 'socket.io-client';
import type { CoeditSession } from '../state/coedit';
import { appBase } from './base-url';
import type { TokenSource } from './http';
import { NOTEBOOK_EVENT_NAMES, type AppNotebook, type ServerEvents, type JsonValue, type NotebookEvent, type PageEvent, type ServerEventName, type WidgetValueAnswer } from './types';

const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 8000;

export type ConnectionState = 'connecting' | 'online' | 'offline' | 'unauthorized';

export interface NotebookSocketOptions {
  notebookId: string;
  getToken: TokenSource;
  onEvent(event: PageEvent): void;
  onState(state: ConnectionState, detail?: string): void;
  /** Called every time the socket is (re)connected and authenticated: the client must resync. */
  onReady(): void;
  /** An app viewer's socket (`/app/{id}`): the viewer's own session, outputs only. */
  app?: boolean;
  /** App sockets: this view's id (one per open app page), so each tab has a session of its own. */
  appView?: string;
  /** App sockets: the viewer's session as it is now, after every (re)connect. */
  onAppState?(notebook: AppNotebook): void;
  /** Co-editing: bound to this connection and synced after every (re)authentication. */
  coedit?: CoeditSession;
  /** Test hook: the socket.io factory. */
  connect?: typeof io;
  /** Where the host is; the page's base otherwise. */
  base?: URL;
}

/**
 * How long before the token's `exp` to refresh: a quarter of its remaining life, at most 30 s,
 * so Clerk's 60-second session tokens are refreshed at about 45 s and hour-long ones 30 s early.
 */
export function refreshDelay(exp: number, now: number): number {
  const remaining = exp - now;
  return Math.max(5_000, remaining - Math.min(30_000, remaining / 4));
}

/**
 * One notebook's real-time channel. Authenticates with the `authenticate` event (the original's
 * flow) on every (re)connect, refreshes the token before it expires, and holds commands issued
 * while offline until the socket is authenticated again, so that they never reach the host ahead
 * of the `authenticate` event.
 */
export class NotebookSocket {
  private readonly socket: Socket;
  private state: ConnectionState = 'connecting';
  private held: Array<[ClientEventName, ClientEvents[ClientEventName]]> = [];
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private reconnectDelay = RECONNECT_MIN_MS;
  private authRetries = 0;
  private closed = false;

  constructor(private readonly options: NotebookSocketOptions) {
    const base = options.base ?? appBase();
    const factory = options.connect ?? io;
    this.socket = factory(base.origin, {
      path: `${base.pathname}socket.io`,
      // batch: a cascade's events arrive as a few `events` messages instead of thousands of frames (docs/protocol.md).
      auth: { notebookId: options.notebookId, ...(options.app ? { app: true, ...(options.appView ? { view: options.appView } : {}) } : { batch: true }) },
      query: { notebookId: options.notebookId },
      transports: ['websocket', 'polling'],
      reconnectionDelayMax: 5000,
    });
    this.socket.on('connect', () => {
      this.reconnectDelay = RECONNECT_MIN_MS;
      void this.handshake();
    });
    this.socket.on('disconnect', (reason) => {
      this.clearRefresh();
      if (this.closed) return;
      if (this.state !== 'unauthorized') this.setState('offline', reason);
      else if (this.authRetries++ === 0) {
        // One more try with a fresh token (a laptop waking up with an expired one); then stop.
        this.scheduleReconnect(true);
        return;
      }
      // socket.io retries by itself except when the server ended the connection (a restart, a
      // failover): then it is up to the client.
      if (reason === 'io server disconnect') this.scheduleReconnect();
    });
    this.socket.on('connect_error', (err) => {
      if (this.closed) return;
      this.setState('offline', err.message);
      // A refusal by the server's middleware is not retried by socket.io either.
      if (!this.socket.active) this.scheduleReconnect();
    });
    options.coedit?.attach(this.socket);
    this.socket.on('authenticated', () => {
      void options.coedit?.sync();
      this.ready();
    });
    this.socket.on('auth_refreshed', () => undefined);
    this.socket.on('app_state', (payload: ServerEvents['app_state']) => options.onAppState?.(payload.notebook));
    // Events may have been lost on the host's side: catch up as after a reconnect.
    this.socket.on('resync', () => {
      if (this.state === 'online') this.options.onReady();
    });
    this.socket.on('error', (payload: { message?: string; code?: string } | undefined) => {
      const message = payload?.message ?? 'Server error';
      if (options.app && (payload?.code === 'RNB_ERR_APP_NOT_FOUND' || payload?.code === 'RNB_ERR_UNAUTHORIZED')) {
        // Reconnecting cannot change the host's answer (no such app, or sign in first): say it and stop trying.
        options.onEvent({ type: 'error', message });
        this.setState('unauthorized', message);
        return;
      }
      if (this.state === 'connecting' && /auth|token/i.test(message)) this.setState('unauthorized', message);
      else options.onEvent({ type: 'error', message });
    });
    for (const name of NOTEBOOK_EVENT_NAMES) {
      this.socket.on(name, (payload: object) => {
        options.onEvent({ ...(payload as object), type: name } as NotebookEvent);
      });
    }
    this.socket.on('events', (payload: ServerEvents['events'] | undefined) => {
      for (const event of payload?.events ?? []) options.onEvent(event);
    });
  }

  get connectionState(): ConnectionState {
    return this.state;
  }

  /** Runs every cell once (an app viewer's copy: what opening the app does). */
  runAll(): void {
    this.send('run_all', {});
  }

  runCell(cellId: string): void {
    this.send('run_cell', { cellId });
  }

  /** Not held while offline: a late interrupt could stop a run started after the reconnect. */
  interrupt(cellId?: string): void {
    if (this.state === 'online') this.socket.emit('interrupt', (cellId ? { cellId } : {}) satisfies ClientEvents['interrupt']);
  }

  /**
   * Asks a language's runtime in the notebook's kernel (`runtime_call`): the answer, or a rejection
   * with the host's error code (`RNB_ERR_RUNTIME_BUSY` while a cell computes). Never held while
   * offline: a late answer is of no use to a completion.
   */
  async callRuntime(language: string, method: string, payload: JsonValue, timeoutMs = 5000): Promise<JsonValue> {
    if (this.state !== 'online') throw new RuntimeCallRefused('RNB_ERR_OFFLINE', 'Not connected.');
    const reply = (await this.socket.timeout(timeoutMs).emitWithAck('runtime_call', { language, method, payload })) as
      | { ok: true; value: JsonValue }
      | { error: { code: string; message: string } };
    if ('error' in reply) throw new RuntimeCallRefused(reply.error.code, reply.error.message);
    return reply.value;
  }

  /**
   * A widget moved (`set_widget_value`): the value the runtime kept and the names whose readers
   * re-run, or a rejection with the host's error code and message (out of range, too large).
   */
  async setWidgetValue(widgetId: string, value: JsonValue, timeoutMs = 30_000): Promise<WidgetValueAnswer> {
    if (this.state !== 'online') throw new RuntimeCallRefused('RNB_ERR_OFFLINE', 'Not connected: the value was not sent.');
    const reply = (await this.socket.timeout(timeoutMs).emitWithAck('set_widget_value', { widget_id: widgetId, value } satisfies ClientEvents['set_widget_value'])) as
      | { ok: true; value: WidgetValueAnswer }
      | { error: { code: string; message: string } };
    if ('error' in reply) throw new RuntimeCallRefused(reply.error.code, reply.error.message);
    return reply.value;
  }

  /** Reconnect now instead of waiting for the back-off. */
  retry(): void {
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    if (!this.socket.connected) this.socket.connect();
  }

  close(): void {
    this.closed = true;
    this.clearRefresh();
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    this.socket.removeAllListeners();
    this.socket.disconnect();
  }

  private send<E extends ClientEventName>(event: E, payload: ClientEvents[E]): void {
    if (this.state === 'online') this.socket.emit(event, payload);
    else this.held.push([event, payload]);
  }

  private async handshake(): Promise<void> {
    this.setState('connecting');
    const token = await this.options.getToken();
    if (token === null) {
      this.ready();
      return;
    }
    this.socket.emit('authenticate', { token } satisfies ClientEvents['authenticate']);
    this.scheduleRefresh(token);
  }

  private ready(): void {
    if (this.state === 'online') return;
    this.authRetries = 0;
    this.setState('online');
    this.options.onReady();
    const held = this.held;
    this.held = [];
    for (const [event, payload] of held) this.socket.emit(event, payload);
  }

  private scheduleReconnect(evenIfRefused = false): void {
    if (this.closed || this.reconnectTimer !== undefined) return;
    if (this.state === 'unauthorized' && !evenIfRefused) return;
    const delay = this.reconnectDelay;
    this.reconnectDelay = Math.min(RECONNECT_MAX_MS, this.reconnectDelay * 2);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.closed && !this.socket.connected) this.socket.connect();
    }, delay);
  }

  private scheduleRefresh(token: string): void {
    this.clearRefresh();
    const exp = tokenExpiry(token);
    if (exp === null) return;
    const delay = refreshDelay(exp, Date.now());
    this.refreshTimer = setTimeout(() => void this.refresh(), delay);
  }

  private async refresh(): Promise<void> {
    const token = await this.options.getToken();
    if (token === null || !this.socket.connected) return;
    this.socket.emit('refresh_auth', { token } satisfies ClientEvents['refresh_auth']);
    this.scheduleRefresh(token);
  }

  private clearRefresh(): void {
    if (this.refreshTimer !== undefined) clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
  }

  private setState(state: ConnectionState, detail?: string): void {
    if (this.state === state) return;
    this.state = state;
    this.options.onState(state, detail);
  }
}

/** A runtime call the host (or the connection) refused, with the host's error code. */
export class RuntimeCallRefused extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'RuntimeCallRefused';
  }
}

/** The `exp` of a JWT in milliseconds, or null when the token is not a readable JWT. */
export function tokenExpiry(token: string): number | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp * 1000 : null;
  } catch {
    return null;
  }
}

export type { ServerEventName };
