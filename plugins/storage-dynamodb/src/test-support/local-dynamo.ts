/**
 * A DynamoDB-compatible server for tests and benchmarks: dynalite, in this
 * process, on 127.0.0.1 and a free port. Also a proxy in front of it that
 * injects throttling and lost responses, the faults DynamoDB really has.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LocalDynamo {
  endpoint: string;
  close(): Promise<void>;
}

interface DynaliteServer {
  listen(port: number, host: string, callback: (error?: Error) => void): void;
  close(callback: () => void): void;
  address(): AddressInfo;
}
type Dynalite = (options: { createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => DynaliteServer;

/** dynalite when installed, else null (the caller fails under CI=true and skips otherwise). */
export function loadDynalite(): Dynalite | null {
  try {
    return require('dynalite') as Dynalite;
  } catch {
    return null;
  }
}

export async function startDynalite(options: { createTableMs?: number } = {}): Promise<LocalDynamo> {
  const dynalite = loadDynalite();
  if (!dynalite) throw new Error('dynalite is not installed: run `npm install` (it is a devDependency of @rnb/storage-dynamodb).');
  const server = dynalite({ createTableMs: options.createTableMs ?? 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => server.listen(0, '127.0.0.1', (error) => (error ? reject(error) : resolve())));
  return {
    endpoint: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface FaultProxy extends LocalDynamo {
  /** Operations seen, e.g. "PutItem", in order. */
  readonly seen: string[];
  /** Answers the next `count` requests (of `operation`, or any) with a throttling error. */
  throttle(count: number, operation?: string): void;
  /** Answers the next `count` requests of `operation` with the DynamoDB error `type` (HTTP 400), e.g. AccessDeniedException. */
  refuse(count: number, operation: string, type: string): void;
  /** Forwards the `nth` next request of `operation` (default the next) but cuts the connection instead of answering. */
  dropResponse(operation: string, nth?: number): void;
  /** Keeps requests of `operation` waiting (not forwarded) until the returned function is called. */
  hold(operation: string): () => void;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const seen: string[] = [];
  const throttles: { operation?: string; left: number; type?: string }[] = [];
  const drops: { operation: string; skip: number }[] = [];
  const held = new Map<string, (() => void)[]>();
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const operation = String(request.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
      seen.push(operation);
      const throttle = throttles.find((t) => t.left > 0 && (t.operation === undefined || t.operation === operation));
      if (throttle) {
        throttle.left--;
        const type = throttle.type ?? 'ProvisionedThroughputExceededException';
        response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-errortype': type, 'x-amzn-requestid': 'proxy' });
        response.end(JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message: throttle.type ? `${type} (injected by the test proxy)` : 'The level of configured provisioned throughput for the table was exceeded.' }));
        return;
      }
      const waiting = held.get(operation);
      if (waiting) waiting.push(() => forward(request, response, operation, chunks));
      else forward(request, response, operation, chunks);
    });
  });
  const forward = (request: http.IncomingMessage, response: http.ServerResponse, operation: string, chunks: Buffer[]): void => {
    let drop = drops.findIndex((d) => d.operation === operation);
    if (drop >= 0 && drops[drop]!.skip > 0) {
      drops[drop]!.skip--;
      drop = -1;
    } else if (drop >= 0) drops.splice(drop, 1);
    const upstream = http.request(`${target}${request.url ?? '/'}`, { method: request.method, headers: request.headers }, (answer) => {
      const body: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => body.push(chunk));
      answer.on('end', () => {
        if (drop >= 0) {
          request.socket.destroy(); // applied upstream, but the client never hears of it
          return;
        }
        response.writeHead(answer.statusCode ?? 500, answer.headers);
        response.end(Buffer.concat(body));
      });
    });
    upstream.on('error', () => request.socket.destroy());
    upstream.end(Buffer.concat(chunks));
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    throttle: (count, operation) => throttles.push({ left: count, ...(operation === undefined ? {} : { operation }) }),
    refuse: (count, operation, type) => throttles.push({ left: count, operation, type }),
    dropResponse: (operation, nth = 1) => drops.push({ operation, skip: nth - 1 }),
    hold: (operation) => {
      held.set(operation, []);
      return () => {
        const waiting = held.get(operation) ?? [];
        held.delete(operation);
        for (const send of waiting) send();
      };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
