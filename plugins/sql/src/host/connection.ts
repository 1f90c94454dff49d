/**
 * Notebook connection strings: parsing (URL form only), secrets kept out of
 * messages, and the safe-host rule: with auth on, a database that resolves to
 * a loopback, link-local (cloud metadata) or private address is refused
 * unless the allow list (SQL_ALLOWED_HOSTS: hosts or CIDR ranges) names it.
 */
import * as dns from 'node:dns';
import * as net from 'node:net';

export class ConnectionStringError extends Error {
  readonly code = 'RNB_SQL_CONNECTION';
  constructor(message: string) {
    super(message);
    this.name = 'ConnectionStringError';
  }
}

export interface ParsedConnection {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  ssl: false | { rejectUnauthorized: boolean; servername?: string };
  applicationName?: string;
}

/** Query parameters we pass on; others (sslcert=/path, host=/socket...) could make the server read its own files. */
const ALLOWED_PARAMS = new Set(['sslmode', 'application_name', 'connect_timeout', 'uselibpqcompat']);

/** Parses `postgresql://user:password@host:port/database?sslmode=...`. Errors never contain the string. */
export function parseConnectionString(text: string): ParsedConnection {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new ConnectionStringError('The connection string is not a valid URL: use postgresql://user:password@host:5432/database.');
  }
  if (url.protocol !== 'postgresql:' && url.protocol !== 'postgres:') {
    throw new ConnectionStringError('The connection string must start with postgresql:// (or postgres://).');
  }
  for (const key of url.searchParams.keys()) {
    if (!ALLOWED_PARAMS.has(key)) {
      throw new ConnectionStringError(`The connection string option "${key.slice(0, 40)}" is not supported (allowed: ${[...ALLOWED_PARAMS].join(', ')}).`);
    }
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) throw new ConnectionStringError('The connection string names no host.');
  if (host.includes(',')) throw new ConnectionStringError('Connection strings with several hosts are not supported.');
  const port = url.port ? Number(url.port) : 5432;
  const decode = (part: string): string => {
    try {
      return decodeURIComponent(part);
    } catch {
      throw new ConnectionStringError('The connection string has a badly escaped user name or password.');
    }
  };
  const mode = url.searchParams.get('sslmode') ?? 'disable';
  let ssl: ParsedConnection['ssl'];
  if (mode === 'disable') ssl = false;
  else if (mode === 'verify-full' || mode === 'verify-ca') ssl = { rejectUnauthorized: true, servername: host };
  else if (mode === 'require' || mode === 'prefer' || mode === 'no-verify' || mode === 'allow') ssl = { rejectUnauthorized: false };
  else throw new ConnectionStringError(`Unknown sslmode "${mode.slice(0, 20)}".`);
  const parsed: ParsedConnection = {
    host,
    port,
    user: decode(url.username),
    password: decode(url.password),
    database: decode(url.pathname.replace(/^\//, '')) || decode(url.username),
    ssl,
  };
  const app = url.searchParams.get('application_name');
  if (app) parsed.applicationName = app.slice(0, 60);
  return parsed;
}

/** Removes every trace of the secret from a message (the password, raw or URL-encoded, and the string itself). */
export function redact(message: string, connectionString: string | null): string {
  if (!connectionString) return message;
  let out = message.split(connectionString).join('postgresql://…');
  let password = '';
  try {
    password = decodeURIComponent(new URL(connectionString).password);
  } catch {
    // An unparsable string: only the full string is known to be secret.
  }
  for (const secret of new Set([password, encodeURIComponent(password)])) {
    if (secret.length >= 1) out = out.split(secret).join('•••');
  }
  return out;
}

export interface SafeHostPolicy {
  /** Auth is on: refuse internal addresses unless allowed. */
  requireSafeHosts: boolean;
  /** Host names (exact, case-insensitive) or CIDR ranges / single addresses. */
  allowedHosts: readonly string[];
  /** DNS lookup (tests replace it). */
  lookup?: (host: string) => Promise<{ address: string; family: number }[]>;
}

/** Ranges a notebook may not reach when auth is on: loopback, link-local, private, and the like. */
const INTERNAL = new net.BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) INTERNAL.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96]] as const) {
  INTERNAL.addSubnet(network, prefix, 'ipv6');
}

function familyOf(address: string): 'ipv4' | 'ipv6' {
  return net.isIPv4(address) ? 'ipv4' : 'ipv6';
}

