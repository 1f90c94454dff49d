import { DEFAULT_APP_SETTINGS, type AppNotebook, type AuthProvider, type Identity, type JsonValue } from '@rnb/core';
import type { ErrorCode, NotebookEventPayloads } from '@rnb/core/wire';
import type { Socket } from 'socket.io';
import { ZodError, type ZodType } from 'zod';
import type { CommandRouter, NotebookCommand } from '../commands/command-router';
import { describeZodError, HostError, toErrorResponse } from '../errors';
import { AwarenessClients } from '../coedit/awareness-relay';
import { authenticatePayload, yjsUpdatePayload } from '../http/schemas';
import type { Logger } from '../logger';
import { appRoomOf, dispatchToApp, type AppSocketDeps } from '../apps/app-socket';
import { APP_EVENTS, CLIENT_EVENTS, COMMAND_EVENTS, takeAck, type Ack, type CommandEventName, type CommandOptions, type CommandSink } from './client-events';

export interface ClientSessionLimits {
  /** A socket that has not authenticated by then is dropped (protocol: 10 s). */
  authTimeoutMs: number;
  /** Commands of one socket in flight at once; more are refused, so a flood cannot queue up. */
  maxPendingCommands: number;
  /** `error` replies one socket gets per second at most; the rest are dropped. */
  errorRepliesPerSecond: number;
}

export interface ClientSessionDeps {
  commands: CommandRouter;
  /** App sockets (`auth: { notebookId, app: true }`): the viewer's own session instead of the notebook. */
  apps?: AppSocketDeps;
  auth: AuthProvider;
  log: Logger;
  limits: ClientSessionLimits;
  room(notebookId: string): string;
  /** The room of the notebook's clients that take its events in batches. */
  batchRoom(notebookId: string): string;
  /** Sends the notebook's pending batch now: an answer must not overtake the events emitted before it. */
  flushEvents(notebookId: string): void;
}

const NOTEBOOK_ID = /^[A-Za-z0-9_-]{1,100}$/;
/** A presence update is a cursor and a name: more is refused. */
const MAX_AWARENESS_BYTES = 64 * 1024;
const MAX_EARLY_COMMANDS = 16;
/** setTimeout's longest delay; a later expiry is checked again when this fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * One socket: its notebook, who it is once authenticated, and its commands.
 * Until it authenticates it is in no room, so it receives nothing; a token
 * that expires without `refresh_auth` ends the connection.
 */
export class ClientSession {
  private identity: Identity | null = null;
  private readonly notebookId: string | null;
  /** An app viewer's socket: its commands go to the viewer's own session, and only those an app allows. */
  private readonly appMode: boolean;
  /** Asked for its notebook's events in batches (`auth.batch`): an `events` message per turn of the host's event loop. */
  private readonly batched: boolean;
  /** The viewer's session once opened. */
  private appKey: string | null = null;
  private authTimer: NodeJS.Timeout | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;
  private authChain: Promise<void> = Promise.resolve();
  private authPending = 0;
  /** Commands that arrived while the first authentication was being checked. */
  private readonly early: (() => void)[] = [];
  private pending = 0;
  private errorBudget: number;
  private budgetRefilledAt = Date.now();
  private readonly log: Logger;
  /** The people (awareness client ids) this socket spoke for: announced gone when it disconnects. */
  private readonly presence = new AwarenessClients();

  constructor(
    private readonly socket: Socket,
    private readonly deps: ClientSessionDeps,
  ) {
    this.errorBudget = deps.limits.errorRepliesPerSecond;
    const raw = (socket.handshake.auth as { notebookId?: unknown } | undefined)?.notebookId ?? socket.handshake.query.notebookId;
    this.notebookId = typeof raw === 'string' && NOTEBOOK_ID.test(raw) ? raw : null;
    this.appMode = (socket.handshake.auth as { app?: unknown } | undefined)?.app === true;
    this.batched = !this.appMode && (socket.handshake.auth as { batch?: unknown } | undefined)?.batch === true;
    this.log = deps.log.child({ socket: socket.id, ...(this.notebookId ? { notebook: this.notebookId } : {}) });
  }

