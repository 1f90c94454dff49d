/**
 * @rnb/auth-clerk: hosted multi-user sign-in with Clerk. Provides core's
 * AuthProvider token; the host takes the user id from the token's `sub`.
 */
import { AuthProvider, definePlugin, type Plugin } from '@rnb/core';
import { ClerkAuthProvider, splitList, type ClerkAuthOptions } from './clerk-auth';

export { ClerkAuthProvider, frontendApiFromPublishableKey, type ClerkAuthOptions, type ClerkClientConfig } from './clerk-auth';
export { JwksKeySource, JwksUnavailableError, type JwksKeySourceOptions } from './jwks';

/**
 * The plugin. Explicit options win over the host's configuration:
 * CLERK_JWT_KEY, CLERK_JWKS_URL, CLERK_FRONTEND_API, CLERK_PUBLISHABLE_KEY,
 * CLERK_AUTHORIZED_PARTIES, CLERK_ISSUER, CLERK_SECRET_KEY, CLERK_API_URL.
 */
export function clerkAuthPlugin(options: ClerkAuthOptions = {}): Plugin<{}, {}, AuthProvider> {
  return definePlugin<{}, {}, AuthProvider>({
    id: '@rnb/auth-clerk:auth',
    description: 'Clerk session tokens (JWT) checked with @clerk/backend',
    provides: AuthProvider,
    activate(context) {
      const config = context.config;
      const parties = options.authorizedParties ?? splitList(config.CLERK_AUTHORIZED_PARTIES);
      const issuer = options.issuer ?? (config.CLERK_ISSUER ? splitList(config.CLERK_ISSUER) : undefined);
      const provider = new ClerkAuthProvider({
        log: context.log,
        ...options,
        ...pick('jwtKey', options.jwtKey ?? config.CLERK_JWT_KEY),
        ...pick('jwksUrl', options.jwksUrl ?? config.CLERK_JWKS_URL),
        ...pick('frontendApi', options.frontendApi ?? config.CLERK_FRONTEND_API),
        ...pick('publishableKey', options.publishableKey ?? config.CLERK_PUBLISHABLE_KEY),
        ...pick('secretKey', options.secretKey ?? config.CLERK_SECRET_KEY),
        ...pick('apiUrl', options.apiUrl ?? config.CLERK_API_URL),
        authorizedParties: parties,
        ...(issuer !== undefined ? { issuer } : {}),
      });
      if (parties.length === 0) context.log('warn', 'CLERK_AUTHORIZED_PARTIES is not set: tokens issued for any origin (azp) are accepted.');
      if (!provider.clientConfig.clerk_publishable_key) context.log('warn', 'CLERK_PUBLISHABLE_KEY is not set: the web app cannot offer sign-in.');
      return provider;
    },
  });
}

function pick<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value && value.trim() !== '' ? { [key]: value } : {}) as { [P in K]?: string };
}

export default clerkAuthPlugin;
