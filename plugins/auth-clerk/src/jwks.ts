import { createPublicKey, type JsonWebKey } from 'node:crypto';

export interface JwksKeySourceOptions {
  /** The JWKS document's URL (Clerk: `https://<frontend api>/.well-known/jwks.json`). */
  url: string;
  /** How long a fetched key set is trusted before it is fetched again (default 5 minutes, as Clerk's own cache). */
  cacheMs?: number;
  /** An unknown `kid` refetches the set, at most this often (default 10 s), so a flood of bogus kids cannot hammer the issuer. */
  minRefetchMs?: number;
  /** Time limit of one fetch (default 5 s). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** Why the signing keys could not be had: a server-side problem, not the caller's token. */
export class JwksUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'JwksUnavailableError';
  }
}

interface CachedSet {
  keys: Map<string, string>;
  /** The only key of a set without kids, for tokens without a kid. */
  single: string | undefined;
  fetchedAt: number;
}

/**
 * The public keys of a JWKS URL as PEM strings, by key id. Clerk's
 * `verifyToken` only fetches keys from Clerk's Backend API with a secret key;
 * the session tokens' own issuer publishes them at its frontend API, which is
 * what the original used and what tests can serve on loopback. Keys are handed
 * to `verifyToken` as `jwtKey`, so every claim check stays Clerk's.
 */
export class JwksKeySource {
  private cached: CachedSet | null = null;
  private inflight: Promise<CachedSet> | null = null;
  private lastFetchStarted = 0;
  private readonly cacheMs: number;
  private readonly minRefetchMs: number;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: JwksKeySourceOptions) {
    this.cacheMs = options.cacheMs ?? 5 * 60_000;
    this.minRefetchMs = options.minRefetchMs ?? 10_000;
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** The PEM of the key `kid` names; undefined when the issuer does not publish it. */
  async pemFor(kid: string | undefined): Promise<string | undefined> {
    const now = Date.now();
    let set = this.cached;
    if (!set || now - set.fetchedAt > this.cacheMs) set = await this.refresh();
    let pem = pick(set, kid);
    if (pem === undefined && now - this.lastFetchStarted > this.minRefetchMs) {
      // Keys rotate: an unknown kid may be a new key.
      set = await this.refresh();
      pem = pick(set, kid);
    }
    return pem;
  }

  private refresh(): Promise<CachedSet> {
    if (!this.inflight) {
      this.lastFetchStarted = Date.now();
      this.inflight = this.load().finally(() => {
        this.inflight = null;
      });
    }
    return this.inflight;
  }

  private async load(): Promise<CachedSet> {
    let body: unknown;
    try {
      const response = await this.fetchImpl(this.options.url, { signal: AbortSignal.timeout(this.timeoutMs), headers: { accept: 'application/json' } });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      body = await response.json();
    } catch (error) {
      if (this.cached) {
        // Keep verifying with the keys we have while the issuer is down; try again after minRefetchMs.
        this.cached.fetchedAt = Date.now() - this.cacheMs + this.minRefetchMs;
        return this.cached;
      }
      throw new JwksUnavailableError(`The signing keys could not be fetched from ${this.options.url}: ${(error as Error)?.message ?? String(error)}`, { cause: error });
    }
    const keys = new Map<string, string>();
    const list = (body as { keys?: unknown } | null)?.keys;
    if (!Array.isArray(list)) throw new JwksUnavailableError(`${this.options.url} is not a JWKS document (no "keys" array).`);
    const withoutKid: string[] = [];
    for (const jwk of list as JsonWebKey[]) {
      if (!jwk || typeof jwk !== 'object' || jwk.kty !== 'RSA' || (jwk.use !== undefined && jwk.use !== 'sig')) continue;
      let pem: string;
      try {
        pem = createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
      } catch {
        continue; // one malformed key must not hide the others
      }
      if (typeof jwk.kid === 'string') keys.set(jwk.kid, pem);
      else withoutKid.push(pem);
    }
    const all = [...keys.values(), ...withoutKid];
    this.cached = { keys, single: all.length === 1 ? all[0] : undefined, fetchedAt: Date.now() };
    return this.cached;
  }
}

function pick(set: CachedSet, kid: string | undefined): string | undefined {
  return kid === undefined ? set.single : set.keys.get(kid);
}
