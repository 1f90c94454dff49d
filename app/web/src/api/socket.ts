import { io, type Socket } from 'socket.io-client';
import { appBase } from './base-url';
import type { TokenSource } from './http';
import { NOTEBOOK_EVENT_NAMES, type NotebookEvent, type ServerEventName } from './types';

export type ConnectionState = 'connecting' | 'online' | 'offline' | 'unauthorized';

export interface NotebookSocketOptions {
  notebookId: string;
  getToken: TokenSource;
  onEvent(event: NotebookEvent): void;
  onState(state: ConnectionState, detail?: string): void;
  /** Called every time the socket is (re)connected and authenticated: the client must resync. */
  onReady(): void;
  /** Test hook: the socket.io factory. */
  connect?: typeof io;
}

/** Refresh this long before the token's `exp`, so a slow network never carries an expired token. */
const REFRESH_MARGIN_MS = 60_000;

/**
 * One notebook's real-time channel. Authenticates with the `authenticate` event (the original's
 * flow) on every (re)connect, refreshes the token before it expires, and holds commands issued
 * while offline until the socket is authenticated again, so that they never reach the host ahead
 * of the `authenticate` event.
 */
export class NotebookSocket {
  private readonly socket: Socket;
  private state: ConnectionState = 'connecting';
  private held: Array<[string, unknown]> = [];
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(private readonly options: NotebookSocketOptions) {
    const base = appBase();
    const factory = options.connect ?? io;
    this.socket = factory(base.origin, {
      path: `${base.pathname}socket.io`,
      auth: { notebookId: options.notebookId },
      query: { notebookId: options.notebookId },
      transports: ['websocket', 'polling'],
      reconnectionDelayMax: 5000,
    });
    this.socket.on('connect', () => void this.handshake());
    this.socket.on('disconnect', (reason) => {
      this.clearRefresh();
      if (!this.closed) this.setState('offline', reason);
    });
    this.socket.on('connect_error', (err) => this.setState('offline', err.message));
    this.socket.on('authenticated', () => this.ready());
    this.socket.on('auth_refreshed', () => undefined);
    this.socket.on('error', (payload: { message?: string } | undefined) => {
      const message = payload?.message ?? 'Server error';
      if (this.state === 'connecting' && /auth|token/i.test(message)) this.setState('unauthorized', message);
      else options.onEvent({ type: 'error', message });
    });
    for (const name of NOTEBOOK_EVENT_NAMES) {
      this.socket.on(name, (payload: object) => {
        options.onEvent({ ...(payload as object), type: name } as NotebookEvent);
      });
    }
  }

  get connectionState(): ConnectionState {
    return this.state;
  }

  runCell(cellId: string): void {
    this.send('run_cell', { cellId });
  }

  interrupt(cellId?: string): void {
    this.send('interrupt', cellId ? { cellId } : {});
  }

  /** Reconnect now instead of waiting for socket.io's back-off. */
  retry(): void {
    if (!this.socket.connected) this.socket.connect();
  }

  close(): void {
    this.closed = true;
    this.clearRefresh();
    this.socket.removeAllListeners();
    this.socket.disconnect();
  }

  private send(event: string, payload: unknown): void {
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
    this.socket.emit('authenticate', { token });
    this.scheduleRefresh(token);
  }

  private ready(): void {
    if (this.state === 'online') return;
    this.setState('online');
    this.options.onReady();
    const held = this.held;
    this.held = [];
    for (const [event, payload] of held) this.socket.emit(event, payload);
  }

  private scheduleRefresh(token: string): void {
    this.clearRefresh();
    const exp = tokenExpiry(token);
    if (exp === null) return;
    const delay = Math.max(5_000, exp - Date.now() - REFRESH_MARGIN_MS);
    this.refreshTimer = setTimeout(() => void this.refresh(), delay);
  }

  private async refresh(): Promise<void> {
    const token = await this.options.getToken();
    if (token === null || !this.socket.connected) return;
    this.socket.emit('refresh_auth', { token });
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
