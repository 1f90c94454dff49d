import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type * as http from 'node:http';
import type Koa from 'koa';
import type { HostErrorCode } from '../errors';

/**
 * What keeps a server with no sign-in (auth `none`) from being driven by any web page the user
 * visits, as Jupyter and marimo do:
 *
 * - the Host header must name this server (a DNS-rebinding page reaches 127.0.0.1 under its own name);
 * - a state-changing request or a socket from a browser must come from the page's own origin (or
 *   an allowed one): browsers let any page POST a form or a body-less fetch cross-site;
 * - a per-start access token: a cookie set by the first visit with `?token=`, or
 *   `Authorization: Bearer <token>` / socket `auth.token`, on every API request and socket.
 */
export interface AccessGuardOptions {
  /** The URL prefix the notebook is mounted under ('' for the root). */
  prefix: string;
  /** Required on every API request and socket when set (auth `none` only). */
  accessToken?: string | null;
  /** Host names the Host header may carry (`*`: any); unset: no check. */
  allowedHosts?: string[];
  /** Browser origins allowed besides the page's own (`*`: any). */
  corsOrigins: string[];
  /** Whether state-changing requests must come from an allowed origin (callers with ambient authority). */
  checkOrigin: boolean;
}

export type Refusal = { status: 401 | 403; code: HostErrorCode | 'RNB_ERR_UNAUTHORIZED'; message: string };

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const TOKEN_SHAPE = /^[A-Za-z0-9._~-]{8,256}$/;

/** A fresh access token: 24 random bytes, URL-safe. */
export function generateAccessToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Why a NOTEBOOK_TOKEN value cannot be used, or null when it can. */
export function accessTokenProblem(token: string): string | null {
  return TOKEN_SHAPE.test(token) ? null : 'NOTEBOOK_TOKEN must be 8 to 256 characters of A-Z, a-z, 0-9, ".", "_", "~" or "-" (or empty to turn the token off).';
}

/**
 * The cookie is named after the token, so several local servers on one machine (cookies ignore
 * the port) keep their own, and a previous start's cookie is simply not looked at.
 */
export function accessCookieName(token: string): string {
  return `rnb-token-${createHash('sha256').update(token).digest('hex').slice(0, 12)}`;
}

export class AccessGuard {
  private readonly tokenDigest: Buffer | null;
  readonly cookieName: string | null;
  private readonly hosts: Set<string> | null;

  constructor(private readonly options: AccessGuardOptions) {
    const token = options.accessToken ?? null;
    this.tokenDigest = token ? digest(token) : null;
    this.cookieName = token ? accessCookieName(token) : null;
    const hosts = options.allowedHosts;
    this.hosts = hosts === undefined || hosts.includes('*') ? null : new Set(hosts.map(normalizeHostName));
  }

  get tokenRequired(): boolean {
    return this.tokenDigest !== null;
  }

  /** Whether a Host header names this server. */
  hostAllowed(hostHeader: string | undefined): boolean {
    if (this.hosts === null) return true;
    if (!hostHeader) return false;
    return this.hosts.has(normalizeHostName(hostNameOf(hostHeader)));
  }

  /** Non-browser clients send no Origin; a browser's must be the page's own or an allowed one. */
  originAllowed(origin: string | undefined, hostHeader: string | undefined): boolean {
    if (!origin) return true;
    const { corsOrigins } = this.options;
    if (corsOrigins.includes('*') || corsOrigins.includes(origin)) return true;
    try {
      return new URL(origin).host === hostHeader;
    } catch {
      return false; // "null" (a sandboxed frame, a file) and anything unparsable
    }
  }

  /** Whether one of these carries the access token (always true when no token is required). */
  tokenPresented(cookieHeader: string | undefined, authorization: string | undefined, socketToken?: unknown): boolean {
    if (!this.tokenDigest) return true;
    const candidates: string[] = [];
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (bearer) candidates.push(bearer[1]!);
    if (typeof socketToken === 'string') candidates.push(socketToken);
    const cookie = readCookie(cookieHeader, this.cookieName!);
    if (cookie !== undefined) candidates.push(cookie);
    return candidates.some((candidate) => this.matches(candidate));
  }

  matches(candidate: string): boolean {
    return this.tokenDigest !== null && timingSafeEqual(digest(candidate), this.tokenDigest);
  }

