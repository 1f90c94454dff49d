import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { definePlugin, LanguageRegistry, UnauthorizedError, type AnyPlugin, type AuthProvider, type Identity, type NotebookStore } from '@rnb/core';
import { fakeLanguage } from '@rnb/core/testing';
import Koa from 'koa';
import { io, type Socket } from 'socket.io-client';
import { createLogger, type Logger } from '../logger';
import { createNotebookServer, type AttachOptions, type NotebookServer, type NotebookServerOptions } from '../server';

/** Registers core's fake language (x = 1, print x, sleep 100, spin, fail msg, attack crash), as `fake` and `fake2`. */
export function fakeLanguagePlugin(): AnyPlugin {
  return definePlugin({
    id: 'test:fake-language',
    requires: { languages: LanguageRegistry },
    activate: (_context, { languages }) => {
      languages.register(fakeLanguage());
      languages.register(fakeLanguage('fake2'));
    },
  }) as AnyPlugin;
}

/** Bearer tokens mapped to user ids: an embedder's own, trivial auth plugin. */
export class StaticTokenAuth implements AuthProvider {
  readonly id = 'static-tokens';
  readonly requiresToken = true;
  /** Tokens ending in "-slow" are answered after 100 ms, like a verifier fetching keys. */
  constructor(private readonly tokens: Record<string, string>) {}
  async authenticate(token: string | undefined): Promise<Identity> {
    if (token?.endsWith('-slow')) await new Promise((resolve) => setTimeout(resolve, 100));
    const userId = token ? this.tokens[token] : undefined;
    if (!userId) throw new UnauthorizedError('Unknown token.');
    return { userId };
  }
}

/** A logger whose lines the test can read. */
export function memoryLogger(level: 'debug' | 'info' = 'info'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: createLogger({ level, write: (line) => lines.push(line) }), lines };
}

export interface TestServer {
  url: string;
  /** url + prefix */
  base: string;
  notebooks: NotebookServer;
  http: http.Server;
  logs: string[];
  request(method: string, path: string, options?: { body?: unknown; raw?: string; token?: string; headers?: Record<string, string> }): Promise<{ status: number; body: any; text: string; headers: Headers }>;
  connect(notebookId: string | undefined, options?: ClientOptions): TestClient;
  close(): Promise<void>;
}

export interface TestServerOptions extends NotebookServerOptions {
  store?: NotebookStore;
  /** A socket.io adapter (the Redis adapter: two in-process servers as one cluster's sockets). */
  adapter?: AttachOptions['adapter'];
}

/** The notebook server on its own Koa app on an ephemeral 127.0.0.1 port, fake language, memory store by default. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const { logger, lines } = memoryLogger();
  const notebooks = await createNotebookServer({
    plugins: [fakeLanguagePlugin()],
    logger,
    kernels: { warmProcesses: 1 },
    ...options,
  });
  const app = new Koa();
  app.silent = true;
  app.use(notebooks.middleware);
  const server = http.createServer(app.callback());
  notebooks.attach(server, options.adapter ? { adapter: options.adapter } : {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const base = `${url}${options.prefix ?? ''}`;
  const clients: TestClient[] = [];
  return {
    url,
    base,
    notebooks,
    http: server,
    logs: lines,
    request: (method, path, requestOptions) => request(`${base}${path}`, method, requestOptions),
    connect(notebookId, connectOptions = {}) {
      const client = new TestClient(url, `${options.prefix ?? ''}/socket.io`, notebookId, connectOptions);
      clients.push(client);
      return client;
    },
    async close() {
      for (const client of clients) client.close();
      await notebooks.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export async function request(
  url: string,
  method: string,
  options: { body?: unknown; raw?: string; token?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: any; text: string; headers: Headers }> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.raw !== undefined) body = options.raw;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await response.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: response.status, body: parsed, text, headers: response.headers };
}

export interface ClientOptions {
  token?: string;
  auth?: Record<string, unknown>;
  query?: Record<string, string>;
  extraHeaders?: Record<string, string>;
}

export interface ReceivedEvent {
  name: string;
  payload: any;
}

/** A real socket.io client that records every event it receives. */
export class TestClient {
  readonly socket: Socket;
  readonly events: ReceivedEvent[] = [];
  private waiters: (() => void)[] = [];
  disconnected: string | null = null;

  constructor(url: string, path: string, notebookId: string | undefined, options: ClientOptions) {
    this.socket = io(url, {
      path,
      auth: { ...(notebookId !== undefined ? { notebookId } : {}), ...(options.token ? { token: options.token } : {}), ...options.auth },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      ...(options.extraHeaders ? { extraHeaders: options.extraHeaders } : {}),
      ...(options.query ? { query: options.query } : {}),
    });
    this.socket.onAny((name: string, payload: unknown) => this.push({ name, payload }));
    this.socket.on('connect_error', (error) => this.push({ name: 'connect_error', payload: { message: error.message } }));
    this.socket.on('disconnect', (reason) => {
      this.disconnected = reason;
      this.push({ name: 'disconnect', payload: { reason } });
    });
  }

  emit(name: string, ...args: unknown[]): void {
    this.socket.emit(name, ...args);
  }

  /** Emits with an acknowledgement and returns the server's answer. */
  ask(name: string, payload?: unknown, timeoutMs = 10_000): Promise<any> {
    return this.socket.timeout(timeoutMs).emitWithAck(name, payload);
  }

  named(name: string): any[] {
    return this.events.filter((e) => e.name === name).map((e) => e.payload);
  }

  /** Resolves with the first event (already received or coming) that matches. */
  waitFor(name: string, predicate: (payload: any) => boolean = () => true, timeoutMs = 15_000): Promise<any> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.events.find((e) => e.name === name && predicate(e.payload));
        if (found) {
          clearTimeout(timer);
          resolve(found.payload);
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out waiting for "${name}"; received: ${this.events.map((e) => e.name).join(', ') || 'nothing'}`));
      }, timeoutMs);
      const waiter = (): void => {
        if (check()) this.waiters = this.waiters.filter((w) => w !== waiter);
      };
      if (!check()) this.waiters.push(waiter);
    });
  }

  /** Waits until this cell reaches a final status (success, error, blocked) after `since` events. */
  async waitForStatus(cellId: string, status: string, timeoutMs = 15_000): Promise<void> {
    await this.waitFor('cell_status', (p) => p.cellId === cellId && p.status === status, timeoutMs);
  }

  clear(): void {
    this.events.length = 0;
  }

  close(): void {
    this.socket.close();
  }

  private push(event: ReceivedEvent): void {
    this.events.push(event);
    for (const waiter of [...this.waiters]) waiter();
  }
}

/** Events for one cell, in order: statuses joined by ",". */
export function statusesOf(client: TestClient, cellId: string): string {
  return client.named('cell_status').filter((p) => p.cellId === cellId).map((p) => p.status).join(',');
}
