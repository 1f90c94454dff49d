import { InvalidInputError, PluginError } from '@rnb/core';

export interface ClerkUserDirectoryOptions {
  /** Backend API base, e.g. `https://api.clerk.com`. */
  apiUrl: string;
  /** `sk_…`: sent as the bearer token, never logged. */
  secretKey: string;
  /** Per request (default 10 s). */
  timeoutMs?: number;
  /** How long a name is reused before Clerk is asked again (default 10 minutes). */
  nameTtlMs?: number;
  log?: (level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
}

/** The fields of Clerk's User object this plugin reads (Backend API `GET /v1/users`). */
interface ClerkUser {
  id: string;
  first_name?: string | null;
  last_name?: string | null;
  username?: string | null;
  primary_email_address_id?: string | null;
  email_addresses?: { id: string; email_address: string }[];
}

const PLUGIN_ID = '@rnb/auth-clerk';
const MAX_EMAIL_LENGTH = 254;

/** Looks users up in Clerk's Backend API: by e-mail address (sharing) and by id (the name others see). */
export class ClerkUserDirectory {
  private readonly names = new Map<string, { name: string | null; until: number }>();

  constructor(private readonly options: ClerkUserDirectoryOptions) {}

  async userIdOfEmail(email: string): Promise<string | null> {
    const address = email.trim().toLowerCase();
    if (address.length > MAX_EMAIL_LENGTH || !/^[^\s@]+@[^\s@]+$/.test(address)) {
      throw new InvalidInputError(`${JSON.stringify(email.slice(0, 100))} is not an e-mail address.`);
    }
    const users = await this.get<ClerkUser[]>(`/v1/users?email_address=${encodeURIComponent(address)}&limit=2`, 'look up an e-mail address');
    if (!Array.isArray(users)) throw new PluginError(PLUGIN_ID, 'Clerk answered the user search with something that is not a list of users.');
    // Clerk matches addresses case-insensitively; one address belongs to at most one user.
    const match = users.find((user) => user.email_addresses?.some((entry) => entry.email_address.toLowerCase() === address));
    return match?.id ?? null;
  }

  /** "First Last", else the primary e-mail address, else the username; null when Clerk has no such user. */
  async displayNameOf(userId: string): Promise<string | null> {
    const cached = this.names.get(userId);
    if (cached && cached.until > Date.now()) return cached.name;
    const user = await this.get<ClerkUser | null>(`/v1/users/${encodeURIComponent(userId)}`, 'read a user', { notFound: null });
    const name = user ? nameOf(user) : null;
    this.names.set(userId, { name, until: Date.now() + (this.options.nameTtlMs ?? 10 * 60_000) });
    return name;
  }

  private async get<T>(path: string, doing: string, options: { notFound?: T } = {}): Promise<T> {
    const url = `${this.options.apiUrl.replace(/\/+$/, '')}${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { Authorization: `Bearer ${this.options.secretKey}`, Accept: 'application/json' },
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      this.options.log?.('error', 'Clerk Backend API unreachable', { reason: (error as Error).message });
      throw new PluginError(PLUGIN_ID, `Clerk cannot be reached to ${doing}; try again shortly.`, { cause: error });
    }
    if (response.status === 404 && 'notFound' in options) return options.notFound as T;
    if (!response.ok) {
      // 401/403: the secret key is wrong or revoked, an operator's problem (logged), not the caller's.
      this.options.log?.('error', 'Clerk Backend API refused a request', { status: response.status, path: path.split('?')[0] });
      throw new PluginError(PLUGIN_ID, `Clerk refused to ${doing} (HTTP ${response.status}); ${response.status === 401 || response.status === 403 ? 'check CLERK_SECRET_KEY' : 'try again shortly'}.`);
    }
    return (await response.json()) as T;
  }
}

function nameOf(user: ClerkUser): string | null {
  const full = [user.first_name, user.last_name].filter((part) => typeof part === 'string' && part.trim() !== '').join(' ').trim();
  if (full) return full;
  const primary = user.email_addresses?.find((entry) => entry.id === user.primary_email_address_id) ?? user.email_addresses?.[0];
  return primary?.email_address ?? user.username ?? null;
}