  /** Host and Origin of a socket.io request (the token comes later, with the handshake's auth). */
  socketRefusal(req: http.IncomingMessage): string | null {
    if (!this.hostAllowed(req.headers.host)) return 'host not allowed';
    if (!this.originAllowed(req.headers.origin, req.headers.host)) return 'origin not allowed';
    return null;
  }

  /** The Koa middleware: Host, Origin, the `?token=` landing and the token on the API. */
  middleware(): Koa.Middleware {
    const { prefix } = this.options;
    const api = `${prefix}/api`;
    return async (ctx, next) => {
      const refusal = this.refusal(ctx, api);
      if (refusal) {
        ctx.status = refusal.status;
        ctx.body = { error: { code: refusal.code, message: refusal.message } };
        ctx.set('Cache-Control', 'no-store');
        return;
      }
      const offered = typeof ctx.query.token === 'string' ? ctx.query.token : undefined;
      if (this.tokenDigest && offered !== undefined && (ctx.method === 'GET' || ctx.method === 'HEAD') && !under(ctx.path, api) && under(ctx.path, prefix)) {
        this.land(ctx, offered);
        return;
      }
      await next();
    };
  }

  private refusal(ctx: Koa.Context, api: string): Refusal | null {
    if (!this.hostAllowed(ctx.get('host'))) {
      return { status: 403, code: 'RNB_ERR_HOST_NOT_ALLOWED', message: `This server does not answer to the host name "${hostNameOf(ctx.get('host')).slice(0, 100)}" (a guard against DNS rebinding); add it to ALLOWED_HOSTS to reach it that way.` };
    }
    if (this.options.checkOrigin && STATE_CHANGING.has(ctx.method) && under(ctx.path, this.options.prefix) && !this.originAllowed(ctx.get('origin') || undefined, ctx.get('host'))) {
      return { status: 403, code: 'RNB_ERR_ORIGIN_NOT_ALLOWED', message: 'Requests that change notebooks are accepted only from this server\'s own page (or an origin in CORS_ORIGINS).' };
    }
    // A CORS preflight (OPTIONS) never carries credentials and changes nothing: the CORS layer answers it.
    if (this.tokenDigest && ctx.method !== 'OPTIONS' && under(ctx.path, api) && ctx.path !== `${api}/config` && !this.tokenPresented(ctx.get('cookie'), ctx.get('authorization'))) {
      return { status: 401, code: 'RNB_ERR_UNAUTHORIZED', message: 'This server needs its access token: open the URL it printed when it started (it ends in ?token=...), or send Authorization: Bearer <token>.' };
    }
    return null;
  }

  /** The first visit: a right token becomes a cookie and the URL loses it (history, Referer, screenshots). */
  private land(ctx: Koa.Context, offered: string): void {
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Referrer-Policy', 'no-referrer');
    if (!this.matches(offered)) {
      ctx.status = 401;
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = 'Wrong access token: open the URL the notebook server printed when it started.\n';
      return;
    }
    const path = this.options.prefix === '' ? '/' : `${this.options.prefix}/`;
    ctx.set('Set-Cookie', `${this.cookieName}=${ctx.query.token as string}; Path=${path}; HttpOnly; SameSite=Strict; Max-Age=${7 * 24 * 3600}`);
    const params = new URLSearchParams(ctx.querystring);
    params.delete('token');
    const rest = params.toString();
    ctx.status = 302;
    ctx.redirect(`${ctx.path}${rest ? `?${rest}` : ''}`);
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function under(path: string, prefix: string): boolean {
  return prefix === '' || path === prefix || path.startsWith(`${prefix}/`);
}

/** `example.com:8000` → `example.com`, `[::1]:8000` → `[::1]`. */
function hostNameOf(hostHeader: string): string {
  const bracket = /^(\[[^\]]*\])(:\d+)?$/.exec(hostHeader);
  if (bracket) return bracket[1]!;
  return hostHeader.replace(/:\d+$/, '');
}

function normalizeHostName(name: string): string {
  const lower = name.trim().toLowerCase().replace(/\.$/, '');
  // ::1 and [::1] are the same name.
  return lower.includes(':') && !lower.startsWith('[') ? `[${lower}]` : lower;
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Loopback listen addresses: nothing off this machine can connect. */
export function isLoopbackAddress(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}