  start(): void {
    const socket = this.socket;
    socket.on('disconnecting', () => {
      if (this.identity) this.announceDeparture();
    });
    socket.on('disconnect', (reason) => this.onDisconnect(reason));
    if (!this.notebookId) {
      this.fail('Name a notebook to connect to: io(url, { auth: { notebookId } }).', 'RNB_ERR_INVALID_INPUT');
      return;
    }
    this.log.info('socket connected', { transport: socket.conn.transport.name });
    this.authTimer = setTimeout(() => this.fail(`Not authenticated within ${Math.round(this.deps.limits.authTimeoutMs / 1000)} s: send authenticate { token }.`, 'RNB_ERR_UNAUTHORIZED'), this.deps.limits.authTimeoutMs);
    this.authTimer.unref?.();

    if (this.appMode) {
      // Before any handler, whoever registered it: an app socket's other events never reach one.
      socket.use((packet, next) => {
        const [event, ...args] = packet as [string, ...unknown[]];
        if (APP_EVENTS.has(event)) {
          next();
          return;
        }
        if (!this.identity) return; // before authentication a socket hears nothing back
        this.reply(`An app viewer cannot ${String(event).slice(0, 50)}: an app allows only run_all, run_cell, interrupt and runtime_call in the viewer's own session.`, 'RNB_ERR_APP_READ_ONLY', takeAck(args));
      });
    }
    socket.onAny((event: string, ...args: unknown[]) => {
      if (this.appMode && !APP_EVENTS.has(event)) return; // answered by the middleware above
      if (!CLIENT_EVENTS.has(event)) {
        if (!this.identity) return; // before authentication a socket hears nothing back
        const ack = takeAck(args);
        this.reply(`Unknown event "${String(event).slice(0, 50)}": send authenticate, refresh_auth, run_cell, interrupt, run_all, restart_kernel, clear_outputs, runtime_call, set_widget_value, yjs_sync, yjs_update or yjs_awareness.`, 'RNB_ERR_INVALID_INPUT', ack);
      }
    });
    socket.on('authenticate', (...args: unknown[]) => this.onAuthenticate('authenticate', args));
    socket.on('refresh_auth', (...args: unknown[]) => this.onAuthenticate('refresh_auth', args));
    socket.on('yjs_awareness', (...args: unknown[]) => this.onAwareness(args));
    const commands: CommandSink = { command: (event, args, schema, build, options) => this.command(event, args, schema, build, options) };
    // Typed keys, not Object.entries' strings: docs/protocol.md is checked against the event names the socket listens to.
    for (const event of Object.keys(COMMAND_EVENTS) as CommandEventName[]) socket.on(event, (...args: unknown[]) => COMMAND_EVENTS[event](commands, args));

    const handshakeToken = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    if (!this.deps.auth.requiresToken) this.enqueueAuth(undefined, 'authenticate', undefined);
    else if (typeof handshakeToken === 'string' && handshakeToken !== '') this.enqueueAuth(handshakeToken, 'authenticate', undefined);
    // A public app's anonymous visitor: admitted (or refused) without a token.
    else if (this.appMode && this.deps.apps?.host.publicApps) this.enqueueAuth(undefined, 'authenticate', undefined);
  }

  private onAuthenticate(event: 'authenticate' | 'refresh_auth', args: unknown[]): void {
    const ack = takeAck(args);
    if (!this.deps.auth.requiresToken) {
      // Nothing to check: the one local user is already in.
      this.enqueueAuth(undefined, event, ack);
      return;
    }
    const parsed = authenticatePayload.safeParse(args[0]);
    if (!parsed.success) {
      this.fail(`${event} needs { token }: ${describeZodError(parsed.error)}`, 'RNB_ERR_UNAUTHORIZED', ack);
      return;
    }
    this.enqueueAuth(parsed.data.token, event, ack);
  }

  /** Authentications of one socket run one after another, so a refresh cannot overtake the first check. */
  private enqueueAuth(token: string | undefined, event: 'authenticate' | 'refresh_auth', ack: Ack | undefined): void {
    // A client has no reason to send more than a couple at once: beyond that they are dropped, not queued.
    if (this.authPending >= 2) return;
    this.authPending++;
    this.authChain = this.authChain
      .then(() => this.authenticate(token, event, ack))
      .catch((error: unknown) => {
        this.log.error('socket authentication failed', { error: (error as Error)?.message });
        this.fail('Authentication failed on the server; try again.', 'RNB_ERR_INTERNAL', ack);
      })
      .finally(() => {
        this.authPending--;
      });
  }

