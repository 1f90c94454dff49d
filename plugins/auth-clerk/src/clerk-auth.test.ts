import { AuthProvider, ConfigError, InvalidInputError, PluginError, PluginHost, UnauthorizedError } from '@rnb/core';
import clerkAuthPlugin, { ClerkAuthProvider, frontendApiFromPublishableKey } from './index';
import { foreignKey, startTestIssuer, type TestIssuer } from './testing';

const now = (): number => Math.floor(Date.now() / 1000);

describe('Clerk auth provider', () => {
  let issuer: TestIssuer;
  beforeAll(async () => {
    issuer = await startTestIssuer();
  });
  afterAll(() => issuer.close());

  describe('with a PEM key (CLERK_JWT_KEY), offline', () => {
    const provider = (): ClerkAuthProvider => new ClerkAuthProvider({ jwtKey: issuer.publicKeyPem });

    it('takes the user id from sub and the expiry from exp', async () => {
      const exp = now() + 120;
      await expect(provider().authenticate(issuer.sign({ sub: 'user_alice', exp }))).resolves.toEqual({ userId: 'user_alice', expiresAt: exp * 1000 });
    });

    it('accepts a PEM whose newlines were written as \\n in an environment variable', async () => {
      const flat = issuer.publicKeyPem.replace(/\n/g, '\\n');
      await expect(new ClerkAuthProvider({ jwtKey: flat }).authenticate(issuer.sign())).resolves.toMatchObject({ userId: 'user_test' });
    });

    it.each([
      ['no token', undefined, /Sign in first/],
      ['an empty token', '', /Sign in first/],
      ['a token that is not a JWT', 'hello', /not a JWT/],
      ['a JWT with a garbage header', '!!!.e30.abc', /not a JWT/],
      ['a huge token', 'a'.repeat(20_000), /too long/],
    ])('refuses %s', async (_name, token, message) => {
      const error = await provider().authenticate(token).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnauthorizedError);
      expect((error as Error).message).toMatch(message);
    });

    it('refuses an expired token, a token not active yet, and one issued in the future', async () => {
      await expect(provider().authenticate(issuer.sign({ exp: now() - 60 }))).rejects.toThrow(/expired/);
      await expect(provider().authenticate(issuer.sign({ nbf: now() + 600 }))).rejects.toThrow(/not valid yet/);
      await expect(provider().authenticate(issuer.sign({ iat: now() + 600 }))).rejects.toThrow(/issued in the future/);
    });

    it('refuses a token without exp or without sub', async () => {
      await expect(provider().authenticate(issuer.sign({ exp: null }))).rejects.toThrow(UnauthorizedError);
      await expect(provider().authenticate(issuer.sign({ sub: null as unknown as string }))).rejects.toThrow(UnauthorizedError);
    });

    it('refuses a forged signature, a tampered payload and alg none', async () => {
      await expect(provider().authenticate(issuer.sign({}, { privateKey: foreignKey() }))).rejects.toThrow(/signature is invalid/);
      const [h, , s] = issuer.sign({ sub: 'user_bob' }).split('.');
      const tampered = `${h}.${Buffer.from(JSON.stringify({ sub: 'user_admin', exp: now() + 60 })).toString('base64url')}.${s}`;
      await expect(provider().authenticate(tampered)).rejects.toThrow(/signature is invalid/);
      const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'x', exp: now() + 60 })).toString('base64url')}.`;
      await expect(provider().authenticate(none)).rejects.toThrow(/algorithm/);
    });

    it('checks azp only against the configured authorized parties', async () => {
      const strict = new ClerkAuthProvider({ jwtKey: issuer.publicKeyPem, authorizedParties: ['https://app.example.com'] });
      await expect(strict.authenticate(issuer.sign({ azp: 'https://app.example.com' }))).resolves.toMatchObject({ userId: 'user_test' });
      await expect(strict.authenticate(issuer.sign({ azp: 'https://evil.example.com' }))).rejects.toThrow(/another site/);
      await expect(strict.authenticate(issuer.sign({}))).rejects.toThrow(/another site/);
      await expect(provider().authenticate(issuer.sign({ azp: 'https://evil.example.com' }))).resolves.toBeDefined();
    });

    it('checks iss when the frontend API is known (Clerk itself does not)', async () => {
      const withIssuer = new ClerkAuthProvider({ jwtKey: issuer.publicKeyPem, frontendApi: 'clerk.example.com' });
      await expect(withIssuer.authenticate(issuer.sign({ iss: 'https://clerk.example.com' }))).resolves.toBeDefined();
      await expect(withIssuer.authenticate(issuer.sign({ iss: 'https://clerk.other.com' }))).rejects.toThrow(/another Clerk instance/);
      await expect(withIssuer.authenticate(issuer.sign({}))).rejects.toThrow(/another Clerk instance/);
      const off = new ClerkAuthProvider({ jwtKey: issuer.publicKeyPem, frontendApi: 'clerk.example.com', issuer: false });
      await expect(off.authenticate(issuer.sign({ iss: 'https://clerk.other.com' }))).resolves.toBeDefined();
    });
  });

  describe('with a JWKS URL', () => {
    it('fetches the key set once and verifies with the key the kid names', async () => {
      const before = issuer.fetches;
      const provider = new ClerkAuthProvider({ jwksUrl: issuer.jwksUrl });
      await expect(provider.authenticate(issuer.sign({ sub: 'user_a' }))).resolves.toMatchObject({ userId: 'user_a' });
      await expect(provider.authenticate(issuer.sign({ sub: 'user_b' }))).resolves.toMatchObject({ userId: 'user_b' });
      expect(issuer.fetches - before).toBe(1);
    });

    it('refetches for a rotated key, and refuses an unknown kid without refetching on every request', async () => {
      const local = await startTestIssuer();
      try {
        const provider = new ClerkAuthProvider({ jwksUrl: local.jwksUrl, jwks: { minRefetchMs: 0 } });
        await provider.authenticate(local.sign());
        local.rotate();
        await expect(provider.authenticate(local.sign({ sub: 'user_rotated' }))).resolves.toMatchObject({ userId: 'user_rotated' });
        expect(local.fetches).toBe(2);

        const slow = new ClerkAuthProvider({ jwksUrl: local.jwksUrl, jwks: { minRefetchMs: 60_000 } });
        await slow.authenticate(local.sign());
        const fetched = local.fetches;
        for (let i = 0; i < 5; i++) {
          await expect(slow.authenticate(local.sign({}, { header: { kid: `bogus-${i}` } }))).rejects.toThrow(/key this server does not know/);
        }
        expect(local.fetches).toBe(fetched);
      } finally {
        await local.close();
      }
    });

    it('answers 401 with a clear message when the JWKS cannot be fetched, and logs it', async () => {
      const local = await startTestIssuer();
      local.setDown(true);
      const logs: string[] = [];
      const provider = new ClerkAuthProvider({ jwksUrl: local.jwksUrl, log: (_l, message, fields) => logs.push(`${message} ${JSON.stringify(fields)}`) });
      const token = local.sign();
      await expect(provider.authenticate(token)).rejects.toThrow(/cannot check sign-in tokens right now/);
      expect(logs.join('\n')).toMatch(/HTTP 503/);
      expect(logs.join('\n')).not.toContain(token);
      local.setDown(false);
      await local.close();
    });
  });

  describe("looking users up in Clerk's Backend API (CLERK_SECRET_KEY)", () => {
    const provider = (secretKey = issuer.secretKey): ClerkAuthProvider => new ClerkAuthProvider({ jwtKey: issuer.publicKeyPem, secretKey, apiUrl: issuer.apiUrl });
    beforeAll(() => {
      issuer.users.push(
        { id: 'user_ann', first_name: 'Ann', last_name: 'Lee', primary_email_address_id: 'idn_1', email_addresses: [{ id: 'idn_0', email_address: 'ann@old.example' }, { id: 'idn_1', email_address: 'Ann@Example.com' }] },
        { id: 'user_ed', first_name: null, last_name: null, primary_email_address_id: 'idn_2', email_addresses: [{ id: 'idn_2', email_address: 'ed@example.com' }] },
      );
    });

    it('resolves an e-mail address to the user id, whatever its case, by the users list filtered by email_address', async () => {
      await expect(provider().userIdOfEmail('ann@example.com')).resolves.toBe('user_ann');
      await expect(provider().userIdOfEmail(' ED@example.com ')).resolves.toBe('user_ed');
      await expect(provider().userIdOfEmail('ann@old.example')).resolves.toBe('user_ann');
      expect(issuer.apiRequests).toContain('GET /v1/users?email_address=ed%40example.com&limit=2');
    });

    it('answers null for an address no user has, and refuses what is not an address', async () => {
      await expect(provider().userIdOfEmail('nobody@example.com')).resolves.toBeNull();
      await expect(provider().userIdOfEmail('not an address@')).rejects.toThrow(InvalidInputError);
    });

    it('says the secret key is missing or wrong instead of answering "no user"', async () => {
      const logs: string[] = [];
      const noKey = new ClerkAuthProvider({ jwtKey: issuer.publicKeyPem, apiUrl: issuer.apiUrl });
      await expect(noKey.userIdOfEmail('ann@example.com')).rejects.toThrow(/CLERK_SECRET_KEY is not set/);
      const wrong = new ClerkAuthProvider({ jwtKey: issuer.publicKeyPem, secretKey: 'sk_test_wrong', apiUrl: issuer.apiUrl, log: (_l, message, fields) => logs.push(`${message} ${JSON.stringify(fields)}`) });
      const error = await wrong.userIdOfEmail('ann@example.com').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PluginError);
      expect((error as Error).message).toMatch(/HTTP 401.*check CLERK_SECRET_KEY/);
      expect(logs.join('\n')).toMatch(/refused/);
      expect(logs.join('\n')).not.toContain('sk_test_wrong');
      expect(() => new ClerkAuthProvider({ jwtKey: issuer.publicKeyPem, secretKey: 'pk_test_oops' })).toThrow(/CLERK_SECRET_KEY is not a Clerk secret key/);
    });

    it('names a user by first and last name, else the primary e-mail address; null for an unknown user or without a key', async () => {
      await expect(provider().displayNameOf('user_ann')).resolves.toBe('Ann Lee');
      await expect(provider().displayNameOf('user_ed')).resolves.toBe('ed@example.com');
      await expect(provider().displayNameOf('user_gone')).resolves.toBeNull();
      await expect(new ClerkAuthProvider({ jwtKey: issuer.publicKeyPem }).displayNameOf('user_ann')).resolves.toBeNull();
    });

    it('as a plugin, reads CLERK_SECRET_KEY and CLERK_API_URL', async () => {
      const host = new PluginHost({ config: { CLERK_JWT_KEY: issuer.publicKeyPem, CLERK_SECRET_KEY: issuer.secretKey, CLERK_API_URL: issuer.apiUrl } });
      host.register(clerkAuthPlugin());
      await host.start();
      await expect(host.get(AuthProvider).userIdOfEmail!('ann@example.com')).resolves.toBe('user_ann');
    });
  });

  describe('configuration', () => {
    it('needs a key, a JWKS URL, a frontend API or a publishable key, and names them', () => {
      expect(() => new ClerkAuthProvider({})).toThrow(ConfigError);
      expect(() => new ClerkAuthProvider({})).toThrow(/CLERK_JWT_KEY.*CLERK_JWKS_URL.*CLERK_FRONTEND_API.*CLERK_PUBLISHABLE_KEY/);
      expect(() => new ClerkAuthProvider({ jwtKey: 'not a pem' })).toThrow(/CLERK_JWT_KEY is not a PEM public key/);
      expect(() => new ClerkAuthProvider({ jwksUrl: 'ftp://x' })).toThrow(/CLERK_JWKS_URL/);
    });

    it('derives the frontend API from a publishable key', () => {
      const key = `pk_test_${Buffer.from('clerk.example.com$').toString('base64')}`;
      expect(frontendApiFromPublishableKey(key)).toBe('clerk.example.com');
      expect(frontendApiFromPublishableKey('pk_test_garbage')).toBeUndefined();
      expect(new ClerkAuthProvider({ publishableKey: key }).clientConfig).toEqual({ clerk_publishable_key: key });
    });

    it('as a plugin, reads CLERK_* from the host configuration', async () => {
      const host = new PluginHost({ config: { CLERK_JWKS_URL: issuer.jwksUrl, CLERK_AUTHORIZED_PARTIES: 'https://a.example, https://b.example' } });
      host.register(clerkAuthPlugin());
      await host.start();
      const auth = host.get(AuthProvider);
      expect(auth.id).toBe('clerk');
      expect(auth.requiresToken).toBe(true);
      await expect(auth.authenticate(issuer.sign({ azp: 'https://b.example' }))).resolves.toMatchObject({ userId: 'user_test' });
      await expect(auth.authenticate(issuer.sign({ azp: 'https://c.example' }))).rejects.toThrow(UnauthorizedError);
    });

    it('as a plugin, fails to start with a message naming what to set', async () => {
      const host = new PluginHost({ config: {} });
      host.register(clerkAuthPlugin());
      await expect(host.start()).rejects.toThrow(/CLERK_JWT_KEY/);
    });
  });
});
