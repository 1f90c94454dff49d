import { allowList, checkConnectionString, isInternalAddress, parseConnectionString, redact, resolveSafeHost, type SafeHostPolicy } from './connection';

describe('connection strings', () => {
  it('parses the URL form', () => {
    expect(parseConnectionString('postgresql://ann:p%40ss@db.example.com:6543/sales?sslmode=verify-full&application_name=nb')).toEqual({
      host: 'db.example.com',
      port: 6543,
      user: 'ann',
      password: 'p@ss',
      database: 'sales',
      ssl: { rejectUnauthorized: true, servername: 'db.example.com' },
      applicationName: 'nb',
    });
    expect(parseConnectionString('postgres://u@[::1]/d')).toMatchObject({ host: '::1', port: 5432, ssl: false });
  });

  it.each([
    ['not a url', /not a valid URL/],
    ['mysql://u:p@h/d', /must start with postgresql/],
    ['postgresql://u:p@h/d?sslrootcert=/etc/shadow', /"sslrootcert" is not supported/],
    ['postgresql://u:p@h/d?host=/var/run/postgresql', /"host" is not supported/],
    ['postgresql://u:p@h1,h2/d', /not a valid URL|several hosts/],
    ['postgresql://u:p@h/d?sslmode=maybe', /Unknown sslmode/],
  ])('refuses %j with a clear error that does not repeat it', (text, message) => {
    expect(() => parseConnectionString(text)).toThrow(message);
    try {
      parseConnectionString(text);
    } catch (error) {
      expect((error as Error).message).not.toContain(':p@');
    }
  });

  it('redacts the password (raw and URL-encoded) and the string itself', () => {
    const secret = 'postgresql://ann:s3cr%2Ft@h/d';
    expect(redact(`failed for ${secret} with s3cr/t and s3cr%2Ft`, secret)).toBe('failed for postgresql://… with ••• and •••');
  });
});

describe('safe hosts (auth on)', () => {
  const lookups: Record<string, string[]> = {
    'metadata.example': ['169.254.169.254'],
    'db.internal': ['10.1.2.3'],
    'db.public': ['93.184.216.34'],
    'mixed.example': ['93.184.216.34', '192.168.1.9'],
    'v6.local': ['fe80::1'],
    'mapped.example': ['::ffff:127.0.0.1'],
  };
  const policy = (allowedHosts: string[] = []): SafeHostPolicy => ({
    requireSafeHosts: true,
    allowedHosts,
    lookup: async (host) => (lookups[host] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
  });

  it.each(['127.0.0.1', '::1', 'metadata.example', 'db.internal', 'mixed.example', 'v6.local', 'mapped.example', '0.0.0.0'])(
    'refuses %s, which resolves to an internal address',
    async (host) => {
      await expect(resolveSafeHost(host, policy())).rejects.toThrow(/internal address.*SQL_ALLOWED_HOSTS/);
    },
  );

  it('connects to the address it checked (no second DNS answer)', async () => {
    await expect(resolveSafeHost('db.public', policy())).resolves.toBe('93.184.216.34');
  });

  it('allows internal hosts named in the allow list, by name or by CIDR', async () => {
    await expect(resolveSafeHost('db.internal', policy(['DB.internal']))).resolves.toBe('10.1.2.3');
    await expect(resolveSafeHost('db.internal', policy(['10.0.0.0/8']))).resolves.toBe('10.1.2.3');
    await expect(resolveSafeHost('127.0.0.1', policy(['127.0.0.1']))).resolves.toBe('127.0.0.1');
    await expect(resolveSafeHost('metadata.example', policy(['10.0.0.0/8']))).rejects.toThrow(/internal/);
  });

  it('does nothing when auth is off', async () => {
    await expect(resolveSafeHost('127.0.0.1', { requireSafeHosts: false, allowedHosts: [] })).resolves.toBe('127.0.0.1');
  });

  it('an unresolvable host is a clear error', async () => {
    await expect(resolveSafeHost('nowhere.example', policy())).rejects.toThrow(/has no address/);
  });

  it('rejects a malformed allow list entry', () => {
    expect(() => allowList(['10.0.0.0/99'])).toThrow(/invalid prefix/);
    expect(() => allowList(['not a host!'])).toThrow(/neither a host name/);
  });

  it('classifies addresses', () => {
    expect(['10.0.0.1', '172.16.5.5', '192.168.0.1', '169.254.169.254', '100.64.0.1', 'fd00::1', 'fe80::2'].every(isInternalAddress)).toBe(true);
    expect(['8.8.8.8', '93.184.216.34', '2606:4700::1111'].some(isInternalAddress)).toBe(false);
  });

  it('checks a string when it is set as a query would later, and says what is accepted (issue 19 item 11)', async () => {
    const local = { requireSafeHosts: false, allowedHosts: [] };
    await expect(checkConnectionString('postgresql://ann:pw@127.0.0.1/db', local)).resolves.toBeUndefined();
    await expect(checkConnectionString('mysql://ann:pw@db/x', local)).rejects.toThrow(/postgresql:\/\/.*Accepted: postgresql:\/\/user:password@host:5432\/database, with only these options/);
    await expect(checkConnectionString('postgresql://ann:pw@127.0.0.1/db', policy())).rejects.toThrow(/internal address.*Accepted:.*not loopback, link-local/);
    await expect(checkConnectionString('postgresql://ann:pw@db.example.com/db', policy(['db.example.com']))).resolves.toBeUndefined();
    // A name that does not resolve now is not known to be refused later: stored, checked again at run time.
    await expect(checkConnectionString('postgresql://ann:pw@nowhere.example/db', policy())).resolves.toBeUndefined();
    await expect(checkConnectionString('postgresql://ann:pw@/db', local)).rejects.not.toThrow(/pw/);
  });
});