  private async authenticate(token: string | undefined, event: 'authenticate' | 'refresh_auth', ack: Ack | undefined): Promise<void> {
    if (!this.socket.connected || !this.notebookId) return;
    let identity: Identity;
    const anonymous = this.appMode && this.deps.auth.requiresToken && token === undefined;
    try {
      identity = anonymous ? { userId: '' } : await this.deps.auth.authenticate(token);
    } catch (error) {
      const mapped = toErrorResponse(error);
      this.log.info('socket authentication refused', { event, code: mapped.body.error.code });
      this.fail(mapped.body.error.message, mapped.body.error.code, ack);
      return;
    }
    const first = this.identity === null;
    if (!first && identity.userId !== this.identity!.userId) {
      this.fail('The new token belongs to another user: reconnect to switch users.', 'RNB_ERR_UNAUTHORIZED', ack);
      return;
    }
    let appState: AppNotebook | null = null;
    let opened: NotebookEventPayloads['variables'] | undefined;
    if (first) {
      try {
        if (this.appMode) appState = await this.openApp(anonymous ? null : identity);
        else opened = await this.deps.commands.dispatch(identity.userId, this.notebookId, { type: 'open_notebook' });
      } catch (error) {
        const mapped = toErrorResponse(error);
        this.log.info('socket refused', { user: identity.userId, code: mapped.body.error.code });
        this.fail(mapped.body.error.message, mapped.body.error.code, ack);
        return;
      }
      if (!this.socket.connected) return;
    }
    this.identity = identity;
    // Read by the gateway to close a user's sockets when their share is revoked.
    (this.socket.data as { userId?: string }).userId = identity.userId;
    clearTimeout(this.authTimer);
    this.scheduleExpiry(identity.expiresAt);
    if (first) {
      await this.socket.join(
        this.appKey !== null ? appRoomOf(this.appKey) : this.batched ? [this.deps.room(this.notebookId), this.deps.batchRoom(this.notebookId)] : this.deps.room(this.notebookId),
      );
      this.log.info('socket authenticated', { user: identity.userId, ...(this.appMode ? { app: true } : {}) });
    }
    const reply = first || event === 'authenticate' ? 'authenticated' : 'auth_refreshed';
    this.socket.emit(reply, {});
    if (appState) this.socket.emit('app_state', { notebook: appState });
    // A page that opens after a run gets the variable explorer's list at once, not with the next run.
    if (opened && opened.variables.length > 0) this.socket.emit('variables', opened);
    ack?.({ ok: true });
    for (const run of this.early.splice(0)) run();
  }

  /** Admits the viewer and opens (or joins) their own session of the notebook. */
  private async openApp(identity: Identity | null): Promise<AppNotebook> {
    const apps = this.deps.apps;
    if (!apps || !this.notebookId) throw new HostError(404, 'RNB_ERR_ROUTE_NOT_FOUND', 'This server has no app view.');
    // An anonymous visitor's session is their socket's (a view id they chose could name another visitor's).
    const view = identity === null ? undefined : appViewOf(this.socket.handshake.auth);
    const { owner, viewer, document } = await apps.host.admit(identity, this.notebookId, this.socket.id, view);
    const opened = await apps.sessions.open(owner, this.notebookId, viewer, document.app ?? DEFAULT_APP_SETTINGS);
    if (!this.socket.connected) {
      apps.sessions.release(opened.key);
      throw new Error('The socket closed while the app opened.'); // nobody hears it: the socket is gone
    }
    this.appKey = opened.key;
    return opened.notebook;
  }

  private scheduleExpiry(expiresAt: number | undefined): void {
    clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    if (expiresAt === undefined) return;
    const delay = expiresAt - Date.now();
    if (delay <= 0) {
      this.expire();
      return;
    }
    this.expiryTimer = setTimeout(() => (delay > MAX_TIMER_MS ? this.scheduleExpiry(expiresAt) : this.expire()), Math.min(delay, MAX_TIMER_MS));
    this.expiryTimer.unref?.();
  }

  private expire(): void {
    this.log.info('socket token expired', { user: this.identity?.userId });
    this.fail('Your sign-in expired: reconnect and authenticate with a fresh token (send refresh_auth before it expires).', 'RNB_ERR_UNAUTHORIZED');
  }

  /**
   * Presence is relayed to the notebook's other sockets (on every instance, through the adapter) without going to
   * the notebook's owner: it is not stored and changes nothing.
   */
  private onAwareness(args: unknown[]): void {
    const ack = takeAck(args);
    if (!this.identity || !this.notebookId) return;
    const parsed = yjsUpdatePayload.safeParse(args[0]);
    if (!parsed.success || parsed.data.update.byteLength > MAX_AWARENESS_BYTES || !this.presence.note(parsed.data.update)) {
      this.reply(`yjs_awareness needs { update }: an awareness update of at most ${MAX_AWARENESS_BYTES} bytes.`, 'RNB_ERR_INVALID_INPUT', ack);
      return;
    }
    this.socket.to(this.deps.room(this.notebookId)).emit('yjs_awareness', { update: Buffer.from(parsed.data.update) });
    ack?.({ ok: true });
  }

  /** The people this socket spoke for left: the others see them go now. */
  private announceDeparture(): void {
    const departure = this.presence.departure();
    if (departure && this.notebookId) this.socket.to(this.deps.room(this.notebookId)).emit('yjs_awareness', { update: Buffer.from(departure) });
  }

