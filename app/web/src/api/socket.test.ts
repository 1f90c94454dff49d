import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket as ServerSocket } from 'socket.io';
import { NotebookSocket, refreshDelay, tokenExpiry, type ConnectionState } from './socket';
import type { PageEvent } from './types';

/** A real socket.io server on 127.0.0.1 playing the host's side of the authenticate flow. */
async function startHost(requireToken: boolean) {
  const http: HttpServer = createServer();
  const io = new Server(http, { path: '/prefix/socket.io' });
  const received: Array<[string, unknown]> = [];
  const sockets: ServerSocket[] = [];
  io.on('connection', (socket) => {
    sockets.push(socket);
    let authed = !requireToken;
    socket.onAny((event: string, payload: unknown) => {
      received.push([event, payload]);
      if (event === 'authenticate') {
        const token = (payload as { token?: string }).token;
        if (token?.startsWith('good')) {
          authed = true;
          socket.emit('authenticated', {});
        } else {
          socket.emit('error', { message: 'Invalid auth token' });
          socket.disconnect(true);
        }
      } else if (!authed) {
        socket.emit('error', { message: 'not authenticated' });
      }
    });
    socket.join(String(socket.handshake.auth.notebookId));
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const port = (http.address() as AddressInfo).port;
  return {
    base: new URL(`http://127.0.0.1:${port}/prefix/`),
    io,
    received,
    sockets,
    close: () => new Promise<void>((r) => { io.close(); http.close(() => r()); }),
  };
}

function jwt(expSeconds: number): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none' })}.${part({ exp: expSeconds })}.sig`;
}

function waitFor(check: () => boolean, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = (): void => {
      if (check()) return resolve();
      if (Date.now() - started > 5000) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 10);
    };
    tick();
  });
}

describe('NotebookSocket', () => {
  it('authenticates first, then sends commands held while connecting, and passes events on', async () => {
    const host = await startHost(true);
    const states: ConnectionState[] = [];
    const events: PageEvent[] = [];
    let ready = 0;
    const socket = new NotebookSocket({
      notebookId: 'nb1',
      base: host.base,
      getToken: async () => 'good-token',
      onEvent: (e) => events.push(e),
      onState: (s) => states.push(s),
      onReady: () => ready++,
    });
    socket.runCell('c1');
    try {
      await waitFor(() => states.includes('online'), 'online');
      await waitFor(() => host.received.some(([e]) => e === 'run_cell'), 'run_cell');
      expect(host.received.map(([e]) => e)).toEqual(['authenticate', 'run_cell']);
      expect(host.received[0]![1]).toEqual({ token: 'good-token' });
      expect(host.sockets[0]!.handshake.auth).toEqual({ notebookId: 'nb1', batch: true });
      expect(ready).toBe(1);
      // The host may have lost events for this client: the page catches up as after a reconnect.
      host.io.to('nb1').emit('resync', {});
      await waitFor(() => ready === 2, 'a resync');
      host.io.to('nb1').emit('cell_status', { cellId: 'c1', status: 'running' });
      await waitFor(() => events.length > 0, 'event');
      expect(events[0]).toEqual({ type: 'cell_status', cellId: 'c1', status: 'running' });
      // Folder storage: a file edited on disk that does not parse reaches the page as an event it shows.
      host.io.to('nb1').emit('external_edit_error', { message: 'nb1.py line 2: not readable' });
      await waitFor(() => events.length > 1, 'external_edit_error');
      expect(events[1]).toEqual({ type: 'external_edit_error', message: 'nb1.py line 2: not readable' });
      // A batch (the page asked for them in the handshake) is passed on event by event, in order.
      host.io.to('nb1').emit('events', {
        events: [
          { type: 'cell_status', cellId: 'c2', status: 'running' },
          { type: 'cell_stdout', cellId: 'c2', data: 'hi', stream: 'stdout' },
          { type: 'cell_status', cellId: 'c2', status: 'success' },
        ],
      });
      await waitFor(() => events.length > 4, 'a batch of three');
      expect(events.slice(2)).toEqual([
        { type: 'cell_status', cellId: 'c2', status: 'running' },
        { type: 'cell_stdout', cellId: 'c2', data: 'hi', stream: 'stdout' },
        { type: 'cell_status', cellId: 'c2', status: 'success' },
      ]);
    } finally {
      socket.close();
      await host.close();
    }
  });

  it('reports a refused token as unauthorized', async () => {
    const host = await startHost(true);
    const states: ConnectionState[] = [];
    const socket = new NotebookSocket({
      notebookId: 'nb1', base: host.base, getToken: async () => 'bad', onEvent: () => undefined,
      onState: (s) => states.push(s), onReady: () => undefined,
    });
    try {
      await waitFor(() => states.includes('unauthorized'), 'unauthorized');
    } finally {
      socket.close();
      await host.close();
    }
  });

  it('app sockets: says so in the handshake, hands over app_state, and takes "no such app" as final', async () => {
    const host = await startHost(false);
    host.io.on('connection', (socket) => {
      socket.emit('app_state', { notebook: { id: 'nb1', name: 'App', show_code: false, show_tracebacks: false, published: true, is_owner: false, cells: [] } });
      socket.emit('error', { message: 'No app "nb1"', code: 'RNB_ERR_APP_NOT_FOUND' });
    });
    const states: ConnectionState[] = [];
    const events: PageEvent[] = [];
    const names: string[] = [];
    const socket = new NotebookSocket({
      notebookId: 'nb1', base: host.base, getToken: async () => null, app: true, onEvent: (e) => events.push(e),
      onState: (s) => states.push(s), onReady: () => undefined, onAppState: (notebook) => names.push(notebook.name),
    });
    try {
      await waitFor(() => states.includes('unauthorized'), 'unauthorized');
      expect(host.sockets[0]!.handshake.auth).toMatchObject({ notebookId: 'nb1', app: true });
      expect(names).toEqual(['App']);
      expect(events).toEqual([{ type: 'error', message: 'No app "nb1"' }]);
    } finally {
      socket.close();
      await host.close();
    }
  });

  it('skips authentication when auth is off, and reconnects by itself after the server drops it', async () => {
    const host = await startHost(false);
    const states: ConnectionState[] = [];
    let ready = 0;
    const socket = new NotebookSocket({
      notebookId: 'nb1', base: host.base, getToken: async () => null, onEvent: () => undefined,
      onState: (s) => states.push(s), onReady: () => ready++,
    });
    try {
      await waitFor(() => ready === 1, 'first ready');
      host.sockets[0]!.disconnect(true);
      await waitFor(() => states.includes('offline'), 'offline');
      // socket.io does not retry a server-side disconnect on its own; NotebookSocket must.
      await waitFor(() => ready === 2, 'second ready');
      expect(host.received.filter(([e]) => e === 'authenticate')).toEqual([]);
    } finally {
      socket.close();
      await host.close();
    }
  });
});

describe('token timing', () => {
  it('reads a JWT expiry and ignores what is not a JWT', () => {
    expect(tokenExpiry(jwt(1700000000))).toBe(1700000000 * 1000);
    expect(tokenExpiry('opaque')).toBeNull();
    expect(tokenExpiry('a.!!!.c')).toBeNull();
  });

  it('refreshes a 60 s token at 45 s and an hour-long one 30 s early, never sooner than 5 s', () => {
    expect(refreshDelay(60_000, 0)).toBe(45_000);
    expect(refreshDelay(3_600_000, 0)).toBe(3_570_000);
    expect(refreshDelay(1_000, 0)).toBe(5_000);
  });
});
