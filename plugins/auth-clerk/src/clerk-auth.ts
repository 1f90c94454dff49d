import { createPublicKey } from 'node:crypto';
import { verifyToken } from '@clerk/backend';
import { ConfigError, InvalidInputError, UnauthorizedError, type AuthProvider, type Identity } from '@rnb/core';
import { ClerkUserDirectory } from './clerk-users';
import { JwksKeySource, JwksUnavailableError, type JwksKeySourceOptions } from './jwks';

export interface ClerkAuthOptions {
  /** PEM public key (CLERK_JWT_KEY): verify without fetching anything. */
  jwtKey?: string;
  /** JWKS URL (CLERK_JWKS_URL); default `https://<frontendApi>/.well-known/jwks.json`. */
  jwksUrl?: string;
  /** Clerk frontend API host (CLERK_FRONTEND_API); derived from the publishable key when absent. */
  frontendApi?: string;
  /** Handed to the browser for sign-in (CLERK_PUBLISHABLE_KEY). */
  publishableKey?: string;
  /** Origins accepted in the token's `azp` (CLERK_AUTHORIZED_PARTIES). Clerk checks `azp` only when this is set. */
  authorizedParties?: string[];
  /**
   * Accepted `iss` values (CLERK_ISSUER). Clerk does not check `iss` unless told:
   * by default it must be `https://<frontendApi>` when the frontend API is known; `false` turns the check off.
   */
  issuer?: string | string[] | false;
  /**
   * Clerk secret key (CLERK_SECRET_KEY): lets the server look users up in Clerk's Backend API (sharing by
   * e-mail address, people's names beside their cursors). Without it, shares name user ids.
   */
  secretKey?: string;
  /** Clerk Backend API base URL (CLERK_API_URL); default `https://api.clerk.com` (tests serve one on 127.0.0.1). */
  apiUrl?: string;
  /** Allowed clock difference for exp/nbf/iat (default 5 s, Clerk's). */
  clockSkewMs?: number;
  /** JWKS cache and fetch settings. */
  jwks?: Omit<JwksKeySourceOptions, 'url'>;
  /** Server-side problems (an unreachable JWKS) go here; tokens never do. */
  log?: (level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
}

/** What a browser needs to sign in; served by the host at `GET /api/config`. */
export interface ClerkClientConfig {
  clerk_publishable_key?: string;
}

const MAX_TOKEN_LENGTH = 16 * 1024;

/**
 * Verifies Clerk session JWTs with `@clerk/backend`'s `verifyToken`:
 * signature (a configured PEM key or the issuer's JWKS), expiry, not-before,
 * issued-at, authorized parties and issuer. The user id is the token's `sub`.
 */
export class ClerkAuthProvider implements AuthProvider {
  readonly id = 'clerk';
  readonly requiresToken = true;
  readonly clientConfig: ClerkClientConfig;
  private readonly jwtKey: string | undefined;
  private readonly jwks: JwksKeySource | undefined;
  private readonly issuer: string[] | undefined;
  private readonly users: ClerkUserDirectory | undefined;

  constructor(private readonly options: ClerkAuthOptions) {
    const frontendApi = normalizeFrontendApi(options.frontendApi) ?? frontendApiFromPublishableKey(options.publishableKey);
    this.clientConfig = options.publishableKey ? { clerk_publishable_key: options.publishableKey } : {};
    if (options.jwtKey) {
      this.jwtKey = normalizePem(options.jwtKey);
      try {
        createPublicKey(this.jwtKey);
      } catch {
        throw new ConfigError('CLERK_JWT_KEY is not a PEM public key: paste the "PEM Public Key" from the Clerk dashboard (API keys → Show JWT public key).');
      }
    } else {
      const url = options.jwksUrl ?? (frontendApi ? `https://${frontendApi}/.well-known/jwks.json` : undefined);
      if (!url) {
        throw new ConfigError('Clerk auth needs a way to check tokens: set CLERK_JWT_KEY (PEM public key), CLERK_JWKS_URL, CLERK_FRONTEND_API or CLERK_PUBLISHABLE_KEY.');
      }
      if (!isHttpUrl(url)) throw new ConfigError(`CLERK_JWKS_URL must be an http(s) URL; got ${JSON.stringify(url)}.`);
      this.jwks = new JwksKeySource({ ...options.jwks, url });
    }
    if (options.issuer === false) this.issuer = undefined;
    else if (options.issuer !== undefined) this.issuer = [options.issuer].flat();
    else this.issuer = frontendApi ? [`https://${frontendApi}`] : undefined;
    const apiUrl = options.apiUrl?.trim() || 'https://api.clerk.com';
    if (!isHttpUrl(apiUrl)) throw new ConfigError(`CLERK_API_URL must be an http(s) URL; got ${JSON.stringify(options.apiUrl)}.`);
    const secretKey = options.secretKey?.trim();
    if (secretKey && !/^sk_(?:test|live)_\S+$/.test(secretKey)) throw new ConfigError('CLERK_SECRET_KEY is not a Clerk secret key (sk_test_… or sk_live_…): copy it from the Clerk dashboard (API keys).');
    this.users = secretKey ? new ClerkUserDirectory({ apiUrl, secretKey, ...(options.log ? { log: options.log } : {}) }) : undefined;
  }