  /** One command event (client-events.ts says which, and what each means). */
  private command<T>(event: string, args: unknown[], schema: ZodType<T>, build: (payload: T) => NotebookCommand, options: CommandOptions = {}): void {
    const identity = this.identity;
    if (!identity || !this.notebookId) {
      // Sent right behind the token, while it is being checked: kept (a few) and run once it is accepted.
      // Otherwise a socket that has not authenticated is ignored and hears nothing back.
      if (this.authPending > 0 && this.early.length < MAX_EARLY_COMMANDS) this.early.push(() => this.command(event, args, schema, build, options));
      return;
    }
    const ack = this.afterEvents(takeAck(args));
    let payload: T;
    try {
      payload = schema.parse(args[0]);
    } catch (error) {
      this.reply(`${event}: ${error instanceof ZodError ? describeZodError(error) : 'malformed payload.'}`, 'RNB_ERR_INVALID_INPUT', ack);
      return;
    }
    if (this.pending >= this.deps.limits.maxPendingCommands) {
      this.reply(`Too many commands in flight (${this.deps.limits.maxPendingCommands}): wait for earlier ones to finish.`, 'RNB_ERR_TOO_MANY_REQUESTS', ack);
      return;
    }
    const started = performance.now();
    const command = build(payload);
    this.pending++;
    const dispatched = this.appKey !== null && this.deps.apps ? dispatchToApp(this.deps.apps, this.appKey, command) : this.deps.commands.dispatch(identity.userId, this.notebookId, command);
    dispatched.then(
      (result) => {
        // Per keystroke for completions: not worth an info line each.
        this.log.log(options.answers || options.quiet ? 'debug' : 'info', 'socket event', { event, user: identity.userId, ok: true, ms: Math.round((performance.now() - started) * 100) / 100 });
        // Only commands that answer (runtime_call, set_widget_value, yjs_sync) put their JSON result in the acknowledgement.
        // Binary answers (yjs_sync) are not JSON; socket.io carries them as they are.
        ack?.(options.answers ? { ok: true, value: ((options.answer ? options.answer(result) : result) ?? null) as JsonValue } : { ok: true });
      },
      (error: unknown) => {
        const mapped = toErrorResponse(error);
        this.log.log(mapped.internal ? 'error' : 'info', 'socket event', { event, user: identity.userId, ok: false, code: mapped.body.error.code, ...(mapped.internal ? { error: (error as Error)?.message } : {}) });
        if (options.answers && ack) ack({ error: mapped.body.error });
        else this.reply(mapped.body.error.message, mapped.body.error.code, ack);
      },
    ).finally(() => {
      this.pending--;
    });
  }

  /**
   * The acknowledgement, sent after the events the command emitted (a batching client would otherwise get the answer to
   * `set_widget_value` before the `widget_value` that came first, as a client of single events never does).
   */
  private afterEvents(ack: Ack | undefined): Ack | undefined {
    const notebookId = this.notebookId;
    if (!ack || !notebookId) return ack;
    return (response) => {
      this.deps.flushEvents(notebookId);
      ack(response);
    };
  }

  /** `error` to this client only, within its budget. */
  private reply(message: string, code: ErrorCode, ack?: Ack): void {
    ack?.({ error: { code, message } });
    const now = Date.now();
    const rate = this.deps.limits.errorRepliesPerSecond;
    this.errorBudget = Math.min(rate, this.errorBudget + ((now - this.budgetRefilledAt) / 1000) * rate);
    this.budgetRefilledAt = now;
    if (this.errorBudget < 1) return;
    this.errorBudget -= 1;
    if (this.socket.connected) this.socket.emit('error', { message, code });
  }

  /** `error`, then the connection ends. */
  private fail(message: string, code: ErrorCode, ack?: Ack): void {
    ack?.({ error: { code, message } });
    this.early.length = 0;
    clearTimeout(this.authTimer);
    clearTimeout(this.expiryTimer);
    if (this.identity) this.announceDeparture();
    if (this.notebookId) {
      void this.socket.leave(this.deps.room(this.notebookId));
      void this.socket.leave(this.deps.batchRoom(this.notebookId));
    }
    this.identity = null;
    if (!this.socket.connected) return;
    this.socket.emit('error', { message, code });
    // Let the error frame go out before the disconnect frame.
    setImmediate(() => this.socket.disconnect(true));
  }

  private onDisconnect(reason: string): void {
    if (this.appKey !== null) this.deps.apps?.sessions.release(this.appKey);
    this.appKey = null;
    clearTimeout(this.authTimer);
    clearTimeout(this.expiryTimer);
    this.log.info('socket disconnected', { reason, ...(this.identity ? { user: this.identity.userId } : {}) });
    this.identity = null;
  }
}

/** The handshake's `view` (the app page's id of one open view), when it is one: 8 to 64 letters, digits, `-` or `_`. */
function appViewOf(auth: unknown): string | undefined {
  const view = (auth as { view?: unknown } | undefined)?.view;
  return typeof view === 'string' && /^[A-Za-z0-9_-]{8,64}$/.test(view) ? view : undefined;
}
