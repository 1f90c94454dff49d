/**
 * Test kit: `@rnb/auth-clerk/testing`. A Clerk-like token issuer on
 * 127.0.0.1 (an RSA key pair made here, a JWKS served over HTTP, tokens signed
 * with node:crypto), so tests of hosts that use Clerk need no network.
 */
import { createSign, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TokenClaims {
  sub?: string;
  /** Seconds since the epoch; default now + 60 s. `null` leaves the claim out. */
  exp?: number | null;
  nbf?: number | null;
  iat?: number | null;
  azp?: string;
  iss?: string;
  [claim: string]: unknown;
}

export interface SignOptions {
  /** Header fields to override (alg, kid, typ). */
  header?: Record<string, unknown>;
  /** Sign with this key instead of the issuer's (a forged token). */
  privateKey?: KeyObject;
}

/** A user of the fake Backend API, in Clerk's JSON shape (the fields the plugin reads). */
export interface TestClerkUser {
  id: string;
  first_name?: string | null;
  last_name?: string | null;
  username?: string | null;
  primary_email_address_id?: string | null;
  email_addresses: { id: string; email_address: string }[];
}

export interface TestIssuer {
  /** `http://127.0.0.1:<port>`: Clerk's Backend API (`GET /v1/users`, `GET /v1/users/{id}`), for CLERK_API_URL. */
  apiUrl: string;
  /** The secret key the fake Backend API accepts (others get 401). */
  secretKey: string;
  /** The Backend API's users; tests add to it. */
  users: TestClerkUser[];
  /** The Backend API requests served, as `METHOD path?query`. */
  readonly apiRequests: readonly string[];
  /** `http://127.0.0.1:<port>/.well-known/jwks.json` */
  jwksUrl: string;
  /** `127.0.0.1:<port>`, usable as CLERK_FRONTEND_API with an http JWKS URL override. */
  host: string;
  /** The current key's PEM public key (for CLERK_JWT_KEY). */
  publicKeyPem: string;
  kid: string;
  /** How many times the JWKS was fetched. */
  readonly fetches: number;
  sign(claims?: TokenClaims, options?: SignOptions): string;
  /** A new key pair: tokens signed from now on carry a new kid; the JWKS lists both. */
  rotate(): void;
  /** Makes the JWKS endpoint answer 503 (true) or work again (false). */
  setDown(down: boolean): void;
  close(): Promise<void>;
}

interface KeyPair {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

function newKeyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid: `ins_${randomUUID().replace(/-/g, '').slice(0, 20)}`, privateKey, publicKey };
}

/** Signs a JWT with RS256. */
export function signJwt(privateKey: KeyObject, header: Record<string, unknown>, payload: Record<string, unknown>): string {
  const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode(header)}.${encode(payload)}`;
  const signature = createSign('RSA-SHA256').update(input).sign(privateKey).toString('base64url');
  return `${input}.${signature}`;
}

export async function startTestIssuer(): Promise<TestIssuer> {
  const keys: KeyPair[] = [newKeyPair()];
  let fetches = 0;
  let down = false;
  const secretKey = `sk_test_${randomUUID().replace(/-/g, '')}`;
  const users: TestClerkUser[] = [];
  const apiRequests: string[] = [];
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith('/v1/')) {
      apiRequests.push(`${req.method} ${req.url}`);
      serveBackendApi(req, res, secretKey, users);
      return;
    }
    if (req.url !== '/.well-known/jwks.json') {
      res.writeHead(404).end();
      return;
    }
    fetches++;
    if (down) {
      res.writeHead(503).end();
      return;
    }
    const jwks = { keys: keys.map((k) => ({ ...k.publicKey.export({ format: 'jwk' }), kid: k.kid, use: 'sig', alg: 'RS256' })) };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const current = (): KeyPair => keys[keys.length - 1]!;
  return {
    apiUrl: `http://127.0.0.1:${port}`,
    secretKey,
    users,
    apiRequests,
    jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    host: `127.0.0.1:${port}`,
    get publicKeyPem() {
      return current().publicKey.export({ type: 'spki', format: 'pem' }).toString();
    },
    get kid() {
      return current().kid;
    },
    get fetches() {
      return fetches;
    },
    sign(claims = {}, options = {}) {
      const now = Math.floor(Date.now() / 1000);
      const payload: Record<string, unknown> = { sub: 'user_test', iat: now - 1, nbf: now - 1, exp: now + 60, ...claims };
      for (const [key, value] of Object.entries(payload)) if (value === null) delete payload[key];
      const header = { alg: 'RS256', typ: 'JWT', kid: current().kid, ...options.header };
      return signJwt(options.privateKey ?? current().privateKey, header, payload);
    },
    rotate() {
      keys.push(newKeyPair());
    },
    setDown(value) {
      down = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Clerk's Backend API as far as the plugin uses it: the user list filtered by `email_address`, and one user. */
function serveBackendApi(req: http.IncomingMessage, res: http.ServerResponse, secretKey: string, users: readonly TestClerkUser[]): void {
  const json = (status: number, body: unknown): void => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  if (req.headers.authorization !== `Bearer ${secretKey}`) return json(401, { errors: [{ code: 'authentication_invalid', message: 'Invalid authentication' }] });
  const url = new URL(req.url!, 'http://clerk.test');
  if (req.method === 'GET' && url.pathname === '/v1/users') {
    const wanted = url.searchParams.getAll('email_address').map((address) => address.toLowerCase());
    const limit = Number(url.searchParams.get('limit') ?? 10);
    const found = users.filter((user) => wanted.length === 0 || user.email_addresses.some((e) => wanted.includes(e.email_address.toLowerCase())));
    return json(200, found.slice(0, limit));
  }
  const one = /^\/v1\/users\/([^/]+)$/.exec(url.pathname);
  if (req.method === 'GET' && one) {
    const user = users.find((u) => u.id === decodeURIComponent(one[1]!));
    return user ? json(200, user) : json(404, { errors: [{ code: 'resource_not_found', message: 'not found' }] });
  }
  json(404, { errors: [{ code: 'resource_not_found', message: 'not found' }] });
}

/** A key pair the issuer does not know, to forge tokens with. */
export function foreignKey(): KeyObject {
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
}