  /**
   * The Clerk user id of an e-mail address (Clerk's Backend API, `GET /v1/users?email_address=`), or null when no
   * user has it. Without CLERK_SECRET_KEY the server cannot look addresses up: that is said, not answered "no user".
   */
  async userIdOfEmail(email: string): Promise<string | null> {
    if (!this.users) throw new InvalidInputError('This server cannot look up e-mail addresses in Clerk (CLERK_SECRET_KEY is not set): share with a user id instead.');
    return this.users.userIdOfEmail(email);
  }

  /** The name others see beside this user's cursor: "First Last" or the e-mail address; null without CLERK_SECRET_KEY. */
  async displayNameOf(userId: string): Promise<string | null> {
    return this.users ? this.users.displayNameOf(userId) : null;
  }

  async authenticate(token: string | undefined): Promise<Identity> {
    if (typeof token !== 'string' || token.trim() === '') throw new UnauthorizedError('Sign in first: this server needs a bearer token.');
    if (token.length > MAX_TOKEN_LENGTH) throw new UnauthorizedError('The token is too long to be a session token.');
    const kid = readKid(token);
    let key = this.jwtKey;
    if (!key && this.jwks) {
      try {
        key = await this.jwks.pemFor(kid);
      } catch (error) {
        if (error instanceof JwksUnavailableError) {
          this.options.log?.('error', 'Clerk signing keys unavailable', { reason: error.message });
          throw new UnauthorizedError('The server cannot check sign-in tokens right now (signing keys unavailable); try again shortly.');
        }
        throw error;
      }
      if (!key) throw new UnauthorizedError('The token was signed with a key this server does not know: sign in again.');
    }
    let payload: { sub?: unknown; exp?: unknown };
    try {
      // The public verifyToken returns the payload or throws a TokenVerificationError with a `reason`.
      payload = await verifyToken(token, {
        jwtKey: key,
        ...(this.options.authorizedParties && this.options.authorizedParties.length > 0 ? { authorizedParties: this.options.authorizedParties } : {}),
        ...(this.issuer ? { issuer: this.issuer } : {}),
        ...(this.options.clockSkewMs !== undefined ? { clockSkewInMs: this.options.clockSkewMs } : {}),
      });
    } catch (error) {
      throw new UnauthorizedError(messageFor((error as { reason?: unknown } | null)?.reason));
    }
    const { sub, exp } = payload;
    if (typeof sub !== 'string' || sub === '') throw new UnauthorizedError('The token names no user (sub).');
    return { userId: sub, ...(typeof exp === 'number' ? { expiresAt: exp * 1000 } : {}) };
  }
}

function messageFor(reason: unknown): string {
  switch (reason) {
    case 'token-expired':
      return 'The token has expired: sign in again.';
    case 'token-not-active-yet':
      return 'The token is not valid yet (nbf is in the future): check the clocks, or sign in again.';
    case 'token-iat-in-the-future':
      return 'The token was issued in the future (iat): check the clocks, or sign in again.';
    case 'token-invalid-authorized-parties':
      return 'The token was issued for another site (azp is not an authorized party).';
    case 'token-invalid-issuer':
      return 'The token was issued by another Clerk instance (iss).';
    case 'token-invalid-signature':
      return 'The token signature is invalid.';
    case 'token-invalid-algorithm':
      return 'The token uses an algorithm this server does not accept.';
    default:
      return 'The token is invalid: sign in again.';
  }
}

/** The `kid` of a JWT's header, or undefined; a token that is not a JWT at all is refused here. */
function readKid(token: string): string | undefined {
  const [head, payload, signature] = token.split('.');
  if (!head || !payload || signature === undefined) throw new UnauthorizedError('The token is not a JWT.');
  try {
    const header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as { kid?: unknown };
    return typeof header.kid === 'string' ? header.kid : undefined;
  } catch {
    throw new UnauthorizedError('The token is not a JWT.');
  }
}

/** Environment variables often carry a PEM with literal `\n`. */
function normalizePem(pem: string): string {
  return pem.includes('\\n') ? pem.replace(/\\n/g, '\n') : pem;
}

function normalizeFrontendApi(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  if (!trimmed) return undefined;
  try {
    const url = new URL(/^[a-z]+:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`);
    return url.host;
  } catch {
    throw new ConfigError(`CLERK_FRONTEND_API must be a host name such as "clerk.example.com"; got ${JSON.stringify(value)}.`);
  }
}

/** A publishable key is `pk_(test|live)_` + base64 of `<frontend api>$`. */
export function frontendApiFromPublishableKey(key: string | undefined): string | undefined {
  const match = /^pk_(?:test|live)_([A-Za-z0-9+/=_-]+)$/.exec(key?.trim() ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  return /^[a-z0-9.-]+\.[a-z]{2,}\$$/i.test(decoded) ? decoded.slice(0, -1) : undefined;
}

function isHttpUrl(value: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

/** Comma-separated list → trimmed non-empty entries. */
export function splitList(value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}
