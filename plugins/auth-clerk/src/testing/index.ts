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

export interface TestIssuer {
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
  const server = http.createServer((req, res) => {
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

/** A key pair the issuer does not know, to forge tokens with. */
export function foreignKey(): KeyObject {
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
}