/** IPv4-mapped IPv6 (::ffff:10.0.0.1) is checked as the IPv4 address it is. */
function unmap(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address;
}

export function isInternalAddress(address: string): boolean {
  const plain = unmap(address);
  return INTERNAL.check(plain, familyOf(plain));
}

/** Compiles the allow list; throws on an entry that is neither a host name nor an address or CIDR. */
export function allowList(entries: readonly string[]): { hosts: Set<string>; ranges: net.BlockList } {
  const hosts = new Set<string>();
  const ranges = new net.BlockList();
  for (const raw of entries) {
    const entry = raw.trim();
    if (!entry) continue;
    const cidr = /^(.+)\/(\d{1,3})$/.exec(entry);
    if (cidr && net.isIP(cidr[1]!)) {
      const prefix = Number(cidr[2]);
      const family = familyOf(cidr[1]!);
      if (prefix > (family === 'ipv4' ? 32 : 128)) throw new ConnectionStringError(`SQL_ALLOWED_HOSTS: "${entry}" has an invalid prefix length.`);
      ranges.addSubnet(cidr[1]!, prefix, family);
    } else if (net.isIP(entry)) {
      ranges.addAddress(unmap(entry), familyOf(unmap(entry)));
    } else if (/^[A-Za-z0-9.-]+$/.test(entry)) {
      hosts.add(entry.toLowerCase());
    } else {
      throw new ConnectionStringError(`SQL_ALLOWED_HOSTS: "${entry.slice(0, 60)}" is neither a host name nor an address or CIDR range.`);
    }
  }
  return { hosts, ranges };
}

const defaultLookup = (host: string): Promise<{ address: string; family: number }[]> => dns.promises.lookup(host, { all: true, verbatim: true });

/**
 * Resolves the host once and returns the address to connect to, so a DNS
 * answer that changes after the check (rebinding) cannot redirect the
 * connection. Without `requireSafeHosts` the host is used as given.
 */
export async function resolveSafeHost(host: string, policy: SafeHostPolicy): Promise<string> {
  if (!policy.requireSafeHosts) return host;
  const allowed = allowList(policy.allowedHosts);
  const byName = allowed.hosts.has(host.toLowerCase());
  let addresses: { address: string }[];
  if (net.isIP(host)) addresses = [{ address: host }];
  else {
    try {
      addresses = await (policy.lookup ?? defaultLookup)(host);
    } catch {
      throw new ConnectionStringError(`The database host "${host.slice(0, 100)}" could not be resolved.`);
    }
  }
  if (addresses.length === 0) throw new ConnectionStringError(`The database host "${host.slice(0, 100)}" has no address.`);
  for (const { address } of addresses) {
    const plain = unmap(address);
    if (isInternalAddress(plain) && !byName && !allowed.ranges.check(plain, familyOf(plain))) {
      throw new ConnectionStringError(
        `The database host "${host.slice(0, 100)}" resolves to an internal address (${plain}), which notebooks may not reach; an administrator can allow it with SQL_ALLOWED_HOSTS.`,
      );
    }
  }
  return addresses[0]!.address;
}

/** What the check's messages say is accepted. */
function accepted(policy: SafeHostPolicy): string {
  const hosts = policy.requireSafeHosts
    ? ' on a host notebooks may reach (not loopback, link-local such as 169.254.169.254, or private, unless SQL_ALLOWED_HOSTS allows it)'
    : '';
  return `Accepted: postgresql://user:password@host:5432/database${hosts}, with only these options: ${[...ALLOWED_PARAMS].join(', ')}.`;
}

/**
 * Refuses, when it is set, a connection string that running a cell would
 * refuse: not a PostgreSQL URL (file paths, mysql://), an unsupported option,
 * or (with `requireSafeHosts`) a host that is or resolves to an internal
 * address. A name that does not resolve now is let through: it is refused at
 * run time only if it still does not. Messages never contain the string.
 */
export async function checkConnectionString(text: string, policy: SafeHostPolicy): Promise<void> {
  let parsed: ParsedConnection;
  try {
    parsed = parseConnectionString(text);
  } catch (error) {
    throw new ConnectionStringError(`${(error as Error).message} ${accepted(policy)}`);
  }
  try {
    await resolveSafeHost(parsed.host, policy);
  } catch (error) {
    if (/could not be resolved|has no address/.test((error as Error).message)) return;
    throw new ConnectionStringError(`${(error as Error).message} ${accepted(policy)}`);
  }
}
