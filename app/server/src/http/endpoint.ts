import { bodyParser } from '@koa/bodyparser';
import type { AuthProvider, Identity } from '@rnb/core';
import { UnauthorizedError } from '@rnb/core';
import type Koa from 'koa';
import type { ZodType } from 'zod';
import { HostError, toErrorResponse } from '../errors';
import type { Logger } from '../logger';

export interface EndpointDeps {
  auth: AuthProvider;
  log: Logger;
  maxBodyBytes: number;
  /** False once shutdown began: new requests get 503. */
  accepting(): boolean;
}

export interface Reply {
  status: number;
  body?: unknown;
}

export interface EndpointInput<B> {
  user: Identity;
  params: Record<string, string>;
  body: B;
}

const JSON_TYPE = /^application\/([\w.+-]*\+)?json\b/i;

/**
 * Wraps one route: authentication, a size-limited JSON body checked against
 * its schema, the handler, then the error shape `{ error: { code, message } }`
 * and one log line. Nothing escapes to the embedding app.
 */
export function endpoint<B = undefined>(
  deps: EndpointDeps,
  options: { auth?: boolean; body?: ZodType<B> },
  handler: (input: EndpointInput<B>, ctx: Koa.Context) => Promise<Reply>,
): Koa.Middleware {
  const parse = bodyParser({ enableTypes: ['json'], jsonLimit: deps.maxBodyBytes, jsonStrict: true, encoding: 'utf-8', onError: (error) => { throw error; } });
  return async (ctx) => {
    const started = performance.now();
    let user: Identity | undefined;
    try {
      if (!deps.accepting()) throw new HostError(503, 'RNB_ERR_SHUTTING_DOWN', 'The server is shutting down; try again in a moment.');
      if (options.auth !== false) user = await authenticate(deps.auth, ctx.get('authorization'));
      let body: unknown = undefined;
      if (options.body) {
        body = await readJson(ctx, deps.maxBodyBytes, parse);
        body = options.body.parse(body ?? {});
      }
      const params = (ctx as unknown as { params?: Record<string, string> }).params ?? {};
      const reply = await handler({ user: user ?? { userId: '' }, params, body: body as B }, ctx);
      ctx.status = reply.status;
      if (reply.body !== undefined) ctx.body = reply.body;
      else if (reply.status === 204) ctx.body = null;
    } catch (error) {
      const mapped = toErrorResponse(error);
      ctx.status = mapped.status;
      ctx.body = mapped.body;
      if (mapped.status === 401 && deps.auth.requiresToken) ctx.set('WWW-Authenticate', 'Bearer');
      if (mapped.internal) deps.log.error('request failed', { method: ctx.method, path: ctx.path, error: errorDetail(error) });
    }
    ctx.set('Cache-Control', 'no-store');
    const level = ctx.status >= 500 ? 'error' : 'info';
    deps.log.log(level, 'request', { method: ctx.method, path: ctx.path, status: ctx.status, ms: round(performance.now() - started), ...(user ? { user: user.userId } : {}) });
  };
}

async function authenticate(auth: AuthProvider, header: string): Promise<Identity> {
  if (!auth.requiresToken) return auth.authenticate(undefined);
  if (!header) throw new UnauthorizedError('Sign in first: send Authorization: Bearer <token>.');
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new UnauthorizedError('The Authorization header must be "Bearer <token>".');
  return auth.authenticate(match[1]);
}

async function readJson(ctx: Koa.Context, limit: number, parse: Koa.Middleware): Promise<unknown> {
  const declared = Number(ctx.get('content-length') || '0');
  const hasBody = declared > 0 || ctx.get('transfer-encoding') !== '';
  if (!hasBody) return ctx.request.body;
  // Refuse early, before reading, when the client says how big it is.
  if (declared > limit) throw new HostError(413, 'RNB_ERR_PAYLOAD_TOO_LARGE', `The request body is larger than ${limit} bytes.`);
  if (ctx.request.body === undefined && !JSON_TYPE.test(ctx.get('content-type'))) {
    throw new HostError(415, 'RNB_ERR_UNSUPPORTED_MEDIA_TYPE', 'Send the body as JSON (Content-Type: application/json).');
  }
  await parse(ctx, async () => undefined);
  return ctx.request.body;
}

export function errorDetail(error: unknown): Record<string, unknown> {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack?.split('\n').slice(0, 6).join('\n') };
  return { message: String(error) };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
