import * as os from 'node:os';
import { AuthProvider, definePlugin, type Identity, type Plugin } from '@rnb/core';

export const LOCAL_USER_ID = 'local';

/** Single-user local use: every caller is the one local user, no token asked. */
export class NoAuthProvider implements AuthProvider {
  readonly id = 'none';
  readonly requiresToken = false;
  constructor(private readonly userId: string = LOCAL_USER_ID) {}

  async authenticate(): Promise<Identity> {
    return { userId: this.userId };
  }

  /** The one local user is whoever runs the server: their OS account name (null when the OS has none for the uid). */
  async displayNameOf(): Promise<string | null> {
    try {
      return os.userInfo().username || null;
    } catch {
      return null; // a uid without a passwd entry (containers)
    }
  }
}

/** The `none` auth plugin (NOTEBOOK_AUTH=none, the default of `npm start`). */
export function noAuthPlugin(options: { userId?: string } = {}): Plugin<{}, {}, AuthProvider> {
  return definePlugin<{}, {}, AuthProvider>({
    id: '@rnb/server:auth-none',
    description: 'No sign-in: one local user',
    provides: AuthProvider,
    activate: () => new NoAuthProvider(options.userId),
  });
}
